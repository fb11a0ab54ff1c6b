#include "imap_password.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace ndrlink::daemon::imap {

std::string password_path(const std::string& password_file) {
  if (password_file.find('/') == std::string::npos)
    if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY"); dir && *dir) return std::string(dir) + "/" + password_file;
  return password_file;
}

std::string read_password(const std::string& password_file) {
  const std::string path = password_path(password_file);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read password file " + path + ": " + std::strerror(errno));
  std::string data(4096, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<std::size_t>(in.gcount()));
  const auto eol = data.find_first_of("\r\n");
  if (eol != std::string::npos) data.resize(eol);
  if (data.empty()) throw std::runtime_error("password file " + path + " is empty");
  return data;
}

}  // namespace ndrlink::daemon::imap
