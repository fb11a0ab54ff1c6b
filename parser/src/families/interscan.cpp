// Trend Micro InterScan Messaging Security Suite: "****** Message from
// InterScan Messaging Security Suite ******", then either the session
// ("Sent <<< RCPT TO:<addr>" / "Received >>> 550 ...") or a summary
// ("Reason: Unable to deliver message to <addr> (and other recipients in
// the same domain).").
#include "common.h"
#include "family.h"
#include "../classifier.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr std::size_t kMaxRecipients = 256;

bool sent_by_interscan(const Evidence& ev) {
  return text::icontains(ev.from, "InterScan MSS") || ev.subject == "Mail could not be delivered" ||
         text::icontains(prose(ev).substr(0, 512), "Message from InterScan Messaging Security Suite");
}

// The text after `marker` on `line`, or empty when `line` lacks it.
std::string_view after(std::string_view line, std::string_view marker) {
  const auto at = text::ifind(line, marker);
  return at == std::string_view::npos ? std::string_view{} : text::trim(line.substr(at + marker.size()));
}

bool parse_interscan(const Evidence& ev, Report& report) {
  if (!report.recipients.empty() || !sent_by_interscan(ev)) return false;
  RecipientResult* current = nullptr;
  for (auto line : text::lines(prose(ev))) {
    line = text::trim(line);
    if (report.recipients.size() >= kMaxRecipients) break;
    if (const auto sent = after(line, "<<<"); !sent.empty() && line.starts_with("Sent")) {
      const auto addr = text::find_address(sent);
      if (addr.empty()) continue;
      current = &recipient_for(report, addr);
      current->smtp_command = detect_command(sent);
    } else if (const auto received = after(line, ">>>"); !received.empty() && current) {
      current->diagnostic = std::string(received);
    } else if (const auto summary = after(line, "Unable to deliver message to"); !summary.empty()) {
      const auto addr = text::find_address(summary);
      if (addr.empty()) continue;
      current = &recipient_for(report, addr);
      if (!current->diagnostic.empty()) continue;  // the session said more
      current->diagnostic = std::string(line);
      // InterScan's summary when the next hop refused the recipient.
      current->reason = "userunknown";
    }
  }
  for (auto& r : report.recipients) r.action = "failed";
  return !report.recipients.empty();
}

}  // namespace

extern const Family kInterScanFamily{"interscan", parse_interscan};

}  // namespace ndrlink::parser::family
