#include "imap_protocol.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace ndrlink::daemon::imap {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

bool iequals(std::string_view a, std::string_view b) { return a.size() == b.size() && upper(a) == upper(b); }

// "{123}" or "{123+}" ending `line`: the announced size.
std::optional<std::uint64_t> literal_announcement(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  const auto open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

// A cursor over one framed response: tokens of RFC 9051's grammar.
class Reader {
 public:
  Reader(RawResponse& raw, const std::vector<std::size_t>& literal_ends) : raw_(raw), ends_(literal_ends) {}

  bool at_end() const { return pos_ >= text().size(); }
  char peek() const { return at_end() ? '\0' : text()[pos_]; }
  bool consume(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  void expect(char c, const char* what) {
    if (!consume(c)) fail(std::string("expected ") + what);
  }
  void skip_spaces() {
    while (peek() == ' ') ++pos_;
  }
  std::string_view rest() {
    auto r = text().substr(std::min(pos_, text().size()));
    pos_ = text().size();
    return r;
  }

  // Characters up to SP, '(' or ')' ; a '[...]' section is kept whole
  // (BODY[HEADER.FIELDS (FROM)]) and so is a following '<origin>'.
  std::string_view atom() {
    const std::size_t start = pos_;
    while (!at_end()) {
      const char c = peek();
      if (c == '[') {
        const auto close = text().find(']', pos_);
        if (close == std::string_view::npos) fail("unterminated '['");
        pos_ = close + 1;
        if (peek() == '<') {
          const auto gt = text().find('>', pos_);
          if (gt == std::string_view::npos) fail("unterminated '<'");
          pos_ = gt + 1;
        }
        continue;
      }
      if (c == ' ' || c == '(' || c == ')' || c == '"' || c == '{' || static_cast<unsigned char>(c) < 0x20) break;
      ++pos_;
    }
    if (pos_ == start) fail("expected an atom");
    return text().substr(start, pos_ - start);
  }

  std::uint64_t number() {
    const std::size_t start = pos_;
    std::uint64_t n = 0;
    while (is_digit(peek())) {
      if (pos_ - start >= 19) fail("number too long");
      n = n * 10 + static_cast<std::uint64_t>(peek() - '0');
      ++pos_;
    }
    if (pos_ == start) fail("expected a number");
    return n;
  }

  std::uint32_t number32() {
    const auto n = number();
    if (n > 0xFFFFFFFFull) fail("number out of range");
    return static_cast<std::uint32_t>(n);
  }

  // quoted | literal; `size` gets the announced size, `cut` whether the
  // bytes were truncated by the framer.
  std::string string(std::uint64_t* size = nullptr, bool* cut = nullptr) {
    if (consume('"')) {
      std::string out;
      while (true) {
        if (at_end()) fail("unterminated quoted string");
        char c = text()[pos_++];
        if (c == '"') break;
        if (c == '\\') {
          if (at_end()) fail("unterminated quoted string");
          c = text()[pos_++];
        }
        out.push_back(c);
      }
      if (size) *size = out.size();
      if (cut) *cut = false;
      return out;
    }
    if (peek() == '{') {
      const auto close = text().find('}', pos_);
      if (close == std::string_view::npos || index_ >= raw_.literals.size() || ends_[index_] != close + 1)
        fail("literal announcement out of place");
      pos_ = close + 1;
      const std::size_t i = index_++;
      if (size) *size = raw_.literal_sizes[i];
      if (cut) *cut = raw_.literals[i].size() < raw_.literal_sizes[i];
      return std::move(raw_.literals[i]);
    }
    fail("expected a string");
  }

  // NIL or a string.
  std::optional<std::string> nstring(std::uint64_t* size = nullptr, bool* cut = nullptr) {
    if (peek() == 'N' || peek() == 'n') {
      const auto a = atom();
      if (!iequals(a, "NIL")) fail("expected NIL or a string");
      return std::nullopt;
    }
    return string(size, cut);
  }

  // Any value, skipped: atom, number, string, literal or nested list.
  void skip_value(int depth = 0) {
    if (depth > 32) fail("lists nested too deeply");
    if (consume('(')) {
      skip_spaces();
      while (!consume(')')) {
        if (at_end()) fail("unterminated list");
        skip_value(depth + 1);
        skip_spaces();
      }
      return;
    }
    if (peek() == '"' || peek() == '{') {
      string();
      return;
    }
    atom();
  }

  [[noreturn]] void fail(const std::string& why) const {
    const auto t = text();
    const std::size_t from = pos_ > 20 ? pos_ - 20 : 0;
    std::string near(t.substr(from, std::min<std::size_t>(40, t.size() - std::min(from, t.size()))));
    for (auto& c : near)
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    throw ProtocolError("malformed server response: " + why + " near \"" + near + "\"");
  }

 private:
  std::string_view text() const { return raw_.text; }
  RawResponse& raw_;
  const std::vector<std::size_t>& ends_;
  std::size_t pos_ = 0;
  std::size_t index_ = 0;
};

void split_capabilities(std::string_view s, std::vector<std::string>& out) {
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i && out.size() < 512) out.push_back(upper(s.substr(i, j - i)));
    i = j;
  }
}

