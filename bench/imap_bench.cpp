// bench/imap: IMAP arrival -> stored latency of the real ndrlinkd against a
// real Dovecot (the test harness's throwaway server, implicit TLS,
// certificate verified). A message's arrival is the moment `doveadm save`
// returns; it is stored when the daemon logs its line (after the commit).
// Usage: bench_imap [--messages N] [--interval-ms MS]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "dovecot_harness.h"

namespace {
namespace fs = std::filesystem;
using SysClock = std::chrono::system_clock;

void print(const char* metric, double value, const char* unit) { ndrlink::bench::print("imap", metric, value, unit); }

using ndrlink::bench::log_time;

}  // namespace

int main(int argc, char** argv) {
  int messages = 100, interval_ms = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--messages") messages = std::stoi(argv[i + 1]);
    else if (a == "--interval-ms") interval_ms = std::stoi(argv[i + 1]);
  }
  if (const auto why = ndrlink::test::Dovecot::missing(); !why.empty()) {
    std::cerr << "bench_imap: " << why << "\n";
    return 1;
  }
  ndrlink::test::Dovecot dovecot;
  dovecot.start();
  const fs::path dir = dovecot.dir();
  const std::string password = (dir / "imap.password").string(), config = (dir / "ndrlink.toml").string(),
                    log = (dir / "daemon.log").string(), sample = (dir / "sample.eml").string();
  std::ofstream(password) << ndrlink::test::Dovecot::password << "\n";
  const std::string bounce = ndrlink::bench::read_file(NDRLINK_SAMPLES "/lhost-postfix-04.eml");
  std::ofstream(config) << "[store]\npath = \"" << (dir / "n.db").string() << "\"\n[socket]\nenabled = false\n"
                        << "[[imap]]\nname = \"bench\"\nhost = \"127.0.0.1\"\nport = " << dovecot.imaps_port()
                        << "\ntls = \"implicit\"\nca_file = \"" << dovecot.cert_file() << "\"\nusername = \""
                        << ndrlink::test::Dovecot::user << "\"\npassword_file = \"" << password << "\"\n";
  const pid_t pid = ndrlink::bench::spawn_with_log(NDRLINKD_BINARY, config, log);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // connected and idling
  std::vector<SysClock::time_point> arrived;
  for (int i = 0; i < messages; ++i) {
    // Each its own message (the store keeps the same bytes once).
    std::ofstream(sample, std::ios::binary) << "X-Bench-Copy: " << i << "\n" << bounce;
    dovecot.deliver(sample);
    arrived.push_back(SysClock::now());
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  ::kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);

  std::vector<double> latencies;
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    const auto at = line.find(" imap:bench:");
    if (at == std::string::npos || line.find(": report=", at) == std::string::npos) continue;
    const auto uid_start = line.find(':', at + 12) + 1;  // after the uidvalidity
    const long uid = std::stol(line.substr(uid_start, line.find(':', uid_start) - uid_start));
    const auto when = log_time(line.substr(0, 26));
    if (!when || uid < 1 || uid > messages) continue;
    latencies.push_back(std::chrono::duration<double, std::milli>(*when - arrived[static_cast<std::size_t>(uid - 1)]).count());
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? -1.0
                             : latencies[std::min(latencies.size() - 1, static_cast<std::size_t>(p * latencies.size()))];
  };
  print("messages", messages, "count");
  print("stored", static_cast<double>(latencies.size()), "count");
  print("imap_latency_p50", pct(0.5), "ms");
  print("imap_latency_p99", pct(0.99), "ms");
  print("imap_latency_max", latencies.empty() ? -1 : latencies.back(), "ms");
  return latencies.size() == static_cast<std::size_t>(messages) ? 0 : 1;
}
