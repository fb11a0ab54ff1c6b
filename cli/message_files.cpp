#include "message_files.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace ndrlink::cli {

std::vector<std::filesystem::path> expand_paths(
    const std::vector<std::string>& paths,
    const std::function<void(const std::string&, const std::string&)>& on_error) {
  namespace fs = std::filesystem;
  std::vector<fs::path> out;
  for (const auto& p : paths) {
    std::error_code ec;
    const fs::path path(p);
    if (!fs::is_directory(path, ec)) {
      out.push_back(path);
      continue;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(path, ec))
      if (entry.is_regular_file(ec)) files.push_back(entry.path());
    if (ec) on_error(p, ec.message());
    std::sort(files.begin(), files.end(),
              [](const auto& a, const auto& b) { return a.filename().string() < b.filename().string(); });
    out.insert(out.end(), files.begin(), files.end());
  }
  return out;
}

bool read_message(const std::filesystem::path& path, std::size_t limit, std::string& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return false;
  }
  // Size the buffer from the file, not the limit: most bounces are a few KB.
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  const std::size_t want = ec ? limit + 1 : std::min<std::size_t>(size, limit) + 1;
  out.resize(want);
  in.read(out.data(), static_cast<std::streamsize>(want));
  if (in.bad()) {
    error = "read error";
    return false;
  }
  std::size_t got = static_cast<std::size_t>(in.gcount());
  // The file may have grown since file_size; keep reading up to the limit.
  while (got == out.size() && got <= limit && in) {
    out.resize(std::min(out.size() * 2, limit + 1));
    in.read(out.data() + got, static_cast<std::streamsize>(out.size() - got));
    got += static_cast<std::size_t>(in.gcount());
  }
  out.resize(got);
  return true;
}

}  // namespace ndrlink::cli
