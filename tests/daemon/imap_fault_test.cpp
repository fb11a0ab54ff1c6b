// Issue 7, IMAP faults, against a real Dovecot: the server restarted ten
// times while 500 bounces arrive, the connection cut inside a 2 MiB FETCH
// literal, and a server that sends 20 KB/s. Every message is stored
// exactly once, nothing is flagged \Seen before its result is committed,
// and the daemon's loop keeps answering meanwhile.
// (Wrong password, untrusted certificate, one restart, a UIDVALIDITY
// reset: imap_source_test.cpp; a silent server: imap_client_test.cpp.)
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <random>
#include <set>

#include "imap_fixture.h"
#include "line_client.h"
#include "tcp_fault_proxy.h"

namespace ndrlink::daemon {
namespace {
using namespace imap_test;
using testing::LineClient;
using testing::TcpFaultProxy;

class ImapFaultTest : public ImapSourceTest {
 protected:
  // A real bounce followed by `bytes` of text lines: a large message.
  std::string large_bounce(std::size_t bytes) {
    const std::string path = dovecot_->dir() + "/large-" + std::to_string(bytes) + ".eml";
    std::ifstream in(bounce_files()[0], std::ios::binary);
    std::ofstream out(path, std::ios::binary);
    out << in.rdbuf();
    const std::string line(76, 'x');
    for (std::size_t n = 0; n < bytes; n += 78) out << line << "\r\n";
    return path;
  }
  long distinct_keys() { return query(db_, "SELECT count(DISTINCT source_key) FROM reports"); }
  long integrity_problems() {
    return query(db_, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'");
  }
};

TEST_F(ImapFaultTest, TenRestartsWhileFiveHundredBouncesArriveStoreEachExactlyOnce) {
  LogCapture logs(20000);
  constexpr int kMessages = 500, kRestarts = 10;
  std::mt19937 rng(20261204);
  std::set<int> restart_before;  // message indexes; the server restarts just before delivering them
  while (restart_before.size() < kRestarts) restart_before.insert(20 + static_cast<int>(rng() % (kMessages - 40)));
  const long uidvalidity = dovecot_->status("uidvalidity");
  const auto began = std::chrono::steady_clock::now();
  start_daemon(imap());
  for (int i = 0; i < kMessages;) {
    if (restart_before.count(i)) {
      // Stop at a random moment of the daemon's fetching and flagging.
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 150));
      dovecot_->stop();
      for (int offline = static_cast<int>(rng() % 6); offline > 0 && i < kMessages; --offline, ++i)
        dovecot_->deliver_offline(numbered_bounce(i));
      std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 900));
      dovecot_->start();
      if (restart_before.count(i)) continue;  // another restart at once
    }
    dovecot_->deliver(numbered_bounce(i));
    ++i;
  }
  ASSERT_TRUE(reports_reach(kMessages, 120s)) << "stored: " << reports();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
  EXPECT_TRUE(eventually([&] { return dovecot_->status("unseen") == 0; }, 30s)) << "every message flagged \\Seen";
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(reports(), kMessages);
  EXPECT_EQ(distinct_keys(), kMessages) << "no message stored twice";
  EXPECT_EQ(logs.count("the same bytes under another source key"), 0) << "nor fetched under a second key";
  EXPECT_EQ(dovecot_->status("messages"), kMessages) << "none lost on the server side either";
  EXPECT_EQ(dovecot_->status("uidvalidity"), uidvalidity);
  EXPECT_EQ(query(db_, "SELECT count(*) FROM reports WHERE source_key LIKE 'imap:test:" + std::to_string(uidvalidity) +
                           ":%'"),
            kMessages);
  EXPECT_EQ(query(db_, "SELECT last_uid FROM source_state WHERE source = 'imap:test:INBOX'"), kMessages);
  EXPECT_EQ(integrity_problems(), 0);
  const int reconnects = logs.count("retrying in");
  EXPECT_GE(reconnects, kRestarts) << "each restart ends a session";
  EXPECT_LE(reconnects, 6 * kRestarts) << "backoff keeps the log short";
  std::cout << "{\"figure\":\"imap_restarts\",\"restarts\":" << kRestarts << ",\"messages\":" << kMessages
            << ",\"stored\":" << reports() << ",\"reconnect_lines\":" << reconnects
            << ",\"refetched_duplicates\":" << logs.count("already stored") << ",\"seconds\":" << ms.count() / 1000.0
            << "}\n";
}

