// 1&1 (United Internet, kundenserver) bounces: "This message was created
// automatically by mail delivery software." ... "The following address
// failed:" / the address / "For the following reason:" / the reason text,
// then "--- The header of the original message is following. ---".
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr std::string_view kReasonLead = "For the following reason:";

bool parse_einsundeins(const Evidence& ev, Report& report) {
  if (report.kind == Kind::dsn || !text::icontains(ev.subject, "Mail delivery failed")) return false;
  const auto body = prose(ev);
  const auto failed = text::ifind(body, "The following address");
  if (failed == std::string_view::npos) return false;
  const auto lead = text::ifind(body, kReasonLead, failed);
  if (lead == std::string_view::npos) return false;
  const auto reason = body.substr(lead + kReasonLead.size());
  const std::string diag =
      text::squeeze_spaces(text::trim(reason.substr(0, std::min<std::size_t>(reason.size(), 2048))));
  for (const auto& addr : text::find_addresses(body.substr(failed, lead - failed))) {
    auto& r = recipient_for(report, addr);
    r.action = "failed";
    r.diagnostic = diag;
  }
  return !report.recipients.empty();
}

}  // namespace

extern const Family kEinsUndEinsFamily{"einsundeins", parse_einsundeins};

}  // namespace ndrlink::parser::family
