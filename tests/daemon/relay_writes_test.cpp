// The relay's group commit (Processor::record_relay_writes) on a real
// SQLite file: writes of several transactions in one SQLite transaction,
// one savepoint each. A write that fails alone (a constraint) leaves the
// others; a failure that makes SQLite roll the whole transaction back (a
// full disk, an I/O error — played by RAISE(ROLLBACK)) fails the batch,
// with nothing of it written.
#include <gtest/gtest.h>

#include "../integration/raw_sql.h"
#include "daemon_fixture.h"
#include "ndrlink/correlator/clock.h"
#include "processor.h"

namespace ndrlink::testing {
namespace {

using daemon::Processor;
using daemon::RelayWrite;

class RelayWrites : public ::testing::Test {
 protected:
  RelayWrites() {
    config_.db_path = dir_.file("n.db");
    processor_ = std::make_unique<Processor>(config_, correlator::Clock(correlator::system_now));
  }
  // One write of one acceptance, under a fresh reserved id.
  RelayWrite write_for(const std::string& rcpt) {
    storage::NewAcceptance a;
    a.recipient = rcpt;
    a.reply_code = 250;
    a.accepted_at = "2026-12-04T10:00:00Z";
    a.source = "relay";
    a.reserved_id = processor_->reserve_acceptances(1).at(0).id;
    RelayWrite w;
    w.acceptances.push_back(a);
    return w;
  }
  std::size_t rows() {
    storage::StoreOptions o;
    o.read_only = true;
    return storage::Store::open(config_.db_path, o)->list_acceptances({}).size();
  }

  TempDir dir_;
  daemon::Config config_ = daemon::default_config();
  std::unique_ptr<Processor> processor_;
};

TEST_F(RelayWrites, OneWriteFailingAloneLeavesTheOthers) {
  raw_exec(config_.db_path,
           "CREATE TRIGGER refuse BEFORE INSERT ON acceptances WHEN NEW.recipient = 'b@example.com' "
           "BEGIN SELECT RAISE(ABORT, 'refused'); END");
  auto b = write_for("b@example.com");
  b.acceptances.push_back(write_for("b2@example.com").acceptances.at(0));  // b's second row goes too
  const auto results = processor_->record_relay_writes({write_for("a@example.com"), b, write_for("c@example.com")});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_FALSE(results[0].error);
  EXPECT_TRUE(results[1].error);
  EXPECT_TRUE(results[1].recorded.empty());
  EXPECT_FALSE(results[2].error);
  ASSERT_EQ(results[2].recorded.size(), 1u);
  EXPECT_FALSE(results[2].recorded[0].verp_token.empty());
  EXPECT_EQ(rows(), 2u);  // a and c; nothing of b (not even b2)
}

TEST_F(RelayWrites, ARolledBackTransactionFailsTheWholeBatch) {
  raw_exec(config_.db_path,
           "CREATE TRIGGER refuse BEFORE INSERT ON acceptances WHEN NEW.recipient = 'b@example.com' "
           "BEGIN SELECT RAISE(ROLLBACK, 'the disk is full'); END");
  EXPECT_THROW(
      processor_->record_relay_writes({write_for("a@example.com"), write_for("b@example.com"), write_for("c@example.com")}),
      std::exception);
  EXPECT_EQ(rows(), 0u);  // a was not committed behind the batch's back, nor c
  // The next batch works.
  raw_exec(config_.db_path, "DROP TRIGGER refuse");
  EXPECT_FALSE(processor_->record_relay_writes({write_for("d@example.com")}).at(0).error);
  EXPECT_EQ(rows(), 1u);
}

TEST_F(RelayWrites, MessageIdIsSetAndNotSentRowsAreMarkedInTheSameWrite) {
  auto sent = write_for("a@example.com");
  sent.message_id = "<m@app.test>";
  auto lost = write_for("b@example.com");
  lost.not_sent = true;
  lost.text = "client disconnected before the end of DATA";
  const auto results = processor_->record_relay_writes({sent, lost});
  ASSERT_FALSE(results[0].error);
  ASSERT_FALSE(results[1].error);
  storage::StoreOptions o;
  o.read_only = true;
  auto store = storage::Store::open(config_.db_path, o);
  const auto a = *store->acceptance(results[0].recorded.at(0).id);
  EXPECT_EQ(a.id, sent.acceptances[0].reserved_id);  // under its reserved id: its VERP token names it
  EXPECT_EQ(a.message_id, "<m@app.test>");
  EXPECT_EQ(a.state, "pending");
  const auto b = *store->acceptance(results[1].recorded.at(0).id);
  EXPECT_EQ(b.state, "bounced");
  EXPECT_EQ(b.reason, "not_sent");
  EXPECT_EQ(b.data_reply_text, "client disconnected before the end of DATA");
  // The client sends the same message to a again (after a 451): the new
  // row goes in under its own id, without the Message-ID the first holds.
  auto again = write_for("a@example.com");
  again.message_id = "<m@app.test>";
  const auto second = processor_->record_relay_writes({again});
  ASSERT_FALSE(second[0].error);
  const auto a2 = *store->acceptance(second[0].recorded.at(0).id);
  EXPECT_EQ(a2.id, again.acceptances[0].reserved_id);
  EXPECT_EQ(a2.message_id, "");
}

}  // namespace
}  // namespace ndrlink::testing
