// The store on a real SQLite file: creation, migrations, refusal of newer
// databases, deduplication, transactions, and two processes writing at once.
#include "ndrlink/storage/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "raw_sql.h"
#include "test_support.h"

namespace ndrlink::storage {
namespace {

using ndrlink::testing::TempDir;

NewAcceptance acceptance(std::string rcpt, std::string message_id = "<m1@example.org>") {
  NewAcceptance a;
  a.recipient = std::move(rcpt);
  a.reply_code = 252;
  a.message_id = std::move(message_id);
  a.accepted_at = "2026-12-01T10:00:00Z";
  return a;
}

using ndrlink::testing::raw_exec;

TEST(Store, CreatesAndMigratesANewFile) {
  TempDir dir;
  auto store = Store::open(dir.file("n.db"));
  EXPECT_EQ(store->schema_version(), Store::current_schema_version());
  EXPECT_GE(Store::current_schema_version(), 2);
  EXPECT_EQ(store->integrity_check(), "ok");
}

TEST(Store, RefusesADatabaseFromANewerVersion) {
  TempDir dir;
  const auto path = dir.file("n.db");
  Store::open(path).reset();
  raw_exec(path, "PRAGMA user_version = " + std::to_string(Store::current_schema_version() + 1));
  try {
    Store::open(path);
    FAIL() << "a newer schema was accepted";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST(Store, MigratesADatabaseWrittenWithTheFirstSchema) {
  TempDir dir;
  const auto path = dir.file("v1.db");
  raw_exec(path, ndrlink::testing::read_file(NDRLINK_SCHEMA_DIR "/0001_initial.sql") +
                     "INSERT INTO acceptances (recipient, recipient_key, domain, reply_code, message_id, accepted_at,"
                     " source, state_at) VALUES ('Old@Example.jp','old@example.jp','example.jp',252,'<old@x>',"
                     "'2026-01-01T00:00:00Z','cli','2026-01-01T00:00:00Z');"
                     "PRAGMA user_version = 1;");
  auto store = Store::open(path);
  EXPECT_EQ(store->schema_version(), Store::current_schema_version());
  const auto old = store->acceptance(1);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->recipient, "Old@Example.jp");
  EXPECT_EQ(old->state, "pending");
  // The old row still deduplicates against new records.
  const auto again = store->record_acceptance(acceptance("old@example.jp", "<old@x>"));
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.id, 1);
  EXPECT_EQ(store->integrity_check(), "ok");
}

TEST(Store, Version6KnowsTheBytesOfReportsStoredByTheirContentKey) {
  // Reports of `ndrlink ingest` (source key = content key) get their
  // content_sha256 from the migration; a Maildir report has none to give.
  TempDir dir;
  const auto path = dir.file("v5.db");
  std::string schema;
  for (const char* f : {"/0001_initial.sql", "/0002_lookup_indexes.sql", "/0003_report.sql", "/0004_relay.sql",
                        "/0005_copy_token.sql"})
    schema += ndrlink::testing::read_file(std::string(NDRLINK_SCHEMA_DIR) + f);
  raw_exec(path, schema +
                     "INSERT INTO reports (source_key, kind, received_at) VALUES"
                     " ('sha256:00ff', 'dsn', '2026-01-01T00:00:00Z'), ('1733.M1P1.host', 'dsn', '2026-01-01T00:00:00Z');"
                     "PRAGMA user_version = 5;");
  auto store = Store::open(path);
  EXPECT_EQ(store->schema_version(), Store::current_schema_version());
  EXPECT_TRUE(store->has_report_content("sha256:00ff"));
  EXPECT_FALSE(store->has_report_content("1733.M1P1.host"));
  EXPECT_EQ(store->integrity_check(), "ok");
}

TEST(Store, MissingDirectoryIsAClearError) {
  TempDir dir;
  try {
    Store::open(dir.file("no/such/dir/n.db"));
    FAIL();
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("no/such/dir"), std::string::npos) << e.what();
  }
}

TEST(Store, SameMessageAndRecipientIsRecordedOnce) {
  TempDir dir;
  auto store = Store::open(dir.file("n.db"));
  const auto first = store->record_acceptance(acceptance("User@Example.jp"));
  const auto second = store->record_acceptance(acceptance("user@example.JP"));
  EXPECT_TRUE(first.created);
  EXPECT_FALSE(second.created);
  EXPECT_EQ(first.id, second.id);
  const auto other = store->record_acceptance(acceptance("user@example.jp", "<m2@example.org>"));
  EXPECT_TRUE(other.created);
  // Without a Message-ID every record is a new acceptance.
  EXPECT_NE(store->record_acceptance(acceptance("x@example.jp", "")).id,
            store->record_acceptance(acceptance("x@example.jp", "")).id);
}

TEST(Store, UncommittedTransactionLeavesNothing) {
  TempDir dir;
  auto store = Store::open(dir.file("n.db"));
  {
    Transaction tx(*store);
    store->record_acceptance(acceptance("a@example.jp"));
  }
  AcceptanceFilter all;
  EXPECT_TRUE(store->list_acceptances(all).empty());
  {
    Transaction tx(*store);
    store->record_acceptance(acceptance("a@example.jp"));
    tx.commit();
  }
  EXPECT_EQ(store->list_acceptances(all).size(), 1u);
}

TEST(Store, DuplicateReportSourceKeyIsRefused) {
  TempDir dir;
  auto store = Store::open(dir.file("n.db"));
  StoredReport r;
  r.source_key = "maildir:1.M1P1.host";
  r.kind = "dsn";
  r.received_at = "2026-12-01T10:00:00Z";
  ReportRecipientRow rr;
  rr.recipient = "a@example.jp";
  r.recipients.push_back(rr);
  EXPECT_TRUE(store->insert_report(r));
  StoredReport again = r;
  EXPECT_FALSE(store->insert_report(again));
  EXPECT_TRUE(store->has_report("maildir:1.M1P1.host"));
  EXPECT_EQ(store->unmatched(10).size(), 1u);
}

TEST(Store, SourceCursorsRoundTrip) {
  TempDir dir;
  auto store = Store::open(dir.file("n.db"));
  EXPECT_FALSE(store->cursor("imap:a:INBOX"));
  store->save_cursor({"imap:a:INBOX", 42, 7, "2026-12-01T10:00:00Z"});
  store->save_cursor({"imap:a:INBOX", 42, 9, "2026-12-01T10:01:00Z"});
  const auto c = store->cursor("imap:a:INBOX");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->uidvalidity, 42);
  EXPECT_EQ(c->last_uid, 9);
}

