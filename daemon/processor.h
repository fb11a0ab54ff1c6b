// What a worker thread does with the store: its own SQLite connection,
// correlator and VERP signer. Every call is one transaction (or none on
// error): a message is marked processed only together with its result.
#pragma once

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
  // Records a relayed acceptance under its reserved id (with its token).
  Recorded record_relayed(const storage::NewAcceptance& a);
  std::int64_t record_refusal(const storage::NewRefusal& r);
  // Marks accepted messages that did not go out; the reason and hard flag
  // come from the refusal (parser::classify_reply), "not_sent" otherwise.
  // The number of rows marked.
  int mark_not_sent(const std::vector<std::int64_t>& ids, int code, const std::string& enhanced,
                    const std::string& text);
  int set_message_id(const std::vector<std::int64_t>& ids, const std::string& message_id);
  std::string now_iso() const;

  // One transaction of the grace sweep (at most `batch` acceptances).
  correlator::SweepOutcome sweep_batch(int batch);
  std::size_t max_message_bytes() const { return parse_options_.max_message_bytes; }
  void checkpoint();

  // Applies reloadable settings (grace, window, keep_raw, parser limits).
  void reconfigure(const Config& config);

 private:
  correlator::Clock clock_;
  std::unique_ptr<storage::Store> store_;
  correlator::VerpSigner signer_;
  parser::ParseOptions parse_options_;
  std::unique_ptr<correlator::Correlator> correlator_;
};

}  // namespace ndrlink::daemon
