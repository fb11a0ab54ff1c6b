// What a probe's outcome means for the address: the verdict (for scripts
// and the exit status) and a one-sentence explanation for people.
#pragma once

#include <string>

#include "smtp_reply.h"

namespace ndrlink::cli {

// accepted: 250/251 at RCPT; accepted_unverified: 252 (or another 2xx that
// names no mailbox check); temporary: 4xx; refused: 5xx at RCPT (or the
// domain has no mail service); error: the probe could not ask the
// question (connection, TLS, protocol, or MAIL FROM refused).
enum class Verdict { accepted, accepted_unverified, temporary, refused, error };

const char* verdict_name(Verdict v);
// 0 accepted / accepted_unverified, 1 refused, 2 temporary or error.
int exit_status(Verdict v);

// The verdict of a RCPT reply.
Verdict rcpt_verdict(const smtp::SmtpReply& rcpt);
// What a RCPT reply means for the address, by code and enhanced status.
std::string rcpt_meaning(const smtp::SmtpReply& rcpt);


}  // namespace ndrlink::cli
