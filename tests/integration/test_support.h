// Helpers for tests that use a real SQLite file: a temp directory removed
// at the end of the test, and file reading.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>
#include <fstream>
#include <sstream>
#include <string>

namespace ndrlink::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ndrlink-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string sample(const std::string& name) {
  return read_file(std::filesystem::path(NDRLINK_TEST_DATA) / "bounces" / name);
}

// Copy `n` of a message: a header of its own on top, so that every copy is
// another message (the store keeps the same bytes once).
inline std::string nth_copy(const std::string& raw, long n) {
  const char* eol = raw.find("\r\n") != std::string::npos ? "\r\n" : "\n";
  return "X-Test-Copy: " + std::to_string(n) + eol + raw;
}

// Replaces the first occurrence of `from` (which must exist) by `to`.
inline std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  if (at == std::string::npos) throw std::runtime_error("test fixture lacks: " + from);
  s.replace(at, from.size(), to);
  return s;
}

// Polls `done` every 25 ms until it is true or `limit` has passed; the
// last answer of `done`.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return done();
}

}  // namespace ndrlink::testing
