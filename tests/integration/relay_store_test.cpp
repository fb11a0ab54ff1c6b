// The store's relay parts on a real SQLite file: reserved acceptance ids,
// refusals, messages that did not go out, Message-IDs set after DATA, the
// report's refusal counts, and the migration from schema version 3.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "ndrlink/correlator/correlator.h"
#include "ndrlink/parser/parser.h"
#include "ndrlink/storage/report.h"
#include "ndrlink/storage/store.h"
#include "raw_sql.h"
#include "test_support.h"

namespace ndrlink::storage {
namespace {

using ndrlink::testing::TempDir;

NewAcceptance relayed(std::string rcpt, std::int64_t reserved_id) {
  NewAcceptance a;
  a.recipient = std::move(rcpt);
  a.reply_code = 252;
  a.enhanced_status = "2.1.5";
  a.reply_text = "Cannot VRFY user, but will accept message";
  a.mx_host = "mx.example.org";
  a.sender = "app@example.net";
  a.accepted_at = "2026-12-01T10:00:00Z";
  a.source = "relay";
  a.reserved_id = reserved_id;
  return a;
}

NewRefusal refusal(std::string rcpt, int code, std::string at = "2026-12-01T10:00:00Z") {
  NewRefusal r;
  r.recipient = std::move(rcpt);
  r.reply_code = code;
  r.enhanced_status = code >= 500 ? "5.1.1" : "4.2.1";
  r.reply_text = "User unknown";
  r.mx_host = "mx.example.org";
  r.sender = "app@example.net";
  r.refused_at = std::move(at);
  return r;
}

using ndrlink::testing::raw_exec;

TEST(RelayStore, ReservedIdsAreNeverReusedEvenAfterInserts) {
  TempDir dir;
  const auto path = dir.file("n.db");
  auto store = Store::open(path);
  const auto r1 = store->reserve_acceptance_id();
  const auto r2 = store->reserve_acceptance_id();
  EXPECT_GT(r2, r1);
  // Plain inserts (cli, socket) come after every reservation.
  NewAcceptance plain = relayed("plain@example.org", 0);
  const auto p1 = store->record_acceptance(plain).id;
  EXPECT_GT(p1, r2);
  // The reservation is recorded later, under its own id.
  const auto got = store->record_acceptance(relayed("late@example.org", r1));
  EXPECT_TRUE(got.created);
  EXPECT_EQ(got.id, r1);
  EXPECT_GT(store->reserve_acceptance_id(), p1);
  EXPECT_GT(store->record_acceptance(plain).id, p1);
  // A reopened store (another process) does not hand out the gap r2 either.
  store.reset();
  store = Store::open(path);
  const auto r3 = store->reserve_acceptance_id();
  EXPECT_GT(r3, p1);
  EXPECT_FALSE(store->acceptance(r2));
  // An id nobody reserved is refused, and a reserved one is used once.
  EXPECT_THROW(store->record_acceptance(relayed("x@example.org", r3 + 10)), StoreError);
  EXPECT_THROW(store->record_acceptance(relayed("again@example.org", r1)), StoreError);
  EXPECT_EQ(store->acceptance(r1)->recipient, "late@example.org");
  EXPECT_EQ(store->integrity_check(), "ok");
}

TEST(RelayStore, BlocksOfIdsAreReservedAtOnce) {
  TempDir dir;
  auto store = Store::open(dir.file("n.db"));
  const auto first = store->reserve_acceptance_ids(32);
  EXPECT_EQ(store->reserve_acceptance_id(), first + 32);
  const auto plain = store->record_acceptance(relayed("p@example.org", 0)).id;
  EXPECT_EQ(plain, first + 33);
  for (std::int64_t id : {first, first + 31})
    EXPECT_EQ(store->record_acceptance(relayed("r" + std::to_string(id) + "@example.org", id)).id, id);
  EXPECT_THROW(store->reserve_acceptance_ids(0), StoreError);
}

TEST(RelayStore, ReservationInsideACallersTransactionIsNotReusedByItsInserts) {
  TempDir dir;
  auto store = Store::open(dir.file("n.db"));
  Transaction tx(*store);
  const auto before = store->record_acceptance(relayed("a@example.org", 0)).id;
  const auto reserved = store->reserve_acceptance_id();
  const auto after = store->record_acceptance(relayed("b@example.org", 0)).id;
  tx.commit();
  EXPECT_GT(reserved, before);
  EXPECT_GT(after, reserved);
}

TEST(RelayStore, RefusedRecipientLeavesAGapWhoseTokenMatchesNothing) {
  TempDir dir;
  auto store = Store::open(dir.file("n.db"));
  const correlator::VerpSigner signer("0123456789abcdef-test-secret");
  const auto token_for = [&](std::int64_t id) { return signer.token_for(id); };
  // The relay reserved an id for each recipient and sent their VERP
  // addresses upstream; the first was refused, the second accepted.
  const auto refused_id = store->reserve_acceptance_id();
  const auto accepted_id = store->reserve_acceptance_id();
  store->record_refusal(refusal("kijitora@example.co.jp", 550));
  store->record_acceptance(relayed("kijitora@example.co.jp", accepted_id), token_for);
  ASSERT_FALSE(store->acceptance(refused_id));
  // A bounce to the refused recipient's VERP address: verified, but names
  // no acceptance, so it stays unmatched and changes nothing.
  auto raw = ndrlink::testing::sample("lhost-postfix-04.eml");
  raw = ndrlink::testing::replace_once(raw, "Message-Id: <A8F82EDD", "X-Old: <A8F82EDD");
  raw = "Delivered-To: bounces+" + signer.token_for(refused_id) + "@example.ne.jp\n" + raw;
  correlator::Correlator c(*store, &signer, correlator::CorrelatorOptions{},
                           [] { return *correlator::parse_iso("2026-12-01T12:00:00Z"); });
  const auto out = c.ingest(correlator::Correlator::content_key(raw), parser::parse_message(raw), raw);
  ASSERT_EQ(out.recipients.size(), 1u);
  EXPECT_FALSE(out.recipients[0].acceptance_id);
  EXPECT_EQ(store->acceptance(accepted_id)->state, "pending");
  EXPECT_EQ(store->unmatched(10).size(), 1u);
  // The accepted one's own token links exactly.
  auto mine = ndrlink::testing::sample("lhost-postfix-04.eml");
  mine = ndrlink::testing::replace_once(mine, "Message-Id: <A8F82EDD", "X-Old: <A8F82EDD");
  mine = "Delivered-To: bounces+" + signer.token_for(accepted_id) + "@example.ne.jp\n" + mine;
  const auto linked = c.ingest(correlator::Correlator::content_key(mine), parser::parse_message(mine), mine);
  ASSERT_EQ(linked.recipients.size(), 1u);
  EXPECT_EQ(linked.recipients[0].acceptance_id, accepted_id);
}

TEST(RelayStore, RefusalsAreStoredAndInvalidCodesRefused) {
  TempDir dir;
  auto store = Store::open(dir.file("n.db"));
  const auto id = store->record_refusal(refusal("Nobody@Example.ORG", 550));
  EXPECT_GT(id, 0);
  EXPECT_THROW(store->record_refusal(refusal("x@example.org", 250)), StoreError);
  const auto rows = store->refusals_since("2026-12-01T00:00:00Z", 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].recipient, "Nobody@Example.ORG");
  EXPECT_EQ(rows[0].recipient_key, "nobody@example.org");
  EXPECT_EQ(rows[0].domain, "example.org");
  EXPECT_EQ(rows[0].reply_code, 550);
  EXPECT_EQ(rows[0].enhanced_status, "5.1.1");
  EXPECT_EQ(rows[0].stage, "rcpt");
  EXPECT_EQ(rows[0].source, "relay");
}

TEST(RelayStore, DataRefusedMarksTheAcceptanceBouncedAndTheSweeperLeavesIt) {
  TempDir dir;
  auto store = Store::open(dir.file("n.db"));
  const auto id = store->record_acceptance(relayed("a@example.org", store->reserve_acceptance_id())).id;
  NotSent n;
  n.acceptance_id = id;
  n.reply_code = 554;
  n.enhanced_status = "5.7.1";
  n.reply_text = "Message content rejected";
  n.at = "2026-12-01T10:00:05Z";
  n.reason = "contenterror";
  n.hard = false;
  ASSERT_TRUE(store->mark_not_sent(n));
  EXPECT_FALSE(store->mark_not_sent(n));  // once
  const auto a = *store->acceptance(id);
  EXPECT_EQ(a.state, "bounced");
  EXPECT_EQ(a.reason, "contenterror");
  EXPECT_EQ(a.data_reply_code, 554);
  EXPECT_EQ(a.data_reply_text, "554 5.7.1 Message content rejected");
  EXPECT_EQ(a.reply_code, 252);  // what RCPT said stays
  const auto events = store->events_for(id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].why, "data refused: 554 5.7.1 Message content rejected");
  EXPECT_TRUE(store->overdue_acceptances("2027-01-01T00:00:00Z", 10).empty());
}

