// Yahoo! X2 (qmail-derived) reports: "Message from <host>. / Unable to
// deliver message to the following address(es)." then "<addr>:" blocks
// with the error on the following lines, up to "--- Original message
// follows.". Like qmail it says "I'm not going to try again; this message
// has been in the queue too long." when it gave up without an answer.
#include "common.h"
#include "family.h"
#include "../status.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr std::size_t kMaxRecipients = 256;
constexpr std::size_t kMaxDiagnostic = 1000;

// "<addr>:" alone on its line opens a recipient's block.
std::string block_address(std::string_view line) {
  if (!line.starts_with('<') || !line.ends_with(">:")) return {};
  const auto addr = text::clean_address(line.substr(0, line.size() - 1));
  return text::is_address(addr) ? addr : std::string{};
}

// The queue lifetime ran out and no server ever answered with a reply.
bool gave_up_unanswered(std::string_view diagnostic) {
  return text::icontains(diagnostic, "this message has been in the queue too long") &&
         status::find_reply_code(diagnostic).empty();
}

bool parse_x2(const Evidence& ev, Report& report) {
  if (!report.recipients.empty() || !text::icontains(ev.from, "MAILER-DAEMON@")) return false;
  const auto t = prose(ev);
  const auto start = t.find("Unable to deliver message to the following address(es).");
  if (start == std::string_view::npos) return false;
  RecipientResult* current = nullptr;
  for (auto line : text::lines(t.substr(start))) {
    line = text::trim(line);
    if (line.starts_with("--- ")) break;  // "--- Original message follows."
    if (const auto addr = block_address(line); !addr.empty()) {
      if (report.recipients.size() >= kMaxRecipients) break;
      current = &recipient_for(report, addr);
      current->action = "failed";
    } else if (current && !line.empty() && current->diagnostic.size() < kMaxDiagnostic) {
      append_diagnostic(current->diagnostic, line);
    }
  }
  for (auto& r : report.recipients)
    if (gave_up_unanswered(r.diagnostic)) r.reason = "expired";
  return !report.recipients.empty();
}

}  // namespace

extern const Family kX2Family{"x2", parse_x2};

}  // namespace ndrlink::parser::family