// [code args] text
void resp_text(Reader& r, Response& out) {
  r.skip_spaces();
  if (r.consume('[')) {
    std::string_view rest = r.rest();
    const auto close = rest.find(']');
    if (close == std::string_view::npos) throw ProtocolError("malformed server response: unterminated response code");
    std::string_view inside = rest.substr(0, close);
    const auto sp = inside.find(' ');
    out.code = upper(inside.substr(0, sp));
    out.code_args = sp == std::string_view::npos ? std::string() : std::string(inside.substr(sp + 1));
    if (out.code == "CAPABILITY") split_capabilities(out.code_args, out.capabilities);
    rest.remove_prefix(close + 1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    out.text = std::string(rest);
    return;
  }
  out.text = std::string(r.rest());
}

void parse_fetch(Reader& r, Response& out) {
  FetchData f;
  r.skip_spaces();
  r.expect('(', "'(' after FETCH");
  r.skip_spaces();
  while (!r.consume(')')) {
    if (r.at_end()) r.fail("unterminated FETCH list");
    const std::string name = upper(r.atom());
    r.skip_spaces();
    if (name == "UID") {
      f.uid = r.number32();
    } else if (name == "FLAGS") {
      std::vector<std::string> flags;
      r.expect('(', "'(' after FLAGS");
      r.skip_spaces();
      while (!r.consume(')')) {
        if (r.at_end()) r.fail("unterminated FLAGS list");
        if (flags.size() >= 256) r.fail("too many flags");
        flags.emplace_back(r.atom());
        r.skip_spaces();
      }
      f.flags = std::move(flags);
    } else if (name == "BODY[]" || name == "RFC822" || name.rfind("BODY[]<", 0) == 0 || name == "BINARY[]") {
      std::uint64_t size = 0;
      bool cut = false;
      auto body = r.nstring(&size, &cut);
      if (body) {
        f.body = std::move(body);
        f.body_size = size;
        f.body_truncated = cut;
      }
    } else if (name == "RFC822.SIZE") {
      f.rfc822_size = r.number();
    } else {
      r.skip_value();
    }
    r.skip_spaces();
  }
  out.fetch = std::move(f);
}

}  // namespace

std::size_t ResponseFramer::feed(std::string_view data) {
  std::size_t i = 0;
  while (i < data.size() && !ready_) {
    if (in_literal_) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(literal_left_, data.size() - i));
      auto& lit = current_.literals.back();
      if (lit.size() < limits_.max_literal) lit.append(data.substr(i, std::min(n, limits_.max_literal - lit.size())));
      literal_left_ -= n;
      i += n;
      if (literal_left_ == 0) in_literal_ = false;
      continue;
    }
    const char* start = data.data() + i;
    const auto* nl = static_cast<const char*>(std::memchr(start, '\n', data.size() - i));
    const std::size_t take = nl ? static_cast<std::size_t>(nl - start) : data.size() - i;
    if (current_.text.size() + line_.size() + take > limits_.max_line)
      throw ProtocolError("server response longer than " + std::to_string(limits_.max_line) + " bytes");
    line_.append(start, take);
    i += take;
    if (nl) {
      ++i;
      if (!line_.empty() && line_.back() == '\r') line_.pop_back();
      end_of_line();
    }
  }
  return i;
}

