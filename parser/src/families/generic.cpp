// Last resort for bounces no family recognised: an address followed or
// preceded by an error line in the bounce prose.
#include "common.h"
#include "family.h"
#include "../status.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

bool error_line(std::string_view lowered) {
  return !status::find_reply_code(lowered).empty() || !status::find_enhanced(lowered).empty() ||
         text::matches_any(lowered, {"unknown", "not found", "does not exist", "no such", "rejected", "denied",
                                     "full", "quota", "disabled", "invalid", "refused", "failed", "error",
                                     "unavailable", "blocked", "expired", "timed out", "too large"});
}

bool parse_generic(const Evidence& ev, Report& report) {
  if (!report.recipients.empty() || !looks_like_bounce(ev)) return false;
  const auto body = prose(ev);
  const auto ls = text::lines(body);
  for (std::size_t i = 0; i < ls.size(); ++i) {
    const auto addr = text::find_address(ls[i]);
    if (addr.empty() || text::iequals(addr, ev.from_address)) continue;
    // Diagnostic: the rest of this line after the address, or the next
    // non-empty lines.
    std::string diag;
    const auto lowered = text::lower(ls[i]);
    if (error_line(lowered) && lowered.size() > addr.size() + 8) diag = std::string(text::trim(ls[i]));
    for (std::size_t j = i + 1; diag.empty() && j < ls.size() && j <= i + 3; ++j) {
      const auto l = text::trim(ls[j]);
      if (l.empty()) continue;
      if (error_line(text::lower(l))) diag = std::string(l);
      break;
    }
    if (diag.empty()) continue;
    auto& r = recipient_for(report, addr);
    if (r.diagnostic.empty()) r.diagnostic = diag;
    r.action = "failed";
  }
  return !report.recipients.empty();
}

}  // namespace

extern const Family kGenericFamily{"generic", parse_generic};

}  // namespace ndrlink::parser::family
