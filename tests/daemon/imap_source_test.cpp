// ndrlinkd's IMAP source against a real Dovecot on loopback: the daemon
// runs in-process with a store in a temp dir; the tests deliver real
// bounces and count what the store holds.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "imap_fixture.h"
#include "imap_source.h"

namespace ndrlink::daemon {
namespace {
namespace fs = std::filesystem;
using namespace imap_test;

TEST_F(ImapSourceTest, ImplicitTlsVerifiedStoresEveryBounceAndMarksSeen) {
  const auto files = bounce_files();
  ASSERT_GE(files.size(), 4u);
  dovecot_->deliver(files[0]);
  dovecot_->deliver(files[1]);
  start_daemon(imap());
  ASSERT_TRUE(reports_reach(2)) << "stored: " << reports();
  // News while the daemon waits in IDLE.
  for (std::size_t i = 2; i < files.size(); ++i) {
    const auto before = std::chrono::steady_clock::now();
    dovecot_->deliver(files[i]);
    ASSERT_TRUE(reports_reach(static_cast<long>(i) + 1)) << "stored: " << reports();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - before);
    std::cout << "{\"figure\":\"imap_deliver_to_stored_ms\",\"value\":" << ms.count() << "}\n";
  }
  EXPECT_TRUE(eventually([&] { return dovecot_->status("unseen") == 0; })) << "processed mail is flagged \\Seen";
  EXPECT_EQ(dovecot_->status("messages"), static_cast<long>(files.size()));
  EXPECT_TRUE(eventually([&] {
    return query(db_, "SELECT last_uid FROM source_state WHERE source = 'imap:test:INBOX'") ==
           static_cast<long>(files.size());
  }));
  const long uidvalidity = dovecot_->status("uidvalidity");
  EXPECT_EQ(query(db_, "SELECT count(*) FROM reports WHERE source_key LIKE 'imap:test:" + std::to_string(uidvalidity) +
                           ":%'"),
            static_cast<long>(files.size()));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(reports(), static_cast<long>(files.size()));
}

TEST_F(ImapSourceTest, StartTlsWithHostNameVerification) {
  auto m = imap();
  m.tls = TlsMode::starttls;
  m.port = dovecot_->imap_port();
  m.host = "localhost";  // verified against the certificate's DNS name
  m.auth = "login";
  start_daemon(m);
  dovecot_->deliver(bounce_files()[0]);
  EXPECT_TRUE(reports_reach(1));
}

TEST_F(ImapSourceTest, WrongPasswordGivesOneClearLinePerAttemptAndNoCrash) {
  LogCapture logs;
  const std::string wrong = "Wr0ng-and-secret";
  std::ofstream(password_file_) << wrong << "\n";
  auto m = imap();
  m.connect_timeout = 20s;  // Dovecot delays answers to repeated failures
  start_daemon(m);
  ASSERT_TRUE(eventually([&] { return logs.count("login as bounce refused") >= 2; }, 20s));
  const int attempts = logs.count("login as bounce refused");
  EXPECT_LE(attempts, 4) << "backoff keeps the log quiet";
  EXPECT_EQ(logs.count(wrong), 0) << "the password never reaches the log";
  EXPECT_EQ(logs.count("AUTHENTICATIONFAILED"), attempts);
  // Fixing the password file is picked up by the next attempt.
  std::ofstream(password_file_) << Dovecot::password << "\n";
  dovecot_->deliver(bounce_files()[0]);
  EXPECT_TRUE(reports_reach(1));
}

TEST_F(ImapSourceTest, UntrustedCertificateIsRefused) {
  LogCapture logs;
  auto m = imap();
  m.ca_file = "/etc/ssl/certs/ca-certificates.crt";  // the system store does not know the test CA
  if (!fs::exists(m.ca_file)) m.ca_file.clear();
  start_daemon(m);
  dovecot_->deliver(bounce_files()[0]);
  EXPECT_TRUE(eventually([&] { return logs.count("certificate") >= 1; }, 10s));
  EXPECT_EQ(reports(), 0);
}

TEST_F(ImapSourceTest, ServerRestartReconnectsWithoutLossOrDoubles) {
  const auto files = bounce_files();
  dovecot_->deliver(files[0]);
  dovecot_->deliver(files[1]);
  start_daemon(imap());
  ASSERT_TRUE(reports_reach(2));
  dovecot_->stop();
  dovecot_->deliver_offline(files[2]);  // arrives while the server is down
  dovecot_->deliver_offline(files[3]);
  std::this_thread::sleep_for(1500ms);  // the source backs off meanwhile
  dovecot_->start();
  ASSERT_TRUE(reports_reach(4)) << "stored: " << reports();
  dovecot_->deliver(files[4]);
  ASSERT_TRUE(reports_reach(5));
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(reports(), 5);
}

TEST_F(ImapSourceTest, UidValidityResetRescansWithoutDoubleCounting) {
  const auto files = bounce_files();
  for (int i = 0; i < 3; ++i) dovecot_->deliver(files[i]);
  start_daemon(imap());
  ASSERT_TRUE(reports_reach(3));
  ASSERT_TRUE(eventually([&] { return dovecot_->status("unseen") == 0; }));
  const long before = dovecot_->status("uidvalidity");
  dovecot_->stop();
  dovecot_->forget_uids();
  dovecot_->deliver_offline(files[3]);  // new and unseen: must be stored
  std::this_thread::sleep_for(1100ms);  // Dovecot derives the new UIDVALIDITY from the clock
  dovecot_->start();
  const long after = dovecot_->status("uidvalidity");
  ASSERT_NE(before, after);
  ASSERT_TRUE(reports_reach(4)) << "stored: " << reports();
  dovecot_->deliver(files[4]);
  ASSERT_TRUE(reports_reach(5));
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(reports(), 5) << "messages seen under the old UIDVALIDITY are not stored again";
  EXPECT_EQ(query(db_, "SELECT uidvalidity FROM source_state WHERE source = 'imap:test:INBOX'"), after);
}

TEST_F(ImapSourceTest, UidValidityResetWithAfterKeepStoresNothingTwice) {
  // Nothing marks processed mail on the server: the rescan finds every
  // message again, and the same bytes are the same report.
  auto m = imap();
  m.after = ImapAfter::keep;
  const auto files = bounce_files();
  for (int i = 0; i < 3; ++i) dovecot_->deliver(files[i]);
  start_daemon(m);
  ASSERT_TRUE(reports_reach(3));
  const long before = dovecot_->status("uidvalidity");
  dovecot_->stop();
  dovecot_->forget_uids();
  dovecot_->deliver_offline(files[3]);
  std::this_thread::sleep_for(1100ms);  // Dovecot derives the new UIDVALIDITY from the clock
  dovecot_->start();
  ASSERT_NE(before, dovecot_->status("uidvalidity"));
  ASSERT_TRUE(reports_reach(4)) << "stored: " << reports();
  ASSERT_TRUE(eventually([&] {
    return query(db_, "SELECT uidvalidity FROM source_state WHERE source = 'imap:test:INBOX'") != before;
  }));  // the rescan is complete
  EXPECT_EQ(reports(), 4) << "the three messages of the old UIDVALIDITY are not stored again";
  EXPECT_EQ(dovecot_->status("messages"), 4);  // and all stay in the mailbox
}

TEST_F(ImapSourceTest, AfterMoveMovesProcessedMessages) {
  auto m = imap();
  m.after = ImapAfter::move;
  m.move_to = "Processed";  // does not exist yet: created on TRYCREATE
  const auto files = bounce_files();
  dovecot_->deliver(files[0]);
  dovecot_->deliver(files[1]);
  start_daemon(m);
  ASSERT_TRUE(reports_reach(2));
  EXPECT_TRUE(eventually([&] { return dovecot_->status("messages", "INBOX") == 0; }));
  EXPECT_EQ(dovecot_->status("messages", "Processed"), 2);
  dovecot_->deliver(files[2]);
  ASSERT_TRUE(reports_reach(3));
  EXPECT_TRUE(eventually([&] { return dovecot_->status("messages", "Processed") == 3; }));
}

TEST_F(ImapSourceTest, AfterMoveToAMailboxWithAUtf8Name) {
  // Sent in modified UTF-7; doveadm names the mailbox in UTF-8.
  const std::string name = "R\xc3\xbc" "ckl\xc3\xa4" "ufer & Co";
  auto m = imap();
  m.after = ImapAfter::move;
  m.move_to = name;
  dovecot_->deliver(bounce_files()[0]);
  start_daemon(m);
  ASSERT_TRUE(reports_reach(1));
  EXPECT_TRUE(eventually([&] { return dovecot_->status("messages", "INBOX") == 0; }));
  EXPECT_EQ(dovecot_->status("messages", name), 1);
}

TEST_F(ImapSourceTest, TwoAccountsRunSideBySide) {
  auto a = imap(), b = imap();
  a.name = "first";
  a.after = ImapAfter::keep;
  b.name = "second";
  b.after = ImapAfter::keep;
  b.tls = TlsMode::starttls;
  b.port = dovecot_->imap_port();
  b.mailbox = "Second";
  dovecot_->create_mailbox("Second");
  dovecot_->deliver(numbered_bounce(0));
  dovecot_->deliver(numbered_bounce(1), "Second");
  start_daemon({a, b});
  ASSERT_TRUE(reports_reach(2));
  dovecot_->deliver(numbered_bounce(2));
  dovecot_->deliver(numbered_bounce(3), "Second");
  ASSERT_TRUE(reports_reach(4));
  EXPECT_EQ(query(db_, "SELECT count(*) FROM reports WHERE source_key LIKE 'imap:first:%'"), 2);
  EXPECT_EQ(query(db_, "SELECT count(*) FROM reports WHERE source_key LIKE 'imap:second:%'"), 2);
  EXPECT_EQ(dovecot_->status("unseen"), 2) << "after = keep leaves the flags alone";
  EXPECT_EQ(dovecot_->status("unseen", "Second"), 2);
}

TEST_F(ImapSourceTest, TheSameMailboxWatchedTwiceStoresEachMessageOnce) {
  LogCapture logs;
  auto a = imap(), b = imap();
  a.name = "first";
  a.after = ImapAfter::keep;
  b.name = "second";
  b.after = ImapAfter::keep;
  dovecot_->deliver(bounce_files()[0]);
  dovecot_->deliver(bounce_files()[1]);
  start_daemon({a, b});
  ASSERT_TRUE(reports_reach(2));
  ASSERT_TRUE(eventually([&] { return logs.count("the same bytes under another source key") == 2; }));
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(reports(), 2) << "the second source finds the same bytes stored";
}

TEST_F(ImapSourceTest, IdleIsReissuedAndStillSeesNews) {
  auto m = imap();
  m.idle_restart = 1s;  // the configuration allows no less than 10 s; the source does not care
  start_daemon(m);
  std::this_thread::sleep_for(2500ms);  // two IDLE rounds end with DONE
  const auto before = std::chrono::steady_clock::now();
  dovecot_->deliver(bounce_files()[0]);
  ASSERT_TRUE(reports_reach(1));
  EXPECT_LT(std::chrono::steady_clock::now() - before, 3s);
}

TEST_F(ImapSourceTest, OversizedMessageIsCutFlaggedAndTheStreamStaysInStep) {
  // A real bounce followed by 1 MiB of text; the limit keeps 8 KiB of it.
  const std::string big = dovecot_->dir() + "/big.eml";
  {
    std::ifstream in(bounce_files()[0], std::ios::binary);
    std::ofstream out(big, std::ios::binary);
    out << in.rdbuf();
    const std::string line(76, 'x');
    for (int i = 0; i < (1 << 20) / 78; ++i) out << line << "\r\n";
  }
  dovecot_->deliver(big);
  dovecot_->deliver(bounce_files()[1]);
  start_daemon(imap(), 8192);
  ASSERT_TRUE(reports_reach(2));
  EXPECT_EQ(query(db_, "SELECT count(*) FROM reports WHERE parse_error LIKE '%truncated%'"), 1);
  dovecot_->deliver(bounce_files()[2]);
  EXPECT_TRUE(reports_reach(3));
}

TEST_F(ImapSourceTest, MoveIntoTheWatchedMailboxIsRefusedAtStart) {
  Config c;
  c.db_path = db_;
  boost::asio::io_context io;
  Pipeline pipeline(c, correlator::system_now);
  Stats stats;
  auto m = imap();
  m.after = ImapAfter::move;
  m.move_to = "INBOX";
  auto source = std::make_shared<ImapSource>(io, pipeline, stats, m, 1 << 20);
  EXPECT_THROW(source->start(), std::runtime_error);
  m.ca_file = dovecot_->dir() + "/missing-ca.pem";
  m.move_to = "Done";
  source = std::make_shared<ImapSource>(io, pipeline, stats, m, 1 << 20);
  EXPECT_THROW(source->start(), std::runtime_error) << "an unreadable CA file cannot get better by retrying";
}

class ImapPollingTest : public ImapSourceTest {
 protected:
  void SetUp() override {
    capability_ = "IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN UIDPLUS";  // no IDLE, no MOVE
    ImapSourceTest::SetUp();
  }
};

TEST_F(ImapPollingTest, PollsWithoutIdleAndMovesWithCopyExpunge) {
  auto m = imap();
  m.poll_interval = 1s;
  m.after = ImapAfter::move;
  m.move_to = "Done";
  start_daemon(m);
  std::this_thread::sleep_for(300ms);
  dovecot_->deliver(bounce_files()[0]);
  ASSERT_TRUE(reports_reach(1));
  EXPECT_TRUE(eventually([&] { return dovecot_->status("messages", "INBOX") == 0; }));
  EXPECT_EQ(dovecot_->status("messages", "Done"), 1);
}

}  // namespace
}  // namespace ndrlink::daemon
