#include "ndrlink/storage/store.h"

#include <sys/stat.h>

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>

#include "address_key.h"
#include "migrations.h"
#include "statement.h"

namespace ndrlink::storage {
namespace {

void exec(sqlite3* db, const char* sql, std::string_view context) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = std::string(context) + ": " + (err ? err : sqlite3_errstr(rc));
    sqlite3_free(err);
    throw StoreError(msg, rc);
  }
}

constexpr const char* kAcceptanceColumns =
    "id, recipient, recipient_key, domain, reply_code, enhanced_status, reply_text, mx_host, sender, message_id, "
    "envid, verp_token, accepted_at, source, state, state_at, reason, hard, resolved_by, data_reply_code, "
    "data_reply_text, copy_token";

Acceptance read_acceptance(const Statement& s) {
  Acceptance a;
  a.id = s.int64(0);
  a.recipient = s.text(1);
  a.recipient_key = s.text(2);
  a.domain = s.text(3);
  a.reply_code = static_cast<int>(s.int64(4));
  a.enhanced_status = s.text(5);
  a.reply_text = s.text(6);
  a.mx_host = s.text(7);
  a.sender = s.text(8);
  a.message_id = s.text(9);
  a.envid = s.text(10);
  a.verp_token = s.text(11);
  a.accepted_at = s.text(12);
  a.source = s.text(13);
  a.state = s.text(14);
  a.state_at = s.text(15);
  a.reason = s.text(16);
  if (!s.is_null(17)) a.hard = s.int64(17) != 0;
  a.resolved_by = s.opt_int64(18);
  a.data_reply_code = static_cast<int>(s.opt_int64(19).value_or(0));
  a.data_reply_text = s.text(20);
  a.copy_token = s.text(21);
  return a;
}

std::vector<Acceptance> read_acceptances(Statement& s) {
  StatementScope scope(s);
  std::vector<Acceptance> out;
  while (s.step()) out.push_back(read_acceptance(s));
  return out;
}

std::string select_acceptances(std::string_view where) {
  return std::string("SELECT ") + kAcceptanceColumns + " FROM acceptances " + std::string(where);
}

}  // namespace

struct Store::Statements {
  explicit Statements(sqlite3* db) : db(db) {}
  sqlite3* db;
  std::unique_ptr<Statement> insert_acceptance, find_acceptance_by_key, acceptance_by_id, by_envid, by_copy_token,
      by_message_id, by_recipient, next_acceptance_id, update_state, update_resolved, insert_event, events, overdue,
      has_report, has_content, insert_report, insert_recipient, link, suspicious, unmatched, report_recipient, cursor,
      save_cursor;

  Statement& get(std::unique_ptr<Statement>& slot, std::string_view sql) {
    if (!slot) slot = std::make_unique<Statement>(db, sql);
    return *slot;
  }
};

// --- Transaction -------------------------------------------------------

Transaction::Transaction(Store& store) : store_(store) {
  exec(store_.db_, "BEGIN IMMEDIATE", "begin transaction");
  ++store_.tx_generation_;
}

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(store_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  exec(store_.db_, "COMMIT", "commit");
  done_ = true;
}

bool Store::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

Savepoint::Savepoint(Store& store) : store_(store) { exec(store_.db_, "SAVEPOINT unit", "begin savepoint"); }

Savepoint::~Savepoint() {
  if (done_) return;
  // The rows written since the savepoint are gone: cached ids are stale.
  sqlite3_exec(store_.db_, "ROLLBACK TO unit", nullptr, nullptr, nullptr);
  sqlite3_exec(store_.db_, "RELEASE unit", nullptr, nullptr, nullptr);
  ++store_.tx_generation_;
}

void Savepoint::release() {
  exec(store_.db_, "RELEASE unit", "release savepoint");
  done_ = true;
}

// --- open / migrate ----------------------------------------------------

