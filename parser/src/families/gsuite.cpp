// Gmail / Google Workspace DSNs of today: multipart/report from
// mailer-daemon@googlemail.com whose text says "** Address not found **",
// "Your message wasn't delivered to X because ...", "The response was:"
// followed by the remote reply or Google's DNS error. The delivery-status
// part often has no Diagnostic-Code (or Google's own text in it): the
// reason comes from Google's fixed wording.
#include "common.h"
#include "family.h"
#include "google.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

// The explanation in the text: from the "** ... **" title to the end of
// the prose, squeezed to one line.
std::string explanation(const Evidence& ev) {
  auto body = prose(ev);
  if (const auto at = body.find("** "); at != std::string_view::npos) body = body.substr(at);
  return text::squeeze_spaces(text::trim(body.substr(0, std::min<std::size_t>(body.size(), 2048))));
}

bool parse_gsuite(const Evidence& ev, Report& report) {
  if (report.kind != Kind::dsn || !text::icontains(ev.subject, "Delivery Status Notification")) return false;
  if (!text::iequals(ev.from_address, "mailer-daemon@googlemail.com") &&
      !text::iequals(ev.from_address, "mailer-daemon@google.com"))
    return false;
  const std::string told = explanation(ev);
  for (auto& r : report.recipients) {
    if (r.diagnostic.empty()) r.diagnostic = told;
    auto reason = google_reason(r.diagnostic);
    if (reason.empty()) reason = google_reason(told);
    if (!reason.empty() && r.reason.empty()) r.reason = std::string(reason);
  }
  return true;
}

}  // namespace

extern const Family kGSuiteFamily{"gsuite", parse_gsuite};

}  // namespace ndrlink::parser::family
