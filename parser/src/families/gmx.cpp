// GMX / web.de (United Internet) bounces: Exim-like text "This message was
// created automatically by mail delivery software." with, per recipient,
//   "rcpt@example.org":            (or <rcpt@example.org>)
//   SMTP error from remote server after RCPT command:
//   host: mx.example.org
//   5.1.1 <rcpt@example.org>... User Unknown
// or "Reason:" and the reason on the next line; the returned headers
// follow "--- The header of the original message is following. ---".
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

// `"addr":` or `<addr>` alone on a line starts a recipient.
std::string recipient_line(std::string_view line) {
  if (line.size() > 4 && line.front() == '"' && line.ends_with("\":")) line = line.substr(1, line.size() - 3);
  else if (line.size() > 2 && line.front() == '<' && line.back() == '>') line = line.substr(1, line.size() - 2);
  else return {};
  return text::is_address(line) ? std::string(line) : std::string();
}

bool is_gmx(const Evidence& ev) {
  if (!ev.header("X-GMX-Antispam").empty()) return true;
  const auto at = ev.from_address.rfind('@');
  if (at == std::string::npos) return false;
  const std::string_view domain = std::string_view(ev.from_address).substr(at + 1);
  return domain.ends_with("gmx.com") || domain.ends_with("gmx.net") || domain.ends_with("gmx.de") ||
         domain == "web.de";
}

bool parse_gmx(const Evidence& ev, Report& report) {
  if (report.kind == Kind::dsn || !is_gmx(ev)) return false;
  if (!text::icontains(ev.text, "This message was created automatically by mail delivery software")) return false;
  RecipientResult* current = nullptr;
  std::string diag;
  const auto flush = [&] {
    if (current) current->diagnostic = diag;
    if (current && text::icontains(diag, "delivery retry timeout exceeded")) current->reason = "expired";
    diag.clear();
  };
  for (auto line : text::lines(prose(ev))) {
    line = text::trim(line);
    if (const auto addr = recipient_line(line); !addr.empty()) {
      flush();
      current = &recipient_for(report, addr);
      current->action = "failed";
    } else if (current && !line.empty() && !text::iequals(line, "Reason:")) {
      append_diagnostic(diag, line);
    }
  }
  flush();
  return !report.recipients.empty();
}

}  // namespace

extern const Family kGmxFamily{"gmx", parse_gmx};

}  // namespace ndrlink::parser::family