std::unique_ptr<Store> Store::open(const std::string& path, const StoreOptions& options) {
  // Memory statistics cost a mutex per allocation; ndrlink never reads
  // them. Only possible before SQLite initialises; later calls are no-ops.
  static const bool memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
  (void)memstatus_off;
  namespace fs = std::filesystem;
  const fs::path p(path);
  std::error_code ec;
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!options.read_only && !fs::is_directory(dir, ec))
    throw StoreError("database directory " + dir.string() + " does not exist", SQLITE_CANTOPEN);
  const bool existed = fs::exists(p, ec);
  if ((options.read_only || !options.create) && !existed)
    throw StoreError("database " + path + " does not exist", SQLITE_CANTOPEN);
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |= options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | (options.create ? SQLITE_OPEN_CREATE : 0));
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "cannot open database " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    throw StoreError(msg, rc);
  }
  std::unique_ptr<Store> store(new Store(db));
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  sqlite3_extended_result_codes(db, 1);
  store->stmts_ = std::make_unique<Statements>(db);
  exec(db, "PRAGMA foreign_keys = ON", "enable foreign keys");
  exec(db, ("PRAGMA cache_size = -" + std::to_string(options.cache_mib * 1024)).c_str(), "set cache size");
  if (!options.read_only) {
    exec(db, "PRAGMA journal_mode = WAL", "enable WAL");
    exec(db, "PRAGMA synchronous = NORMAL", "set synchronous");
    // Checkpoint every ~40 MB of WAL instead of 4 MB: one NDR's transaction
    // dirties a dozen pages and many are the same hot index pages, so fewer
    // checkpoints write (and fsync) much less. The daemon also checkpoints
    // on a timer.
    exec(db, "PRAGMA wal_autocheckpoint = 10000", "set WAL checkpoint interval");
    // A new database is private to its owner and group (the -wal and -shm
    // files follow); an existing file keeps the mode its admin chose.
    if (!existed) ::chmod(path.c_str(), 0640);
    store->migrate();
  } else if (store->schema_version() > current_schema_version()) {
    throw StoreError("database " + path + " has schema version " + std::to_string(store->schema_version()) +
                         ", newer than this ndrlink supports (" + std::to_string(current_schema_version()) +
                         "); upgrade ndrlink",
                     SQLITE_ERROR);
  }
  return store;
}

Store::Store(sqlite3* db) : db_(db) {}

Store::~Store() {
  stmts_.reset();  // finalize statements before closing
  sqlite3_close_v2(db_);
}

int Store::current_schema_version() { return migrations().empty() ? 0 : migrations().back().version; }

int Store::schema_version() {
  Statement s(db_, "PRAGMA user_version");
  StatementScope scope(s);
  return s.step() ? static_cast<int>(s.int64(0)) : 0;
}

void Store::migrate() {
  Transaction tx(*this);  // IMMEDIATE: two processes opening a new file migrate once
  const int have = schema_version();
  if (have > current_schema_version())
    throw StoreError("database has schema version " + std::to_string(have) + ", newer than this ndrlink supports (" +
                         std::to_string(current_schema_version()) + "); upgrade ndrlink",
                     SQLITE_ERROR);
  for (const auto& m : migrations()) {
    if (m.version <= have) continue;
    const std::string sql(m.sql);
    exec(db_, sql.c_str(), "migration " + std::string(m.name));
    exec(db_, ("PRAGMA user_version = " + std::to_string(m.version)).c_str(), "set schema version");
  }
  tx.commit();
}

// --- acceptances -------------------------------------------------------

