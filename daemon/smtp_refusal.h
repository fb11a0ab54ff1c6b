// A `refusals` row from an SMTP reply: the relay and `ndrlink probe` record
// the same fields. refused_at is left to the caller (the relay's recorder
// stamps it with the daemon's clock).
#pragma once

#include <string>

#include "ndrlink/storage/records.h"
#include "smtp_reply.h"

namespace ndrlink::smtp {

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

}  // namespace ndrlink::smtp
