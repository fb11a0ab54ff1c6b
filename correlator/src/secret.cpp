#include "ndrlink/correlator/secret.h"

#include <openssl/rand.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace ndrlink::correlator {
namespace {

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

std::string default_secret_path(const std::string& db_path) {
  const std::filesystem::path db(db_path);
  return ((db.has_parent_path() ? db.parent_path() : std::filesystem::path(".")) / "verp.secret").string();
}

std::optional<VerpSigner> load_signer(const std::string& secret_file, const std::string& db_path, bool create) {
  const std::string path = secret_file.empty() ? default_secret_path(db_path) : secret_file;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (!secret_file.empty()) throw std::runtime_error("VERP secret file " + path + " does not exist");
    if (!create) return std::nullopt;
    create_secret(path);
  }
  return VerpSigner::from_file(path);
}

}  // namespace ndrlink::correlator
