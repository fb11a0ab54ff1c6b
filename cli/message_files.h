// Reading message files named on the command line.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ndrlink::cli {

// Expands each path: a directory means every regular file in it, sorted by
// name; other paths are kept as given. `on_error(path, message)` is called
// for a directory that cannot be listed.
std::vector<std::filesystem::path> expand_paths(
    const std::vector<std::string>& paths,
    const std::function<void(const std::string&, const std::string&)>& on_error);

// Reads at most `limit + 1` bytes, so a huge file cannot exhaust memory and
// the parser can see that it is over the limit. False with `error` set on
// failure.
bool read_message(const std::filesystem::path& path, std::size_t limit, std::string& out, std::string& error);

}  // namespace ndrlink::cli
