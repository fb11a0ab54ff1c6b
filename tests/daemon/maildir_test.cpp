// The Maildir source against the real ndrlinkd: messages dropped while it
// runs are processed exactly once, even when it is killed with SIGKILL at
// random moments and restarted.
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "daemon_fixture.h"

namespace ndrlink::testing {
namespace {

std::vector<std::string> samples() {
  std::vector<std::string> out;
  for (const char* name : {"lhost-postfix-04.eml", "lhost-sendmail-02.eml", "lhost-qmail-01.eml",
                           "lhost-exim-01.eml", "rhost-google-01.eml", "arf-01.eml", "rfc3834-01.eml"})
    out.push_back(sample(name));
  return out;
}

TEST(Maildir, MessagesAreLinkedAndMovedToCur) {
  DaemonFixture fx;
  DaemonProcess daemon(fx.config_path(), fx.log_path());
  daemon.start();
  fx.deliver("1733300000.M1P1.test", sample("lhost-postfix-04.eml"));
  ASSERT_TRUE(eventually([&] { return fx.files_in("cur") == 1; }, std::chrono::seconds(10))) << daemon.log();
  EXPECT_EQ(fx.files_in("new"), 0u);
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(fx.maildir()) / "cur" / "1733300000.M1P1.test:2,S"));
  EXPECT_EQ(fx.scalar("SELECT count(*) FROM reports WHERE source_key = 'maildir:1733300000.M1P1.test'"), 1);
  EXPECT_EQ(daemon.terminate(), 0);
  // One log line for the message, with its key and the recipient's outcome.
  EXPECT_NE(daemon.log().find("maildir:1733300000.M1P1.test: report=1 kind=dsn kijitora@example.co.jp userunknown"),
            std::string::npos)
      << daemon.log();
}

TEST(Maildir, MessagesWaitingAtStartAreProcessed) {
  DaemonFixture fx;
  const auto all = samples();
  for (std::size_t i = 0; i < all.size(); ++i) fx.deliver("17333000" + std::to_string(i) + ".M1P1.test", all[i]);
  DaemonProcess daemon(fx.config_path(), fx.log_path());
  daemon.start();
  ASSERT_TRUE(eventually([&] { return fx.files_in("cur") == all.size(); }, std::chrono::seconds(10))) << daemon.log();
  EXPECT_EQ(fx.scalar("SELECT count(*) FROM reports"), static_cast<long long>(all.size()));
}

TEST(Maildir, KilledAtRandomMomentsEveryMessageIsProcessedExactlyOnce) {
  DaemonFixture fx;
  const auto all = samples();
  constexpr int kMessages = 1000;
  DaemonProcess daemon(fx.config_path(), fx.log_path());
  daemon.start();
  std::mt19937 rng(4242);
  int delivered = 0, kills = 0;
  while (delivered < kMessages) {
    // A burst of deliveries, then a SIGKILL after a random pause.
    const int burst = std::min(kMessages - delivered, 50 + static_cast<int>(rng() % 150));
    for (int i = 0; i < burst; ++i, ++delivered)
      fx.deliver("1733" + std::to_string(100000 + delivered) + ".M" + std::to_string(delivered) + "P9.test",
                 nth_copy(all[static_cast<std::size_t>(delivered) % all.size()], delivered));
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 120));
    if (kills < 8) {
      daemon.kill9();
      ++kills;
      daemon.start();
    }
  }
  ASSERT_TRUE(eventually([&] { return fx.files_in("new") == 0; }, std::chrono::seconds(120))) << daemon.log();
  ASSERT_TRUE(eventually([&] { return fx.scalar("SELECT count(*) FROM reports") == kMessages; },
                         std::chrono::seconds(30)));
  EXPECT_EQ(daemon.terminate(), 0);
  EXPECT_EQ(kills, 8);
  EXPECT_EQ(fx.files_in("cur"), static_cast<std::size_t>(kMessages));
  EXPECT_EQ(fx.scalar("SELECT count(*) FROM reports"), kMessages);
  EXPECT_EQ(fx.scalar("SELECT count(DISTINCT source_key) FROM reports"), kMessages);
  // No message came in under a second key (the bytes' dedup would hide it).
  EXPECT_EQ(daemon.log().find("the same bytes under another source key"), std::string::npos);
  EXPECT_EQ(fx.scalar("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"), 0);
}