RecordOutcome Store::record_acceptance(const NewAcceptance& a, const TokenMaker& token_for) {
  if (!is_valid_state(a.state)) throw StoreError("unknown state \"" + a.state + "\"", SQLITE_CONSTRAINT);
  const std::string key = lower(a.recipient);
  const std::string domain = domain_of_key(key);
  // Lookup and insert under one write lock, even when the caller has no
  // transaction open: another process may record the same row meanwhile.
  std::optional<Transaction> own;
  if (sqlite3_get_autocommit(db_)) own.emplace(*this);
  // The token needs the id before the INSERT: take the next AUTOINCREMENT
  // value (never a deleted row's id), safe under the write lock held here.
  auto& next = stmts_->get(stmts_->next_acceptance_id, "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'acceptances'), 0), "
                          "coalesce((SELECT max(id) FROM acceptances), 0)) + 1");
  if (next_id_generation_ != tx_generation_) {
    StatementScope scope(next);
    next.step();
    next_id_ = next.int64(0);
    next_id_generation_ = tx_generation_;
  }
  // A reserved id lies below next_id_ (its reservation bumped the
  // sequence); one that was never reserved would collide with a later row.
  if (a.reserved_id != 0 && (a.reserved_id < 0 || a.reserved_id >= next_id_))
    throw StoreError("acceptance id " + std::to_string(a.reserved_id) + " was not reserved", SQLITE_CONSTRAINT);
  const std::int64_t id = a.reserved_id != 0 ? a.reserved_id : next_id_;
  auto& ins = stmts_->get(stmts_->insert_acceptance,
                          "INSERT INTO acceptances (id, recipient, recipient_key, domain, reply_code, enhanced_status, "
                          "reply_text, mx_host, sender, message_id, envid, accepted_at, source, state, state_at, "
                          "verp_token, copy_token) "
                          "VALUES (?15, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?11, ?14, ?16) "
                          "ON CONFLICT (message_id, recipient_key) WHERE message_id IS NOT NULL DO NOTHING");
  ins.bind(1, a.recipient).bind(2, key).bind(3, domain, false).bind(4, a.reply_code).bind(5, a.enhanced_status);
  ins.bind(6, a.reply_text).bind(7, a.mx_host).bind(8, a.sender).bind(9, a.message_id).bind(10, a.envid);
  ins.bind(11, a.accepted_at).bind(12, a.source).bind(13, a.state);
  ins.bind(14, token_for ? token_for(id) : std::string()).bind(15, id).bind(16, a.copy_token);
  ins.run();
  if (sqlite3_changes(db_) == 0) {
    // The same (message_id, recipient) was recorded before: that row.
    auto& find = stmts_->get(stmts_->find_acceptance_by_key,
                             "SELECT id FROM acceptances WHERE message_id = ?1 AND recipient_key = ?2");
    StatementScope scope(find);
    find.bind(1, a.message_id).bind(2, key);
    if (!find.step()) throw StoreError("acceptance vanished during insert", SQLITE_INTERNAL);
    return RecordOutcome{find.int64(0), false};
  }
  if (a.reserved_id == 0) ++next_id_;
  if (a.state != kPending) {
    StateChange c;
    c.acceptance_id = id;
    c.to_state = a.state;
    c.at = a.accepted_at;
    c.why = "recorded with state " + a.state + " (" + a.source + ")";
    c.event_only = true;
    change_state(c);
  }
  if (own) own->commit();
  return RecordOutcome{id, true};
}

