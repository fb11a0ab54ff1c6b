#include "status.h"

#include <cctype>

namespace ndrlink::parser::status {
namespace {
inline bool digit(char c) { return c >= '0' && c <= '9'; }

// Length of the X.Y.Z code at s[i] or 0.
std::size_t enhanced_at(std::string_view s, std::size_t i) {
  if (i >= s.size() || (s[i] != '2' && s[i] != '4' && s[i] != '5')) return 0;
  std::size_t p = i + 1;
  if (p >= s.size() || s[p] != '.') return 0;
  ++p;
  std::size_t n = 0;
  while (p < s.size() && digit(s[p]) && n < 4) { ++p; ++n; }
  if (n == 0 || n > 3) return 0;
  if (p >= s.size() || s[p] != '.') return 0;
  ++p;
  n = 0;
  while (p < s.size() && digit(s[p]) && n < 4) { ++p; ++n; }
  if (n == 0 || n > 3) return 0;
  // Not followed by another ".digit" or digit (IP address / version).
  if (p < s.size() && (digit(s[p]) || (s[p] == '.' && p + 1 < s.size() && digit(s[p + 1])))) return 0;
  return p - i;
}
}  // namespace

bool is_enhanced(std::string_view s) { return !s.empty() && enhanced_at(s, 0) == s.size(); }

std::string find_enhanced(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (digit(s[i - 1]) || s[i - 1] == '.' || std::isalpha(static_cast<unsigned char>(s[i - 1])))) continue;
    if (const std::size_t n = enhanced_at(s, i)) {
      std::string code(s.substr(i, n));
      // Reject "5.0.0" style from reading dates like 4.10.2013? Y is limited to 0..7.
      const char y = code[2];
      if (y > '7') continue;
      return code;
    }
  }
  return {};
}

std::string find_reply_code(std::string_view s) {
  for (std::size_t i = 0; i + 3 <= s.size(); ++i) {
    if (!(s[i] == '2' || s[i] == '4' || s[i] == '5')) continue;
    if (!digit(s[i + 1]) || !digit(s[i + 2])) continue;
    if (s[i + 1] > '5') continue;
    if (i > 0) {
      const char b = s[i - 1];
      if (digit(b) || b == '.' || b == ':' || b == '-' || b == '/' || b == '[' || std::isalpha(static_cast<unsigned char>(b)) ||
          b == '#' || b == '+' || b == '=') {
        // "[554 5.4.6 ...]": a bracketed reply, not an address literal.
        const bool bracketed_reply = b == '[' && i + 3 < s.size() && s[i + 3] == ' ';
        if (!bracketed_reply) continue;
      }
    }
    if (i + 3 < s.size()) {
      const char a = s[i + 3];
      if (!(a == ' ' || a == '-' || a == '\t' || a == '\r' || a == '\n' || a == ')' || a == '"' || a == ';' ||
            a == ',' || a == '>'))
        continue;
      // "550-5.1.1" continuation and "550 5.1.1" are fine; "421-" ok.
    }
    return std::string(s.substr(i, 3));
  }
  return {};
}

std::string class_of_reply(std::string_view reply_code) {
  if (reply_code.size() != 3) return {};
  return std::string(1, reply_code[0]) + ".0.0";
}

}  // namespace ndrlink::parser::status
