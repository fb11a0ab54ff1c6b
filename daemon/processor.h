// What a worker thread does with the store: its own SQLite connection,
// correlator and VERP signer. Every call is one transaction (or none on
// error): a message is marked processed only together with its result.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

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
