// What a worker thread does with the store: its own SQLite connection,
// correlator and VERP signer. Every call is one transaction (or none on
// error): a message is marked processed only together with its result.
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config.h"
#include "ndrlink/correlator/acceptance_input.h"
#include "ndrlink/correlator/correlator.h"
#include "ndrlink/correlator/verp.h"
#include "ndrlink/parser/parser.h"
#include "ndrlink/storage/store.h"

namespace ndrlink::daemon {

struct Recorded {
  std::int64_t id = 0;
  bool created = false;
  std::string verp_token;
};

// What the relay writes for one upstream transaction (relay_recorder.h):
// its accepted recipients under their reserved ids, with the Message-ID
// (before the message goes out), or marked not sent when it never will
// (code 0: `text` says why).
struct RelayWrite {
  std::vector<storage::NewAcceptance> acceptances;  // reserved_id and accepted_at set
  std::string message_id;                           // set on them (empty: none)
  bool not_sent = false;
  int code = 0;
  std::string enhanced, text;
};
// The rows of one RelayWrite, or why it failed (nothing of it written).
struct RelayWriteResult {
  std::vector<Recorded> recorded;
  std::exception_ptr error;
};

class Processor {
 public:
  // Opens the store (creating and migrating it) and loads the VERP secret
  // (creating the default one). Throws on failure with a clear message.
  Processor(const Config& config, correlator::Clock clock);

  // Parses `raw` and stores + correlates the result under `source_key`.
  // Throws storage::StoreError when the database fails (nothing written).
  correlator::IngestOutcome ingest(std::string_view source_key, std::string_view raw);

  // An acceptance from named fields (the ingest socket); a string is a
  // validation error for the client.
  std::variant<Recorded, std::string> record(const correlator::Fields& fields, std::string_view source);

  // The stored cursor of a mailbox source ("imap:<name>:<mailbox>"), if any.
  std::optional<storage::SourceCursor> cursor(std::string_view source);
  // Saves (uidvalidity, last_uid) for `source`, stamped with the clock.
  void save_cursor(std::string_view source, std::int64_t uidvalidity, std::int64_t last_uid);

  // --- the relay (relay_recorder.h) ---
  // `count` reserved acceptance ids, each with its VERP token.
  std::vector<Recorded> reserve_acceptances(int count);
  // Group commit: every write in one transaction, each in its own
  // savepoint, so one that fails (its result has the error) leaves the
  // others. Throws (nothing written) when the transaction itself fails.
  std::vector<RelayWriteResult> record_relay_writes(const std::vector<RelayWrite>& writes);
  std::int64_t record_refusal(const storage::NewRefusal& r);
  // Marks accepted messages that did not go out; the reason and hard flag
  // come from the refusal (parser::classify_reply), "not_sent" otherwise.
  // The number of rows marked.
  int mark_not_sent(const std::vector<std::int64_t>& ids, int code, const std::string& enhanced,
                    const std::string& text);
  std::string now_iso() const;

  // One transaction of the grace sweep (at most `batch` acceptances).
  correlator::SweepOutcome sweep_batch(int batch);
  std::size_t max_message_bytes() const { return parse_options_.max_message_bytes; }
  void checkpoint();

  // Applies reloadable settings (grace, window, keep_raw, parser limits).
  void reconfigure(const Config& config);

 private:
  // Marks `ids` not sent inside the caller's transaction.
  int mark_not_sent_in(const std::vector<std::int64_t>& ids, int code, const std::string& enhanced,
                       const std::string& text);

  correlator::Clock clock_;
  std::unique_ptr<storage::Store> store_;
  correlator::VerpSigner signer_;
  parser::ParseOptions parse_options_;
  std::unique_ptr<correlator::Correlator> correlator_;
};

}  // namespace ndrlink::daemon
