// au one net (KDDI, dion.ne.jp) error notices: a plain-text part
// "Your mail sent on: DATE / Could not be delivered to: <addr> / As their
// mailbox is full." followed by the original message.
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

bool is_kddi(const Evidence& ev) {
  if (text::matches(ev.from_address, "no-reply@*.dion.ne.jp")) return true;
  if (text::icontains(ev.header("Reply-To"), "no-reply@app.auone-net.jp")) return true;
  for (auto received : ev.mime.headers.all("Received"))
    if (text::icontains(received, "ezweb.ne.jp (") || text::icontains(received, ".au.com (")) return true;
  return false;
}

struct TextReason { std::string_view phrase, reason; };
constexpr TextReason kReasons[] = {
    {"as their mailbox is full", "mailboxfull"},
    {"due to the following smtp relay error", "norelaying"},
    {"as the remote domain doesnt exist", "hostunknown"},
};

bool parse_kddi(const Evidence& ev, Report& report) {
  if (!report.recipients.empty() || !is_kddi(ev)) return false;
  const auto ls = text::lines(prose(ev));
  bool started = false;
  RecipientResult* current = nullptr;
  for (auto line : ls) {
    const auto trimmed = text::trim(line);
    if (text::istarts_with(trimmed, "Your mail sent on") ||
        text::istarts_with(trimmed, "Your mail attempted to be delivered on"))
      started = true;
    if (!started || trimmed.empty()) continue;
    if (text::istarts_with(trimmed, "Could not be delivered to:")) {
      const auto addr = text::find_address(trimmed);
      if (addr.empty()) continue;
      current = &recipient_for(report, addr);
      current->action = "failed";
    } else if (current && line.size() > trimmed.size()) {  // indented: the error text
      append_diagnostic(current->diagnostic, trimmed);
    }
  }
  for (auto& r : report.recipients) {
    const auto lowered = text::lower(r.diagnostic);
    for (const auto& t : kReasons)
      if (lowered.find(t.phrase) != std::string::npos) r.reason = std::string(t.reason);
  }
  return !report.recipients.empty();
}

}  // namespace

extern const Family kKddiFamily{"kddi", parse_kddi};

}  // namespace ndrlink::parser::family
