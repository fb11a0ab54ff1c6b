#include "smtp_reply.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ndrlink::smtp {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A printable rendering of a bad line for an error message (bounded, no
// control characters: the message must stay one line).
std::string shown(std::string_view l) {
  std::string out;
  for (char c : l.substr(0, 60)) out += (c >= 32 && c < 127) ? c : '?';
  if (l.size() > 60) out += "...";
  return out;
}

// Length of an RFC 3463 status "C.SSS.DDD" at the start of `t` (followed by
// a space or the end), whose class is `klass`; 0 when there is none.
std::size_t enhanced_length(std::string_view t, int klass) {
  if (t.size() < 5 || t[0] != static_cast<char>('0' + klass) || t[1] != '.') return 0;
  std::size_t i = 2;
  for (int part = 0; part < 2; ++part) {
    const std::size_t start = i;
    while (i < t.size() && digit(t[i]) && i - start < 4) ++i;
    if (i == start || i - start > 3) return 0;
    if (part == 0) {
      if (i >= t.size() || t[i] != '.') return 0;
      ++i;
    }
  }
  if (i < t.size() && t[i] != ' ') return 0;
  return i;
}

}  // namespace

std::string SmtpReply::text() const {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i) out += ' ';
    out += lines[i];
  }
  return out;
}

std::string SmtpReply::summary() const {
  std::string out = std::to_string(code);
  if (!enhanced.empty()) out += " " + enhanced;
  const std::string t = text();
  if (!t.empty()) out += " " + t;
  return out;
}

std::size_t ReplyReader::feed(std::string_view data) {
  std::size_t used = 0;
  while (!ready_ && used < data.size()) {
    const auto nl = data.find('\n', used);
    const std::size_t end = nl == std::string_view::npos ? data.size() : nl;
    // The line's length with its LF (still to come, when not here yet).
    if (partial_.size() + (end - used) + 1 > limits_.max_line)
      throw SmtpProtocolError("reply line longer than " + std::to_string(limits_.max_line) + " octets");
    partial_.append(data.substr(used, end - used));
    if (nl == std::string_view::npos) return data.size();
    used = nl + 1;
    std::string l;
    l.swap(partial_);
    line(l);
  }
  return used;
}

void ReplyReader::line(std::string_view l) {
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  if (l.size() < 3 || !digit(l[0]) || !digit(l[1]) || !digit(l[2]) || l[0] < '2' || l[0] > '5')
    throw SmtpProtocolError("malformed reply line \"" + shown(l) + "\"");
  const int code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
  bool last = true;
  if (l.size() > 3) {
    if (l[3] == '-')
      last = false;
    else if (l[3] != ' ')
      throw SmtpProtocolError("malformed reply line \"" + shown(l) + "\"");
  }
  if (!reply_.lines.empty() && code != reply_.code)
    throw SmtpProtocolError("reply code changes within a multi-line reply (" + std::to_string(reply_.code) +
                            " then " + std::to_string(code) + ")");
  if (!last && reply_.lines.size() + 1 >= limits_.max_lines)
    throw SmtpProtocolError("reply longer than " + std::to_string(limits_.max_lines) + " lines");
  std::string_view text = l.size() > 4 ? l.substr(4) : std::string_view();
  if (reply_.lines.empty()) {
    reply_.code = code;
    if (const auto n = enhanced_length(text, code / 100)) reply_.enhanced = std::string(text.substr(0, n));
  }
  if (!reply_.enhanced.empty() && text.substr(0, reply_.enhanced.size()) == reply_.enhanced &&
      (text.size() == reply_.enhanced.size() || text[reply_.enhanced.size()] == ' '))
    text.remove_prefix(std::min(text.size(), reply_.enhanced.size() + 1));
  reply_.lines.emplace_back(text);
  ready_ = last;
}

SmtpReply ReplyReader::take() {
  SmtpReply out = std::move(reply_);
  reply_ = SmtpReply{};
  ready_ = false;
  return out;
}

SmtpReply parse_reply(std::string_view text, ReplyLimits limits) {
  ReplyReader reader(limits);
  const std::size_t used = reader.feed(text);
  if (!reader.ready()) throw SmtpProtocolError("incomplete reply");
  if (used != text.size()) throw SmtpProtocolError("bytes after the end of the reply");
  return reader.take();
}

bool EhloExtensions::has(std::string_view keyword) const { return keywords.count(upper(keyword)) > 0; }

std::vector<std::string> EhloExtensions::list() const {
  std::vector<std::string> out;
  for (const auto& [k, params] : keywords) out.push_back(params.empty() ? k : k + " " + params);
  return out;
}

EhloExtensions parse_ehlo(const SmtpReply& reply) {
  EhloExtensions ext;
  if (!reply.positive() || reply.lines.empty()) return ext;
  const std::string& first = reply.lines.front();
  ext.server_name = first.substr(0, first.find(' '));
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {
    std::string_view l = reply.lines[i];
    while (!l.empty() && l.back() == ' ') l.remove_suffix(1);
    const auto space = l.find(' ');
    std::string keyword = upper(l.substr(0, space));
    std::string params(space == std::string_view::npos ? std::string_view() : l.substr(space + 1));
    // Old servers advertise "AUTH=LOGIN PLAIN" (before RFC 4954).
    if (keyword.rfind("AUTH=", 0) == 0) {
      params = keyword.substr(5) + (params.empty() ? "" : " " + params);
      keyword = "AUTH";
    }
    const bool valid = !keyword.empty() && std::isalnum(static_cast<unsigned char>(keyword[0])) &&
                       std::all_of(keyword.begin(), keyword.end(), [](char c) {
                         return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
                       });
    if (!valid) continue;
    if (keyword == "AUTH") {
      std::size_t pos = 0;
      while (pos < params.size()) {
        const auto next = params.find(' ', pos);
        const auto mech = params.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
        if (!mech.empty()) ext.auth.insert(upper(mech));
        if (next == std::string::npos) break;
        pos = next + 1;
      }
      auto& kept = ext.keywords["AUTH"];
      kept += (kept.empty() ? "" : " ") + params;
      continue;
    }
    if (keyword == "PIPELINING") ext.pipelining = true;
    if (keyword == "8BITMIME") ext.eightbitmime = true;
    if (keyword == "SMTPUTF8") ext.smtputf8 = true;
    if (keyword == "STARTTLS") ext.starttls = true;
    if (keyword == "DSN") ext.dsn = true;
    if (keyword == "ENHANCEDSTATUSCODES") ext.enhancedstatuscodes = true;
    if (keyword == "CHUNKING") ext.chunking = true;
    if (keyword == "SIZE") {
      std::uint64_t n = 0;
      const auto [ptr, ec] = std::from_chars(params.data(), params.data() + params.size(), n);
      ext.size = (ec == std::errc() && ptr == params.data() + params.size()) ? n : 0;
    }
    ext.keywords[keyword] = params;
  }
  return ext;
}

}  // namespace ndrlink::smtp
