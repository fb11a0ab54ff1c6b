#include "context.h"

#include <openssl/rand.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
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
  auto store = storage::Store::open(g.db, options);
  if (!read_only) ::chmod(g.db.c_str(), 0640);
  return store;
}

namespace {
std::string default_secret_path() {
  const std::filesystem::path db(global_options().db);
  return (db.has_parent_path() ? db.parent_path() : std::filesystem::path(".")) / "verp.secret";
}

void create_secret(const std::string& path) {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("cannot generate a VERP secret");
  static constexpr char hex[] = "0123456789abcdef";
  std::string secret;
  for (unsigned char b : bytes) {
    secret.push_back(hex[b >> 4]);
    secret.push_back(hex[b & 15]);
  }
  const mode_t old = ::umask(077);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  ::umask(old);
  out << secret << '\n';
  if (!out.flush()) throw std::runtime_error("cannot write VERP secret file " + path);
}
}  // namespace

std::optional<correlator::VerpSigner> load_signer(bool create) {
  const auto& g = global_options();
  const std::string path = g.verp_secret_file.empty() ? default_secret_path() : g.verp_secret_file;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (!g.verp_secret_file.empty()) throw std::runtime_error("VERP secret file " + path + " does not exist");
    if (!create) return std::nullopt;
    create_secret(path);
  }
  return correlator::VerpSigner::from_file(path);
}

correlator::Clock cli_clock() {
  const auto& now = global_options().now;
  if (now.empty()) return correlator::system_now;
  const auto t = correlator::parse_iso(now);
  if (!t) throw std::runtime_error("--now: not an ISO 8601 time: " + now);
  return [t] { return *t; };
}

}  // namespace ndrlink::cli
