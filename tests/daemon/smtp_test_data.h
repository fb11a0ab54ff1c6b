// What the Postfix tests and bench_relay add to SmtpTestClient: the code
// of a raw reply, and a whole DATA exchange (dot-stuffed by the same
// smtp_data code the relay and the probe use).
#pragma once

#include <cstdlib>
#include <string>

#include "smtp_data.h"
#include "smtp_test_client.h"

namespace ndrlink::testing {

// 250 for "250 2.1.5 Ok"; 0 for "" (closed or timed out).
inline int reply_code(const std::string& reply) { return reply.size() >= 3 ? std::atoi(reply.substr(0, 3).c_str()) : 0; }

// DATA, then `message` (LF or CRLF lines) dot-stuffed with its terminator:
// the reply to DATA when it is not 354, else the reply after the dot.
inline std::string send_data(SmtpTestClient& c, const std::string& message) {
  const std::string go = c.command("DATA");
  if (reply_code(go) != 354) return go;
  c.send(smtp::dot_stuff(message));
  return c.reply();
}

}  // namespace ndrlink::testing
