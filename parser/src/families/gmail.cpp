// Gmail's plain-text bounces (before the multipart DSNs of today), from
// mailer-daemon@googlemail.com / @google.com:
//   Delivery to the following recipient failed permanently:
//        rcpt@example.org
//   Technical details of permanent failure:
//   Google tried to deliver your message, but it was rejected by the server
//   for the recipient domain ... The error that the other server returned
//   was: 550 550 5.1.1 <rcpt@example.org>... User Unknown (state 14).
// "... has been delayed:" / "temporary failure" for deferrals. The "(state N)"
// number tells which step of the SMTP session failed.
#include <charconv>

#include "common.h"
#include "family.h"
#include "google.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

// Gmail's SMTP client states (as Sisimai's Gmail module documents them).
std::string_view reason_of_state(int state) {
  switch (state) {
    case 6:
    case 9: return "failedstarttls";   // remote has no (working) TLS
    case 8: return "systemerror";      // SMTP AUTH failed
    case 12: return "norelaying";      // no authenticated relay
    case 13: return "blocked";         // refused at EHLO / connection
    case 14: return "userunknown";     // RCPT refused
    case 15:
    case 16:
    case 17:
    case 18: return "filtered";        // refused at DATA
    default: return {};
  }
}

int state_number(std::string_view diag) {
  const auto at = text::ifind(diag, "(state ");
  if (at == std::string_view::npos) return -1;
  int n = -1;
  const auto digits = diag.substr(at + 7);
  std::from_chars(digits.data(), digits.data() + digits.size(), n);
  return n;
}

// The technical details after `lead`: the remote server's reply when
// quoted ("The error that the other server returned was: ..."), else the
// text itself, up to the end of the prose.
std::string technical_details(std::string_view body, std::size_t lead) {
  auto rest = body.substr(lead);
  rest = rest.substr(std::min(rest.size(), rest.find('\n')));
  if (const auto q = text::ifind(rest, "other server returned was:"); q != std::string_view::npos)
    rest = rest.substr(q + 26);
  return text::squeeze_spaces(text::trim(rest.substr(0, std::min<std::size_t>(rest.size(), 2048))));
}

bool is_gmail_daemon(const Evidence& ev) {
  return text::iequals(ev.from_address, "mailer-daemon@googlemail.com") ||
         text::iequals(ev.from_address, "mailer-daemon@google.com") ||
         text::iequals(ev.from_address, "mailer-daemon@gmail.com");
}

bool parse_gmail(const Evidence& ev, Report& report) {
  if (!is_gmail_daemon(ev) || report.kind == Kind::dsn) return false;
  const auto body = prose(ev);
  const auto lead = text::ifind(body, "Delivery to the following recipient");
  if (lead == std::string_view::npos) return false;
  const bool delayed = text::ifind(body, "has been delayed", lead) != std::string_view::npos &&
                       text::ifind(body, "failed permanently", lead) == std::string_view::npos;
  const auto details = text::ifind(body, "Technical details of ", lead);
  const std::string diag = details == std::string_view::npos ? std::string() : technical_details(body, details);
  const auto block = body.substr(lead, (details == std::string_view::npos ? body.size() : details) - lead);
  const auto lines = text::lines(block);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto line = text::trim(lines[i]);
    if (!text::is_address(line)) continue;
    auto& r = recipient_for(report, line);
    r.action = delayed ? "delayed" : "failed";
    r.diagnostic = diag;
    r.reason = std::string(reason_of_state(state_number(diag)));
    if (r.reason.empty()) r.reason = std::string(google_reason(diag));
  }
  return !report.recipients.empty();
}

}  // namespace

extern const Family kGmailFamily{"gmail", parse_gmail};

}  // namespace ndrlink::parser::family
