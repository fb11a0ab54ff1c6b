// Sendmail V5 (and other pre-DSN Sendmail) bounces: no delivery-status
// part, only "----- Transcript of session follows -----" with the SMTP
// dialogue (">>> RCPT To:<...>", "<<< 550 ...") and one line per failed
// recipient ("554 <addr>... Remote protocol error"), then
// "----- Unsent message follows -----" and the original message.
#include <vector>

#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr std::string_view kTranscript = "----- transcript of session follows -----";
constexpr std::string_view kUnsent = "----- unsent message follows -----";

// "554 <addr>... text" -> {addr, text}; false for other lines.
bool recipient_line(std::string_view line, std::string& address, std::string& diag) {
  if (line.size() < 8 || !text::istarts_with(line.substr(3), " <") || line.find_first_not_of("0123456789") != 3)
    return false;
  const auto close = line.find(">...");
  if (close == std::string_view::npos) return false;
  address = std::string(line.substr(5, close - 5));
  diag = std::string(text::trim(line.substr(close + 4)));
  return text::is_address(address);
}

// "421 host (smtp)... Deferred: ..." -> "Deferred: ..."; empty otherwise.
std::string host_error(std::string_view line) {
  if (line.size() < 8 || line.find_first_not_of("0123456789") != 3) return {};
  const auto dots = line.find("... ");
  return dots == std::string_view::npos ? std::string{} : std::string(text::trim(line.substr(dots + 4)));
}

struct Session {
  std::string command;   // last ">>>" command before this recipient's line
  std::string response;  // last "<<<" reply before it
};

bool parse_v5sendmail(const Evidence& ev, Report& report) {
  if (!report.recipients.empty() || !text::istarts_with(ev.subject, "Returned mail: ")) return false;
  const std::string_view t = ev.text;
  const auto start = text::ifind(t, kTranscript);
  if (start == std::string_view::npos) return false;
  const auto end = text::ifind(t, kUnsent, start);
  if (end == std::string_view::npos) return false;
  Session pending;
  std::string other_error;
  for (const auto raw : text::lines(t.substr(start + kTranscript.size(), end - start - kTranscript.size()))) {
    const auto line = text::trim(raw);
    std::string address, diag;
    if (recipient_line(line, address, diag)) {
      if (!pending.response.empty()) diag += ": " + pending.response;
      auto& r = recipient_for(report, address);
      r.diagnostic = diag;
      r.smtp_command = pending.command;
      pending = Session{};
    } else if (line.starts_with(">>>")) {
      const auto cmd = text::trim(line.substr(3));
      pending.command = text::lower(cmd.substr(0, 4)) == "rcpt" ? "RCPT" : std::string(cmd.substr(0, 4));
    } else if (line.starts_with("<<<")) {
      pending.response = std::string(text::trim(line.substr(3)));
    } else if (const auto e = host_error(line); !e.empty()) {
      other_error = e;
    }
    if (report.recipients.size() >= 256) break;
  }
  if (report.recipients.empty()) {
    // Only host-level errors: the recipient is the unsent message's To:.
    const auto to = text::find_address(quoted_headers(t).get("To"));
    if (to.empty()) return false;
    auto& r = recipient_for(report, to);
    r.diagnostic = other_error.empty() ? pending.response : other_error;
    r.smtp_command = pending.command;
  }
  return true;
}

}  // namespace

extern const Family kV5SendmailFamily{"v5sendmail", parse_v5sendmail};

}  // namespace ndrlink::parser::family
