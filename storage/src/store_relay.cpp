// Store methods for the SMTP relay: reserved acceptance ids, refusals,
// messages that did not go out, Message-IDs of relayed messages.
#include <sqlite3.h>

#include "address_key.h"
#include "ndrlink/storage/store.h"
#include "statement.h"

namespace ndrlink::storage {
namespace {

std::string reply_line(int code, const std::string& status, const std::string& text) {
  std::string out = std::to_string(code);
  if (!status.empty()) out += " " + status;
  if (!text.empty()) out += " " + text;
  return out;
}

}  // namespace

std::int64_t Store::reserve_acceptance_ids(int count) {
  if (count < 1) throw StoreError("reserve at least one acceptance id", SQLITE_MISUSE);
  std::optional<Transaction> own;
  if (sqlite3_get_autocommit(db_)) own.emplace(*this);
  Statement next(db_, "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'acceptances'), 0), "
                      "coalesce((SELECT max(id) FROM acceptances), 0)) + 1");
  std::int64_t id = 0;
  {
    StatementScope scope(next);
    next.step();
    id = next.int64(0);
  }
  const std::int64_t last = id + count - 1;
  Statement update(db_, "UPDATE sqlite_sequence SET seq = ?1 WHERE name = 'acceptances'");
  update.bind(1, last).run();
  if (sqlite3_changes(db_) == 0)
    Statement(db_, "INSERT INTO sqlite_sequence (name, seq) VALUES ('acceptances', ?1)").bind(1, last).run();
  next_id_generation_ = tx_generation_ - 1;  // the cached next id is stale now
  if (own) own->commit();
  return id;
}

std::int64_t Store::record_refusal(const NewRefusal& r) {
  if (r.reply_code < 400 || r.reply_code > 599)
    throw StoreError("refusal reply code " + std::to_string(r.reply_code) + " is not 4xx/5xx", SQLITE_CONSTRAINT);
  const std::string key = lower(r.recipient);
  Statement s(db_,
              "INSERT INTO refusals (recipient, recipient_key, domain, reply_code, enhanced_status, reply_text, "
              "mx_host, sender, stage, refused_at, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  s.bind(1, r.recipient, false).bind(2, key, false).bind(3, domain_of_key(key), false).bind(4, r.reply_code);
  s.bind(5, r.enhanced_status).bind(6, r.reply_text).bind(7, r.mx_host).bind(8, r.sender);
  s.bind(9, r.stage, false).bind(10, r.refused_at, false).bind(11, r.source, false);
  s.run();
  return sqlite3_last_insert_rowid(db_);
}

std::vector<Refusal> Store::refusals_since(std::string_view since, int limit) {
  Statement s(db_,
              "SELECT id, recipient, recipient_key, domain, reply_code, enhanced_status, reply_text, mx_host, sender, "
              "stage, refused_at, source FROM refusals WHERE refused_at >= ?1 ORDER BY refused_at, id LIMIT ?2");
  StatementScope scope(s);
  s.bind(1, since, false).bind(2, limit);
  std::vector<Refusal> out;
  while (s.step())
    out.push_back(Refusal{s.int64(0), s.text(1), s.text(2), s.text(3), static_cast<int>(s.int64(4)), s.text(5),
                          s.text(6), s.text(7), s.text(8), s.text(9), s.text(10), s.text(11)});
  return out;
}

bool Store::mark_not_sent(const NotSent& n) {
  if (n.reply_code != 0 && (n.reply_code < 400 || n.reply_code > 599))
    throw StoreError("DATA refusal code " + std::to_string(n.reply_code) + " is not 4xx/5xx", SQLITE_CONSTRAINT);
  std::optional<Transaction> own;
  if (sqlite3_get_autocommit(db_)) own.emplace(*this);
  const auto row = acceptance(n.acceptance_id);
  if (!row || row->data_reply_code != 0 || !row->data_reply_text.empty()) return false;
  if (row->state != kPending && row->state != kDelayed) return false;
  const std::string text = n.reply_code ? reply_line(n.reply_code, n.enhanced_status, n.reply_text) : n.reply_text;
  Statement up(db_,
               "UPDATE acceptances SET data_reply_code = ?2, data_reply_text = ?3, message_id = NULL WHERE id = ?1");
  up.bind(1, n.acceptance_id).bind(3, text, false);
  if (n.reply_code) up.bind(2, n.reply_code);
  else up.bind_null(2);
  up.run();
  StateChange c;
  c.acceptance_id = n.acceptance_id;
  c.from_state = row->state;
  c.to_state = kBounced;
  c.at = n.at;
  c.why = (n.reply_code ? "data refused: " : "not sent: ") + text;
  c.reason = n.reason;
  c.hard = n.hard;
  c.resolve = true;
  if (!change_state(c)) return false;
  if (own) own->commit();
  return true;
}

int Store::set_message_id(const std::vector<std::int64_t>& ids, std::string_view message_id) {
  std::optional<Transaction> own;
  if (sqlite3_get_autocommit(db_)) own.emplace(*this);
  Statement s(db_, "UPDATE OR IGNORE acceptances SET message_id = ?2 WHERE id = ?1 AND message_id IS NULL");
  int set = 0;
  for (const auto id : ids) {
    s.bind(1, id).bind(2, message_id, false);
    s.run();
    set += sqlite3_changes(db_);
  }
  if (own) own->commit();
  return set;
}

}  // namespace ndrlink::storage
