// bench/mutate: a mutated-corpus run. Real bounces, randomly damaged (bytes
// flipped, runs deleted or duplicated, cut short, boundaries and headers
// spliced between messages), through parse_message and the JSON writer.
// A crash ends the process, so finishing is the result; it also reports
// throughput and peak RSS (bounded memory). Deterministic per --seed.
// Usage: bench_mutate [--messages N] [--seed S] [--corpus DIR]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "bench_support.h"
#include "ndrlink/parser/json.h"
#include "ndrlink/parser/parser.h"

namespace {

void print(const char* metric, double value, const char* unit) { ndrlink::bench::print("mutate", metric, value, unit); }

std::string mutate(const std::vector<std::string>& corpus, std::mt19937_64& rng) {
  std::string m = corpus[rng() % corpus.size()];
  const int edits = 1 + static_cast<int>(rng() % 8);
  for (int e = 0; e < edits && !m.empty(); ++e) {
    const std::size_t at = rng() % m.size();
    switch (rng() % 6) {
      case 0:  // flip bytes
        for (int k = 0; k < 1 + static_cast<int>(rng() % 16) && at + k < m.size(); ++k)
          m[at + k] = static_cast<char>(rng());
        break;
      case 1:  // delete a run
        m.erase(at, rng() % 512);
        break;
      case 2:  // duplicate a run (grows nesting and repeats boundaries)
        m.insert(at, m.substr(at, rng() % 2048));
        break;
      case 3:  // cut short
        m.resize(at);
        break;
      case 4: {  // splice a piece of another message
        const auto& other = corpus[rng() % corpus.size()];
        const std::size_t from = rng() % other.size();
        m.insert(at, other.substr(from, rng() % 1024));
        break;
      }
      default:  // line-ending chaos
        for (std::size_t p = at; p < std::min(m.size(), at + 4096); ++p)
          if (m[p] == '\n' && rng() % 2) m[p] = '\r';
        break;
    }
  }
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  long messages = 1000000;
  unsigned long seed = 20261204;
  std::filesystem::path corpus_dir = NDRLINK_CORPUS_DIR "/dev";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--messages") messages = std::stol(argv[i + 1]);
    else if (a == "--seed") seed = std::stoul(argv[i + 1]);
    else if (a == "--corpus") corpus_dir = argv[i + 1];
  }
  std::vector<std::string> corpus;
  for (const auto& e : std::filesystem::directory_iterator(corpus_dir))
    if (e.is_regular_file()) corpus.push_back(ndrlink::bench::read_file(e.path()));
  if (corpus.empty()) return std::cerr << "bench_mutate: no messages in " << corpus_dir << "\n", 1;
  std::mt19937_64 rng(seed);
  long unparsable = 0, none = 0, reports = 0;
  std::string out;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < messages; ++i) {
    const auto report = ndrlink::parser::parse_message(mutate(corpus, rng));
    out.clear();
    ndrlink::parser::append_json_lines(report, "m.eml", out);
    if (report.kind == ndrlink::parser::Kind::unparsable) ++unparsable;
    else if (report.kind == ndrlink::parser::Kind::none) ++none;
    else ++reports;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  print("messages", static_cast<double>(messages), "count");
  print("crashes", 0, "count");  // reaching this line is the proof
  print("reports", static_cast<double>(reports), "count");
  print("none", static_cast<double>(none), "count");
  print("unparsable", static_cast<double>(unparsable), "count");
  print("msgs_per_s", static_cast<double>(messages) / seconds, "msg/s");
  print("peak_rss", static_cast<double>(ru.ru_maxrss) / 1024.0, "MiB");
  return 0;
}
