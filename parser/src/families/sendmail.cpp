// Sendmail 8 DSNs ("Returned mail: see transcript for details"): the
// "----- Transcript of session follows -----" section quotes the SMTP
// session (">>> DATA", "<<< 550-5.7.1 ...") while the RFC 3464 part keeps
// only the first line of a multi-line reply, or a bare exit code for
// mailer (X-Unix) failures. Some copies lose their MIME headers and carry
// the delivery-status fields as plain text.
#include <vector>

#include "common.h"
#include "family.h"
#include "../status.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr std::string_view kTranscript = "----- transcript of session follows -----";

bool is_sendmail(const Evidence& ev) {
  const auto subject = text::lower(ev.subject);
  if (subject.ends_with("see transcript for details") || subject.starts_with("warning: could not send message"))
    return true;
  return text::icontains(ev.from, "Mail Delivery Subsystem") && text::icontains(ev.text, kTranscript);
}

// The transcript lines, trimmed of trailing spaces; empty if there is none.
std::vector<std::string_view> transcript(const Evidence& ev) {
  const std::string_view t = prose(ev);
  const auto at = text::ifind(t, kTranscript);
  if (at == std::string_view::npos) return {};
  auto ls = text::lines(t.substr(at + kTranscript.size()));
  if (ls.size() > 2000) ls.resize(2000);
  return ls;
}

// The whole multi-line reply whose first line the DSN quoted:
// "<<< 550-5.7.1 a" "<<< 550-5.7.1 b" "<<< 550 5.7.1 c" -> "550-5.7.1 a 550-5.7.1 b 550 5.7.1 c".
std::string full_reply(const std::vector<std::string_view>& ls, std::string_view first) {
  std::string reply;
  for (const auto line : ls) {
    if (!line.starts_with("<<< ")) {
      if (!reply.empty()) break;
      continue;
    }
    const auto value = text::trim(line.substr(4));
    if (reply.empty() && text::squeeze_spaces(value) != first) continue;
    append_diagnostic(reply, value);
    if (value.size() > 3 && value[3] == ' ') break;  // "550 " ends a multi-line reply
  }
  return reply;
}

// Sendmail's own error line ("451 4.0.0 Operating system error") for
// results whose Diagnostic-Code is only a mailer exit code.
std::string own_error_line(const std::vector<std::string_view>& ls) {
  for (const auto line : ls) {
    const auto l = text::trim(line);
    if (l.size() > 10 && !status::find_reply_code(l.substr(0, 3)).empty() && status::is_enhanced(l.substr(4, 5)))
      return std::string(l);
  }
  return {};
}

// The SMTP command (">>> RCPT TO:<...>") the transcript shows right before
// the reply `first`, as "RCPT", "MAIL", "DATA" ...; empty when not shown.
std::string command_before(const std::vector<std::string_view>& ls, std::string_view first) {
  std::string_view command;
  for (const auto line : ls) {
    if (line.starts_with(">>> ")) {
      command = text::trim(line.substr(4));
    } else if (line.starts_with("<<< ") && text::squeeze_spaces(text::trim(line.substr(4))) == first) {
      const auto word = command.substr(0, command.find_first_of(" :"));
      return text::upper(word == "." ? std::string_view("DATA") : word);
    }
  }
  return {};
}

void complete(RecipientResult& r, const std::vector<std::string_view>& ls) {
  const std::string diag = text::squeeze_spaces(text::trim(r.diagnostic));
  if (r.smtp_command.empty()) r.smtp_command = command_before(ls, diag);
  if (diag.empty() || diag.find_first_not_of("0123456789") == std::string::npos) {
    const std::string own = own_error_line(ls);
    if (!own.empty()) r.diagnostic = own;
    return;
  }
  const std::string reply = full_reply(ls, diag);
  if (reply.size() > diag.size()) r.diagnostic = reply;
}

bool parse_sendmail(const Evidence& ev, Report& report) {
  if (!is_sendmail(ev)) return false;
  if (report.recipients.empty()) read_inline_delivery_status(ev.text, report);
  if (report.recipients.empty()) return false;
  const auto ls = transcript(ev);
  for (auto& r : report.recipients) complete(r, ls);
  return true;
}

}  // namespace

extern const Family kSendmailFamily{"sendmail", parse_sendmail};

}  // namespace ndrlink::parser::family
