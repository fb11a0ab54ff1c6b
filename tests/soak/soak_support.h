// The soak driver's parts: bounce templates, a work directory, the
// ndrlinkd process, an RSS sampler, store queries, latencies from the
// daemon's log, and the totals with what counts as a failure.
#pragma once

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../../bench/bench_support.h"
#include "ndrlink/parser/parser.h"

namespace ndrlink::soak {

namespace fs = std::filesystem;

inline void print(const char* metric, double value, const char* unit) { bench::print("soak", metric, value, unit); }

// A real bounce with one recipient and the Message-ID it is about: both
// are replaced to address it to a recorded acceptance.
struct Template {
  std::string raw, recipient, message_id;

  std::string addressed_to(const std::string& new_recipient, const std::string& new_message_id) const {
    std::string out = raw;
    bench::replace_all(out, message_id, new_message_id);
    bench::replace_all(out, recipient, new_recipient);
    return out;
  }
};

// The bounces of `dir` that, re-addressed, parse to the new recipient and
// Message-ID (a few spell them elsewhere in another form: left out).
inline std::vector<Template> load_templates(const fs::path& dir) {
  std::vector<Template> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file()) continue;
    auto raw = bench::read_file(e.path());
    const auto r = parser::parse_message(raw);
    if (r.recipients.size() != 1 || r.original_message_id.empty() || r.recipients[0].recipient.empty()) continue;
    Template t{std::move(raw), r.recipients[0].recipient, r.original_message_id};
    const auto probe = parser::parse_message(t.addressed_to("probe@soak.example", "<probe@sender.example>"));
    if (probe.recipients.size() == 1 && probe.recipients[0].recipient == "probe@soak.example" &&
        probe.original_message_id == "<probe@sender.example>")
      out.push_back(std::move(t));
  }
  return out;
}

// A temp directory, removed at the end unless kept.
class WorkDir {
 public:
  explicit WorkDir(bool keep) : keep_(keep) {
    std::string tmpl = (fs::temp_directory_path() / "ndrlink-soak-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~WorkDir() {
    std::error_code ec;
    if (!keep_) fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string keep() {
    keep_ = true;
    return path_.string();
  }

 private:
  fs::path path_;
  bool keep_;
};

// ndrlinkd --config FILE with stderr to `log`; ready at "ndrlinkd ready".
class Daemon {
 public:
  Daemon(const std::string& binary, const std::string& config, const std::string& log) {
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 2);
      ::execl(binary.c_str(), binary.c_str(), "--config", config.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (bench::read_file(log).find("ndrlinkd ready") == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline || ::waitpid(pid_, nullptr, WNOHANG) == pid_)
        throw std::runtime_error("ndrlinkd did not start:\n" + bench::read_file(log));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ~Daemon() {
    if (pid_ > 0) ::kill(pid_, SIGKILL), ::waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }
  // SIGTERM, wait; the exit status (128 + signal when killed).
  int terminate() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
};

inline long status_kib(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field) + 1));
  return -1;
}

