// Last resort for bounces no family recognised: an address in the bounce
// prose with its error text on the same line or on the lines that follow
// (multi-line SMTP replies, "Remote host said:" blocks, transcripts). When
// only one address is named and no block carries an error, the prose's
// first SMTP reply line is its diagnostic.
#include <algorithm>
#include <vector>

#include "common.h"
#include "family.h"
#include "../classifier.h"
#include "../status.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr std::size_t kMaxBlockLines = 8;
constexpr std::size_t kMaxDiagnostic = 1000;

bool error_line(std::string_view lowered) {
  return !status::find_reply_code(lowered).empty() || !status::find_enhanced(lowered).empty() ||
         !reason_from_text(lowered).empty() ||
         text::matches_any(lowered, {"unknown", "not found", "does not exist", "no such", "rejected", "denied",
                                     "full", "quota", "disabled", "invalid", "refused", "failed", "error",
                                     "unavailable", "blocked", "expired", "timed out", "too large"});
}

// Header-like lines (quoted original headers, "MAIL FROM:" transcripts,
// summary tables) name addresses that are not failed recipients.
bool names_no_recipient(std::string_view trimmed) {
  while (!trimmed.empty() && (trimmed.front() == '>' || trimmed.front() == '<' || trimmed.front() == ' '))
    trimmed.remove_prefix(1);
  const auto l = text::lower(trimmed.substr(0, 24));
  for (std::string_view p : {"from:", "to:", "cc:", "reply-to:", "sender:", "return-path:", "subject:", "message-id:",
                             "received:", "mail from", "envelope-from", "original sender", "date:", "delivered-to:"})
    if (l.starts_with(p)) return true;
  return false;
}

// A line without its "> " quoting (forwarded bounces) and outer spaces;
// ">>> " transcript lines (client commands) stay as they are.
std::string_view unquote(std::string_view line) {
  line = text::trim(line);
  while (line.starts_with('>') && !line.starts_with(">>>")) line = text::trim(line.substr(1));
  return line;
}

// Separator lines ("----- Transcript of session follows -----").
bool separator(std::string_view trimmed) { return trimmed.starts_with("---") || trimmed.starts_with("==="); }

// What is left of the line without its address and the punctuation around it.
std::string rest_of_line(std::string_view line, std::string_view addr) {
  std::string rest(line);
  for (std::size_t at; (at = text::ifind(rest, addr)) != std::string::npos;) rest.erase(at, addr.size());
  std::string out;
  for (char c : rest)
    if (c != '<' && c != '>' && c != ':' && c != '"' && c != '(' && c != ')') out.push_back(c);
  return std::string(text::trim(out));
}

// Contiguous non-empty lines from `from` (skipping up to two blank or
// separator lines first), stopping where another address block starts.
std::string following_block(const std::vector<std::string_view>& ls, std::size_t from) {
  std::string diag;
  std::size_t skipped = 0, taken = 0;
  for (std::size_t j = from; j < ls.size() && taken < kMaxBlockLines && diag.size() < kMaxDiagnostic; ++j) {
    const auto l = unquote(ls[j]);
    if (l.empty() || separator(l)) {
      if (!diag.empty() || ++skipped > 3) break;
      continue;
    }
    if (names_no_recipient(l) && !l.starts_with(">>>")) break;
    const auto addr = text::find_address(l);
    if (!addr.empty() && rest_of_line(l, addr).size() < 4) break;  // the next "<addr>:" block
    append_diagnostic(diag, l);
    ++taken;
  }
  return diag;
}

// The first line in the prose that carries an SMTP reply, with its
// continuation lines.
std::string first_reply_block(const std::vector<std::string_view>& ls) {
  for (std::size_t i = 0; i < ls.size(); ++i) {
    const auto l = unquote(ls[i]);
    if (!l.empty() && !status::find_reply_code(l.substr(0, 4)).empty() && error_line(text::lower(l)))
      return following_block(ls, i);
  }
  return {};
}

std::string diagnostic_for(const std::vector<std::string_view>& ls, std::size_t i, std::string_view addr) {
  const auto line = unquote(ls[i]);
  const std::string rest = rest_of_line(line, addr);
  const bool lead_in = line.ends_with(':') || rest.size() < 4;
  std::string diag;
  if (rest.size() >= 8 && error_line(text::lower(rest))) diag = std::string(line);
  // A line that ends in ':' ("SMTP error ... after end of data:",
  // "Remote host said:") or the address alone: the error follows.
  if (diag.empty() || lead_in || diag.ends_with(':')) {
    const std::string more = following_block(ls, i + 1);
    if (!more.empty() && (error_line(text::lower(more)) || lead_in)) append_diagnostic(diag, more);
  }
  return error_line(text::lower(diag)) ? diag : std::string{};
}

// RFC 3464 entries without a Diagnostic-Code: the prose's
// "address: error" line (OpenSMTPD and others write it there).
bool complete_dsn(const Evidence& ev, Report& report) {
  bool completed = false;
  const auto ls = text::lines(prose(ev));
  for (auto& r : report.recipients) {
    if (!r.diagnostic.empty() || r.recipient.empty()) continue;
    for (std::size_t i = 0; i < ls.size(); ++i) {
      const auto line = unquote(ls[i]);
      if (!text::istarts_with(line, r.recipient)) continue;
      const auto rest = text::trim(line.substr(r.recipient.size()));
      if (!rest.starts_with(':') || !error_line(text::lower(rest))) continue;
      r.diagnostic = std::string(text::trim(rest.substr(1)));
      completed = true;
      break;
    }
  }
  return completed;
}

bool parse_generic(const Evidence& ev, Report& report) {
  if (report.kind == Kind::dsn) return complete_dsn(ev, report);
  if (!report.recipients.empty() || !looks_like_bounce(ev)) return false;
  const auto ls = text::lines(prose(ev));
  std::vector<std::string> bare;  // addresses named without an error of their own
  for (std::size_t i = 0; i < ls.size() && report.recipients.size() < 500; ++i) {
    const auto line = unquote(ls[i]);
    const auto addr = text::find_address(line);
    if (addr.empty() || text::iequals(addr, ev.from_address) || names_no_recipient(line)) continue;
    const std::string diag = diagnostic_for(ls, i, addr);
    if (diag.empty()) {
      const bool known = std::any_of(bare.begin(), bare.end(), [&](const auto& b) { return text::iequals(b, addr); });
      if (!known && rest_of_line(line, addr).size() < 4) bare.push_back(addr);
      continue;
    }
    auto& r = recipient_for(report, addr);
    if (r.diagnostic.empty()) r.diagnostic = diag;
    r.action = "failed";
  }
  if (report.recipients.empty() && bare.size() == 1) {
    const std::string diag = first_reply_block(ls);
    if (diag.empty()) return false;
    auto& r = recipient_for(report, bare.front());
    r.diagnostic = diag;
    r.action = "failed";
  }
  return !report.recipients.empty();
}

}  // namespace

extern const Family kGenericFamily{"generic", parse_generic};

}  // namespace ndrlink::parser::family
