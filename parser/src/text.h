// Small string helpers shared by the parser. All work on bytes; "lower"
// means ASCII lower case, which is what mail headers and SMTP replies use.
#pragma once

#include <initializer_list>
#include <bitset>
#include <string>
#include <string_view>
#include <vector>

namespace ndrlink::parser::text {

std::string lower(std::string_view s);
std::string upper(std::string_view s);
std::string_view trim(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
// Case-insensitive search; returns npos when absent.
std::size_t ifind(std::string_view haystack, std::string_view needle, std::size_t from = 0);
inline bool icontains(std::string_view haystack, std::string_view needle) {
  return ifind(haystack, needle) != std::string_view::npos;
}

// The character pairs of a lower-case text, hashed into a small bit set:
// a cheap "cannot match" test that lets the phrase tables skip most of
// their patterns without searching.
class Bigrams {
 public:
  explicit Bigrams(std::string_view lowered);
  // False when `pattern` (as for matches()) cannot occur in the text.
  bool may_match(std::string_view pattern) const;

 private:
  static std::size_t slot(char a, char b) {
    return ((static_cast<unsigned char>(a) << 5) ^ static_cast<unsigned char>(b)) & 4095;
  }
  std::bitset<4096> bits_;
};

// `pattern` is lower case; '*' stands for any run of characters (a gap).
// `lowered` must already be lower case. "user*unknown" matches
// "user xyz is unknown".
bool matches(std::string_view lowered, std::string_view pattern);
bool matches_any(std::string_view lowered, std::initializer_list<std::string_view> patterns);

// Splits on LF, dropping a trailing CR from each line.
std::vector<std::string_view> lines(std::string_view s);

// Collapses runs of whitespace (including folded line breaks) to one space.
std::string squeeze_spaces(std::string_view s);

// The first thing that looks like an e-mail address (local@domain), without
// angle brackets; empty if none. Rejects obvious non-addresses.
std::string find_address(std::string_view s);
// Every address in `s`, in order of appearance, de-duplicated (case-insensitive).
std::vector<std::string> find_addresses(std::string_view s);
// True if `s` is a plausible addr-spec (local@domain.tld).
bool is_address(std::string_view s);
// Strips "<>", quotes, "rfc822;" prefixes and spaces around an address.
std::string clean_address(std::string_view s);

}  // namespace ndrlink::parser::text
