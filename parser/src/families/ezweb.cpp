// au (KDDI) EZweb mail servers' "Mail System Error - Returned Mail": a text
// part naming each recipient ("<addr>", "<addr>: ...", "Recipient: <addr>")
// after an English explanation, sometimes with an RFC 3464 part that has
// no diagnostic. The explanation decides the reason; ">>> RCPT" means the
// address was refused.
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

bool is_ezweb(const Evidence& ev) {
  int score = 0;
  if (text::icontains(ev.from, "postmaster@ezweb.ne.jp") || text::icontains(ev.from, "postmaster@au.com")) ++score;
  if (ev.subject == "Mail System Error - Returned Mail") ++score;
  for (auto received : ev.mime.headers.all("Received"))
    if (text::icontains(received, "ezweb.ne.jp (EZweb Mail) with") || text::icontains(received, ".au.com (")) {
      ++score;
      break;
    }
  const auto id = text::lower(ev.header("Message-ID"));
  if (id.ends_with(".ezweb.ne.jp>") || id.ends_with(".au.com>")) ++score;
  return score >= 2;
}

struct TextReason { std::string_view phrase, reason; };
constexpr TextReason kReasons[] = {
    {"the user(s) account is temporarily over quota", "mailboxfull"},
    {"the user(s) account is disabled", "suspend"},
    {"the user(s) account is temporarily limited", "suspend"},
    {"your message was not delivered within", "expired"},
    {"each of the following recipients was rejected by a remote", "onhold"},
};

bool starts_report(std::string_view line) {
  return text::istarts_with(line, "The user(s) ") || text::istarts_with(line, "Your message ") ||
         text::istarts_with(line, "Each of the following") || (line.starts_with('<') && line.find('@') != line.npos);
}

// The recipient a line names, or empty.
std::string named_recipient(std::string_view trimmed, bool indented) {
  if (trimmed.starts_with('<') && !trimmed.starts_with("<<")) return text::find_address(trimmed.substr(0, trimmed.find('>') + 1));
  if (indented && text::istarts_with(trimmed, "Recipient: <")) return text::find_address(trimmed);
  return {};
}

struct Entry {
  std::string recipient, text, command;
  std::string reply;  // the server's "<<< " lines
};

std::vector<Entry> read_entries(std::string_view body) {
  std::vector<Entry> entries(1);
  bool started = false;
  for (auto line : text::lines(body)) {
    const auto trimmed = text::trim(line);
    if (!started) started = starts_report(trimmed);
    if (!started || trimmed.empty()) continue;
    const bool indented = line.size() > trimmed.size() && (line[0] == ' ' || line[0] == '\t');
    if (auto addr = named_recipient(trimmed, indented); !addr.empty()) {
      if (!entries.back().recipient.empty()) entries.emplace_back();
      entries.back().recipient = addr;
      if (const auto colon = trimmed.find(">:"); colon != trimmed.npos) append_diagnostic(entries.back().text, trimmed.substr(colon + 2));
    } else if (indented && text::istarts_with(trimmed, "<<< ")) {
      append_diagnostic(entries.back().reply, trimmed.substr(4));
    } else if (indented && text::istarts_with(trimmed, ">>> ")) {
      entries.back().command = text::lower(trimmed.substr(4, 4)) == "rcpt" ? "RCPT" : "";
    } else {
      append_diagnostic(entries.back().text, trimmed);
    }
    if (entries.size() > 1000) break;
  }
  std::erase_if(entries, [](const Entry& e) { return e.recipient.empty(); });
  return entries;
}

std::string_view reason_of(const Entry& e) {
  if (e.command == "RCPT") return "userunknown";
  const auto lowered = text::lower(e.text);
  for (const auto& t : kReasons)
    if (lowered.find(t.phrase) != std::string::npos) return t.reason;
  return {};
}

bool parse_ezweb(const Evidence& ev, Report& report) {
  if (!is_ezweb(ev)) return false;
  const auto entries = read_entries(prose(ev));
  for (const auto& e : entries) {
    auto& r = recipient_for(report, e.recipient);
    if (r.diagnostic.empty()) r.diagnostic = e.reply.empty() ? e.text : e.reply;
    if (r.action.empty()) r.action = "failed";
    if (const auto reason = reason_of(e); !reason.empty() && reason != "onhold") r.reason = std::string(reason);
  }
  return !report.recipients.empty();
}

}  // namespace

extern const Family kEzwebFamily{"ezweb", parse_ezweb};

}  // namespace ndrlink::parser::family
