// The correlator: stores each parsed report exactly once, links its
// recipient results to acceptances (DESIGN.md "Correlation", strongest
// method first) and applies the state machine ("States"), one transaction
// per message. Pure logic over the storage API.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ndrlink/correlator/clock.h"
#include "ndrlink/correlator/verp.h"
#include "ndrlink/parser/report.h"
#include "ndrlink/storage/store.h"

namespace ndrlink::correlator {

struct CorrelatorOptions {
  // No NDR within this time after acceptance -> presumed_delivered.
  // Default: Postfix's maximal_queue_lifetime.
  std::chrono::seconds grace = std::chrono::days(5);
  // Recipient-only links consider acceptances this far before the report.
  std::chrono::seconds window = std::chrono::days(7);
  bool keep_raw = false;  // store a copy of each message in reports.raw
};

// Link methods, strongest first, with their confidence.
inline constexpr std::string_view kLinkVerp = "verp";              // 1.0
inline constexpr std::string_view kLinkHeader = "header";          // 1.0
inline constexpr std::string_view kLinkEnvid = "envid";            // 0.9
inline constexpr std::string_view kLinkMessageId = "message_id";   // 0.8
inline constexpr std::string_view kLinkRecipient = "recipient";    // 0.5

struct RecipientOutcome {
  std::string recipient, action, status, reason, link_method;
  bool hard = false;
  double confidence = 0;
  std::optional<std::int64_t> acceptance_id;
  std::string from_state, to_state;  // empty when no state changed
  std::string suspicious;            // why the evidence was distrusted
};

struct IngestOutcome {
  bool duplicate = false;       // source_key or the same bytes seen before: nothing written
  bool same_content = false;    // duplicate by its bytes, under another source_key
  std::int64_t report_id = 0;
  parser::Kind kind = parser::Kind::none;
  std::vector<RecipientOutcome> recipients;
};

struct SweepOutcome {
  int presumed_delivered = 0;
  bool more = false;  // stopped at max_batches with overdue acceptances left
};

class Correlator {
 public:
  // `signer` may be null: VERP and X-Ndrlink-Id evidence is then ignored.
  Correlator(storage::Store& store, const VerpSigner* signer, CorrelatorOptions options = {},
             Clock clock = system_now);

  // Stores `report` under `source_key` and correlates it, in one
  // transaction. A source_key already stored, or a message whose bytes
  // are (content_key; only when `raw` is given), is a no-op
  // (duplicate=true).
  // Throws storage::StoreError when the database fails (nothing written).
  IngestOutcome ingest(std::string_view source_key, const parser::Report& report, std::string_view raw = {});

  // Moves pending/delayed acceptances older than the grace period to
  // presumed_delivered, in batches of `batch` per transaction; at most
  // `max_batches` of them when it is above 0 (`more` then says whether to
  // call again).
  SweepOutcome sweep(int batch = 1000, int max_batches = 0);

  // "sha256:<hex>" of a message's bytes: the source key of a message with
  // no better name (CLI ingest of a file).
  static std::string content_key(std::string_view raw);

 private:
  struct Link {
    std::int64_t acceptance_id = 0;
    std::string_view method;
    double confidence = 0;
  };
  std::optional<Link> find_link(const parser::Report& report, const parser::RecipientResult& r,
                                std::string& suspicious);
  void apply(const parser::Report& report, const storage::ReportRecipientRow& row, const Link& link,
             RecipientOutcome& out);

  storage::Store& store_;
  const VerpSigner* signer_;
  CorrelatorOptions options_;
  Clock clock_;
};

}  // namespace ndrlink::correlator
