// Issue 7, crash safety: while 10,000 real bounces arrive in the Maildir and
// a client sends 10,000 acceptances to the socket, ndrlinkd is killed with
// SIGKILL at 20 random moments and restarted. Afterwards: every bounce
// stored exactly once, every acknowledged acceptance stored (the client
// resends what was not acknowledged; Message-IDs make that idempotent),
// nothing twice, and the database passes integrity_check.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "daemon_fixture.h"
#include "line_client.h"

namespace ndrlink::testing {
namespace {

TEST(CrashSafety, TwentyKillsLoseAndDuplicateNothing) {
  DaemonFixture fx;
  constexpr int kBounces = 10000, kAcceptances = 10000, kKills = 20;
  const std::vector<std::string> samples = {sample("lhost-postfix-04.eml"), sample("lhost-sendmail-02.eml"),
                                            sample("lhost-qmail-01.eml"), sample("lhost-exim-01.eml"),
                                            sample("rhost-google-01.eml")};
  DaemonProcess daemon(fx.config_path(), fx.log_path());
  daemon.start();

  std::atomic<bool> done_sending{false};
  std::atomic<int> acknowledged{0};
  std::thread client([&] {
    int next = 0;  // first record not yet acknowledged
    while (next < kAcceptances) {
      try {
        LineClient c(fx.socket_path());
        while (next < kAcceptances) {
          const int end = std::min(kAcceptances, next + 50);
          std::string batch;
          for (int i = next; i < end; ++i)
            batch += R"({"rcpt":"crash)" + std::to_string(i) + R"(@example.jp","code":252,"message_id":"<crash-)" +
                     std::to_string(i) + R"(@sender.example>"})" "\n";
          c.send(batch);
          for (int i = next; i < end; ++i) {
            if (c.read_line().rfind(R"({"ok":true)", 0) != 0) throw std::runtime_error("rejected");
            next = i + 1;
            acknowledged = next;
          }
        }
      } catch (const std::exception&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // daemon down: reconnect and resend
      }
    }
    done_sending = true;
  });

  std::mt19937 rng(2026);
  int delivered = 0, kills = 0;
  while (delivered < kBounces || kills < kKills) {
    const int burst = std::min(kBounces - delivered, 200 + static_cast<int>(rng() % 600));
    for (int i = 0; i < burst; ++i, ++delivered)
      fx.deliver("1733600000.M" + std::to_string(delivered) + "P7.crash",
                 nth_copy(samples[static_cast<std::size_t>(delivered) % samples.size()], delivered));
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 250));
    if (kills < kKills) {
      daemon.kill9();
      ++kills;
      daemon.start();
    }
  }
  client.join();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (fx.files_in("new") > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(daemon.terminate(), 0);
  EXPECT_TRUE(done_sending);
  EXPECT_EQ(acknowledged.load(), kAcceptances);
  EXPECT_EQ(fx.files_in("new"), 0u);
  EXPECT_EQ(fx.files_in("cur"), static_cast<std::size_t>(kBounces));
  EXPECT_EQ(fx.scalar("SELECT count(*) FROM reports"), kBounces);
  EXPECT_EQ(fx.scalar("SELECT count(DISTINCT source_key) FROM reports"), kBounces);
  // No bounce came in under a second key (the bytes' dedup would hide it).
  EXPECT_EQ(daemon.log().find("the same bytes under another source key"), std::string::npos);
  EXPECT_EQ(fx.scalar("SELECT count(*) FROM acceptances"), kAcceptances);
  EXPECT_EQ(fx.scalar("SELECT count(DISTINCT message_id) FROM acceptances"), kAcceptances);
  EXPECT_EQ(fx.scalar("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"), 0);
}

}  // namespace
}  // namespace ndrlink::testing