// Samples VmRSS every `every` seconds on its own thread, printing a line each.
class RssSampler {
 public:
  struct Growth {
    double first_mib = 0, last_mib = 0, percent = 0, peak_mib = 0;
    std::size_t samples = 0;  // after the warm-up
  };
  RssSampler(pid_t pid, double every, unsigned scale) : pid_(pid) {
    thread_ = std::thread([this, every, scale] {
      const auto start = std::chrono::steady_clock::now();
      while (!stop_) {
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double mib = static_cast<double>(status_kib(pid_, "VmRSS:")) / 1024.0;
        std::printf("{\"soak\":\"rss\",\"t_s\":%.1f,\"daemon_min\":%.1f,\"rss_mib\":%.2f}\n", t, t * scale / 60, mib);
        std::fflush(stdout);
        {
          std::lock_guard lock(mu_);
          samples_.emplace_back(t, mib);
        }
        for (double slept = 0; slept < every && !stop_; slept += 0.05)
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
  }
  ~RssSampler() { stop(); }
  void stop() {
    if (stop_.exchange(true)) return;
    thread_.join();
    peak_mib_ = static_cast<double>(status_kib(pid_, "VmHWM:")) / 1024.0;
  }
  // Mean of the first and of the last quarter of the samples taken after `warmup` seconds.
  Growth growth(double warmup) const {
    std::vector<double> after;
    for (const auto& [t, mib] : samples_)
      if (t >= warmup) after.push_back(mib);
    Growth g;
    g.samples = after.size();
    g.peak_mib = peak_mib_;
    if (after.empty()) return g;
    const std::size_t q = std::max<std::size_t>(1, after.size() / 4);
    for (std::size_t i = 0; i < q; ++i) {
      g.first_mib += after[i] / static_cast<double>(q);
      g.last_mib += after[after.size() - q + i] / static_cast<double>(q);
    }
    g.percent = (g.last_mib / g.first_mib - 1) * 100;
    return g;
  }

 private:
  pid_t pid_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<std::pair<double, double>> samples_;
  double peak_mib_ = 0;
  std::thread thread_;
};

// Read-only queries on the store.
class Store {
 public:
  explicit Store(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      throw std::runtime_error("cannot open " + path);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Store() { sqlite3_close(db_); }
  long scalar(const std::string& sql) const {
    sqlite3_stmt* st = nullptr;
    long v = -1;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
  }
  bool integrity_ok() const {
    sqlite3_stmt* st = nullptr;
    bool ok = false;
    if (sqlite3_prepare_v2(db_, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      ok = std::strcmp(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "ok") == 0;
    sqlite3_finalize(st);
    return ok;
  }

 private:
  sqlite3* db_ = nullptr;
};

inline long count_files(const fs::path& dir) {
  long n = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) ++n;
  return n;
}

// Delivery -> committed, per message: the daemon's log time of the
// message's line (written after the commit) minus the rename into new/;
// sorted ascending.
inline std::vector<double> latencies_from_log(const std::string& log,
                                              const std::map<std::string, std::chrono::system_clock::time_point>& sent) {
  std::vector<double> out;
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    const auto key_at = line.find(" maildir:");
    if (key_at == std::string::npos) continue;
    const auto key_end = line.find(':', key_at + 9);
    const auto it = sent.find(line.substr(key_at + 1, key_end - key_at - 1));
    const auto when = bench::log_time(line.substr(0, 26));
    if (it == sent.end() || !when) continue;
    out.push_back(std::chrono::duration<double, std::milli>(*when - it->second).count());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return -1;
  return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())))];
}

struct Results {
  long delivered = 0, acked = 0, rejected = 0, left_in_new = 0, in_cur = 0;
  long reports = 0, distinct_reports = 0, linked = 0, acceptances = 0, presumed = 0, bounced = 0;
  bool integrity_ok = false;
  double db_mib = 0;
  int exit_status = -1;

  void print() const {
    soak::print("ndrs_delivered", static_cast<double>(delivered), "count");
    soak::print("ndrs_stored", static_cast<double>(reports), "count");
    soak::print("ndrs_linked", static_cast<double>(linked), "count");
    soak::print("ndrs_left_unprocessed", static_cast<double>(left_in_new), "count");
    soak::print("acceptances_acknowledged", static_cast<double>(acked), "count");
    soak::print("acceptances_stored", static_cast<double>(acceptances), "count");
    soak::print("acceptances_rejected", static_cast<double>(rejected), "count");
    soak::print("acceptances_bounced", static_cast<double>(bounced), "count");
    soak::print("acceptances_presumed_delivered", static_cast<double>(presumed), "count");
    soak::print("integrity_check_ok", integrity_ok ? 1 : 0, "bool");
    soak::print("database_size", db_mib, "MiB");
    soak::print("daemon_exit_status", exit_status, "code");
  }
  std::vector<std::string> failures() const {
    std::vector<std::string> f;
    const auto expect = [&](bool ok, const std::string& what) {
      if (!ok) f.push_back(what);
    };
    expect(left_in_new == 0, std::to_string(left_in_new) + " NDR file(s) left in new/");
    expect(in_cur == delivered, std::to_string(in_cur) + " file(s) in cur/ for " + std::to_string(delivered) + " delivered");
    expect(reports == delivered, std::to_string(reports) + " reports for " + std::to_string(delivered) + " NDRs");
    expect(distinct_reports == reports, "a report stored twice");
    expect(linked == delivered, std::to_string(linked) + " of " + std::to_string(delivered) + " NDRs linked");
    expect(acceptances == acked, std::to_string(acceptances) + " acceptances stored, " + std::to_string(acked) + " acknowledged");
    expect(rejected == 0, std::to_string(rejected) + " acceptances rejected");
    expect(presumed > 0, "no sweep presumed an acceptance delivered");
    expect(integrity_ok, "PRAGMA integrity_check is not ok");
    expect(exit_status == 0, "ndrlinkd exited with " + std::to_string(exit_status));
    return f;
  }
};

}  // namespace ndrlink::soak
