// Bigfoot (LiteMail) DSNs: sendmail-like, the delivery-status part's
// Diagnostic-Code lacks the SMTP command that the text's transcript shows
// (">>> RCPT TO:<rcpt@example.org>" then "<<< 553 Invalid recipient ...").
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

// The ">>> COMMAND" line of the transcript that got `reply` as answer, or empty.
std::string_view command_before(std::string_view body, std::string_view reply) {
  std::string_view command;
  for (auto line : text::lines(body)) {
    line = text::trim(line);
    if (line.starts_with(">>> ")) command = line;
    else if (line.starts_with("<<< ") && !command.empty() && text::icontains(line, reply)) return command;
  }
  return {};
}

bool parse_bigfoot(const Evidence& ev, Report& report) {
  if (report.kind != Kind::dsn) return false;
  if (!text::iequals(ev.from_address, "mailer-daemon@bigfoot.com") &&
      !text::icontains(ev.header("Received"), "bigfoot.com"))
    return false;
  const auto body = prose(ev);
  for (auto& r : report.recipients) {
    if (r.diagnostic.empty()) continue;
    const auto command = command_before(body, r.diagnostic);
    if (!command.empty()) r.diagnostic = std::string(command) + " <<< " + r.diagnostic;
  }
  return true;
}

}  // namespace

extern const Family kBigfootFamily{"bigfoot", parse_bigfoot};

}  // namespace ndrlink::parser::family
