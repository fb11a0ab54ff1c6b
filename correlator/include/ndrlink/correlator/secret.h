// Where the VERP secret lives and how it comes to exist, shared by the CLI
// and the daemon so both sign and verify with the same key.
#pragma once

#include <optional>
#include <string>

#include "ndrlink/correlator/verp.h"

namespace ndrlink::correlator {

// "verp.secret" in the database's directory.
std::string default_secret_path(const std::string& db_path);

// The signer from `secret_file`, or from default_secret_path(db_path) when
// `secret_file` is empty. A missing default file is generated (32 random
// bytes as hex, mode 0600) when `create`; otherwise nullopt. A missing
// explicit file is an error (std::runtime_error naming it).
std::optional<VerpSigner> load_signer(const std::string& secret_file, const std::string& db_path, bool create);

}  // namespace ndrlink::correlator
