#include "context.h"

#include "ndrlink/correlator/secret.h"

#include <sys/stat.h>

#include <filesystem>
#include <stdexcept>

namespace ndrlink::cli {

GlobalOptions& global_options() {
  static GlobalOptions options;
  return options;
}

std::unique_ptr<storage::Store> open_store(bool read_only) {
  const auto& g = global_options();
  namespace fs = std::filesystem;
  const fs::path path(g.db);
  if (g.db == GlobalOptions{}.db && !read_only) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
  }
  storage::StoreOptions options;
  options.read_only = read_only;
  options.cache_mib = 64;  // short-lived; bulk imports touch every index page
  auto store = storage::Store::open(g.db, options);
  return store;
}

std::optional<correlator::VerpSigner> load_signer(bool create) {
  const auto& g = global_options();
  return correlator::load_signer(g.verp_secret_file, g.db, create);
}

correlator::Clock cli_clock() {
  const auto& now = global_options().now;
  if (now.empty()) return correlator::system_now;
  const auto t = correlator::parse_iso(now);
  if (!t) throw std::runtime_error("--now: not an ISO 8601 time: " + now);
  return [t] { return *t; };
}

}  // namespace ndrlink::cli
