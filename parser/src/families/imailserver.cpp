// Ipswitch IMail Server: Subject "Undeliverable Mail", one line per
// recipient "<error text>: <address>" and "Original message follows.".
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

struct Failure {
  std::string_view prefix;  // lower case, at the start of the line
  std::string_view reason;  // empty: the text decides
};

// IMail's own error lines.
constexpr Failure kFailures[] = {
    {"unknown user", "userunknown"},
    {"invalid final delivery userid", "userunknown"},
    {"unknown host", "hostunknown"},
    {"user mailbox exceeds allowed size", "mailboxfull"},
    {"requested action not taken: virus detected", "securityerror"},
    {"delivery failed ", "expired"},  // "Delivery failed 20 attempts: addr"
    {"undeliverable to", ""},
};

bool parse_imailserver(const Evidence& ev, Report& report) {
  if (report.kind == Kind::dsn || !text::istarts_with(text::trim(ev.subject), "undeliverable mail")) return false;
  if (!text::icontains(ev.text, "original message follows")) return false;
  const auto ls = text::lines(prose(ev));
  for (std::size_t i = 0; i < ls.size() && report.recipients.size() < 100; ++i) {
    const auto line = text::trim(ls[i]);
    const auto colon = line.rfind(": ");
    if (colon == std::string_view::npos) continue;
    const auto addr = text::clean_address(line.substr(colon + 2));
    if (!text::is_address(addr)) continue;
    const auto lowered = text::lower(line);
    for (const auto& f : kFailures) {
      if (!lowered.starts_with(f.prefix)) continue;
      auto& r = recipient_for(report, addr);
      r.diagnostic = std::string(line);
      r.action = "failed";
      if (r.reason.empty()) r.reason = std::string(f.reason);
      break;
    }
  }
  return !report.recipients.empty();
}

}  // namespace

extern const Family kIMailServerFamily{"imailserver", parse_imailserver};

}  // namespace ndrlink::parser::family
