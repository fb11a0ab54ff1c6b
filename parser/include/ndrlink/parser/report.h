// The parser's result: what one inbound message says about the delivery of
// mail to one or more recipients. Field meanings follow DESIGN.md's JSON
// contract; empty strings are printed as null.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ndrlink::parser {

enum class Kind {
  dsn,         // RFC 3464 delivery status notification
  ndr,         // non-standard bounce, understood by a heuristic
  arf,         // RFC 5965 feedback report
  autoreply,   // RFC 3834 auto-reply (vacation, out of office)
  none,        // not a report
  unparsable,  // could not be read; Report::error says why
};

std::string_view to_string(Kind kind);

// One recipient's outcome as the message states it.
struct RecipientResult {
  std::string recipient;           // Final-Recipient (lower-cased domain kept as sent)
  std::string original_recipient;  // Original-Recipient (ORCPT), if given
  std::string action;              // failed | delayed | delivered | relayed | expanded
  std::string status;              // RFC 3463 X.Y.Z, never invented
  std::string reply_code;          // SMTP reply code, e.g. "550"
  std::string reason;              // DESIGN.md reason taxonomy
  bool hard = false;               // the address itself is bad
  std::string diagnostic;          // Diagnostic-Code text (or the heuristic's error text)
  std::string diagnostic_type;     // "smtp", "x-unix", ... (Diagnostic-Code type)
  std::string remote_mta;          // Remote-MTA host
  std::string last_attempt_date;   // ISO 8601 UTC, if given
  std::string will_retry_until;    // ISO 8601 UTC, if given
  std::string feedback_type;       // ARF Feedback-Type (kind arf only)
  std::string smtp_command;        // command the error answered, when a heuristic read it (RCPT, DATA ...)
};

struct Report {
  Kind kind = Kind::none;
  std::string error;               // why unparsable, or a warning (e.g. truncated input)
  bool truncated = false;          // input was cut at ParseOptions::max_message_bytes
  std::string family;              // which heuristic understood it ("rfc3464", "exim", ...)

  // Per-message fields (RFC 3464 section 2.2).
  std::string reporting_mta;
  std::string received_from_mta;
  std::string arrival_date;        // ISO 8601 UTC
  std::string envid;               // Original-Envelope-Id

  // Identity of the original message, for correlation.
  std::string original_message_id; // "<...>"
  std::string verp_token;           // token from bounces+TOKEN@ style envelope recipient
  std::string verp_recipient;       // recipient from an XVERP bounces+user=example.com@ one
  std::string ndrlink_id;           // X-Ndrlink-Id of the returned message
  std::string subject;              // decoded Subject of the report itself
  std::string from;                 // From address of the report itself

  std::vector<RecipientResult> recipients;
};

}  // namespace ndrlink::parser
