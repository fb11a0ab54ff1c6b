#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "context.h"
#include "message_files.h"
#include "ndrlink/parser/json.h"
#include "ndrlink/parser/parser.h"

namespace ndrlink::cli {
namespace {

struct ParseArgs {
  std::vector<std::string> paths;
  std::string format = "json";
  std::size_t max_bytes = parser::ParseOptions{}.max_message_bytes;
};

int run_parse(const ParseArgs& args) {
  parser::ParseOptions options;
  options.max_message_bytes = args.max_bytes;
  options.verp_prefix = global_options().verp_prefix;
  int status = 0;
  std::string out, data, error;
  auto emit = [&](const std::filesystem::path& file) {
    if (!read_message(file, options.max_message_bytes, data, error)) {
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
  const auto files = expand_paths(args.paths, [&](const std::string& p, const std::string& why) {
    std::cerr << "ndrlink parse: " << p << ": " << why << '\n';
    status = 1;
  });
  for (const auto& f : files) emit(f);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  return status;
}

}  // namespace

void add_parse_command(CLI::App& app, Action& run) {
  auto args = std::make_shared<ParseArgs>();
  auto* cmd = app.add_subcommand("parse", "Parse bounce messages and print one result per recipient");
  cmd->add_option("paths", args->paths, "Message files or directories (every regular file, sorted by name)")
      ->required();
  cmd->add_option("--format", args->format, "Output format")->check(CLI::IsMember({"json", "text"}));
  cmd->add_option("--max-bytes", args->max_bytes, "Read at most this many bytes of each message")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 31));
  cmd->callback([&run, args] { run = [args] { return run_parse(*args); }; });
}

}  // namespace ndrlink::cli
