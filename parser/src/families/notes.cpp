// Lotus Notes SMTP MTA (Subject "Undeliverable message"): the block after
// "------- Failure Reasons --------" holds the error text, then the failed
// addresses one per line; "------- Returned Message --------" follows.
#include "common.h"
#include "family.h"
#include "../fields.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr std::size_t kMaxBlockLines = 64;

// Notes' own error texts (Sisimai's Lhost::Notes table).
constexpr PhraseReason kTexts[] = {
    {"user not listed in public name & address book", "userunknown"},
    {"message has exceeded maximum hop count", "networkerror"},
};

// The To: of the original message quoted after "------- Returned Message".
std::string returned_to(std::string_view from_marker) {
  const auto nl = from_marker.find('\n');
  if (nl == std::string_view::npos) return {};
  return text::find_address(parse_fields(from_marker.substr(nl + 1)).get("To"));
}

bool parse_notes(const Evidence& ev, Report& report) {
  if (!report.recipients.empty() || !text::istarts_with(ev.subject, "Undeliverable message")) return false;
  const auto start = ev.text.find("------- Failure Reasons");
  if (start == std::string::npos) return false;
  std::string_view block = std::string_view(ev.text).substr(start);
  const auto returned = block.find("------- Returned Message");
  block = block.substr(0, returned);
  std::string error;
  std::size_t taken = 0;
  for (auto line : text::lines(block)) {
    line = text::trim(line);
    if (line.empty() || line.starts_with("-------")) continue;
    if (++taken > kMaxBlockLines) break;
    const auto addr = text::find_address(line);
    if (addr.empty() || addr.size() + 4 < line.size()) {
      append_diagnostic(error, line);
      continue;
    }
    recipient_for(report, addr).action = "failed";
  }
  // No address in the block: the returned message's To: is the recipient.
  if (report.recipients.empty()) {
    std::string to = text::find_address(ev.returned_headers.get("To"));
    if (to.empty() && returned != std::string_view::npos) to = returned_to(std::string_view(ev.text).substr(start + returned));
    if (!to.empty()) recipient_for(report, to).action = "failed";
  }
  const auto reason = reason_of_phrases(text::lower(text::squeeze_spaces(error)), kTexts);
  for (auto& r : report.recipients) {
    r.diagnostic = error;
    if (!reason.empty()) r.reason = std::string(reason);
  }
  return !report.recipients.empty();
}

}  // namespace

extern const Family kNotesFamily{"notes", parse_notes};

}  // namespace ndrlink::parser::family
