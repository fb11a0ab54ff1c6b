#include "common.h"

#include "../dsn.h"
#include "../text.h"

namespace ndrlink::parser::family {

RecipientResult& recipient_for(Report& report, std::string_view address) {
  for (auto& r : report.recipients)
    if (text::iequals(r.recipient, address)) return r;
  report.recipients.emplace_back();
  report.recipients.back().recipient = std::string(address);
  return report.recipients.back();
}

namespace {
constexpr std::string_view kReturnedMarkers[] = {
    "--- below this line is a copy of the message",
    "------ this is a copy of the message",
    "------ this is a copy of your message",
    "--- original message follows",
    "original message follows",
    "----- original message -----",
    "------ original message ------",
    "----- the header of the original message is following",
    "------ original message headers",
    "original message headers:",
    "--- the header of the original message is following",
    "----- unsent message follows -----",
    "----- message header follows -----",
    "------ a copy of the message",
};
}  // namespace

std::string_view prose(const Evidence& ev) {
  std::string_view t = ev.text;
  const std::string lowered = text::lower(t);
  std::size_t cut = t.size();
  for (auto m : kReturnedMarkers) {
    const auto at = lowered.find(m);
    if (at != std::string::npos && at < cut) cut = at;
  }
  return t.substr(0, cut);
}

Fields quoted_headers(std::string_view t) {
  const std::string lowered = text::lower(t);
  std::size_t best = std::string::npos;
  for (auto m : kReturnedMarkers) {
    const auto at = lowered.find(m);
    if (at != std::string::npos && (best == std::string::npos || at < best)) best = at;
  }
  std::size_t start = best;
  if (start == std::string::npos) {
    // No marker: look for a Message-ID-bearing header block anywhere.
    const auto at = lowered.find("\nmessage-id:");
    if (at == std::string::npos) return {};
    start = lowered.rfind("\n\n", at);
    start = start == std::string::npos ? 0 : start + 2;
  } else {
    start = lowered.find('\n', start);
    if (start == std::string::npos) return {};
    ++start;
  }
  // Skip blank lines and non-field lines until a header block begins.
  for (int tries = 0; tries < 40 && start < t.size(); ++tries) {
    std::size_t used = 0;
    Fields f = parse_fields(t.substr(start), &used);
    if (f.list().size() >= 2 || f.has("Message-ID")) return f;
    const auto nl = t.find('\n', start);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return {};
}

bool looks_like_bounce(const Evidence& ev) {
  const auto from = text::lower(ev.from);
  const auto subject = text::lower(ev.subject);
  return text::matches_any(from, {"mailer-daemon", "postmaster", "mail delivery", "mail.delivery", "mdaemon",
                                  "mail administrator", "mailerdaemon", "nobody@"}) ||
         text::matches_any(subject, {"undeliver", "undelivered", "delivery fail", "delivery status notification",
                                     "failure notice", "returned mail", "mail delivery", "non-delivery",
                                     "nondelivery", "not delivered", "delivery problem", "could not be delivered",
                                     "delivery error", "rejected", "bounce", "unzustellbar", "no se puede entregar",
                                     "non remis", "notification", "warning: could not send"});
}

void append_diagnostic(std::string& diag, std::string_view line) {
  line = text::trim(line);
  if (line.empty()) return;
  if (!diag.empty()) diag.push_back(' ');
  diag.append(line);
}

}  // namespace ndrlink::parser::family

namespace ndrlink::parser::family {

std::size_t read_inline_delivery_status(std::string_view t, Report& report) {
  std::size_t at = text::ifind(t, "\nReporting-MTA:");
  if (at == std::string_view::npos) at = text::ifind(t, "\nFinal-Recipient:");
  if (at == std::string_view::npos) return 0;
  const std::size_t end = t.find("\n--", at + 1);
  return read_delivery_status(t.substr(at + 1, end == std::string_view::npos ? std::string_view::npos : end - at),
                              report);
}

}  // namespace ndrlink::parser::family
