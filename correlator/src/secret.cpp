#include "ndrlink/correlator/secret.h"

#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <filesystem>
#include <stdexcept>

namespace ndrlink::correlator {
namespace {

// Writes a new secret to a private temporary file and links it into place:
// link() fails if another process created the file first, so every
// process ends up with the same complete secret; a crash leaves at most a
// stray temporary file, never a short secret.
void create_secret(const std::string& path) {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("cannot generate a VERP secret");
  static constexpr char hex[] = "0123456789abcdef";
  std::string secret;
  for (unsigned char b : bytes) {
    secret.push_back(hex[b >> 4]);
    secret.push_back(hex[b & 15]);
  }
  secret.push_back('\n');
  std::string tmp = path + ".XXXXXX";
  const int fd = ::mkstemp(tmp.data());  // mode 0600
  if (fd < 0) throw std::runtime_error("cannot create VERP secret file " + path + ": " + std::strerror(errno));
  const bool written = ::write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  const int linked = written ? ::link(tmp.c_str(), path.c_str()) : -1;
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (!written) throw std::runtime_error("cannot write VERP secret file " + path);
  if (linked != 0 && link_errno != EEXIST)
    throw std::runtime_error("cannot create VERP secret file " + path + ": " + std::strerror(link_errno));
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