std::optional<Acceptance> Store::acceptance(std::int64_t id) {
  auto& s = stmts_->get(stmts_->acceptance_by_id, select_acceptances("WHERE id = ?1"));
  s.bind(1, id);
  auto rows = read_acceptances(s);
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::vector<Acceptance> Store::acceptances_by_envid(std::string_view envid, std::string_view recipient_key) {
  auto& s = stmts_->get(stmts_->by_envid,
                        select_acceptances("WHERE envid = ?1 AND recipient_key = ?2 ORDER BY accepted_at, id"));
  s.bind(1, envid, false).bind(2, recipient_key, false);
  return read_acceptances(s);
}

std::vector<Acceptance> Store::acceptances_by_copy_token(std::string_view copy_token) {
  auto& s = stmts_->get(stmts_->by_copy_token, select_acceptances("WHERE copy_token = ?1 ORDER BY id"));
  s.bind(1, copy_token, false);
  return read_acceptances(s);
}

std::vector<Acceptance> Store::acceptances_by_message_id(std::string_view message_id, std::string_view recipient_key) {
  auto& s = stmts_->get(stmts_->by_message_id,
                        select_acceptances("WHERE message_id = ?1 AND recipient_key = ?2 ORDER BY accepted_at, id"));
  s.bind(1, message_id, false).bind(2, recipient_key, false);
  return read_acceptances(s);
}

std::vector<Acceptance> Store::acceptances_by_recipient(std::string_view recipient_key, std::string_view since,
                                                        std::string_view until) {
  auto& s = stmts_->get(stmts_->by_recipient,
                        select_acceptances("WHERE recipient_key = ?1 AND accepted_at >= ?2 AND accepted_at <= ?3 "
                                           "ORDER BY accepted_at, id LIMIT 100"));
  s.bind(1, recipient_key, false).bind(2, since, false).bind(3, until, false);
  return read_acceptances(s);
}

std::vector<Acceptance> Store::list_acceptances(const AcceptanceFilter& f) {
  std::string where = "WHERE 1";
  if (!f.state.empty()) where += " AND state = ?1";
  if (!f.domain.empty()) where += " AND domain = ?2";
  if (f.reply_code) where += " AND reply_code = ?3";
  if (!f.since.empty()) where += " AND accepted_at >= ?4";
  if (!f.until.empty()) where += " AND accepted_at < ?5";
  if (!f.recipient_key.empty()) where += " AND recipient_key = ?6";
  if (!f.message_id.empty()) where += " AND message_id = ?7";
  where += " ORDER BY accepted_at, id";
  if (f.limit > 0) where += " LIMIT " + std::to_string(f.limit);
  Statement s(db_, select_acceptances(where));
  if (!f.state.empty()) s.bind(1, f.state);
  if (!f.domain.empty()) s.bind(2, lower(f.domain));
  if (f.reply_code) s.bind(3, f.reply_code);
  if (!f.since.empty()) s.bind(4, f.since);
  if (!f.until.empty()) s.bind(5, f.until);
  if (!f.recipient_key.empty()) s.bind(6, lower(f.recipient_key));
  if (!f.message_id.empty()) s.bind(7, f.message_id);
  return read_acceptances(s);
}

bool Store::change_state(const StateChange& c) {
  if (!c.event_only) {
    auto& up = stmts_->get(stmts_->update_state,
                           "UPDATE acceptances SET state = ?2, state_at = ?3 WHERE id = ?1 AND state = ?4");
    up.bind(1, c.acceptance_id).bind(2, c.to_state).bind(3, c.at).bind(4, c.from_state);
    up.run();
    if (sqlite3_changes(db_) == 0) return false;
    if (c.resolve) {
      auto& res = stmts_->get(stmts_->update_resolved,
                              "UPDATE acceptances SET reason = ?2, hard = ?3, resolved_by = ?4 WHERE id = ?1");
      res.bind(1, c.acceptance_id).bind(2, c.reason).bind(3, c.hard).bind(4, c.report_recipient_id);
      res.run();
    }
  }
  auto& ev = stmts_->get(stmts_->insert_event,
                         "INSERT INTO events (acceptance_id, at, from_state, to_state, why, report_recipient_id) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  ev.bind(1, c.acceptance_id).bind(2, c.at).bind(3, c.from_state).bind(4, c.to_state, false).bind(5, c.why, false);
  ev.bind(6, c.report_recipient_id);
  ev.run();
  return true;
}

std::vector<std::int64_t> Store::overdue_acceptances(std::string_view cutoff, int limit) {
  auto& s = stmts_->get(stmts_->overdue,
                        "SELECT id FROM acceptances WHERE state IN ('pending','delayed') AND accepted_at < ?1 "
                        "ORDER BY accepted_at, id LIMIT ?2");
  StatementScope scope(s);
  s.bind(1, cutoff, false).bind(2, limit);
  std::vector<std::int64_t> out;
  while (s.step()) out.push_back(s.int64(0));
  return out;
}

std::vector<Event> Store::events_for(std::int64_t acceptance_id) {
  auto& s = stmts_->get(stmts_->events,
                        "SELECT id, acceptance_id, at, from_state, to_state, why, report_recipient_id FROM events "
                        "WHERE acceptance_id = ?1 ORDER BY id");
  StatementScope scope(s);
  s.bind(1, acceptance_id);
  std::vector<Event> out;
  while (s.step())
    out.push_back(Event{s.int64(0), s.int64(1), s.text(2), s.text(3), s.text(4), s.text(5), s.opt_int64(6)});
  return out;
}

// --- reports -----------------------------------------------------------

bool Store::has_report(std::string_view source_key) {
  auto& s = stmts_->get(stmts_->has_report, "SELECT 1 FROM reports WHERE source_key = ?1");
  StatementScope scope(s);
  s.bind(1, source_key, false);
  return s.step();
}

bool Store::has_report_content(std::string_view content_sha256) {
  auto& s = stmts_->get(stmts_->has_content, "SELECT 1 FROM reports WHERE content_sha256 = ?1");
  StatementScope scope(s);
  s.bind(1, content_sha256, false);
  return s.step();
}

bool Store::insert_report(StoredReport& r) {
  auto& ins = stmts_->get(stmts_->insert_report,
                          "INSERT INTO reports (source_key, kind, family, reporting_mta, original_message_id, envid, "
                          "verp_token, ndrlink_id, subject, from_address, arrival_date, received_at, parse_error, raw, "
                          "content_sha256, verp_recipient) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) "
                          "ON CONFLICT(source_key) DO NOTHING");
  ins.bind(1, r.source_key, false).bind(2, r.kind, false).bind(3, r.family).bind(4, r.reporting_mta);
  ins.bind(5, r.original_message_id).bind(6, r.envid).bind(7, r.verp_token).bind(8, r.ndrlink_id);
  ins.bind(9, r.subject).bind(10, r.from_address).bind(11, r.arrival_date).bind(12, r.received_at, false);
  ins.bind(13, r.parse_error);
  if (r.raw.empty()) ins.bind_null(14);
  else ins.bind_blob(14, r.raw);
  ins.bind(15, r.content_sha256).bind(16, r.verp_recipient);
  ins.run();
  if (sqlite3_changes(db_) == 0) return false;
  r.id = sqlite3_last_insert_rowid(db_);
  auto& rec = stmts_->get(stmts_->insert_recipient,
                          "INSERT INTO report_recipients (report_id, position, recipient, original_recipient, action, "
                          "status, reply_code, reason, hard, diagnostic, remote_mta, feedback_type) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  for (auto& row : r.recipients) {
    row.report_id = r.id;
    rec.bind(1, r.id).bind(2, row.position).bind(3, row.recipient).bind(4, row.original_recipient);
    rec.bind(5, row.action).bind(6, row.status).bind(7, row.reply_code).bind(8, row.reason);
    rec.bind(9, static_cast<std::int64_t>(row.hard)).bind(10, row.diagnostic).bind(11, row.remote_mta);
    rec.bind(12, row.feedback_type);
    rec.run();
    row.id = sqlite3_last_insert_rowid(db_);
  }
  return true;
}

void Store::link_recipient(std::int64_t report_recipient_id, std::int64_t acceptance_id, std::string_view method,
                           double confidence) {
  auto& s = stmts_->get(stmts_->link,
                        "UPDATE report_recipients SET acceptance_id = ?2, link_method = ?3, link_confidence = ?4 "
                        "WHERE id = ?1");
  s.bind(1, report_recipient_id).bind(2, acceptance_id).bind(3, method, false).bind(4, confidence);
  s.run();
}

void Store::mark_suspicious(std::int64_t report_recipient_id, std::string_view why) {
  auto& s = stmts_->get(stmts_->suspicious, "UPDATE report_recipients SET suspicious = ?2 WHERE id = ?1");
  s.bind(1, report_recipient_id).bind(2, why, false);
  s.run();
}

std::vector<UnmatchedRow> Store::unmatched(int limit) {
  auto& s = stmts_->get(stmts_->unmatched,
                        "SELECT r.id, rr.id, r.source_key, r.kind, r.received_at, r.original_message_id, rr.recipient, "
                        "rr.action, rr.status, rr.reason, rr.suspicious FROM report_recipients rr "
                        "JOIN reports r ON r.id = rr.report_id WHERE rr.acceptance_id IS NULL "
                        "ORDER BY r.received_at, rr.id LIMIT ?1");
  StatementScope scope(s);
  s.bind(1, limit);
  std::vector<UnmatchedRow> out;
  while (s.step())
    out.push_back(UnmatchedRow{s.int64(0), s.int64(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6),
                               s.text(7), s.text(8), s.text(9), s.text(10)});
  return out;
}

std::optional<ReportRecipientRow> Store::report_recipient(std::int64_t id) {
  auto& s = stmts_->get(stmts_->report_recipient,
                        "SELECT id, report_id, position, recipient, original_recipient, action, status, reply_code, "
                        "reason, hard, diagnostic, remote_mta, feedback_type, acceptance_id, link_method, "
                        "link_confidence, suspicious FROM report_recipients WHERE id = ?1");
  StatementScope scope(s);
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  ReportRecipientRow r;
  r.id = s.int64(0);
  r.report_id = s.int64(1);
  r.position = static_cast<int>(s.int64(2));
  r.recipient = s.text(3);
  r.original_recipient = s.text(4);
  r.action = s.text(5);
  r.status = s.text(6);
  r.reply_code = s.text(7);
  r.reason = s.text(8);
  r.hard = s.int64(9) != 0;
  r.diagnostic = s.text(10);
  r.remote_mta = s.text(11);
  r.feedback_type = s.text(12);
  r.acceptance_id = s.opt_int64(13);
  r.link_method = s.text(14);
  r.link_confidence = s.real(15);
  r.suspicious = s.text(16);
  return r;
}

// --- cursors / maintenance ----------------------------------------------

std::optional<SourceCursor> Store::cursor(std::string_view source) {
  auto& s = stmts_->get(stmts_->cursor,
                        "SELECT source, uidvalidity, last_uid, updated_at FROM source_state WHERE source = ?1");
  StatementScope scope(s);
  s.bind(1, source, false);
  if (!s.step()) return std::nullopt;
  return SourceCursor{s.text(0), s.int64(1), s.int64(2), s.text(3)};
}

void Store::save_cursor(const SourceCursor& c) {
  auto& s = stmts_->get(stmts_->save_cursor,
                        "INSERT INTO source_state (source, uidvalidity, last_uid, updated_at) VALUES (?1, ?2, ?3, ?4) "
                        "ON CONFLICT(source) DO UPDATE SET uidvalidity = excluded.uidvalidity, "
                        "last_uid = excluded.last_uid, updated_at = excluded.updated_at");
  s.bind(1, c.source, false).bind(2, c.uidvalidity).bind(3, c.last_uid).bind(4, c.updated_at, false);
  s.run();
}

void Store::checkpoint() { exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)", "checkpoint"); }

std::string Store::integrity_check() {
  Statement s(db_, "PRAGMA integrity_check");
  StatementScope scope(s);
  std::string out;
  while (s.step()) {
    if (!out.empty()) out += "; ";
    out += s.text(0);
  }
  return out;
}

}  // namespace ndrlink::storage