TEST(RelayStore, NeverSentIsMarkedWithWhyAndNoCode) {
  TempDir dir;
  auto store = Store::open(dir.file("n.db"));
  const auto id = store->record_acceptance(relayed("a@example.org", store->reserve_acceptance_id())).id;
  NotSent n;
  n.acceptance_id = id;
  n.reply_text = "client disconnected during DATA";
  n.at = "2026-12-01T10:00:05Z";
  n.reason = "not_sent";
  ASSERT_TRUE(store->mark_not_sent(n));
  const auto a = *store->acceptance(id);
  EXPECT_EQ(a.data_reply_code, 0);
  EXPECT_EQ(a.data_reply_text, "client disconnected during DATA");
  EXPECT_EQ(a.state, "bounced");
  EXPECT_EQ(store->events_for(id)[0].why, "not sent: client disconnected during DATA");
  n.reply_code = 250;
  EXPECT_THROW(store->mark_not_sent(n), StoreError);
}

TEST(RelayStore, MessageIdIsSetAfterDataOnceperMessageAndRecipient) {
  TempDir dir;
  auto store = Store::open(dir.file("n.db"));
  const auto a = store->record_acceptance(relayed("a@example.org", store->reserve_acceptance_id())).id;
  const auto b = store->record_acceptance(relayed("b@example.org", store->reserve_acceptance_id())).id;
  EXPECT_EQ(store->set_message_id({a, b}, "<m1@example.net>"), 2);
  EXPECT_EQ(store->acceptance(a)->message_id, "<m1@example.net>");
  EXPECT_EQ(store->acceptances_by_message_id("<m1@example.net>", "b@example.org").size(), 1u);
  // The client sends the same message to a again: the new row keeps none.
  const auto again = store->record_acceptance(relayed("a@example.org", store->reserve_acceptance_id())).id;
  EXPECT_EQ(store->set_message_id({again}, "<m1@example.net>"), 0);
  EXPECT_EQ(store->acceptance(again)->message_id, "");
  EXPECT_EQ(store->set_message_id({a}, "<other@example.net>"), 0);  // set once
}

