// bench/parse: parser throughput over a directory of messages (default the
// DEV corpus), one thread and all cores. Prints one JSON line per figure:
//   {"bench":"parse","metric":"msgs_per_s_1thread","value":...,"unit":"msg/s"}
// Usage: bench_parse [DIR] [--seconds S]   (each measurement runs >= S s, default 3)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "ndrlink/parser/json.h"
#include "ndrlink/parser/parser.h"

namespace {

using ndrlink::bench::read_file;
using ndrlink::bench::replace_all;
void print(const char* metric, double value, const char* unit) { ndrlink::bench::print("parse", metric, value, unit); }

using Clock = std::chrono::steady_clock;

std::vector<std::string> load(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> paths;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.is_regular_file()) paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    out.push_back(ss.str());
  }
  return out;
}

// Parses the whole set repeatedly on `threads` threads for at least
// `seconds`; returns {messages, bytes, elapsed seconds}.
struct Run { double messages = 0, bytes = 0, seconds = 0; };

Run measure(const std::vector<std::string>& msgs, unsigned threads, double seconds, bool with_json) {
  std::atomic<std::uint64_t> total_msgs{0}, total_bytes{0};
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      std::uint64_t n = 0, b = 0;
      std::string out;
      // Each thread starts at a different offset so threads do not walk in step.
      std::size_t i = (msgs.size() * t) / threads;
      while (Clock::now() < deadline) {
        for (int k = 0; k < 64; ++k, ++i) {
          const auto& m = msgs[i % msgs.size()];
          const auto report = ndrlink::parser::parse_message(m);
          if (with_json) {
            out.clear();
            ndrlink::parser::append_json_lines(report, "x.eml", out);
          }
          ++n;
          b += m.size();
        }
      }
      total_msgs += n;
      total_bytes += b;
    });
  for (auto& th : pool) th.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  return {static_cast<double>(total_msgs), static_cast<double>(total_bytes), elapsed};
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = NDRLINK_CORPUS_DIR "/dev";
  double seconds = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) seconds = std::stod(argv[++i]);
    else dir = a;
  }
  std::vector<std::string> msgs;
  try {
    msgs = load(dir);
  } catch (const std::exception& e) {
    std::cerr << "bench_parse: " << e.what() << "\n";
    return 1;
  }
  if (msgs.empty()) {
    std::cerr << "bench_parse: no messages in " << dir << "\n";
    return 1;
  }
  double bytes = 0;
  for (const auto& m : msgs) bytes += static_cast<double>(m.size());
  print("messages", static_cast<double>(msgs.size()), "count");
  print("mean_message_bytes", bytes / static_cast<double>(msgs.size()), "B");

  measure(msgs, 1, 0.3, false);  // warm-up
  const Run one = measure(msgs, 1, seconds, false);
  print("msgs_per_s_1thread", one.messages / one.seconds, "msg/s");
  print("mb_per_s_1thread", one.bytes / one.seconds / 1e6, "MB/s");
  const Run one_json = measure(msgs, 1, seconds, true);
  print("msgs_per_s_1thread_with_json", one_json.messages / one_json.seconds, "msg/s");

  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const Run all = measure(msgs, cores, seconds, false);
  print("threads", cores, "count");
  print("msgs_per_s_all_cores", all.messages / all.seconds, "msg/s");
  print("mb_per_s_all_cores", all.bytes / all.seconds / 1e6, "MB/s");
  return 0;
}
