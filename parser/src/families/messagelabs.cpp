// Symantec Email Security.cloud (MessageLabs) outbound relay: an RFC 3464
// report whose recipient fields may come after the status fields; its
// replies "542 ... Rejected" mean an unknown recipient, and the relay asks
// for SMTP authentication in its own words.
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

bool is_messagelabs(const Evidence& ev) {
  return text::icontains(ev.from_address, "messagelabs.com") &&
         (text::istarts_with(ev.subject, "Mail Delivery Failure") ||
          text::icontains(ev.text, "this is the mail delivery agent at"));
}

std::string_view reason_of(std::string_view diag) {
  const auto lowered = text::lower(diag);
  if (text::matches(lowered, "please turn on smtp authentication")) return "securityerror";
  if (text::matches(lowered, "no such user")) return "userunknown";
  // "542 user@example.com Rejected": the recipient was refused.
  if (lowered.starts_with("542 ") && text::matches(lowered, "* rejected")) return "userunknown";
  return {};
}

bool parse_messagelabs(const Evidence& ev, Report& report) {
  if (report.kind != Kind::dsn || !is_messagelabs(ev)) return false;
  for (auto& r : report.recipients)
    if (const auto reason = reason_of(r.diagnostic); !reason.empty()) r.reason = std::string(reason);
  return true;
}

}  // namespace

extern const Family kMessageLabsFamily{"messagelabs", parse_messagelabs};

}  // namespace ndrlink::parser::family