TEST(RelayStore, NotSentClearsTheMessageIdSoAResentCopyCanTakeIt) {
  TempDir dir;
  auto store = Store::open(dir.file("n.db"));
  const auto first = store->record_acceptance(relayed("a@example.org", store->reserve_acceptance_id())).id;
  ASSERT_EQ(store->set_message_id({first}, "<m1@example.net>"), 1);
  NotSent n;
  n.acceptance_id = first;
  n.reply_text = "upstream failed during DATA: closed";
  n.at = "2026-12-01T10:00:05Z";
  n.reason = "not_sent";
  ASSERT_TRUE(store->mark_not_sent(n));
  EXPECT_EQ(store->acceptance(first)->message_id, "");
  // The client's retry went out: its row carries the Message-ID.
  const auto again = store->record_acceptance(relayed("a@example.org", store->reserve_acceptance_id())).id;
  EXPECT_EQ(store->set_message_id({again}, "<m1@example.net>"), 1);
  const auto by_id = store->acceptances_by_message_id("<m1@example.net>", "a@example.org");
  ASSERT_EQ(by_id.size(), 1u);
  EXPECT_EQ(by_id[0].id, again);
}

TEST(RelayStore, ASavepointThatFailsLeavesTheRestOfItsTransaction) {
  TempDir dir;
  auto store = Store::open(dir.file("n.db"));
  const auto a = store->reserve_acceptance_id();
  const auto b = store->reserve_acceptance_id();
  {
    Transaction tx(*store);
    {
      Savepoint unit(*store);
      store->record_acceptance(relayed("a@example.org", a));
      unit.release();
    }
    try {
      Savepoint unit(*store);
      store->record_acceptance(relayed("b@example.org", b));
      store->record_acceptance(relayed("b2@example.org", b));  // the same id again: refused
      unit.release();
      ADD_FAILURE() << "a duplicate id was accepted";
    } catch (const StoreError&) {
    }
    // A plain insert after the rollback still gets a fresh id.
    const auto plain = store->record_acceptance(relayed("plain@example.org", 0)).id;
    EXPECT_GT(plain, b);
    tx.commit();
  }
  EXPECT_TRUE(store->acceptance(a));
  EXPECT_FALSE(store->acceptance(b));  // the failed unit left nothing
  EXPECT_EQ(store->list_acceptances({}).size(), 2u);
}

