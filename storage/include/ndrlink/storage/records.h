// Plain rows of the store. Times are ISO 8601 UTC strings
// ("2026-12-04T15:04:05Z"); optional text columns are empty when NULL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ndrlink::storage {

// States of an acceptance (DESIGN.md "States").
inline constexpr const char* kPending = "pending";
inline constexpr const char* kDelayed = "delayed";
inline constexpr const char* kBounced = "bounced";
inline constexpr const char* kDelivered = "delivered";
inline constexpr const char* kPresumedDelivered = "presumed_delivered";
bool is_valid_state(const std::string& state);

struct NewAcceptance {
  std::string recipient;
  int reply_code = 250;
  std::string enhanced_status, reply_text, mx_host, sender, message_id, envid;
  // Relayed: the VERP token the upstream copy was tagged with (its first
  // recipient's; schema 0005). Empty: not relayed.
  std::string copy_token;
  std::string accepted_at;  // ISO 8601 UTC
  std::string source = "cli";
  // Initial state; anything but pending (an import of history) is
  // recorded with an event saying so.
  std::string state = "pending";
  // An id from Store::reserve_acceptance_id() (the relay sends the VERP
  // token before it knows the reply); 0: the next id.
  std::int64_t reserved_id = 0;
};

struct Acceptance {
  std::int64_t id = 0;
  std::string recipient, recipient_key, domain;
  int reply_code = 0;
  std::string enhanced_status, reply_text, mx_host, sender, message_id, envid, verp_token;
  std::string accepted_at, source, state, state_at, reason;
  std::optional<bool> hard;
  std::optional<std::int64_t> resolved_by;  // report_recipients.id
  // The message did not go out after this 2xx RCPT: the upstream's refusal
  // of DATA (code 400-599), or code 0 with a text saying why the relay
  // never completed DATA. 0 and empty: accepted or not relayed.
  int data_reply_code = 0;
  std::string data_reply_text;
  std::string copy_token;  // see NewAcceptance
};

// A refused RCPT (or DATA) seen by the relay or the probe.
struct NewRefusal {
  std::string recipient;
  int reply_code = 550;  // 400-599
  std::string enhanced_status, reply_text, mx_host, sender;
  std::string stage = "rcpt";  // rcpt | data
  std::string refused_at;      // ISO 8601 UTC
  std::string source = "relay";
};

struct Refusal {
  std::int64_t id = 0;
  std::string recipient, recipient_key, domain;
  int reply_code = 0;
  std::string enhanced_status, reply_text, mx_host, sender, stage, refused_at, source;
};

// How an accepted message failed to go out (Store::mark_not_sent).
struct NotSent {
  std::int64_t acceptance_id = 0;
  int reply_code = 0;  // the upstream's DATA refusal (400-599), or 0: never sent
  std::string enhanced_status, reply_text;  // the reply, or why it was never sent
  std::string at;                           // ISO 8601 UTC
  std::string reason;                       // taxonomy reason for the state change
  bool hard = false;
};

struct RecordOutcome {
  std::int64_t id = 0;
  bool created = false;
};

struct AcceptanceFilter {
  std::string state, domain, recipient_key, message_id, since, until;
  int reply_code = 0;  // 0 = any
  int limit = 0;       // 0 = no limit
};

struct StateChange {
  std::int64_t acceptance_id = 0;
  std::string from_state, to_state, at, why, reason;
  std::optional<bool> hard;
  std::optional<std::int64_t> report_recipient_id;
  bool resolve = false;  // also set resolved_by/reason/hard on the acceptance
  bool event_only = false;  // record the event, keep the state (late delay notice)
};

struct Event {
  std::int64_t id = 0, acceptance_id = 0;
  std::string at, from_state, to_state, why;
  std::optional<std::int64_t> report_recipient_id;
};

struct ReportRecipientRow {
  std::int64_t id = 0, report_id = 0;
  int position = 0;
  std::string recipient, original_recipient, action, status, reply_code, reason, diagnostic, remote_mta,
      feedback_type;
  bool hard = false;
  std::optional<std::int64_t> acceptance_id;
  std::string link_method;
  double link_confidence = 0;
  std::string suspicious;
};

struct StoredReport {
  std::int64_t id = 0;
  std::string source_key, kind, family, reporting_mta, original_message_id, envid, verp_token, ndrlink_id, subject,
      from_address, arrival_date, received_at, parse_error;
  std::string raw;  // stored only when non-empty
  std::string content_sha256;  // "sha256:<hex>" of the message as ingested (schema 6)
  std::string verp_recipient;  // the recipient an XVERP return path named (schema 7)
  std::vector<ReportRecipientRow> recipients;
};

struct UnmatchedRow {
  std::int64_t report_id = 0, report_recipient_id = 0;
  std::string source_key, kind, received_at, original_message_id, recipient, action, status, reason, suspicious;
};

struct SourceCursor {
  std::string source;
  std::int64_t uidvalidity = 0, last_uid = 0;
  std::string updated_at;
};

}  // namespace ndrlink::storage
