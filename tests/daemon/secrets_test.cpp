// Issue 7, secrets: the real ndrlinkd with two IMAP accounts (AUTHENTICATE
// PLAIN and LOGIN) reading a password file, and a configured VERP secret.
// Neither the password (plain, or base64 in the SASL blob) nor the VERP
// secret appears in /proc/<pid>/cmdline or environ, or in the log at
// trace level, on failed logins or successful ones. The files it creates
// are private: database (and its -wal/-shm) 0640, VERP secret 0600.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "daemon_fixture.h"
#include "dovecot_harness.h"
#include "imap_protocol.h"
#include "line_client.h"

namespace ndrlink::testing {
namespace {
using namespace std::chrono_literals;
using test::Dovecot;

std::string proc_file(pid_t pid, const char* name) {
  return read_file("/proc/" + std::to_string(pid) + "/" + name);  // NUL-separated, searched as bytes
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 07777;
  return st.st_mode & 07777;
}

std::string imap_account(const std::string& name, const std::string& auth, const Dovecot& dovecot,
                         const std::string& password_file) {
  return "[[imap]]\nname = \"" + name + "\"\nhost = \"127.0.0.1\"\nport = " + std::to_string(dovecot.imaps_port()) +
         "\nca_file = \"" + dovecot.cert_file() + "\"\nusername = \"" + Dovecot::user + "\"\npassword_file = \"" +
         password_file + "\"\nauth = \"" + auth + "\"\nafter = \"keep\"\nconnect_timeout_seconds = 20\n" +
         "max_backoff_seconds = 2\n";
}

TEST(Secrets, NeverInProcessArgumentsEnvironmentOrLog) {
  if (const auto why = Dovecot::missing(); !why.empty()) GTEST_SKIP() << why;
  Dovecot dovecot;
  dovecot.start();
  const std::string wrong = "Wr0ng-Pa55-no-log", right = Dovecot::password;
  const std::string verp_secret = "5ec2e7d00d1e5ec2e7d00d1e5ec2e7d00d1e5ec2e7d00d1e5ec2e7d00d1eabcd";
  const std::string password_file = dovecot.dir() + "/imap.password", verp_file = dovecot.dir() + "/verp.secret";
  std::ofstream(password_file) << wrong << "\n";
  std::ofstream(verp_file) << verp_secret << "\n";
  ::chmod(password_file.c_str(), 0600);
  ::chmod(verp_file.c_str(), 0600);

  DaemonFixture fx("[log]\nlevel = \"trace\"\n[verp]\nsecret_file = \"" + verp_file + "\"\n" +
                   imap_account("plain", "plain", dovecot, password_file) +
                   imap_account("login", "login", dovecot, password_file));
  DaemonProcess daemon(fx.config_path(), fx.log_path());
  daemon.start();
  const std::vector<std::string> secrets = {
      wrong, right, verp_secret, daemon::imap::base64(std::string("\0", 1) + Dovecot::user + '\0' + wrong),
      daemon::imap::base64(std::string("\0", 1) + Dovecot::user + '\0' + right)};
  const auto expect_absent = [&](const std::string& where, const std::string& text) {
    for (const auto& s : secrets) EXPECT_EQ(text.find(s), std::string::npos) << "secret " << s << " in " << where;
  };
  expect_absent("cmdline", proc_file(daemon.pid(), "cmdline"));
  expect_absent("environ", proc_file(daemon.pid(), "environ"));

  // Both accounts fail to log in (a clear line each), then succeed.
  ASSERT_TRUE(eventually([&] { return daemon.log().find("imap plain: login as bounce refused") != std::string::npos &&
                                      daemon.log().find("imap login: login as bounce refused") != std::string::npos; },
                         30s))
      << daemon.log();
  std::ofstream(password_file) << right << "\n";
  // A VERP-signed acceptance and a bounce fetched by both accounts (the
  // second finds it stored): the secret is in use.
  LineClient client(fx.socket_path());
  client.send(R"({"rcpt":"user@example.org","code":250,"message_id":"<s@example.org>"})" "\n");
  EXPECT_NE(client.read_line().find("\"verp_token\":\""), std::string::npos);
  dovecot.deliver(std::string(NDRLINK_TEST_DATA) + "/bounces/lhost-postfix-04.eml");
  ASSERT_TRUE(eventually([&] { return daemon.log().find("already stored") != std::string::npos; }, 30s))
      << daemon.log();
  EXPECT_EQ(fx.scalar("SELECT count(*) FROM reports"), 1);
  // Files it created (checked while it runs: the -wal and -shm files go
  // at a clean stop): private to owner and group.
  EXPECT_EQ(mode_of(fx.db_path()), 0640u);
  for (const char* suffix : {"-wal", "-shm"}) EXPECT_EQ(mode_of(fx.db_path() + suffix), 0640u) << suffix;
  expect_absent("cmdline", proc_file(daemon.pid(), "cmdline"));
  expect_absent("environ", proc_file(daemon.pid(), "environ"));
  EXPECT_EQ(daemon.terminate(), 0);
  const std::string log = daemon.log();
  EXPECT_NE(log.find("imap > "), std::string::npos) << "the log is at trace level: IMAP commands are shown";
  expect_absent("the log", log);

  EXPECT_EQ(mode_of(verp_file), 0600u) << "left as the admin made it";
}

TEST(Secrets, DefaultVerpSecretIsCreatedPrivate) {
  DaemonFixture fx;
  DaemonProcess daemon(fx.config_path(), fx.log_path());
  daemon.start();
  const std::string secret_path = fx.dir().file("verp.secret");
  ASSERT_TRUE(std::filesystem::exists(secret_path));
  EXPECT_EQ(mode_of(secret_path), 0600u);
  EXPECT_EQ(mode_of(fx.db_path()), 0640u);
  std::string secret = read_file(secret_path);
  secret.resize(64);
  EXPECT_EQ(daemon.terminate(), 0);
  EXPECT_EQ(daemon.log().find(secret), std::string::npos);
}

}  // namespace
}  // namespace ndrlink::testing