TEST_F(ImapFaultTest, ConnectionCutInsideALargeFetchIsFetchedAgainAndStoredOnce) {
  LogCapture logs;
  constexpr std::size_t kBody = 2 << 20;
  const std::string big = large_bounce(kBody);
  const auto size = static_cast<std::size_t>(std::filesystem::file_size(big));
  dovecot_->deliver(big);
  TcpFaultProxy proxy(dovecot_->imaps_port());
  const std::vector<std::size_t> cuts = {64 << 10, 700 << 10, 1400 << 10, 2000 << 10};
  for (const auto c : cuts) proxy.plan_cut(c);
  auto m = imap();
  m.port = proxy.port();  // 127.0.0.1: the certificate names the address, so TLS verifies end to end
  start_daemon(m);
  for (std::size_t i = 0; i < cuts.size(); ++i) {
    ASSERT_TRUE(eventually([&] { return proxy.cuts() > static_cast<int>(i); }, 20s)) << "cut " << i;
    // The next attempt waits at least half a second (backoff): nothing of
    // this message may be committed or flagged yet.
    EXPECT_EQ(reports(), 0) << "after cut " << i;
    EXPECT_EQ(dovecot_->status("unseen"), 1) << "after cut " << i;
  }
  ASSERT_TRUE(reports_reach(1, 30s));
  EXPECT_TRUE(eventually([&] { return dovecot_->status("unseen") == 0; }));
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(reports(), 1);
  EXPECT_EQ(logs.count("already stored"), 0) << "not even a refetch of a committed message";
  EXPECT_EQ(proxy.connections(), static_cast<int>(cuts.size()) + 1);
  EXPECT_EQ(logs.count("retrying in"), static_cast<int>(cuts.size()));
  // Each cut fell inside the literal: after the bytes an uncut session
  // sends before the message, and before its end.
  std::size_t sum = 0;
  for (const auto c : cuts) sum += c;
  const std::size_t whole = proxy.bytes_down() - sum;  // the session that got through
  for (const auto c : cuts) {
    EXPECT_GT(c, whole - size) << "cut before the literal";
    EXPECT_LT(c, whole - 4096) << "cut after the literal";
  }
  EXPECT_EQ(integrity_problems(), 0);
  stop_daemon();  // before the proxy goes
  std::cout << "{\"figure\":\"imap_cut_mid_fetch\",\"message_bytes\":" << size << ",\"cuts\":" << cuts.size()
            << ",\"stored\":" << reports() << ",\"session_bytes\":" << whole << "}\n";
}

TEST_F(ImapFaultTest, SlowServerIsFollowedWhileTheSocketKeepsAnswering) {
  LogCapture logs;
  socket_path_ = dovecot_->dir() + "/ingest.sock";
  const std::string big = large_bounce(300 << 10);
  dovecot_->deliver(big);
  const auto files = bounce_files();
  for (int i = 1; i <= 3; ++i) dovecot_->deliver(files[static_cast<std::size_t>(i)]);
  TcpFaultProxy proxy(dovecot_->imaps_port());
  proxy.throttle(4096, std::chrono::milliseconds(200));  // about 20 KB/s, in pauses
  auto m = imap();
  m.port = proxy.port();
  const auto began = std::chrono::steady_clock::now();
  start_daemon(m);
  ASSERT_TRUE(eventually([&] { return proxy.bytes_down() > (40u << 10); }, 20s)) << "the fetch has begun";
  // While the fetch crawls: the socket records and answers at once.
  LineClient client(socket_path_);
  std::chrono::steady_clock::duration slowest{};
  int answered = 0;
  for (int i = 0; i < 10 && reports() == 0; ++i, ++answered) {
    const auto t0 = std::chrono::steady_clock::now();
    client.send(R"({"rcpt":"slow)" + std::to_string(i) + R"(@example.org","code":250})" "\n");
    EXPECT_EQ(client.read_line().rfind(R"({"ok":true)", 0), 0u);
    slowest = std::max(slowest, std::chrono::steady_clock::now() - t0);
    std::this_thread::sleep_for(500ms);
  }
  EXPECT_GE(answered, 5) << "the fetch was over before the socket was tried";
  EXPECT_LT(slowest, 1s);
  ASSERT_TRUE(reports_reach(4, 90s)) << "stored: " << reports();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  EXPECT_EQ(query(db_, "SELECT count(*) FROM acceptances"), answered);
  // The log says what is going on, in a few lines.
  EXPECT_GE(logs.count("still fetching"), 1);
  EXPECT_EQ(logs.count("the server is slow"), 1);
  EXPECT_LE(logs.count("imap test:"), 12) << "no line per chunk";
  EXPECT_EQ(logs.count("retrying in"), 0) << "slow is not dead: no timeout";
  stop_daemon();  // before the proxy goes
  const double kib_s = static_cast<double>(proxy.bytes_down()) / 1024.0 / secs;
  std::cout << "{\"figure\":\"imap_slow_server\",\"kib_per_s\":" << kib_s << ",\"seconds\":" << secs
            << ",\"socket_slowest_ms\":" << std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count()
            << ",\"socket_requests\":" << answered << "}\n";
}

}  // namespace
}  // namespace ndrlink::daemon
