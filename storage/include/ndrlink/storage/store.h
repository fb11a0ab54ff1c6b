// The store: ndrlink's SQLite database. The only code that speaks SQL.
//
// Contract: every method throws StoreError when SQLite fails (busy beyond
// the timeout, disk full, corruption, constraint violation); nothing else
// escapes. A Store is used by one thread at a time; several processes may
// open the same file (WAL mode, busy timeout). Each public write either
// completes in one transaction or leaves the database unchanged.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ndrlink/storage/records.h"

struct sqlite3;

namespace ndrlink::storage {

class StoreError : public std::runtime_error {
 public:
  StoreError(const std::string& what, int sqlite_code) : std::runtime_error(what), code_(sqlite_code) {}
  int sqlite_code() const { return code_; }
  bool busy() const;       // SQLITE_BUSY / SQLITE_LOCKED: another writer held on too long
  bool disk_full() const;  // SQLITE_FULL
 private:
  int code_;
};

struct StoreOptions {
  int busy_timeout_ms = 10000;  // how long a writer waits for another's transaction
  bool create = true;           // create the file if missing (its directory must exist)
  bool read_only = false;
  // SQLite page cache per connection. Bulk imports want more (the indexes
  // of a million rows), the daemon's workers less (its RSS budget).
  int cache_mib = 8;
};

class Store;

// An IMMEDIATE transaction: takes the write lock at once, so a unit of
// work never fails half-way on a lock upgrade. Rolls back unless commit()
// was called.
class Transaction {
 public:
  explicit Transaction(Store& store);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Store& store_;
  bool done_ = false;
};

// A SAVEPOINT inside an open Transaction: one unit of a batch that can
// fail alone. Rolls back to its start (and releases) unless release() was
// called; the enclosing transaction goes on either way.
class Savepoint {
 public:
  explicit Savepoint(Store& store);
  ~Savepoint();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  void release();

 private:
  Store& store_;
  bool done_ = false;
};

class Store {
 public:
  // Opens (or creates, mode 0640) the database at `path` and migrates it to
  // the current schema. Refuses, with a clear message, a database written by a
  // newer ndrlink or a path whose directory does not exist.
  static std::unique_ptr<Store> open(const std::string& path, const StoreOptions& options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // True while a transaction is open on this connection (false after
  // SQLite rolled one back by itself: a full disk, an I/O error).
  bool in_transaction() const;

  // Schema version this build writes (the highest migration).
  static int current_schema_version();
  int schema_version();

  // --- acceptances -----------------------------------------------------
  // Records an acceptance; with a message_id, recording the same
  // (message_id, recipient) again returns the existing row (created=false).
  // `token_for`, if given, makes the new row's VERP token from its id; it
  // is written by the same INSERT.
  using TokenMaker = std::function<std::string(std::int64_t id)>;
  RecordOutcome record_acceptance(const NewAcceptance& a, const TokenMaker& token_for = {});
  std::optional<Acceptance> acceptance(std::int64_t id);
  // Candidates for linking, oldest first. `recipient_key` is lower case.
  std::vector<Acceptance> acceptances_by_envid(std::string_view envid, std::string_view recipient_key);
  std::vector<Acceptance> acceptances_by_message_id(std::string_view message_id, std::string_view recipient_key);
  // The acceptances one relayed copy carried (`copy_token` = `token`).
  std::vector<Acceptance> acceptances_by_copy_token(std::string_view token);
  std::vector<Acceptance> acceptances_by_recipient(std::string_view recipient_key, std::string_view since,
                                                   std::string_view until);
  std::vector<Acceptance> list_acceptances(const AcceptanceFilter& filter);
  // Moves an acceptance to `to` and appends the event, in the caller's
  // transaction. Returns false (and changes nothing) if the row is gone.
  bool change_state(const StateChange& change);
  // Pending or delayed acceptances accepted before `cutoff`.
  std::vector<std::int64_t> overdue_acceptances(std::string_view cutoff, int limit);
  std::vector<Event> events_for(std::int64_t acceptance_id);

  // --- relay (store_relay.cpp) -------------------------------------------
  // Takes the next acceptance id in its own short transaction: no later
  // row ever gets it (AUTOINCREMENT), so a VERP token made from it names
  // this reservation only. Record the acceptance with
  // NewAcceptance::reserved_id, or leave a gap (a refused recipient).
  std::int64_t reserve_acceptance_id() { return reserve_acceptance_ids(1); }
  // Reserves `count` consecutive ids at once; returns the first. Ids of a
  // block never used leave gaps, like refused recipients.
  std::int64_t reserve_acceptance_ids(int count);
  std::int64_t record_refusal(const NewRefusal& r);
  std::vector<Refusal> refusals_since(std::string_view since, int limit);
  // The accepted message did not go out: sets data_reply_*, moves a
  // pending/delayed acceptance to bounced (reason, hard) with an event.
  // The sweeper then never presumes it delivered; its Message-ID is
  // cleared (the message with that id did not reach the recipient, and a
  // resent copy's row may take it). False if the row is gone or was already
  // marked.
  bool mark_not_sent(const NotSent& n);
  // Sets the Message-ID of relayed acceptances, before their message is
  // committed upstream. A row whose (message_id, recipient) already exists (the
  // client sent the same message again) keeps no Message-ID. Returns the
  // rows set.
  int set_message_id(const std::vector<std::int64_t>& acceptance_ids, std::string_view message_id);

  // --- reports ---------------------------------------------------------
  bool has_report(std::string_view source_key);
  // A report with these bytes (StoredReport::content_sha256) is stored.
  bool has_report_content(std::string_view content_sha256);
  // Inserts the report and its recipient rows (ids filled in). Returns
  // false without writing if a report with the same source_key exists.
  bool insert_report(StoredReport& report);
  void link_recipient(std::int64_t report_recipient_id, std::int64_t acceptance_id, std::string_view method,
                      double confidence);
  void mark_suspicious(std::int64_t report_recipient_id, std::string_view why);
  std::vector<UnmatchedRow> unmatched(int limit);
  std::optional<ReportRecipientRow> report_recipient(std::int64_t id);

  // --- source cursors --------------------------------------------------
  std::optional<SourceCursor> cursor(std::string_view source);
  void save_cursor(const SourceCursor& cursor);

  // --- maintenance -----------------------------------------------------
  void checkpoint();                   // PRAGMA wal_checkpoint(TRUNCATE)
  std::string integrity_check();       // "ok" when sound

  sqlite3* handle() { return db_; }    // for Transaction and statements

 private:
  explicit Store(sqlite3* db);
  void migrate();
  sqlite3* db_;
  // The next acceptance id, valid within one write transaction (which
  // holds the lock, so no one else inserts): saves a query per row.
  std::uint64_t tx_generation_ = 0, next_id_generation_ = 0;
  std::int64_t next_id_ = 0;
  struct Statements;
  std::unique_ptr<Statements> stmts_;
  friend class Transaction;
  friend class Savepoint;
};

}  // namespace ndrlink::storage
