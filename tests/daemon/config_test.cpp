// ndrlinkd's configuration reader: every mistake is one clear line naming
// the file, the line and the key.
#include "config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "../integration/test_support.h"

namespace ndrlink::daemon {
namespace {

using ndrlink::testing::TempDir;

std::string error_of(const std::string& toml) {
  TempDir dir;
  const auto path = dir.file("ndrlink.toml");
  std::ofstream(path) << toml;
  try {
    load_config(path);
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << "not one line: " << what;
    EXPECT_EQ(what.rfind(path, 0), 0u) << "does not start with the file: " << what;
    return what.substr(path.size());
  }
  return "no error";
}

TEST(Config, FullFileIsRead) {
  TempDir dir;
  const auto path = dir.file("ndrlink.toml");
  std::ofstream(path) << R"([store]
path = "/var/lib/ndrlink/ndrlink.db"
busy_timeout_ms = 5000
[verp]
secret_file = "/etc/ndrlink/verp.secret"
prefix = "ret-"
[correlator]
grace_hours = 48
window_hours = 72
keep_raw = true
[parser]
max_message_bytes = 1048576
[daemon]
workers = 3
queue_size = 64
sweep_interval_seconds = 60
checkpoint_interval_seconds = 120
[log]
level = "debug"
[socket]
path = "/run/ndrlink/ingest.sock"
mode = "0660"
max_line_bytes = 4096
[[maildir]]
name = "bounces"
path = "/var/mail/bounces"
done_folder = ".Processed"
[[imap]]
name = "isp"
host = "imap.example.org"
tls = "starttls"
username = "bounces"
password_file = "imap-password"
after = "move"
move_to = "Processed"
)";
  const auto c = load_config(path);
  EXPECT_EQ(c.db_path, "/var/lib/ndrlink/ndrlink.db");
  EXPECT_EQ(c.busy_timeout_ms, 5000);
  EXPECT_EQ(c.verp_prefix, "ret-");
  EXPECT_EQ(c.grace, std::chrono::hours(48));
  EXPECT_TRUE(c.keep_raw);
  EXPECT_EQ(c.max_message_bytes, 1048576u);
  EXPECT_EQ(c.workers, 3u);
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.socket.mode, 0660u);
  ASSERT_EQ(c.maildirs.size(), 1u);
  EXPECT_EQ(c.maildirs[0].done_folder, ".Processed");
  ASSERT_EQ(c.imaps.size(), 1u);
  EXPECT_EQ(c.imaps[0].tls, TlsMode::starttls);
  EXPECT_EQ(c.imaps[0].port, 143);
  EXPECT_EQ(c.imaps[0].after, ImapAfter::move);
}

TEST(Config, UnknownKeysAreNamedWithTheirLine) {
  EXPECT_EQ(error_of("[store]\npth = \"x\"\n[[maildir]]\npath = \"m\"\n"), ":2: store.pth: unknown key (known: busy_timeout_ms, path)");
  // The list of top-level tables grows with new sections: only its start is fixed here.
  EXPECT_EQ(error_of("[[maildir]]\npath = \"m\"\n[stor]\npath = \"x\"\n").rfind(":3: stor: unknown key (known: correlator, ", 0),
            0u);
  EXPECT_EQ(error_of("[[maildir]]\npath = \"m\"\nfolder = \"x\"\n"), ":3: maildir[0].folder: unknown key (known: done_folder, name, path)");
}

TEST(Config, WrongTypesAndValues) {
  EXPECT_EQ(error_of("[daemon]\nworkers = \"two\"\n[[maildir]]\npath = \"m\"\n"),
            ":2: daemon.workers: expected an integer");
  EXPECT_EQ(error_of("[daemon]\nworkers = 0\n[[maildir]]\npath = \"m\"\n"),
            ":2: daemon.workers: must be between 1 and 64");
  EXPECT_EQ(error_of("[log]\nlevel = \"loud\"\n[[maildir]]\npath = \"m\"\n"),
            ":2: log.level: must be one of trace, debug, info, warn, error (got \"loud\")");
  EXPECT_EQ(error_of("[socket]\nmode = \"rw\"\n[[maildir]]\npath = \"m\"\n"),
            ":2: socket.mode: expected an octal mode like \"0660\"");
  EXPECT_EQ(error_of("store = 3\n[[maildir]]\npath = \"m\"\n"), ":1: store: expected a table [store]");
}

TEST(Config, RequiredKeysAndSources) {
  EXPECT_EQ(error_of("[store]\npath = \"x\"\n"), ": no report source: add a [[maildir]] or an [[imap]] table");
  EXPECT_NE(error_of("[[imap]]\nhost = \"h\"\nusername = \"u\"\n").find("imap[0].password_file: required"),
            std::string::npos);
  EXPECT_NE(error_of("[[imap]]\nhost = \"h\"\nusername = \"u\"\npassword_file = \"p\"\nafter = \"move\"\n")
                .find("imap[0].move_to: required"),
            std::string::npos);
}

TEST(Config, SyntaxErrorsAndMissingFiles) {
  EXPECT_EQ(error_of("[store\npath = 1\n").substr(0, 3), ":1:");
  try {
    load_config("/nonexistent/ndrlink.toml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/ndrlink.toml"), std::string::npos);
  }
}

TEST(Config, GraceInMinutesAndTheTestClockScale) {
  const auto c = parse_config("[correlator]\ngrace_minutes = 10\n[daemon]\nclock_scale = 6\n[[maildir]]\npath = \"m\"\n", "t");
  EXPECT_EQ(c.grace, std::chrono::minutes(10));
  EXPECT_EQ(c.clock_scale, 6u);
  const auto d = parse_config("[[maildir]]\npath = \"m\"\n", "t");
  EXPECT_EQ(d.grace, std::chrono::hours(120));
  EXPECT_EQ(d.clock_scale, 1u);
  EXPECT_EQ(error_of("[correlator]\ngrace_hours = 2\ngrace_minutes = 10\n[[maildir]]\npath = \"m\"\n"),
            ":3: correlator.grace_minutes: give grace_hours or grace_minutes, not both");
  EXPECT_EQ(error_of("[daemon]\nclock_scale = 0\n[[maildir]]\npath = \"m\"\n"),
            ":2: daemon.clock_scale: must be between 1 and 3600");
}

TEST(Config, BuiltInDefaultWatchesVar) {
  const auto c = default_config();
  EXPECT_EQ(c.db_path, "./var/ndrlink.db");
  ASSERT_EQ(c.maildirs.size(), 1u);
  EXPECT_EQ(c.maildirs[0].path, "./var/Maildir");
  EXPECT_EQ(c.socket.path, "./var/ndrlink.sock");
}

}  // namespace
}  // namespace ndrlink::daemon

namespace ndrlink::daemon {
namespace {

TEST(Config, ErrorsStayOnOneLine) {
  // Found by fuzz_config: toml++'s message for a bad value spans lines;
  // quoted keys may hold newlines.
  EXPECT_NE(error_of("[store]\npeth = t\n"), "no error");
  EXPECT_NE(error_of("[store]\n\"a\\nb\" = 1\n[[maildir]]\npath = \"m\"\n").find("a\\nb"), std::string::npos);
}

}  // namespace
}  // namespace ndrlink::daemon
