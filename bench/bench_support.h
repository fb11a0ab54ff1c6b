// What every benchmark shares: the JSON line it prints per figure, and
// reading and re-addressing corpus messages.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ndrlink::bench {

// {"bench":"<bench>","metric":"<metric>","value":<value>,"unit":"<unit>"}
inline void print(const char* bench, const char* metric, double value, const char* unit) {
  std::printf("{\"bench\":\"%s\",\"metric\":\"%s\",\"value\":%.1f,\"unit\":\"%s\"}\n", bench, metric, value, unit);
  std::fflush(stdout);
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void replace_all(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

}  // namespace ndrlink::bench
