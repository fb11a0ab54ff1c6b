// bench/relay_store: the relay's store writes alone, on a real SQLite file,
// as ndrlinkd makes them (daemon::Processor, the code its workers run):
// ids reserved in blocks of 32, then per message one write of its
// acceptance with the Message-ID (Processor::record_relay_writes), batches
// of 1 or 4 messages (group commit), on one connection or alternating
// between two (the default 2 workers take turns). Prints the CPU and wall
// time per message: what each relayed message costs the relay in store
// work, without SMTP or Postfix around it.
// Usage: bench_relay_store [--messages N]
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench_support.h"
#include "ndrlink/correlator/clock.h"
#include "processor.h"

namespace {
namespace fs = std::filesystem;
using ndrlink::daemon::Processor;
using ndrlink::daemon::RelayWrite;

void print(const std::string& metric, double value, const char* unit) {
  ndrlink::bench::print("relay_store", metric.c_str(), value, unit);
}

double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// `messages` single-recipient messages written in batches of `batch`, the
// batches taking turns over `processors`.
void run(const fs::path& dir, int messages, int batch, int connections) {
  auto config = ndrlink::daemon::default_config();
  config.db_path = (dir / ("b" + std::to_string(batch) + "c" + std::to_string(connections) + ".db")).string();
  std::vector<std::unique_ptr<Processor>> processors;
  for (int i = 0; i < connections; ++i)
    processors.push_back(std::make_unique<Processor>(config, ndrlink::correlator::Clock(ndrlink::correlator::system_now)));
  std::vector<ndrlink::daemon::Recorded> reserved;
  const double cpu0 = process_cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  int turn = 0;
  for (int m = 0; m < messages; m += batch) {
    std::vector<RelayWrite> writes;
    for (int k = 0; k < batch && m + k < messages; ++k) {
      if (reserved.empty()) reserved = processors[0]->reserve_acceptances(32);
      const auto r = reserved.back();
      reserved.pop_back();
      ndrlink::storage::NewAcceptance a;
      const int n = m + k;
      a.recipient = "user" + std::to_string(n % 5000) + "@example" + std::to_string(n % 50) + ".com";
      a.reply_code = 250;
      a.enhanced_status = "2.1.5";
      a.reply_text = "250 2.1.5 Ok";
      a.mx_host = "127.0.0.1";
      a.sender = "app@app.test";
      a.envid = r.verp_token;
      a.accepted_at = ndrlink::correlator::to_iso(ndrlink::correlator::system_now());
      a.source = "relay";
      a.reserved_id = r.id;
      RelayWrite w;
      w.acceptances.push_back(a);
      w.message_id = "<bench-" + std::to_string(n) + "@app.test>";
      writes.push_back(std::move(w));
    }
    for (const auto& result : processors[static_cast<std::size_t>(turn)]->record_relay_writes(writes))
      if (result.error) std::rethrow_exception(result.error);
    turn = (turn + 1) % connections;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = process_cpu_seconds() - cpu0;
  const std::string tag = "_batch" + std::to_string(batch) + "_conns" + std::to_string(connections);
  print("cpu_us_per_msg" + tag, 1e6 * cpu / messages, "us");
  print("wall_us_per_msg" + tag, 1e6 * wall / messages, "us");
}

}  // namespace

int main(int argc, char** argv) {
  int messages = 20000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--messages" && i + 1 < argc) messages = std::stoi(argv[++i]);
    else return std::cerr << "bench_relay_store: unknown argument " << a << "\n", 2;
  }
  const fs::path dir = fs::temp_directory_path() / ("ndrlink-bench-relay-store-" + std::to_string(getpid()));
  fs::create_directories(dir);
  try {
    print("messages", messages, "messages");
    for (int connections : {1, 2})
      for (int batch : {1, 4}) run(dir, messages, batch, connections);
  } catch (const std::exception& e) {
    std::cerr << "bench_relay_store: " << e.what() << "\n";
    fs::remove_all(dir);
    return 1;
  }
  fs::remove_all(dir);
  return 0;
}
