// Microsoft Exchange 5.5-2003 (Internet Mail Service / Internet Mail
// Connector): "Your message ... did not reach the following recipient(s):"
// then "addr on <date>" with the error text indented below it, ending in
// an "MSEXCH:IMS:...:... 0 (000C05A6) Unknown Recipient" line whose eight
// hex digits are Exchange's error code.
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr std::size_t kMaxRecipients = 256;
constexpr std::size_t kMaxDiagnostic = 1000;

// Exchange error codes whose meaning does not depend on the remote text.
constexpr PhraseReason kErrorCodes[] = {
    {"(000c05a6)", "userunknown"},  // Unknown Recipient
    {"(000c0595)", "filtered"},     // Ambiguous Recipient
};

bool sent_by_exchange(const Evidence& ev) {
  if (ev.mime.headers.has("X-MS-Embedded-Report")) return true;
  const auto mailer = text::trim(ev.header("X-Mailer"));
  if (mailer.starts_with("Internet Mail Service (") ||
      mailer.starts_with("Microsoft Exchange Server Internet Mail Connector"))
    return true;
  if (text::trim(ev.header("X-MimeOLE")).starts_with("Produced By Microsoft Exchange")) return true;
  for (auto received : ev.mime.headers.all("Received"))
    if (text::icontains(received, " with Internet Mail Service (")) return true;
  return false;
}

// "addr on 4/29/01 11:34:45 PM" or "Name (SMTP=addr) on ...": the failed
// address, else empty.
std::string recipient_line(std::string_view line) {
  const auto on = line.find(" on ");
  if (on == std::string_view::npos) return {};
  const auto head = line.substr(0, on);
  if (const auto smtp = text::ifind(head, "SMTP="); smtp != std::string_view::npos)
    return text::find_address(head.substr(smtp + 5));
  const auto addr = text::clean_address(head);
  return text::is_address(addr) ? addr : std::string{};
}

bool parse_exchange2003(const Evidence& ev, Report& report) {
  if (!report.recipients.empty() || !sent_by_exchange(ev)) return false;
  const auto t = prose(ev);
  auto start = text::ifind(t, "did not reach the following recipient");
  if (start == std::string_view::npos) start = text::ifind(t, "could not be reached:");
  if (start == std::string_view::npos) return false;
  RecipientResult* current = nullptr;
  for (auto line : text::lines(t.substr(start))) {
    line = text::trim(line);
    if (line.empty()) continue;
    if (const auto addr = recipient_line(line); !addr.empty()) {
      if (report.recipients.size() >= kMaxRecipients) break;
      current = &recipient_for(report, addr);
      current->action = "failed";
    } else if (current && current->diagnostic.size() < kMaxDiagnostic) {
      append_diagnostic(current->diagnostic, line);
    }
  }
  for (auto& r : report.recipients) {
    const auto reason = reason_of_phrases(text::lower(r.diagnostic), kErrorCodes);
    if (!reason.empty()) r.reason = std::string(reason);
  }
  return !report.recipients.empty();
}

}  // namespace

extern const Family kExchange2003Family{"exchange2003", parse_exchange2003};

}  // namespace ndrlink::parser::family
