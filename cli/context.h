// What every store-using subcommand shares: the global options, opening
// the store, and the VERP signer.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "ndrlink/correlator/correlator.h"
#include "ndrlink/correlator/verp.h"
#include "ndrlink/storage/store.h"

namespace ndrlink::cli {

struct GlobalOptions {
  std::string db = "./var/ndrlink.db";  // --db, env NDRLINK_DB
  std::string verp_secret_file;         // --verp-secret-file; default: verp.secret beside the database
  std::string verp_domain;              // --verp-domain, env NDRLINK_VERP_DOMAIN
  std::string verp_prefix = "bounces+"; // --verp-prefix
  std::string now;                      // --now: the clock, for tests and replays (ISO 8601)
};

GlobalOptions& global_options();

// Opens (creating and migrating) the database named by --db. Creates the
// default ./var directory when the default path is used.
std::unique_ptr<storage::Store> open_store(bool read_only = false);

// The VERP signer from --verp-secret-file, or from "verp.secret" beside the
// database, generated (32 random bytes, mode 0600) when `create` and absent.
// nullopt when no secret exists and `create` is false.
std::optional<correlator::VerpSigner> load_signer(bool create);

// The clock: --now when given, else the system clock.
correlator::Clock cli_clock();

}  // namespace ndrlink::cli
