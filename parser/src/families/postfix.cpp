// Postfix bounce(5) messages: "The mail system" prose with one paragraph per
// recipient ("<addr>: host mx[ip] said: 550 ... (in reply to RCPT TO
// command)" or "<addr> (expanded from <alias>): ..."), usually followed by
// an RFC 3464 part whose Diagnostic-Code lacks the SMTP command, sometimes
// (forwarded bounces, old versions) only inline text.
#include <algorithm>
#include <vector>

#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

struct Paragraph {
  std::string address;
  std::string alias;  // "(expanded from <alias>)"
  std::string text;   // squeezed diagnostic after the colon
};

bool is_postfix(const Evidence& ev) {
  const auto subject = text::lower(ev.subject);
  if (subject == "undelivered mail returned to sender" || subject == "delayed mail (still being retried)")
    return true;
  if (ev.delivery_status && text::icontains(ev.delivery_status->body, "X-Postfix-Queue-ID")) return true;
  const std::string_view head = std::string_view(ev.text).substr(0, std::min<std::size_t>(ev.text.size(), 4096));
  return text::icontains(head, "This is the Postfix program") || text::icontains(head, "This is the mail system at host");
}

// "<addr> (expanded from <alias>): text" -> paragraph; false if not one.
bool read_paragraph(std::string_view joined, Paragraph& out) {
  if (!joined.starts_with('<')) return false;
  const auto close = joined.find('>');
  if (close == std::string_view::npos || close > 320) return false;
  out.address = std::string(joined.substr(1, close - 1));
  if (!text::is_address(out.address)) return false;
  std::string_view rest = text::trim(joined.substr(close + 1));
  if (text::istarts_with(rest, "(expanded from ")) {
    const auto end = rest.find(')');
    if (end == std::string_view::npos) return false;
    out.alias = text::clean_address(rest.substr(15, end - 15));
    rest = text::trim(rest.substr(end + 1));
  }
  if (!rest.starts_with(':')) return false;
  out.text = std::string(text::trim(rest.substr(1)));
  return !out.text.empty();
}

// Recipient paragraphs of the prose, in order.
std::vector<Paragraph> paragraphs(std::string_view prose_text) {
  std::vector<Paragraph> found;
  std::string block;
  auto flush = [&] {
    Paragraph p;
    if (read_paragraph(text::squeeze_spaces(block), p) && found.size() < 256) found.push_back(std::move(p));
    block.clear();
  };
  for (const auto line : text::lines(prose_text)) {
    if (text::trim(line).empty() || line.starts_with('<')) flush();
    if (!text::trim(line).empty() && block.size() < 8192) append_diagnostic(block, line);
  }
  flush();
  return found;
}

const Paragraph* paragraph_for(const std::vector<Paragraph>& ps, const RecipientResult& r) {
  for (const auto& p : ps)
    if (text::iequals(p.address, r.recipient) || (!r.original_recipient.empty() &&
                                                  (text::iequals(p.alias, r.original_recipient) ||
                                                   text::iequals(p.address, r.original_recipient))))
      return &p;
  return nullptr;
}

// Postfix writes the command only in the prose: carry it (and a missing
// diagnostic) over to the DSN result.
void complete(RecipientResult& r, const Paragraph* p) {
  if (text::iequals(r.diagnostic_type, "x-postfix")) r.diagnostic_type = "smtp";
  if (!p) return;
  if (r.diagnostic.empty()) {
    r.diagnostic = p->text;
    return;
  }
  const auto at = text::ifind(p->text, "(in reply to ");
  if (at != std::string::npos && !text::icontains(r.diagnostic, "(in reply to "))
    append_diagnostic(r.diagnostic, std::string_view(p->text).substr(at));
}

bool parse_postfix(const Evidence& ev, Report& report) {
  if (!is_postfix(ev)) return false;
  const auto ps = paragraphs(prose(ev));
  if (report.recipients.empty()) read_inline_delivery_status(ev.text, report);
  if (report.recipients.empty()) {
    for (const auto& p : ps) {
      auto& r = recipient_for(report, p.address);
      r.original_recipient = p.alias;
      r.diagnostic = p.text;
    }
  }
  for (auto& r : report.recipients) {
    const Paragraph* p = paragraph_for(ps, r);
    if (!p && ps.size() == 1 && report.recipients.size() == 1) p = &ps.front();
    complete(r, p);
  }
  return !report.recipients.empty();
}

}  // namespace

extern const Family kPostfixFamily{"postfix", parse_postfix};

}  // namespace ndrlink::parser::family