TEST(Maildir, MissingDatabaseDirectoryIsAClearError) {
  DaemonFixture fx("");
  std::ofstream(fx.config_path()) << "[store]\npath = \"" << fx.dir().file("no/such/dir/n.db") << "\"\n"
                                  << "[[maildir]]\npath = \"" << fx.maildir() << "\"\n";
  DaemonProcess daemon(fx.config_path(), fx.log_path());
  try {
    daemon.start();
    FAIL() << "started without its database directory";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("database directory"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no/such/dir"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ndrlink::testing

namespace ndrlink::testing {
namespace {

TEST(Maildir, SighupReloadsTheConfigurationAndKeepsABadOne) {
  DaemonFixture fx;
  DaemonProcess daemon(fx.config_path(), fx.log_path());
  daemon.start();
  // A second Maildir appears in the configuration: SIGHUP starts watching it.
  const auto second = fx.dir().file("Second");
  std::ofstream(fx.config_path(), std::ios::app) << "[[maildir]]\nname = \"second\"\npath = \"" << second << "\"\n";
  ::kill(daemon.pid(), SIGHUP);
  ASSERT_TRUE(eventually([&] { return daemon.log().find("configuration reloaded") != std::string::npos; },
                         std::chrono::seconds(10)))
      << daemon.log();
  {
    std::ofstream(second + "/tmp/1.x", std::ios::binary) << sample("lhost-postfix-04.eml");
    std::filesystem::rename(second + "/tmp/1.x", second + "/new/1733309999.M1P1.second");
  }
  ASSERT_TRUE(eventually([&] { return fx.scalar("SELECT count(*) FROM reports") == 1; }, std::chrono::seconds(10)))
      << daemon.log();
  // A source that cannot start (its path is under a regular file): the
  // sources that ran before keep running.
  std::ofstream(fx.dir().file("plain-file")) << "x";
  const std::string good_config = ndrlink::testing::read_file(fx.config_path());
  std::ofstream(fx.config_path(), std::ios::app) << "[[maildir]]\npath = \"" << fx.dir().file("plain-file/Maildir") << "\"\n";
  ::kill(daemon.pid(), SIGHUP);
  ASSERT_TRUE(eventually([&] { return daemon.log().find("configuration not reloaded") != std::string::npos; },
                         std::chrono::seconds(10)))
      << daemon.log();
  fx.deliver("1733309997.M1P1.test", sample("lhost-qmail-01.eml"));
  ASSERT_TRUE(eventually([&] { return fx.scalar("SELECT count(*) FROM reports") == 2; }, std::chrono::seconds(10)))
      << daemon.log();
  // A broken file is reported and the running configuration stays.
  std::ofstream(fx.config_path()) << good_config << "[store\n";
  ::kill(daemon.pid(), SIGHUP);
  auto refusals = [&] {
    const auto log = daemon.log();
    std::size_t n = 0;
    for (auto at = log.find("configuration not reloaded"); at != std::string::npos;
         at = log.find("configuration not reloaded", at + 1))
      ++n;
    return n;
  };
  ASSERT_TRUE(eventually([&] { return refusals() == 2; }, std::chrono::seconds(10)))
      << daemon.log();
  fx.deliver("1733309998.M1P1.test", sample("lhost-sendmail-02.eml"));
  EXPECT_TRUE(eventually([&] { return fx.scalar("SELECT count(*) FROM reports") == 3; }, std::chrono::seconds(10)));
  EXPECT_EQ(daemon.terminate(), 0);
}

}  // namespace
}  // namespace ndrlink::testing
