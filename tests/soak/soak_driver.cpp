// Issue 7, load: the real ndrlinkd under a steady load for a bounded wall
// time with an accelerated clock ([daemon] clock_scale), so that an hour
// of daemon time (grace-period sweeps, checkpoints) passes in minutes.
// Load: real corpus bounces re-addressed to recorded recipients, written
// into the watched Maildir at --ndr-rate, and acceptances sent over the
// ingest socket at --acceptance-rate by four clients. Prints JSON lines:
// an RSS sample every --sample-seconds, then the figures. With --check it
// exits 1 unless nothing was lost (every NDR file processed, stored once
// and linked; every acknowledged acceptance stored), integrity_check is
// ok, sweeps presumed acceptances delivered, and RSS after the warm-up
// grew by at most --rss-growth percent (mean of the last quarter of the
// samples against the first; the warm-up lasts until the sweeps have work,
// see Options). Latency is reported, never asserted.
// Usage: soak_driver [--seconds S] [--scale K] [--ndr-rate N] [--acceptance-rate N]
//                    [--grace-minutes M] [--warmup-seconds W] [--sample-seconds T]
//                    [--rss-growth PCT] [--corpus DIR] [--check] [--keep]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "../../bench/bench_support.h"
#include "../daemon/line_client.h"
#include "ndrlink/parser/parser.h"
#include "soak_support.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono;
using namespace ndrlink::soak;

struct Options {
  double seconds = 600, ndr_rate = 200, acceptance_rate = 2000, sample_seconds = 5, rss_growth = 10;
  // Default: max(30 s, a tenth of the run, two grace periods in real
  // time). The first sweep that presumes anything comes one grace period
  // in; only from then on does the daemon do all of its steady work.
  double warmup_seconds = -1;
  unsigned scale = 6, grace_minutes = 10;
  fs::path corpus = NDRLINK_CORPUS_DIR "/dev";
  bool check = false, keep = false;
};

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--seconds") o.seconds = std::stod(value());
    else if (a == "--scale") o.scale = static_cast<unsigned>(std::stoul(value()));
    else if (a == "--ndr-rate") o.ndr_rate = std::stod(value());
    else if (a == "--acceptance-rate") o.acceptance_rate = std::stod(value());
    else if (a == "--grace-minutes") o.grace_minutes = static_cast<unsigned>(std::stoul(value()));
    else if (a == "--warmup-seconds") o.warmup_seconds = std::stod(value());
    else if (a == "--sample-seconds") o.sample_seconds = std::stod(value());
    else if (a == "--rss-growth") o.rss_growth = std::stod(value());
    else if (a == "--corpus") o.corpus = value();
    else if (a == "--check") o.check = true;
    else if (a == "--keep") o.keep = true;
    else throw std::runtime_error("unknown option " + a);
  }
  if (o.warmup_seconds < 0)
    o.warmup_seconds = std::max({30.0, o.seconds / 10, 2.0 * o.grace_minutes * 60 / o.scale});
  return o;
}

std::string acceptance_line(long j) {
  return R"({"rcpt":"u)" + std::to_string(j) + R"(@soak.example","code":252,"message_id":"<soak-)" +
         std::to_string(j) + R"(@sender.example>"})" "\n";
}

// Four clients; acceptance j goes through client j % 4 (so whether j is
// acknowledged is known from that client's count).
class AcceptanceLoad {
 public:
  static constexpr int kClients = 4;
  AcceptanceLoad(std::string socket, double rate, steady_clock::time_point until)
      : socket_(std::move(socket)), rate_(rate / kClients), until_(until) {}
  void start() {
    for (int c = 0; c < kClients; ++c) threads_.emplace_back([this, c] { run(c); });
  }
  void join() {
    for (auto& t : threads_) t.join();
  }
  bool acknowledged(long j) const { return j / kClients < acked_[j % kClients].load(); }
  long total_acked() const {
    long n = 0;
    for (const auto& a : acked_) n += a.load();
    return n;
  }
  long rejected() const { return rejected_; }

