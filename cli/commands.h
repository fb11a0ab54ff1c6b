// ndrlink subcommands. Each registers its options on the CLI11 app and
// returns the exit status when run.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace ndrlink::cli {

// Registers `ndrlink parse`; `run` is set to its action.
void add_parse_command(CLI::App& app, std::function<int()>& run);

}  // namespace ndrlink::cli
