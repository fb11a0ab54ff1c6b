#include "relay_message.h"

#include <atomic>
#include <cctype>
#include <chrono>
#include <random>

namespace ndrlink::daemon::relay {
namespace {

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

}  // namespace

std::string find_message_id(std::string_view message) {
  std::size_t pos = 0;
  while (pos < message.size()) {
    const auto eol = message.find('\n', pos);
    const std::size_t end = eol == std::string_view::npos ? message.size() : eol;
    std::string_view line = message.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return {};  // end of the header block
    if (starts_with_icase(line, "message-id:")) {
      // The value, with its folded continuation lines.
      std::string value(line.substr(11));
      std::size_t next = end + 1;
      while (next < message.size() && (message[next] == ' ' || message[next] == '\t')) {
        const auto e = message.find('\n', next);
        value.append(message.substr(next, (e == std::string_view::npos ? message.size() : e) - next));
        next = e == std::string_view::npos ? message.size() : e + 1;
      }
      const auto open = value.find('<');
      const auto close = value.find('>', open == std::string::npos ? 0 : open);
      if (open == std::string::npos || close == std::string::npos || close - open < 3) return {};
      std::string id = value.substr(open, close - open + 1);
      for (char c : id)
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return {};
      return id;
    }
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  return {};
}

std::string make_message_id(std::string_view hostname) {
  static std::atomic<std::uint64_t> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  char buf[96];
  std::snprintf(buf, sizeof buf, "<%llx.%llx.%llx@", static_cast<unsigned long long>(now),
                static_cast<unsigned long long>(++counter), static_cast<unsigned long long>(rng() >> 16));
  return std::string(buf) + std::string(hostname.empty() ? "ndrlink.invalid" : hostname) + ">";
}

std::string top_headers(std::string_view added_message_id, std::string_view ndrlink_id) {
  std::string out;
  if (!ndrlink_id.empty()) out.append("X-Ndrlink-Id: ").append(ndrlink_id).append("\r\n");
  if (!added_message_id.empty()) out.append("Message-ID: ").append(added_message_id).append("\r\n");
  return out;
}

}  // namespace ndrlink::daemon::relay