void ResponseFramer::end_of_line() {
  const auto size = literal_announcement(line_);
  current_.text += line_;
  line_.clear();
  if (!size) {
    ready_ = true;
    return;
  }
  if (current_.literals.size() >= limits_.max_literals)
    throw ProtocolError("server response with more than " + std::to_string(limits_.max_literals) + " literals");
  current_.literals.emplace_back();
  current_.literals.back().reserve(static_cast<std::size_t>(std::min<std::uint64_t>(*size, limits_.max_literal)));
  current_.literal_sizes.push_back(*size);
  current_.literal_ends.push_back(current_.text.size());
  literal_left_ = *size;
  in_literal_ = *size > 0;
}

RawResponse ResponseFramer::take() {
  RawResponse out = std::move(current_);
  current_ = RawResponse{};
  ready_ = false;
  return out;
}

bool FetchData::seen() const {
  if (!flags) return false;
  for (const auto& f : *flags)
    if (iequals(f, "\\Seen")) return true;
  return false;
}

std::optional<std::uint32_t> Response::code_number() const {
  std::uint64_t n = 0;
  std::size_t i = 0;
  for (; i < code_args.size() && is_digit(code_args[i]) && i < 10; ++i) n = n * 10 + (code_args[i] - '0');
  if (i == 0 || n > 0xFFFFFFFFull) return std::nullopt;
  return static_cast<std::uint32_t>(n);
}

Status status_from(std::string_view w) {
  const auto u = upper(w);
  if (u == "OK") return Status::ok;
  if (u == "NO") return Status::no;
  if (u == "BAD") return Status::bad;
  if (u == "BYE") return Status::bye;
  if (u == "PREAUTH") return Status::preauth;
  return Status::none;
}

std::string_view to_string(Status s) {
  switch (s) {
    case Status::ok: return "OK";
    case Status::no: return "NO";
    case Status::bad: return "BAD";
    case Status::bye: return "BYE";
    case Status::preauth: return "PREAUTH";
    case Status::none: break;
  }
  return "-";
}

Response parse_response(RawResponse raw) {
  Response out;
  Reader r(raw, raw.literal_ends);
  if (r.consume('+')) {
    out.kind = Response::Kind::continuation;
    r.skip_spaces();
    out.text = std::string(r.rest());
    return out;
  }
  if (r.consume('*')) {
    out.kind = Response::Kind::untagged;
    r.expect(' ', "SP after '*'");
    if (is_digit(r.peek())) {
      out.number = r.number32();
      r.expect(' ', "SP after the message number");
      out.keyword = upper(r.atom());
      if (out.keyword == "FETCH") parse_fetch(r, out);
      return out;
    }
    const auto word = r.atom();
    out.status = status_from(word);
    if (out.status != Status::none) {
      resp_text(r, out);
      return out;
    }
    out.keyword = upper(word);
    if (out.keyword == "CAPABILITY") split_capabilities(r.rest(), out.capabilities);
    return out;
  }
  out.kind = Response::Kind::tagged;
  out.tag = std::string(r.atom());
  r.expect(' ', "SP after the tag");
  out.status = status_from(r.atom());
  if (out.status != Status::ok && out.status != Status::no && out.status != Status::bad)
    r.fail("tagged response without OK, NO or BAD");
  resp_text(r, out);
  return out;
}

