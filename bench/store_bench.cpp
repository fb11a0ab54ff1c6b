// bench/store: `ndrlink import` of N acceptances (default 1,000,000), then
// parse + correlate M NDRs (default 100,000) made by re-addressing real
// corpus bounces to recorded recipients and Message-IDs. Prints JSON lines:
// rows/s, NDRs/s, seconds, peak RSS of each phase, bytes per acceptance.
// Usage: bench_store [--acceptances N] [--ndrs M] [--corpus DIR] [--keep DIR]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_support.h"
#include "ndrlink/correlator/correlator.h"
#include "ndrlink/parser/parser.h"

namespace {

using ndrlink::bench::read_file;
using ndrlink::bench::replace_all;
void print(const char* metric, double value, const char* unit) { ndrlink::bench::print("store", metric, value, unit); }

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string recipient_of(long i) { return "user" + std::to_string(i) + "@bench" + std::to_string(i % 97) + ".example"; }
std::string message_id_of(long i) { return "<bench-" + std::to_string(i) + "@sender.example>"; }

// Runs `ndrlink import` in a child; returns its peak RSS in KiB (-1 on failure).
long run_import(const std::string& db, const std::string& file) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (!std::freopen("/dev/null", "w", stderr)) _exit(126);
    execl(NDRLINK_BINARY, NDRLINK_BINARY, "--db", db.c_str(), "import", file.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return ru.ru_maxrss;
}

// Corpus bounces with one recipient and an original Message-ID: the
// templates NDRs are made from.
struct Template { std::string raw, recipient, message_id; };

std::vector<Template> templates(const fs::path& dir) {
  std::vector<fs::path> paths;
  for (const auto& e : fs::directory_iterator(dir)) paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  std::vector<Template> out;
  for (const auto& p : paths) {
    auto raw = read_file(p);
    const auto r = ndrlink::parser::parse_message(raw);
    if (r.recipients.size() != 1 || r.original_message_id.empty() || r.recipients[0].recipient.empty()) continue;
    if (r.kind != ndrlink::parser::Kind::dsn && r.kind != ndrlink::parser::Kind::ndr) continue;
    out.push_back({std::move(raw), r.recipients[0].recipient, r.original_message_id});
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  long acceptances = 1000000, ndrs = 100000;
  fs::path corpus = NDRLINK_CORPUS_DIR "/dev";
  std::string keep;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--acceptances") acceptances = std::stol(argv[i + 1]);
    else if (a == "--ndrs") ndrs = std::stol(argv[i + 1]);
    else if (a == "--corpus") corpus = argv[i + 1];
    else if (a == "--keep") keep = argv[i + 1];
  }
  ndrs = std::min(ndrs, acceptances);
  const fs::path dir = keep.empty() ? fs::temp_directory_path() / ("ndrlink-bench-" + std::to_string(getpid())) : fs::path(keep);
  fs::create_directories(dir);
  const std::string db = (dir / "bench.db").string(), jsonl = (dir / "acceptances.jsonl").string();

  {
    std::ofstream out(jsonl);
    for (long i = 0; i < acceptances; ++i)
      out << "{\"rcpt\":\"" << recipient_of(i) << "\",\"code\":" << (i % 3 == 0 ? 252 : 250) << ",\"message_id\":\""
          << message_id_of(i) << "\",\"mx\":\"mx.bench.example\",\"sender\":\"news@sender.example\","
          << "\"at\":\"2026-12-01T10:00:00Z\"}\n";
  }
  auto t0 = Clock::now();
  const long import_rss = run_import(db, jsonl);
  const double import_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (import_rss < 0) {
    std::cerr << "bench_store: ndrlink import failed\n";
    return 1;
  }
  print("import_rows", static_cast<double>(acceptances), "rows");
  print("import_seconds", import_s, "s");
  print("import_rows_per_s", static_cast<double>(acceptances) / import_s, "rows/s");
  print("import_peak_rss", static_cast<double>(import_rss) / 1024.0, "MiB");
  print("db_bytes_per_acceptance", static_cast<double>(fs::file_size(db)) / static_cast<double>(acceptances), "B");

  const auto tpl = templates(corpus);
  if (tpl.empty()) {
    std::cerr << "bench_store: no usable templates in " << corpus << "\n";
    return 1;
  }
  auto store = ndrlink::storage::Store::open(db);
  ndrlink::correlator::Correlator correlator(*store, nullptr);
  long linked = 0;
  t0 = Clock::now();
  for (long i = 0; i < ndrs; ++i) {
    // Made on the fly (a few microseconds) so RSS measures ndrlink, not the bench.
    const auto& t = tpl[static_cast<std::size_t>(i) % tpl.size()];
    std::string raw = t.raw;
    replace_all(raw, t.message_id, message_id_of(i));
    replace_all(raw, t.recipient, recipient_of(i));
    const auto out = correlator.ingest("bench:" + std::to_string(i), ndrlink::parser::parse_message(raw));
    for (const auto& r : out.recipients) linked += r.acceptance_id.has_value();
  }
  const double ndr_s = std::chrono::duration<double>(Clock::now() - t0).count();
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  print("ndrs", static_cast<double>(ndrs), "messages");
  print("ndr_templates", static_cast<double>(tpl.size()), "messages");
  print("ndrs_linked_fraction", static_cast<double>(linked) / static_cast<double>(ndrs), "ratio");
  print("ndr_seconds", ndr_s, "s");
  print("ndrs_per_s", static_cast<double>(ndrs) / ndr_s, "msgs/s");
  print("ndr_peak_rss", static_cast<double>(after.ru_maxrss) / 1024.0, "MiB");
  print("db_bytes_per_acceptance_after_ndrs",
        static_cast<double>(fs::file_size(db)) / static_cast<double>(acceptances), "B");
  store.reset();
  if (keep.empty()) fs::remove_all(dir);
  return 0;
}
