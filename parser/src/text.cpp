#include "text.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace ndrlink::parser::text {
namespace {
inline char low(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
inline bool is_local_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string_view::npos;
}
inline bool is_domain_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
}
}  // namespace

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = low(c);
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (low(a[i]) != low(b[i])) return false;
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::size_t ifind(std::string_view haystack, std::string_view needle, std::size_t from) {
  if (needle.empty()) return from <= haystack.size() ? from : std::string_view::npos;
  if (needle.size() > haystack.size() || from > haystack.size() - needle.size()) return std::string_view::npos;
  // memchr for the first character in both cases (the hot path: most
  // callers look for a marker in a whole message), then compare the rest.
  const char lo = low(needle[0]);
  const char up = (lo >= 'a' && lo <= 'z') ? static_cast<char>(lo - 32) : lo;
  const char* const base = haystack.data();
  const char* const end = base + (haystack.size() - needle.size() + 1);
  auto next = [end](const char* from_ptr, char c) {
    return from_ptr < end ? static_cast<const char*>(std::memchr(from_ptr, c, static_cast<std::size_t>(end - from_ptr)))
                          : nullptr;
  };
  const char* at_lo = next(base + from, lo);
  const char* at_up = up == lo ? nullptr : next(base + from, up);
  while (at_lo || at_up) {
    const char* c = !at_lo ? at_up : (!at_up ? at_lo : std::min(at_lo, at_up));
    std::size_t j = 1;
    while (j < needle.size() && low(c[j]) == low(needle[j])) ++j;
    if (j == needle.size()) return static_cast<std::size_t>(c - base);
    if (c == at_lo) at_lo = next(c + 1, lo);
    else at_up = next(c + 1, up);
  }
  return std::string_view::npos;
}

Bigrams::Bigrams(std::string_view lowered) {
  for (std::size_t i = 1; i < lowered.size(); ++i) bits_.set(slot(lowered[i - 1], lowered[i]));
}

bool Bigrams::may_match(std::string_view pattern) const {
  // Every pair inside each '*'-separated piece must occur in the text.
  char prev = '*';
  for (char c : pattern) {
    if (prev != '*' && c != '*' && !bits_.test(slot(prev, c))) return false;
    prev = c;
  }
  return true;
}

bool matches(std::string_view lowered, std::string_view pattern) {
  std::size_t pos = 0;
  while (!pattern.empty()) {
    const std::size_t star = pattern.find('*');
    const std::string_view piece = pattern.substr(0, star);
    if (!piece.empty()) {
      const std::size_t at = lowered.find(piece, pos);
      if (at == std::string_view::npos) return false;
      pos = at + piece.size();
    }
    if (star == std::string_view::npos) break;
    pattern.remove_prefix(star + 1);
  }
  return true;
}

bool matches_any(std::string_view lowered, std::initializer_list<std::string_view> patterns) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](std::string_view p) { return matches(lowered, p); });
}

std::vector<std::string_view> lines(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    const std::size_t nl = s.find('\n');
    std::string_view line = s.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    if (nl == std::string_view::npos) break;
    s.remove_prefix(nl + 1);
  }
  return out;
}

std::string squeeze_spaces(std::string_view s) {
  // Whole words are appended at once: header values are mostly clean.
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    std::size_t j = i;
    while (j < s.size() && !is_space(s[j])) ++j;
    if (j > i) {
      if (!out.empty()) out.push_back(' ');
      out.append(s.data() + i, j - i);
    }
    i = j;
  }
  return out;
}

bool is_address(std::string_view s) {
  const std::size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size() || s.size() > 320) return false;
  const std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
  if (local.size() > 128) return false;
  if (!std::all_of(local.begin(), local.end(), is_local_char)) return false;
  if (!std::all_of(domain.begin(), domain.end(), is_domain_char)) return false;
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.') return false;
  if (domain.find("..") != std::string_view::npos) return false;
  return true;
}

std::string clean_address(std::string_view s) {
  s = trim(s);
  if (istarts_with(s, "rfc822;")) s = trim(s.substr(7));
  else if (istarts_with(s, "utf-8;")) s = trim(s.substr(6));
  const std::size_t lt = s.find('<'), gt = s.rfind('>');
  if (lt != std::string_view::npos && gt != std::string_view::npos && gt > lt) s = s.substr(lt + 1, gt - lt - 1);
  s = trim(s);
  while (!s.empty() && (s.front() == '"' || s.front() == '\'' || s.front() == '(')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '"' || s.back() == '\'' || s.back() == '.' || s.back() == ',' ||
                        s.back() == ';' || s.back() == ':' || s.back() == ')'))
    s.remove_suffix(1);
  return std::string(trim(s));
}

namespace {
// Scans from `at` for the next plausible address; returns it (empty at end)
// and moves `at` past it.
std::string_view next_address(std::string_view s, std::size_t& at) {
  while ((at = s.find('@', at)) != std::string_view::npos) {
    std::size_t b = at, e = at + 1;
    while (b > 0 && is_local_char(s[b - 1])) --b;
    while (e < s.size() && is_domain_char(s[e])) ++e;
    std::string_view cand = s.substr(b, e - b);
    while (!cand.empty() && (cand.front() == '.' || cand.front() == '\'')) cand.remove_prefix(1);
    while (!cand.empty() && (cand.back() == '.' || cand.back() == '-')) cand.remove_suffix(1);
    at = e > at + 1 ? e : at + 1;
    if (is_address(cand)) return cand;
  }
  at = s.size();
  return {};
}
}  // namespace

std::vector<std::string> find_addresses(std::string_view s) {
  std::vector<std::string> out;
  std::size_t at = 0;
  for (auto cand = next_address(s, at); !cand.empty(); cand = next_address(s, at)) {
    if (std::none_of(out.begin(), out.end(), [&](const std::string& o) { return iequals(o, cand); }))
      out.emplace_back(cand);
  }
  return out;
}

std::string find_address(std::string_view s) {
  std::size_t at = 0;
  return std::string(next_address(s, at));
}

}  // namespace ndrlink::parser::text
