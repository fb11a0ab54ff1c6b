// The IMAP password: read from `password_file` at each login (so a
// rotated secret is picked up on the next connection). A bare name (no
// '/') is a systemd credential when $CREDENTIALS_DIRECTORY is set. The
// first line is the password; errors name the file, never the content.
#pragma once

#include <string>

namespace ndrlink::daemon::imap {

// The path `password_file` refers to.
std::string password_path(const std::string& password_file);

// Throws std::runtime_error with a one-line reason.
std::string read_password(const std::string& password_file);

}  // namespace ndrlink::daemon::imap
