// What the IMAP tests share: a real Dovecot on loopback, ndrlinkd running
// in-process on a store in the server's temp dir, the bounce samples,
// store queries and a capture of the daemon's log lines.
#pragma once

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../integration/test_support.h"
#include "daemon.h"
#include "daemon_fixture.h"
#include "dovecot_harness.h"

namespace ndrlink::daemon::imap_test {

using namespace std::chrono_literals;
using test::Dovecot;

inline std::vector<std::string> bounce_files() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(NDRLINK_TEST_DATA) + "/bounces"))
    if (e.path().extension() == ".eml") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

// The single integer `sql` gives on the database at `db` (-1 on error).
inline long query(const std::string& db, const std::string& sql) {
  return static_cast<long>(ndrlink::testing::query_scalar(db, sql));
}

// The shared poll, with the IMAP tests' default patience.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 15s) {
  return ndrlink::testing::eventually(done, limit);
}

// Log lines of the daemon, kept for assertions (and echoed to stderr).
class LogCapture {
 public:
  explicit LogCapture(std::size_t keep = 2000) : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(keep)) {
    auto logger = std::make_shared<spdlog::logger>(
        "test", spdlog::sinks_init_list{sink_, std::make_shared<spdlog::sinks::stderr_sink_mt>()});
    logger->set_level(spdlog::level::debug);
    previous_ = spdlog::default_logger();
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::vector<std::string> lines() { return sink_->last_formatted(); }
  int count(const std::string& needle) {
    int n = 0;
    for (const auto& l : lines()) n += l.find(needle) != std::string::npos;
    return n;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

class ImapSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const auto why = Dovecot::missing(); !why.empty()) GTEST_SKIP() << why;
    dovecot_ = std::make_unique<Dovecot>(capability_);
    dovecot_->start();
    db_ = dovecot_->dir() + "/ndrlink.db";
    password_file_ = dovecot_->dir() + "/imap.password";
    std::ofstream(password_file_) << Dovecot::password << "\n";
  }
  void TearDown() override {
    stop_daemon();
    dovecot_.reset();
  }

  // A file holding copy `n` of the test bounces (bounce `n` modulo their
  // number): every copy is another message.
  std::string numbered_bounce(long n) const {
    const auto files = bounce_files();
    const std::string path = dovecot_->dir() + "/copy-" + std::to_string(n) + ".eml";
    std::ofstream(path, std::ios::binary) << ndrlink::testing::nth_copy(
        ndrlink::testing::read_file(files[static_cast<std::size_t>(n) % files.size()]), n);
    return path;
  }

  ImapConfig imap() const {
    ImapConfig m;
    m.name = "test";
    m.host = "127.0.0.1";
    m.port = dovecot_->imaps_port();
    m.tls = TlsMode::implicit;
    m.ca_file = dovecot_->cert_file();
    m.username = Dovecot::user;
    m.password_file = password_file_;
    m.connect_timeout = 5s;
    m.max_backoff = 2s;
    return m;
  }

  void start_daemon(const ImapConfig& m, std::size_t max_message_bytes = 8 << 20) {
    start_daemon(std::vector<ImapConfig>{m}, max_message_bytes);
  }
  void start_daemon(const std::vector<ImapConfig>& ms, std::size_t max_message_bytes = 8 << 20) {
    Config c;
    c.db_path = db_;
    c.socket.enabled = !socket_path_.empty();
    c.socket.path = socket_path_;
    c.max_message_bytes = max_message_bytes;
    c.imaps = ms;
    daemon_ = std::make_unique<Daemon>(c);
    thread_ = std::thread([this] { daemon_->run(); });
  }
  void stop_daemon() {
    if (!daemon_) return;
    daemon_->stop();
    thread_.join();
    daemon_.reset();
  }

  long reports() { return query(db_, "SELECT count(*) FROM reports"); }
  bool reports_reach(long n, std::chrono::milliseconds limit = 15s) {
    return eventually([&] { return reports() >= n; }, limit);
  }

  std::string capability_;
  std::string socket_path_;  // non-empty: the daemon also serves the ingest socket there
  std::unique_ptr<Dovecot> dovecot_;
  std::string db_, password_file_;
  std::unique_ptr<Daemon> daemon_;
  std::thread thread_;
};

}  // namespace ndrlink::daemon::imap_test