 private:
  void run(int c) {
    ndrlink::testing::LineClient client(socket_);
    const auto start = steady_clock::now();
    long sent = 0;
    while (steady_clock::now() < until_) {
      const long due = static_cast<long>(duration<double>(steady_clock::now() - start).count() * rate_);
      const long n = std::min(due - sent, 200L);
      if (n <= 0) {
        std::this_thread::sleep_for(2ms);
        continue;
      }
      std::string batch;
      for (long k = sent; k < sent + n; ++k) batch += acceptance_line(k * kClients + c);
      client.send(batch);
      for (long k = 0; k < n; ++k) {
        if (client.read_line().rfind(R"({"ok":true)", 0) != 0) ++rejected_;
        ++acked_[c];
      }
      sent += n;
    }
  }
  std::string socket_;
  double rate_;
  steady_clock::time_point until_;
  std::atomic<long> acked_[kClients] = {};
  std::atomic<long> rejected_{0};
  std::vector<std::thread> threads_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  try {
    o = parse_options(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "soak_driver: " << e.what() << "\n";
    return 2;
  }
  auto templates = load_templates(o.corpus);
  if (templates.empty()) templates = load_templates(NDRLINK_TEST_DATA "/bounces");
  if (templates.empty()) return std::cerr << "soak_driver: no usable bounce templates\n", 2;

  WorkDir dir(o.keep);
  const std::string config = dir.file("ndrlink.toml"), log = dir.file("ndrlinkd.log"), db = dir.file("ndrlink.db");
  const std::string socket = dir.file("ingest.sock"), maildir = dir.file("Maildir");
  for (const char* sub : {"new", "cur", "tmp"}) fs::create_directories(fs::path(maildir) / sub);
  std::ofstream(config) << "[store]\npath = \"" << db << "\"\n[socket]\npath = \"" << socket << "\"\n"
                        << "[correlator]\ngrace_minutes = " << o.grace_minutes << "\n"
                        << "[daemon]\nclock_scale = " << o.scale
                        << "\nsweep_interval_seconds = 60\ncheckpoint_interval_seconds = 300\n"
                        << "[[maildir]]\npath = \"" << maildir << "\"\n";
  Daemon daemon(NDRLINKD_BINARY, config, log);

  const auto start = steady_clock::now();
  const auto until = start + duration_cast<steady_clock::duration>(duration<double>(o.seconds));
  RssSampler rss(daemon.pid(), o.sample_seconds, o.scale);
  AcceptanceLoad acceptances(socket, o.acceptance_rate, until);
  acceptances.start();

  // NDR i is about acceptance i * step, delivered 5 s (wall) after its
  // slot once that acceptance is acknowledged.
  const long step = std::max(1L, static_cast<long>(o.acceptance_rate / o.ndr_rate));
  std::map<std::string, system_clock::time_point> delivered_at;
  long ndrs = 0, late = 0;
  const auto first_ndr = start + 5s;
  while (true) {
    const auto slot = first_ndr + duration_cast<steady_clock::duration>(duration<double>(ndrs / o.ndr_rate));
    if (slot >= until) break;
    std::this_thread::sleep_until(slot);
    if (!acceptances.acknowledged(ndrs * step)) {
      ++late;
      while (!acceptances.acknowledged(ndrs * step) && steady_clock::now() < until) std::this_thread::sleep_for(1ms);
      if (steady_clock::now() >= until) break;
    }
    const auto& t = templates[static_cast<std::size_t>(ndrs) % templates.size()];
    const long j = ndrs * step;
    const std::string raw =
        t.addressed_to("u" + std::to_string(j) + "@soak.example", "<soak-" + std::to_string(j) + "@sender.example>");
    const std::string name = "1764806400." + std::to_string(ndrs) + ".soak";
    std::ofstream(fs::path(maildir) / "tmp" / name, std::ios::binary) << raw;
    delivered_at["maildir:" + name] = system_clock::now();
    fs::rename(fs::path(maildir) / "tmp" / name, fs::path(maildir) / "new" / name);
    ++ndrs;
  }
  acceptances.join();
  const double load_seconds = duration<double>(steady_clock::now() - start).count();
  // Let the daemon finish what it has, then stop it.
  const auto drain_deadline = steady_clock::now() + 60s;
  while (count_files(fs::path(maildir) / "new") > 0 && steady_clock::now() < drain_deadline)
    std::this_thread::sleep_for(100ms);
  rss.stop();
  const int exit_status = daemon.terminate();

  Results r;
  r.delivered = ndrs;
  r.acked = acceptances.total_acked();
  r.rejected = acceptances.rejected();
  r.left_in_new = count_files(fs::path(maildir) / "new");
  r.in_cur = count_files(fs::path(maildir) / "cur");
  const Store store(db);
  r.reports = store.scalar("SELECT count(*) FROM reports");
  r.distinct_reports = store.scalar("SELECT count(DISTINCT source_key) FROM reports");
  r.linked = store.scalar("SELECT count(*) FROM report_recipients WHERE acceptance_id IS NOT NULL");
  r.acceptances = store.scalar("SELECT count(*) FROM acceptances");
  r.presumed = store.scalar("SELECT count(*) FROM acceptances WHERE state = 'presumed_delivered'");
  r.bounced = store.scalar("SELECT count(*) FROM acceptances WHERE state = 'bounced'");
  r.integrity_ok = store.integrity_ok();
  r.db_mib = static_cast<double>(fs::file_size(db)) / (1 << 20);
  r.exit_status = exit_status;

  print("seconds", load_seconds, "s");
  print("clock_scale", o.scale, "x");
  print("daemon_time", load_seconds * o.scale / 60, "min");
  print("templates", static_cast<double>(templates.size()), "messages");
  print("ndr_rate_achieved", static_cast<double>(ndrs) / (load_seconds - 5), "msg/s");
  print("ndr_waits_for_acceptance", static_cast<double>(late), "count");
  print("acceptance_rate_achieved", static_cast<double>(r.acked) / load_seconds, "rows/s");
  const auto latencies = latencies_from_log(log, delivered_at);
  print("maildir_latency_p50", percentile(latencies, 0.50), "ms");
  print("maildir_latency_p99", percentile(latencies, 0.99), "ms");
  print("maildir_latency_max", latencies.empty() ? -1 : latencies.back(), "ms");
  print("maildir_latency_target_p99", 100, "ms");
  const auto growth = rss.growth(o.warmup_seconds);
  print("rss_warmup", o.warmup_seconds, "s");
  print("rss_first_quartile", growth.first_mib, "MiB");
  print("rss_last_quartile", growth.last_mib, "MiB");
  print("rss_growth", growth.percent, "%");
  print("rss_peak", growth.peak_mib, "MiB");
  print("rss_samples_after_warmup", static_cast<double>(growth.samples), "count");
  r.print();
  if (!o.check) return 0;
  auto failures = r.failures();
  if (growth.samples < 8) failures.push_back("fewer than 8 RSS samples after the warm-up");
  else if (growth.percent > o.rss_growth)
    failures.push_back("RSS grew " + std::to_string(growth.percent) + " % after the warm-up");
  for (const auto& f : failures) std::cerr << "soak_driver: FAIL: " << f << "\n";
  if (!failures.empty()) std::cerr << "soak_driver: files kept in " << dir.keep() << "\n";
  return failures.empty() ? 0 : 1;
}
