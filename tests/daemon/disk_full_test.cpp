// Storage faults against the real ndrlinkd: the database on a tiny tmpfs
// that fills up. Messages that cannot be stored stay in new/ (never marked
// done), errors are logged, and processing resumes when space returns.
// Needs root (mount); skipped otherwise.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <thread>

#include "daemon_fixture.h"

namespace ndrlink::testing {
namespace {

class TmpfsMount {
 public:
  explicit TmpfsMount(std::string path) : path_(std::move(path)) {
    std::filesystem::create_directories(path_);
    mounted_ = ::mount("tmpfs", path_.c_str(), "tmpfs", 0, "size=1m") == 0;
  }
  ~TmpfsMount() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  bool grow() { return ::mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT, "size=64m") == 0; }

 private:
  std::string path_;
  bool mounted_ = false;
};

TEST(StorageFaults, FullDiskLeavesMessagesUnprocessedUntilSpaceReturns) {
  DaemonFixture fx;
  TmpfsMount small(fx.dir().file("small"));
  if (!small.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN)";
  const std::string db = fx.dir().file("small/ndrlink.db");
  fx.set_db_path(db);
  std::ofstream(fx.config_path()) << "[store]\npath = \"" << db << "\"\n[verp]\nsecret_file = \""
                                  << fx.dir().file("verp.secret") << "\"\n[correlator]\nkeep_raw = true\n"
                                  << "[socket]\nenabled = false\n[[maildir]]\npath = \"" << fx.maildir() << "\"\n";
  std::ofstream(fx.dir().file("verp.secret")) << "0123456789abcdef0123456789abcdef\n";
  DaemonProcess daemon(fx.config_path(), fx.log_path());
  daemon.start();
  constexpr int kMessages = 400;  // ~4 KB each, kept raw: far more than 1 MB
  const std::string raw = sample("lhost-sendmail-02.eml");
  for (int i = 0; i < kMessages; ++i)
    fx.deliver("1733400000.M" + std::to_string(i) + "P1.full", nth_copy(raw, i) + std::string(2048, '\n'));
  ASSERT_TRUE(eventually([&] { return daemon.log().find("not stored, will retry") != std::string::npos; },
                         std::chrono::seconds(30)))
      << daemon.log();
  EXPECT_NE(daemon.log().find("database or disk is full"), std::string::npos) << daemon.log();
  const auto stored_while_full = fx.scalar("SELECT count(*) FROM reports");
  EXPECT_LT(stored_while_full, kMessages);
  EXPECT_GT(fx.files_in("new"), 0u);
  EXPECT_EQ(static_cast<long long>(fx.files_in("cur")), stored_while_full);  // done only when stored
  ASSERT_TRUE(small.grow());
  ASSERT_TRUE(eventually([&] { return fx.files_in("new") == 0; }, std::chrono::seconds(60))) << daemon.log();
  EXPECT_EQ(daemon.terminate(), 0);
  EXPECT_EQ(fx.scalar("SELECT count(*) FROM reports"), kMessages);
  EXPECT_EQ(fx.files_in("cur"), static_cast<std::size_t>(kMessages));
  EXPECT_EQ(fx.scalar("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"), 0);
}

}  // namespace
}  // namespace ndrlink::testing

namespace ndrlink::testing {
namespace {

TEST(StorageFaults, LockedDatabaseIsRetriedAndNothingIsDropped) {
  DaemonFixture fx;
  std::ofstream(fx.config_path()) << "[store]\npath = \"" << fx.db_path() << "\"\nbusy_timeout_ms = 100\n"
                                  << "[socket]\nenabled = false\n[[maildir]]\npath = \"" << fx.maildir() << "\"\n";
  DaemonProcess daemon(fx.config_path(), fx.log_path());
  daemon.start();
  // Another writer takes the lock and holds it for two seconds.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(fx.db_path().c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  constexpr int kMessages = 50;
  for (int i = 0; i < kMessages; ++i)
    fx.deliver("1733500000.M" + std::to_string(i) + "P1.lock", nth_copy(sample("lhost-postfix-04.eml"), i));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(fx.files_in("cur"), 0u) << "a message was marked done while the store was locked";
  EXPECT_NE(daemon.log().find("database is locked"), std::string::npos) << daemon.log();
  sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  ASSERT_TRUE(eventually([&] { return fx.files_in("new") == 0; }, std::chrono::seconds(30))) << daemon.log();
  EXPECT_EQ(daemon.terminate(), 0);
  EXPECT_EQ(fx.scalar("SELECT count(*) FROM reports"), kMessages);
}

}  // namespace
}  // namespace ndrlink::testing
