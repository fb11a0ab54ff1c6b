// ndrlinkd: the daemon. See docs/configuration.md and docs/daemon.md.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <spdlog/spdlog.h>

#include "config.h"
#include "daemon.h"
#include "logging.h"

#ifndef NDRLINK_VERSION
#define NDRLINK_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  CLI::App app{"ndrlinkd: watch bounce mailboxes and link every NDR to the acceptance it is about"};
  app.set_version_flag("--version", std::string("ndrlinkd ") + NDRLINK_VERSION);
  std::string config_file;
  bool check_only = false;
  app.add_option("-c,--config", config_file, "TOML configuration file (default: built-in, everything under ./var)");
  app.add_flag("--check-config", check_only, "Validate the configuration and exit");
  CLI11_PARSE(app, argc, argv);

  using namespace ndrlink::daemon;
  Config config;
  try {
    config = config_file.empty() ? default_config() : load_config(config_file);
  } catch (const std::exception& e) {
    std::cerr << "ndrlinkd: " << e.what() << '\n';
    return 2;
  }
  if (check_only) {
    std::cout << "ndrlinkd: " << (config_file.empty() ? std::string("built-in configuration") : config_file)
              << ": ok (" << config.maildirs.size() << " maildir, " << config.imaps.size() << " imap source(s))\n";
    return 0;
  }
  setup_logging(config.log_level);
  if (config_file.empty()) {
    // The built-in default keeps everything under ./var: create it.
    std::error_code ec;
    std::filesystem::create_directories("./var", ec);
  }
  const auto db_dir = std::filesystem::path(config.db_path).parent_path();
  if (!db_dir.empty() && !std::filesystem::is_directory(db_dir)) {
    spdlog::critical("database directory {} does not exist (store.path = {})", db_dir.string(), config.db_path);
    return 1;
  }
  try {
    Daemon daemon(std::move(config));
    return daemon.run();
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    return 1;
  }
}
