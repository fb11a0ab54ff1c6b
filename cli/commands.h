// ndrlink subcommands. Each registers its options on the CLI11 app and, when
// chosen, sets `run` to its action, which returns the exit status.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace ndrlink::cli {

using Action = std::function<int()>;

void add_parse_command(CLI::App& app, Action& run);    // parse_command.cpp
void add_record_commands(CLI::App& app, Action& run);  // record, import: record_command.cpp
void add_ingest_commands(CLI::App& app, Action& run);  // ingest, sweep: ingest_command.cpp
void add_query_commands(CLI::App& app, Action& run);   // status, show, list, unmatched: query_command.cpp
void add_report_command(CLI::App& app, Action& run);   // report: report_command.cpp
void add_probe_command(CLI::App& app, Action& run);    // probe: probe_command.cpp

}  // namespace ndrlink::cli
