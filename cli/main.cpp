// ndrlink: the command-line tool. See docs/cli.md.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "commands.h"
#include "context.h"
#include "ndrlink/storage/store.h"

#ifndef NDRLINK_VERSION
#define NDRLINK_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  CLI::App app{"ndrlink: link bounces (NDRs) back to the recipients a server accepted"};
  app.set_version_flag("--version", std::string("ndrlink ") + NDRLINK_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand
  auto& g = ndrlink::cli::global_options();
  app.add_option("--db", g.db, "SQLite database (default ./var/ndrlink.db)")->envname("NDRLINK_DB");
  app.add_option("--verp-secret-file", g.verp_secret_file,
                 "HMAC secret for VERP tokens (default: verp.secret beside the database, created on first use)")
      ->envname("NDRLINK_VERP_SECRET_FILE");
  app.add_option("--verp-domain", g.verp_domain, "Domain of VERP return addresses (default: the sender's)")
      ->envname("NDRLINK_VERP_DOMAIN");
  app.add_option("--verp-prefix", g.verp_prefix, "Local-part prefix of VERP return addresses (default bounces+)")
      ->envname("NDRLINK_VERP_PREFIX");
  app.add_option("--now", g.now, "Use this time as now (ISO 8601), for replays and tests");
  ndrlink::cli::Action run;
  ndrlink::cli::add_parse_command(app, run);
  ndrlink::cli::add_record_commands(app, run);
  ndrlink::cli::add_ingest_commands(app, run);
  ndrlink::cli::add_query_commands(app, run);
  ndrlink::cli::add_report_command(app, run);
  ndrlink::cli::add_probe_command(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    return run ? run() : 0;
  } catch (const ndrlink::storage::StoreError& e) {
    std::cerr << "ndrlink: database error: " << e.what() << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "ndrlink: " << e.what() << '\n';
    return 1;
  }
}
