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
  out.resize(limit + 1);
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  if (in.bad()) {
    error = "read error";
    return false;
  }
  out.resize(static_cast<std::size_t>(in.gcount()));
  return true;
}

}  // namespace ndrlink::cli
