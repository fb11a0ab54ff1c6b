// One SMTP command line from a relay client (RFC 5321 4.1), parsed: the
// verb, the MAIL/RCPT path and ESMTP parameters. No I/O, no state: the
// session decides what a valid command means in its state. Bad input is a
// CommandError carrying the reply to send (501, 500, 502, 555), never an
// exception; limits (RFC 5321 4.5.3.1) bound every part.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ndrlink::daemon::relay {

enum class Verb { ehlo, helo, mail, rcpt, data, rset, noop, quit, vrfy, expn, help, starttls, not_implemented };

struct Param {
  std::string keyword;  // upper case
  std::string value;    // as sent; empty when the parameter has none
  bool has_value = false;
};

struct Command {
  Verb verb = Verb::noop;
  std::string name;      // the verb as sent, upper case
  std::string argument;  // everything after the verb and one space (EHLO's domain, VRFY's string)
  std::string path;      // MAIL/RCPT: the address without <> (empty: the null sender <>)
  std::vector<Param> params;
  const Param* param(std::string_view keyword) const;
};

// A reply for a command that cannot be taken as sent.
struct CommandError {
  int code = 501;
  std::string enhanced;  // "5.5.4"
  std::string text;
};

struct CommandLimits {
  std::size_t max_path = 256;    // RFC 5321 4.5.3.1.3, with the <>
  std::size_t max_local = 64;    // 4.5.3.1.1
  std::size_t max_domain = 255;  // 4.5.3.1.2
  std::size_t max_params = 16;
};

// `line` without its CRLF.
std::variant<Command, CommandError> parse_command(std::string_view line, const CommandLimits& limits = {});

// Checks MAIL FROM parameters the relay knows (SIZE, BODY, SMTPUTF8, RET,
// ENVID): 555 for an unknown one, 501 for a bad value.
std::optional<CommandError> check_mail_params(const Command& mail);
// The same for RCPT TO (NOTIFY, ORCPT).
std::optional<CommandError> check_rcpt_params(const Command& rcpt);

}  // namespace ndrlink::daemon::relay
