// Store records from SMTP replies, the same for the relay and `ndrlink
// probe`: an `acceptances` row from a 2xx RCPT reply, a `refusals` row
// from a 4xx/5xx, and the "not sent" mark of an accepted message that did
// not go out. Times and ids are left to the caller (the relay stamps them
// with the daemon's clock).
#pragma once

#include <string>
#include <utility>

#include "ndrlink/parser/parser.h"
#include "ndrlink/storage/records.h"
#include "smtp_reply.h"

namespace ndrlink::smtp {

// accepted_at, message_id, envid and reserved_id are left empty.
inline storage::NewAcceptance acceptance_from_reply(const SmtpReply& reply, const std::string& recipient,
                                                    const std::string& sender, const std::string& mx_host,
                                                    const char* source) {
  storage::NewAcceptance a;
  a.recipient = recipient;
  a.reply_code = reply.code;
  a.enhanced_status = reply.enhanced;
  a.reply_text = reply.text();
  a.mx_host = mx_host;
  a.sender = sender;
  a.source = source;
  return a;
}

// refused_at is left empty.
inline storage::NewRefusal refusal_from_reply(const SmtpReply& reply, const std::string& recipient,
                                              const std::string& sender, const std::string& mx_host,
                                              const char* stage, const char* source) {
  storage::NewRefusal r;
  r.recipient = recipient;
  r.reply_code = reply.code;
  r.enhanced_status = reply.enhanced;
  r.reply_text = reply.text();
  r.mx_host = mx_host;
  r.sender = sender;
  r.stage = stage;
  r.source = source;
  return r;
}

// The mark of a message refused at DATA (`code` 4xx/5xx: the reason and
// hard flag the parser's classifier gives the reply) or never sent (`code`
// 0: reason "not_sent", `text` says why). acceptance_id is left to the
// caller.
inline storage::NotSent not_sent_mark(int code, const std::string& enhanced, const std::string& text,
                                      std::string at) {
  storage::NotSent n;
  n.reply_code = code;
  n.enhanced_status = enhanced;
  n.reply_text = text;
  n.at = std::move(at);
  if (code) {
    const auto verdict = parser::classify_reply(std::to_string(code), enhanced, text, "DATA");
    n.reason = verdict.reason;
    n.hard = verdict.hard;
  } else {
    n.reason = "not_sent";
  }
  return n;
}

}  // namespace ndrlink::smtp
