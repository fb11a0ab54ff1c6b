#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"
#include "ndrlink/parser/json.h"
#include "ndrlink/parser/parser.h"

namespace ndrlink::cli {
namespace {

struct ParseArgs {
  std::vector<std::string> paths;
  std::string format = "json";
  std::size_t max_bytes = parser::ParseOptions{}.max_message_bytes;
  std::string verp_prefix = parser::ParseOptions{}.verp_prefix;
};

// Reads at most `limit + 1` bytes so a huge file cannot exhaust memory; the
// parser sees that it is over the limit and flags it truncated.
bool read_file(const std::filesystem::path& path, std::size_t limit, std::string& out, std::string& error) {
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

int run_parse(const ParseArgs& args) {
  parser::ParseOptions options;
  options.max_message_bytes = args.max_bytes;
  options.verp_prefix = args.verp_prefix;
  int status = 0;
  std::string out, data, error;
  auto emit = [&](const std::filesystem::path& file) {
    if (!read_file(file, options.max_message_bytes, data, error)) {
      std::cerr << "ndrlink parse: " << file.string() << ": " << error << '\n';
      status = 1;
      return;
    }
    const auto report = parser::parse_message(data, options);
    const auto name = file.filename().string();
    if (args.format == "text") parser::append_text_lines(report, name, out);
    else parser::append_json_lines(report, name, out);
    if (out.size() > (1 << 16)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  };
  for (const auto& p : args.paths) {
    std::error_code ec;
    const std::filesystem::path path(p);
    if (std::filesystem::is_directory(path, ec)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(path, ec))
        if (entry.is_regular_file(ec)) files.push_back(entry.path());
      if (ec) {
        std::cerr << "ndrlink parse: " << p << ": " << ec.message() << '\n';
        status = 1;
      }
      std::sort(files.begin(), files.end(),
                [](const auto& a, const auto& b) { return a.filename().string() < b.filename().string(); });
      for (const auto& f : files) emit(f);
    } else {
      emit(path);
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  return status;
}

}  // namespace

void add_parse_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<ParseArgs>();
  auto* cmd = app.add_subcommand("parse", "Parse bounce messages and print one result per recipient");
  cmd->add_option("paths", args->paths, "Message files or directories (every regular file, sorted by name)")
      ->required();
  cmd->add_option("--format", args->format, "Output format")->check(CLI::IsMember({"json", "text"}));
  cmd->add_option("--max-bytes", args->max_bytes, "Read at most this many bytes of each message")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 31));
  cmd->add_option("--verp-prefix", args->verp_prefix, "Local-part prefix of VERP envelope addresses");
  cmd->callback([&run, args] { run = [args] { return run_parse(*args); }; });
}

}  // namespace ndrlink::cli