std::optional<std::string> quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u == 0 || u == '\r' || u == '\n' || u >= 0x80) return std::nullopt;
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string modified_utf7(std::string_view utf8) {
  const auto bad = [&] { return ProtocolError("mailbox name \"" + std::string(utf8) + "\" is not valid UTF-8"); };
  std::string out;
  std::string shifted;  // UTF-16BE bytes of the run being encoded
  const auto end_run = [&] {
    if (shifted.empty()) return;
    std::string b = base64(shifted);
    while (!b.empty() && b.back() == '=') b.pop_back();
    std::replace(b.begin(), b.end(), '/', ',');
    out += "&" + b + "-";
    shifted.clear();
  };
  const auto utf16 = [&](std::uint32_t unit) {
    shifted.push_back(static_cast<char>(unit >> 8));
    shifted.push_back(static_cast<char>(unit & 0xff));
  };
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c >= 0x20 && c <= 0x7e) {  // printable ASCII stands for itself, '&' as "&-"
      end_run();
      out += c == '&' ? std::string("&-") : std::string(1, static_cast<char>(c));
      ++i;
      continue;
    }
    std::uint32_t cp = c;
    std::size_t n = 0;
    if (c >= 0xf0 && c <= 0xf4) cp = c & 0x07, n = 3;
    else if (c >= 0xe0 && c <= 0xef) cp = c & 0x0f, n = 2;
    else if (c >= 0xc2 && c < 0xe0) cp = c & 0x1f, n = 1;
    else if (c >= 0x80) throw bad();
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= utf8.size()) throw bad();
      const auto cont = static_cast<unsigned char>(utf8[i + k]);
      if ((cont & 0xc0) != 0x80) throw bad();
      cp = (cp << 6) | (cont & 0x3f);
    }
    // Overlong forms, surrogates and code points past U+10FFFF.
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
      throw bad();
    if (cp >= 0x10000) {
      utf16(0xd800 + ((cp - 0x10000) >> 10));
      utf16(0xdc00 + ((cp - 0x10000) & 0x3ff));
    } else {
      utf16(cp);
    }
    i += n + 1;
  }
  end_run();
  return out;
}

bool is_modified_utf7(std::string_view name) {
  bool shifted = false;
  std::size_t run = 0;  // base64 characters in the shifted run
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c < 0x20 || c > 0x7e) return false;
    if (!shifted) {
      if (c != '&') continue;
      if (i + 1 < name.size() && name[i + 1] == '-') {
        ++i;  // "&-" is "&"
        continue;
      }
      shifted = true;
      run = 0;
    } else if (c == '-') {
      // n UTF-16 units are ceil(16n / 6) characters: 3, 6, 8, 11, 14, 16 ...
      if (run == 0 || (run % 8 != 0 && run % 8 != 3 && run % 8 != 6)) return false;
      shifted = false;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == ',') {
      ++run;
    } else {
      return false;
    }
  }
  return !shifted;
}

std::string mailbox_arg(std::string_view name) {
  if (name.empty()) throw ProtocolError("mailbox name must not be empty");
  // A name written already encoded (as the configuration needed before
  // UTF-8 names: "Entw&APw-rfe") goes as it is.
  const bool encoded = name.find('&') != std::string_view::npos && is_modified_utf7(name);
  return *quote(encoded ? std::string(name) : modified_utf7(name));  // 7-bit printable: always quotable
}

std::string uid_set(const std::vector<std::uint32_t>& uids) {
  std::string out;
  for (std::size_t i = 0; i < uids.size();) {
    std::size_t j = i;
    while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
    if (!out.empty()) out.push_back(',');
    out += std::to_string(uids[i]);
    if (j > i) out += ":" + std::to_string(uids[j]);
    i = j + 1;
  }
  return out;
}

std::string base64(std::string_view in) {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += {table[(v >> 18) & 63], table[(v >> 12) & 63], table[(v >> 6) & 63], table[v & 63]};
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {table[(v >> 18) & 63], table[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {table[(v >> 18) & 63], table[(v >> 12) & 63], table[(v >> 6) & 63], '='};
  }
  return out;
}

}  // namespace ndrlink::daemon::imap