TEST(Store, TwoProcessesWriteAtOnceWithoutBusyErrors) {
  TempDir dir;
  const auto path = dir.file("shared.db");
  Store::open(path).reset();
  constexpr int kPerProcess = 1500;
  pid_t children[2];
  for (int p = 0; p < 2; ++p) {
    children[p] = fork();
    ASSERT_GE(children[p], 0);
    if (children[p] == 0) {
      int rc = 0;
      try {
        auto store = Store::open(path);
        for (int i = 0; i < kPerProcess; ++i) {
          Transaction tx(*store);
          store->record_acceptance(acceptance("u" + std::to_string(i) + "@example.jp",
                                              "<p" + std::to_string(p) + "-" + std::to_string(i) + "@x>"));
          tx.commit();
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "child %d: %s\n", p, e.what());
        rc = 1;
      }
      _exit(rc);
    }
  }
  for (pid_t c : children) {
    int status = 0;
    ASSERT_EQ(waitpid(c, &status, 0), c);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a writer failed";
  }
  auto store = Store::open(path);
  EXPECT_EQ(store->list_acceptances(AcceptanceFilter{}).size(), 2u * kPerProcess);
  EXPECT_EQ(store->integrity_check(), "ok");
}

}  // namespace
}  // namespace ndrlink::storage

namespace ndrlink::storage {
namespace {

TEST(Store, IdsAreNeverReusedAndLinkedReportsCanBePruned) {
  TempDir dir;
  const auto path = dir.file("n.db");
  auto store = Store::open(path);
  const auto first = store->record_acceptance(acceptance("a@example.jp", "<a@x>")).id;
  const auto second = store->record_acceptance(acceptance("b@example.jp", "<b@x>")).id;
  StoredReport r;
  r.source_key = "k1";
  r.kind = "dsn";
  r.received_at = "2026-12-01T10:00:00Z";
  r.recipients.emplace_back();
  r.recipients.back().recipient = "a@example.jp";
  ASSERT_TRUE(store->insert_report(r));
  store->link_recipient(r.recipients[0].id, first, "message_id", 0.8);
  StateChange c;
  c.acceptance_id = first;
  c.from_state = "pending";
  c.to_state = "bounced";
  c.at = "2026-12-01T11:00:00Z";
  c.why = "test";
  c.report_recipient_id = r.recipients[0].id;
  c.resolve = true;
  ASSERT_TRUE(store->change_state(c));
  store.reset();
  // An operator prunes: the newest acceptance and the linked report.
  raw_exec(path, "PRAGMA foreign_keys = ON; DELETE FROM acceptances WHERE id = " + std::to_string(second) +
                     "; DELETE FROM reports WHERE source_key = 'k1';");
  store = Store::open(path);
  EXPECT_GT(store->record_acceptance(acceptance("c@example.jp", "<c@x>")).id, second);
  const auto a = store->acceptance(first);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->state, "bounced");
  EXPECT_FALSE(a->resolved_by);
  EXPECT_EQ(store->integrity_check(), "ok");
}

}  // namespace
}  // namespace ndrlink::storage
