// ndrlink: the command-line tool. See docs/cli.md.
#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>

#include "commands.h"

#ifndef NDRLINK_VERSION
#define NDRLINK_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  CLI::App app{"ndrlink: link bounces (NDRs) back to the recipients a server accepted"};
  app.set_version_flag("--version", std::string("ndrlink ") + NDRLINK_VERSION);
  app.require_subcommand(1);
  std::function<int()> run;
  ndrlink::cli::add_parse_command(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    return run ? run() : 0;
  } catch (const std::exception& e) {
    std::cerr << "ndrlink: " << e.what() << '\n';
    return 1;
  }
}
