// spdlog set-up: under systemd, lines go to stderr with sd-daemon priority
// prefixes ("<6>...") so journald records each line's level; otherwise
// plain timestamped lines on stderr.
#pragma once

#include <string>

namespace ndrlink::daemon {

void setup_logging(const std::string& level);
void set_log_level(const std::string& level);

}  // namespace ndrlink::daemon
