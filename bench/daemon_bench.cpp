// bench/daemon: Maildir arrival -> linked latency of the real ndrlinkd at a
// steady rate, and its memory idle and under that load. Each message is a
// real corpus bounce re-addressed to an acceptance recorded beforehand.
// Latency = the daemon's log timestamp of the message's line (written
// after the commit) minus the moment the file was renamed into new/.
// Usage: bench_daemon [--rate N/s] [--seconds S] [--corpus DIR]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "ndrlink/parser/parser.h"

namespace {

using ndrlink::bench::read_file;
using ndrlink::bench::replace_all;
void print(const char* metric, double value, const char* unit) { ndrlink::bench::print("daemon", metric, value, unit); }
namespace fs = std::filesystem;
using SysClock = std::chrono::system_clock;

using ndrlink::bench::status_kib;
using ndrlink::bench::log_time;

struct Template { std::string raw, recipient, message_id; };

}  // namespace

int main(int argc, char** argv) {
  double rate = 100, seconds = 60;
  fs::path corpus = NDRLINK_CORPUS_DIR "/dev";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--rate") rate = std::stod(argv[i + 1]);
    else if (a == "--seconds") seconds = std::stod(argv[i + 1]);
    else if (a == "--corpus") corpus = argv[i + 1];
  }
  std::vector<Template> templates;
  for (const auto& e : fs::directory_iterator(corpus)) {
    auto raw = read_file(e.path());
    const auto r = ndrlink::parser::parse_message(raw);
    if (r.recipients.size() == 1 && !r.original_message_id.empty() && !r.recipients[0].recipient.empty())
      templates.push_back({std::move(raw), r.recipients[0].recipient, r.original_message_id});
  }
  if (templates.empty()) return std::cerr << "bench_daemon: no templates\n", 1;

  const fs::path dir = fs::temp_directory_path() / ("ndrlink-bench-daemon-" + std::to_string(getpid()));
  for (const char* sub : {"Maildir/new", "Maildir/cur", "Maildir/tmp"}) fs::create_directories(dir / sub);
  const long total = static_cast<long>(rate * seconds);
  {
    std::ofstream acc(dir / "acc.jsonl");
    for (long i = 0; i < total; ++i)
      acc << "{\"rcpt\":\"u" << i << "@bench.example\",\"code\":252,\"message_id\":\"<bench-" << i
          << "@sender.example>\",\"at\":\"2026-12-01T00:00:00Z\"}\n";
    std::ofstream(dir / "ndrlink.toml") << "[store]\npath = \"" << (dir / "n.db").string() << "\"\n[socket]\npath = \""
                                         << (dir / "s.sock").string() << "\"\n[[maildir]]\npath = \""
                                         << (dir / "Maildir").string() << "\"\n";
  }
  const std::string db = (dir / "n.db").string(), import = (dir / "acc.jsonl").string();
  if (std::system((std::string(NDRLINK_BINARY) + " --db " + db + " import " + import + " 2>/dev/null").c_str()) != 0)
    return std::cerr << "bench_daemon: import failed\n", 1;

  const std::string log = (dir / "daemon.log").string(), config = (dir / "ndrlink.toml").string();
  const pid_t pid = ndrlink::bench::spawn_with_log(NDRLINKD_BINARY, config, log);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  print("rss_idle", static_cast<double>(status_kib(pid, "VmRSS")) / 1024.0, "MiB");

  std::map<std::string, SysClock::time_point> sent;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < total; ++i) {
    std::this_thread::sleep_until(start + std::chrono::duration<double>(static_cast<double>(i) / rate));
    const auto& t = templates[static_cast<std::size_t>(i) % templates.size()];
    std::string raw = t.raw;
    replace_all(raw, t.message_id, "<bench-" + std::to_string(i) + "@sender.example>");
    replace_all(raw, t.recipient, "u" + std::to_string(i) + "@bench.example");
    const std::string name = "1733" + std::to_string(1000000 + i) + ".M" + std::to_string(i) + "P1.bench";
    std::ofstream(dir / "Maildir/tmp" / name, std::ios::binary) << raw;
    sent["maildir:" + name] = SysClock::now();
    fs::rename(dir / "Maildir/tmp" / name, dir / "Maildir/new" / name);
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const long hwm = status_kib(pid, "VmHWM"), rss = status_kib(pid, "VmRSS");
  ::kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);

  std::vector<double> latencies;
  std::ifstream in(log);
  std::string line;
  long linked = 0;
  while (std::getline(in, line)) {
    const auto key_at = line.find(" maildir:");
    if (key_at == std::string::npos) continue;
    const auto key_end = line.find(':', key_at + 9);
    const auto it = sent.find(line.substr(key_at + 1, key_end - key_at - 1));
    const auto when = log_time(line.substr(0, 26));
    if (it == sent.end() || !when) continue;
    latencies.push_back(std::chrono::duration<double, std::milli>(*when - it->second).count());
    linked += line.find(" via ") != std::string::npos;
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? -1.0 : latencies[std::min(latencies.size() - 1, static_cast<std::size_t>(p * latencies.size()))];
  };
  print("messages", static_cast<double>(total), "count");
  print("processed", static_cast<double>(latencies.size()), "count");
  print("linked", static_cast<double>(linked), "count");
  print("rate", rate, "msg/s");
  print("maildir_latency_p50", pct(0.50), "ms");
  print("maildir_latency_p99", pct(0.99), "ms");
  print("maildir_latency_max", latencies.empty() ? -1 : latencies.back(), "ms");
  print("rss_under_load", static_cast<double>(rss) / 1024.0, "MiB");
  print("rss_peak", static_cast<double>(hwm) / 1024.0, "MiB");
  fs::remove_all(dir);
  return 0;
}
