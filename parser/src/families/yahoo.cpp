// Yahoo! / AOL (Verizon Media "sonic" servers) "Failure Notice", a format
// Amazon SES's relay writes too: "Sorry, we were unable to deliver your
// message to the following address." then "<addr>:" and the error lines
// ("Remote host said: 550 ... [RCPT_TO]") up to "--- Below this line is a
// copy of the message.".
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr std::string_view kStart = "Sorry, we were unable to deliver your message to the following address";

struct TextReason { std::string_view phrase, reason; };
// The relay's own texts (not a remote host's reply).
constexpr TextReason kOwnTexts[] = {
    {"no mx record found for domain=", "notaccept"},
    {"unable to deliver message after multiple retries", "systemerror"},
};

// "<addr>:" alone on a line starts a recipient's entry.
std::string entry_address(std::string_view trimmed) {
  if (!trimmed.starts_with('<') || !trimmed.ends_with(">:")) return {};
  return text::find_address(trimmed);
}

bool parse_yahoo(const Evidence& ev, Report& report) {
  if (report.kind == Kind::dsn) return false;
  const std::string_view body = prose(ev);
  const auto start = text::ifind(body, kStart);
  if (start == std::string_view::npos) return false;
  RecipientResult* current = nullptr;
  for (auto line : text::lines(body.substr(start + kStart.size()))) {
    const auto trimmed = text::trim(line);
    if (trimmed.empty()) continue;
    if (auto addr = entry_address(trimmed); !addr.empty()) {
      current = &recipient_for(report, addr);
      current->action = "failed";
    } else if (current) {
      append_diagnostic(current->diagnostic, trimmed);
    }
  }
  for (auto& r : report.recipients) {
    const auto lowered = text::lower(r.diagnostic);
    for (const auto& t : kOwnTexts)
      if (lowered.find(t.phrase) != std::string::npos) r.reason = std::string(t.reason);
  }
  return !report.recipients.empty();
}

}  // namespace

extern const Family kYahooFamily{"yahoo", parse_yahoo};

}  // namespace ndrlink::parser::family