TEST(RelayStore, ReportCountsRefusalsByCodeInThePeriod) {
  TempDir dir;
  auto store = Store::open(dir.file("n.db"));
  store->record_refusal(refusal("a@example.org", 550, "2026-12-01T01:00:00Z"));
  store->record_refusal(refusal("b@example.org", 550, "2026-12-01T02:00:00Z"));
  store->record_refusal(refusal("c@example.org", 450, "2026-12-01T03:00:00Z"));
  store->record_refusal(refusal("d@example.org", 550, "2026-11-30T03:00:00Z"));  // previous day
  const auto r = read_report(*store, {"2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z"},
                             {"2026-11-30T00:00:00Z", "2026-12-01T00:00:00Z"});
  EXPECT_EQ(r.current.refused, 3);
  ASSERT_EQ(r.current.refused_by_code.size(), 2u);
  EXPECT_EQ(r.current.refused_by_code[0].reply_code, 450);
  EXPECT_EQ(r.current.refused_by_code[0].count, 1);
  EXPECT_EQ(r.current.refused_by_code[1].reply_code, 550);
  EXPECT_EQ(r.current.refused_by_code[1].count, 2);
  EXPECT_EQ(r.previous.refused, 1);
}

TEST(RelayStore, MigratesADatabaseOfSchemaVersion3KeepingItsData) {
  TempDir dir;
  const auto path = dir.file("v3.db");
  std::string sql;
  for (const char* f : {"/0001_initial.sql", "/0002_lookup_indexes.sql", "/0003_report.sql"})
    sql += ndrlink::testing::read_file(std::string(NDRLINK_SCHEMA_DIR) + f);
  raw_exec(path, sql +
                     "INSERT INTO acceptances (recipient, recipient_key, domain, reply_code, message_id, accepted_at,"
                     " source, state, state_at, reason, hard) VALUES ('Old@Example.jp','old@example.jp','example.jp',"
                     "252,'<old@x>','2026-01-01T00:00:00Z','cli','bounced','2026-01-02T00:00:00Z','userunknown',1);"
                     "INSERT INTO events (acceptance_id, at, from_state, to_state, why) VALUES "
                     "(1, '2026-01-02T00:00:00Z', 'pending', 'bounced', 'old event');"
                     "PRAGMA user_version = 3;");
  auto store = Store::open(path);
  EXPECT_EQ(store->schema_version(), Store::current_schema_version());
  const auto old = store->acceptance(1);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->recipient, "Old@Example.jp");
  EXPECT_EQ(old->state, "bounced");
  EXPECT_EQ(old->reason, "userunknown");
  EXPECT_EQ(old->message_id, "<old@x>");
  EXPECT_EQ(old->data_reply_code, 0);
  EXPECT_EQ(old->data_reply_text, "");
  EXPECT_EQ(store->events_for(1).size(), 1u);
  EXPECT_GT(store->reserve_acceptance_id(), 1);
  EXPECT_GT(store->record_refusal(refusal("x@example.jp", 550)), 0);
  EXPECT_EQ(store->integrity_check(), "ok");
}

}  // namespace
}  // namespace ndrlink::storage
