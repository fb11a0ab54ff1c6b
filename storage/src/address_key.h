// How the store keys an address: recipient_key is the address lowercased
// (compared case-insensitively, DESIGN.md), domain its part after the last
// '@' (empty without one). Acceptances and refusals key theirs the same.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace ndrlink::storage {

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

inline std::string domain_of_key(std::string_view key) {
  const auto at = key.rfind('@');
  return at == std::string_view::npos ? std::string() : std::string(key.substr(at + 1));
}

}  // namespace ndrlink::storage
