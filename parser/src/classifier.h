// Reason classifier: enhanced status, reply code, diagnostic text and the
// SMTP command the error answered -> DESIGN.md reason taxonomy, and the
// `hard` rule.
#pragma once

#include <string>
#include <string_view>

namespace ndrlink::parser {

struct ClassifyInput {
  std::string_view status;           // X.Y.Z or empty
  std::string_view reply_code;       // "550" or empty
  std::string_view diagnostic;       // Diagnostic-Code text or bounce prose
  std::string_view diagnostic_type;  // "smtp", "x-unix", ... (lower case)
  std::string_view action;           // failed | delayed | delivered ...
  std::string_view command;          // RCPT, DATA, MAIL, HELO, CONN or empty
  std::string_view remote_mta;       // receiving host, for provider rules
  std::string_view preset;           // reason a family heuristic already decided
};

std::string classify_reason(const ClassifyInput& in);

// The reason a diagnostic text alone points at, or empty. Exposed for
// family heuristics and tests. `lowered` must be lower case.
std::string_view reason_from_text(std::string_view lowered);

// The reason an RFC 3463 code alone implies, or empty when the code is
// too generic (X.0.0, X.7.1 ...) to say.
std::string_view reason_from_status(std::string_view status);

// The SMTP command an error answered, from phrases like "in reply to RCPT
// TO command", "after RCPT TO:", ">>> DATA"; empty if not stated.
std::string detect_command(std::string_view text);

// DESIGN.md: hard = userunknown, hostunknown, hasmoved, and notaccept with
// a 5xx code (or with no code at all: a failure report without a code is
// permanent; only a 4xx notaccept is soft).
bool is_hard(std::string_view reason, std::string_view status, std::string_view reply_code);

// True for a reason that later rules may still replace (empty, undefined,
// onhold, and the ones a status code alone suggests).
bool reason_is_tentative(std::string_view reason);

}  // namespace ndrlink::parser
