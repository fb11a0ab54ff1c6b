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

namespace detail {
// What an acceptances row and a refusals row both take from a RCPT reply
// (the same fields by the same names).
template <typename Row>
Row from_reply(const SmtpReply& reply, const std::string& recipient, const std::string& sender,
               const std::string& mx_host, const char* source) {
  Row row;
  row.recipient = recipient;
  row.reply_code = reply.code;
  row.enhanced_status = reply.enhanced;
  row.reply_text = reply.text();
  row.mx_host = mx_host;
  row.sender = sender;
  row.source = source;
  return row;
}
}  // namespace detail

// accepted_at, message_id, envid and reserved_id are left empty.
inline storage::NewAcceptance acceptance_from_reply(const SmtpReply& reply, const std::string& recipient,
                                                    const std::string& sender, const std::string& mx_host,
                                                    const char* source) {
  return detail::from_reply<storage::NewAcceptance>(reply, recipient, sender, mx_host, source);
}

// refused_at is left empty.
inline storage::NewRefusal refusal_from_reply(const SmtpReply& reply, const std::string& recipient,
                                              const std::string& sender, const std::string& mx_host,
                                              const char* stage, const char* source) {
  auto r = detail::from_reply<storage::NewRefusal>(reply, recipient, sender, mx_host, source);
  r.stage = stage;
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
