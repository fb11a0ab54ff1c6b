// Google Groups: a "Delivery Status Notification" from
// mailer-daemon@googlemail.com with X-Failed-Recipients naming the group,
// and a localized text "the group you tried to contact (name) may not
// exist, or you may not have permission to post messages to the group"
// followed by four "* ..." reasons, and a link to groups.google.com.
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

// The text lists the four usual causes as "* ..." lines: the sender was
// refused by the group (not a missing address).
bool lists_four_causes(std::string_view body) {
  int bullets = 0;
  for (auto line : text::lines(body)) {
    line = text::trim(line);
    if (line.starts_with('*')) ++bullets;
  }
  return bullets == 4;
}

bool parse_googlegroups(const Evidence& ev, Report& report) {
  const auto failed = ev.header("X-Failed-Recipients");
  if (failed.empty() || !text::icontains(ev.subject, "Delivery Status Notification")) return false;
  if (!text::iequals(ev.from_address, "mailer-daemon@googlemail.com") &&
      !text::iequals(ev.from_address, "mailer-daemon@google.com"))
    return false;
  const auto body = prose(ev);
  if (!text::icontains(body, "groups.google.com") && !text::icontains(body, "Google Groups")) return false;
  const auto addresses = text::find_addresses(failed);
  if (addresses.empty()) return false;
  // The group's own explanation; a missing list of causes leaves the reason open.
  const bool refused = lists_four_causes(body);
  const std::string diagnostic = text::squeeze_spaces(text::trim(body.substr(0, std::min<std::size_t>(body.size(), 2048))));
  for (const auto& addr : addresses) {
    auto& r = recipient_for(report, addr);
    r.action = "failed";
    if (r.diagnostic.empty()) r.diagnostic = diagnostic;
    r.reason = refused ? "rejected" : "onhold";
  }
  return true;
}

}  // namespace

extern const Family kGoogleGroupsFamily{"googlegroups", parse_googlegroups};

}  // namespace ndrlink::parser::family
