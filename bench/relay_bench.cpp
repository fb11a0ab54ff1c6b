// bench/relay: the same messages sent straight to a real Postfix and
// through ndrlinkd's relay in front of that Postfix, in one run.
// Each message has 1-3 recipients and about --size bytes; K client
// connections send in parallel, one transaction after another. A message's
// latency runs from MAIL FROM to the reply to the final dot (the relay
// replies only after the upstream accepted every copy). Between the two
// passes Postfix's queue is drained, so neither pays for the other's
// deliveries. Needs root (Postfix); prints why and exits 2 otherwise.
// A third pass goes through a relay with verp = false (one upstream
// transaction per client transaction instead of per recipient).
// A fourth pass goes through a plain TCP proxy (tests' TcpFaultProxy: bytes
// copied both ways, no SMTP, no store): what any extra hop costs on this
// machine, the floor for a relay.
// Then the same paths again with single-recipient messages (metrics
// suffixed _single): typical bulk mail (one personalised message per
// recipient), where VERP costs Postfix no extra queue file, so relay and
// direct do the same upstream work. There one more path goes straight to
// Postfix with the envelope ndrlink's own VERP makes (a new sender per
// message, metrics *_direct_verp_senders): what that VERP costs Postfix.
// --verp-scope message runs the VERP relay with relay.verp_scope =
// "message" and adds that path to the multi-recipient passes too.
// Postfix offers XVERP to the relays (smtpd_authorized_verp_clients, as a
// smarthost would to its relay host), so the VERP relay, configured by
// default, sends a message as one upstream transaction and Postfix makes
// each recipient's return path; a sixth path (metrics *_relay_own_verp)
// has relay.xverp = false: a transaction per recipient, as toward an
// upstream without XVERP. --no-postfix-xverp: Postfix offers no XVERP.
// Postfix runs on its own half of the CPUs (the upstream on another host,
// as deployed; on a single CPU it cannot); --shared-cpus shares every core
// instead (the relay in front of a Postfix on the same machine).
// Usage: bench_relay [--messages N] [--connections K] [--size BYTES] [--pipelining]
//                    [--daemon-config TOML] [--shared-cpus] [--connection-per-message]
//                    [--verp-scope recipient|message] [--no-postfix-xverp]
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include "bench_support.h"
#include "postfix_harness.h"
#include "service_support.h"
#include "smtp_test_data.h"
#include "tcp_fault_proxy.h"

namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using ndrlink::testing::reply_code;
using ndrlink::testing::SmtpTestClient;

void print(const char* metric, double value, const char* unit) { ndrlink::bench::print("relay", metric, value, unit); }

constexpr int kUsers = 10;

struct Message {
  std::vector<std::string> rcpts;
  std::string body;  // without Message-ID (added per pass)
};

// 1-3 recipients each, or one when `single`.
std::vector<Message> make_messages(int n, std::size_t size, bool single) {
  std::vector<Message> out;
  const std::string line = "The quick brown fox jumps over the lazy dog, and ndrlink records the reply.\n";
  for (int i = 0; i < n; ++i) {
    Message m;
    const int r = single ? 1 : 1 + (i * 7) % 3;
    for (int j = 0; j < r; ++j) m.rcpts.push_back("u" + std::to_string((i + j * 3) % kUsers) + "@bench.test");
    m.body = "From: sender@client.test\nTo: " + m.rcpts[0] + "\nSubject: relay bench " + std::to_string(i) + "\n\n";
    while (m.body.size() + line.size() < size) m.body += line;
    out.push_back(std::move(m));
  }
  return out;
}

struct Pass {
  double seconds = 0;
  double machine_cpu_seconds = 0;  // every process on the machine, during the pass
  std::vector<double> latencies_ms;
  long failures = 0;
  // Where a message's time goes, summed over the pass: MAIL, each RCPT,
  // DATA (354 to the reply after the final dot, with the DATA command).
  double mail_ms = 0, rcpt_ms = 0, data_ms = 0;
  long rcpts = 0;
  void add(const Pass& o) {
    seconds += o.seconds;
    machine_cpu_seconds += o.machine_cpu_seconds;
    latencies_ms.insert(latencies_ms.end(), o.latencies_ms.begin(), o.latencies_ms.end());
    failures += o.failures;
    mail_ms += o.mail_ms, rcpt_ms += o.rcpt_ms, data_ms += o.data_ms, rcpts += o.rcpts;
  }
};

// Whether the client pipelines MAIL, the RCPTs and DATA in one write
// (RFC 2920, as Postfix's own SMTP client does) instead of waiting for
// each reply; --pipelining.
bool g_pipelining = false;
// Whether the client opens a connection per message (greeting, EHLO, one
// transaction, QUIT), as many applications do; a message's latency then
// includes its connection. --connection-per-message.
bool g_connection_per_message = false;
// TOML appended to both relays' configuration (--daemon-config): to
// measure other settings, e.g. "[daemon]\nworkers = 1".
std::string g_daemon_config;
// relay.verp_scope of the VERP relay (--verp-scope). With "message" its
// upstream envelopes match a direct client's sending from VERP senders,
// several recipients included.
std::string g_verp_scope = "recipient";

// The CPUs this process may run on (a container or taskset may allow only
// some, numbered anyhow).
std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> out;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return out;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) out.push_back(c);
  return out;
}

// Pins the calling thread (and the threads and processes it starts later)
// to `cpus`.
void pin(const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus) CPU_SET(c, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) throw std::runtime_error("sched_setaffinity failed");
}

// Sends every message over `connections` parallel connections to `port`;
// with `verp_senders` each from its own sender in the VERP domain, as the
// relay's VERP gives them to the upstream.
Pass send_all(int port, const std::vector<Message>& messages, int connections, const std::string& tag,
              bool verp_senders = false) {
  Pass pass;
  std::mutex mu;
  const double busy_before = ndrlink::bench::machine_busy_seconds();
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      Pass mine;
      const auto ms_since = [](Clock::time_point from) {
        return std::chrono::duration<double, std::milli>(Clock::now() - from).count();
      };
      try {
        std::unique_ptr<SmtpTestClient> session;
        for (std::size_t i = static_cast<std::size_t>(t); i < messages.size(); i += static_cast<std::size_t>(connections)) {
          const auto& m = messages[i];
          const auto t0 = Clock::now();
          if (session && g_connection_per_message) {
            session->command("QUIT");
            session.reset();
          }
          if (!session) {
            session = std::make_unique<SmtpTestClient>(port, 120);
            if (reply_code(session->reply()) != 220 || reply_code(session->command("EHLO client.test")) != 250)
              throw std::runtime_error("no greeting or EHLO refused");
          }
          SmtpTestClient& c = *session;
          const std::string raw = "Message-ID: <bench-" + tag + "-" + std::to_string(i) + "@client.test>\n" + m.body;
          const std::string mail = "MAIL FROM:<" +
                                   (verp_senders ? "bounces+" + tag + "-" + std::to_string(i) + "@verp.test"
                                                 : std::string("sender@client.test")) +
                                   ">";
          bool ok = true;
          auto t1 = t0, t2 = t0;
          if (g_pipelining) {
            std::string group = mail + "\r\n";
            for (const auto& r : m.rcpts) group += "RCPT TO:<" + r + ">\r\n";
            c.send(group + "DATA\r\n");
            ok = reply_code(c.reply()) == 250;
            t1 = Clock::now();
            for (std::size_t r = 0; r < m.rcpts.size(); ++r) ok = reply_code(c.reply()) == 250 && ok;
            t2 = Clock::now();
            const bool go = reply_code(c.reply()) == 354;
            if (go) c.send(ndrlink::smtp::dot_stuff(raw));
            ok = go && reply_code(c.reply()) == 250 && ok;
          } else {
            ok = reply_code(c.command(mail)) == 250;
            t1 = Clock::now();
            for (const auto& r : m.rcpts) ok = reply_code(c.command("RCPT TO:<" + r + ">")) == 250 && ok;
            t2 = Clock::now();
            ok = reply_code(ndrlink::testing::send_data(c, raw)) == 250 && ok;
          }
          mine.mail_ms += std::chrono::duration<double, std::milli>(t1 - t0).count();
          mine.rcpt_ms += std::chrono::duration<double, std::milli>(t2 - t1).count();
          mine.data_ms += ms_since(t2);
          mine.rcpts += static_cast<long>(m.rcpts.size());
          mine.latencies_ms.push_back(ms_since(t0));
          if (!ok) ++mine.failures;
        }
        if (session) session->command("QUIT");
      } catch (const std::exception& e) {
        std::cerr << "bench_relay: connection " << t << ": " << e.what() << "\n";
        ++mine.failures;
      }
      std::lock_guard lock(mu);
      const double seconds = pass.seconds;
      pass.add(mine);
      pass.seconds = seconds;
    });
  }
  for (auto& th : threads) th.join();
  pass.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  pass.machine_cpu_seconds = ndrlink::bench::machine_busy_seconds() - busy_before;
  return pass;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())))];
}

// Waits until Postfix has delivered everything (at most two minutes).
void drain(ndrlink::test::Postfix& postfix) {
  const auto deadline = Clock::now() + std::chrono::minutes(2);
  while (postfix.queued() > 0 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

long recipients(const std::vector<Message>& messages) {
  long n = 0;
  for (const auto& m : messages) n += static_cast<long>(m.rcpts.size());
  return n;
}

struct Path {
  int port;
  const char* tag;
  const char* name;  // in metric names
  bool verp_senders = false;
};
constexpr int kRounds = 4;

// Rounds of interleaved passes over `paths`, in rotating order, so that
// other load on the machine weighs on every path alike; one Pass per path
// (latencies sorted). Tags are path + round number (from `first_round`).
std::vector<Pass> run_rounds(ndrlink::test::Postfix& postfix, const std::vector<Path>& paths,
                             const std::vector<Message>& messages, int connections, int first_round) {
  std::vector<Pass> totals(paths.size());
  for (int round = 0; round < kRounds; ++round) {
    std::vector<Message> chunk;
    for (std::size_t i = static_cast<std::size_t>(round); i < messages.size(); i += kRounds) chunk.push_back(messages[i]);
    for (std::size_t k = 0; k < paths.size(); ++k) {
      const std::size_t at = (k + static_cast<std::size_t>(round)) % paths.size();
      totals[at].add(send_all(paths[at].port, chunk, connections, paths[at].tag + std::to_string(first_round + round),
                              paths[at].verp_senders));
      drain(postfix);
    }
  }
  for (auto& p : totals) std::sort(p.latencies_ms.begin(), p.latencies_ms.end());
  return totals;
}

// Throughput, latency and phases of each path against the first (direct);
// metric names end in `suffix`.
void report(const std::vector<Path>& paths, const std::vector<Pass>& passes, const std::vector<Message>& messages,
            int connections, const std::string& suffix) {
  const double n = static_cast<double>(messages.size());
  const auto put = [&](const std::string& metric, double value, const char* unit) {
    print((metric + suffix).c_str(), value, unit);
  };
  const auto pass = [&](std::string_view name) -> const Pass* {
    for (std::size_t i = 0; i < paths.size(); ++i)
      if (paths[i].name == name) return &passes[i];
    return nullptr;
  };
  const Pass& direct = passes[0];
  put("messages", n, "messages");
  put("recipients", static_cast<double>(recipients(messages)), "recipients");
  put("connections", connections, "connections");
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const std::string name = paths[i].name;
    const Pass& p = passes[i];
    put("msgs_per_s_" + name, n / p.seconds, "msg/s");
    if (i > 0) put(name + "_vs_direct", 100.0 * direct.seconds / p.seconds, "%");
    put("p50_" + name, percentile(p.latencies_ms, 0.50), "ms");
    put("p99_" + name, percentile(p.latencies_ms, 0.99), "ms");
    put("mail_ms_" + name, p.mail_ms / n, "ms");
    put("rcpt_ms_" + name, p.rcpt_ms / static_cast<double>(p.rcpts), "ms");
    put("data_ms_" + name, p.data_ms / n, "ms");
    // What a message cost the machine (client, Postfix, relay or proxy):
    // on a machine whose cores are the limit, throughput follows it.
    put("machine_cpu_us_per_msg_" + name, 1e6 * p.machine_cpu_seconds / n, "us");
  }
  if (const Pass *proxy = pass("tcp_proxy"), *noverp = pass("relay_noverp"); proxy && noverp)
    put("relay_noverp_vs_tcp_proxy", 100.0 * proxy->seconds / noverp->seconds, "%");
  // Straight to Postfix with the envelope the relay's own VERP makes (a new
  // sender per message): what that costs the upstream, and the fair
  // baseline for the relay's cost with it.
  if (const Pass *verp_direct = pass("direct_verp_senders"), *relay = pass("relay"); verp_direct && relay)
    put("relay_vs_direct_verp_senders", 100.0 * verp_direct->seconds / relay->seconds, "%");
  if (const Pass *verp_direct = pass("direct_verp_senders"), *own = pass("relay_own_verp"); verp_direct && own)
    put("relay_own_verp_vs_direct_verp_senders", 100.0 * verp_direct->seconds / own->seconds, "%");
}

// ndrlinkd relaying on 127.0.0.1:relay_port to the smarthost 127.0.0.1:upstream_port.
// `extra`: more [relay] keys.
pid_t start_daemon(const fs::path& dir, int relay_port, int upstream_port, bool verp, const std::string& extra = "") {
  for (const char* sub : {"Maildir/new", "Maildir/cur", "Maildir/tmp"}) fs::create_directories(dir / sub);
  const std::string config = (dir / "ndrlink.toml").string(), log = (dir / "daemon.log").string();
  std::ofstream(config) << "[store]\npath = \"" << (dir / "n.db").string() << "\"\n[socket]\npath = \""
                        << (dir / "s.sock").string() << "\"\n[[maildir]]\npath = \"" << (dir / "Maildir").string()
                        << "\"\n[verp]\ndomain = \"verp.test\"\n[relay]\nenabled = true\nlisten = \"127.0.0.1:"
                        << relay_port << "\"\nhostname = \"relay.test\"\nupstream = \"smarthost\"\nsmarthost = \"127.0.0.1:"
                        << upstream_port << "\"\nupstream_tls = \"none\"\nverp = " << (verp ? "true" : "false") << "\n"
                        << "verp_scope = \"" << g_verp_scope << "\"\n"
                        << extra << g_daemon_config << "\n";
  const pid_t pid = ndrlink::bench::spawn_with_log(NDRLINKD_BINARY, config, log);
  const auto deadline = Clock::now() + std::chrono::seconds(15);
  while (ndrlink::test::slurp(log).find("ndrlinkd ready") == std::string::npos) {
    if (Clock::now() > deadline || waitpid(pid, nullptr, WNOHANG) == pid)
      throw std::runtime_error("ndrlinkd did not start:\n" + ndrlink::test::tail(ndrlink::test::slurp(log)));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pid;
}

long long acceptances(const fs::path& db) {
  sqlite3* h = nullptr;
  long long n = -1;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(h, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, "SELECT count(*) FROM acceptances WHERE message_id LIKE '<bench-relay_-%'", -1, &st,
                           nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return n;
}

void stop(pid_t& pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  pid = -1;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 2000, connections = 8;
  std::size_t size = 4096;
  const std::vector<int> cpus = allowed_cpus();
  bool split = cpus.size() >= 2, postfix_xverp = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--pipelining") g_pipelining = true;
    else if (a == "--messages" && has_value) n = std::stoi(argv[++i]);
    else if (a == "--connections" && has_value) connections = std::stoi(argv[++i]);
    else if (a == "--size" && has_value) size = std::stoul(argv[++i]);
    else if (a == "--daemon-config" && has_value) g_daemon_config = argv[++i];
    else if (a == "--verp-scope" && has_value) g_verp_scope = argv[++i];
    else if (a == "--split-cpus") split = true;  // the default with 2 CPUs or more
    else if (a == "--shared-cpus") split = false;
    else if (a == "--no-postfix-xverp") postfix_xverp = false;
    else if (a == "--connection-per-message") g_connection_per_message = true;
    else return std::cerr << "bench_relay: unknown argument " << a << "\n", 2;
  }
  if (const auto why = ndrlink::test::Postfix::missing(); !why.empty())
    return std::cerr << "bench_relay: " << why << "\n", 2;

  const fs::path dir = fs::temp_directory_path() / ("ndrlink-bench-relay-" + std::to_string(getpid()));
  fs::create_directories(dir);
  // The relay as configured by default (VERP by recipient: where XVERP is
  // offered one upstream transaction per client transaction, else one per
  // recipient), with xverp = false (one per recipient), and with verp =
  // false (one per client transaction): the differences are the price of
  // exact linking.
  pid_t daemon = -1, plain = -1, own = -1;
  try {
    ndrlink::test::Postfix postfix("sink");
    for (int u = 0; u < kUsers; ++u) postfix.add_maildir_user("u" + std::to_string(u) + "@bench.test");
    // Postfix's flow control (smtpd sleeps up to in_flow_delay = 1 s before
    // a message while arrivals outpace deliveries) makes whole-second
    // stalls that fall on whichever path runs fastest: off, so each pass
    // measures its own path (the queue is drained between passes anyway).
    postfix.set("in_flow_delay", "0");
    // A smarthost lets its relay host ask for XVERP (by default only
    // $mynetworks may, and the harness puts no loopback address there).
    if (postfix_xverp) postfix.set("smtpd_authorized_verp_clients", "127.0.0.0/8");
    print("postfix_offers_xverp", postfix_xverp ? 1 : 0, "bool");
    // Split: Postfix (the upstream) on the upper half of the CPUs, the
    // client, the relays and the proxy on the lower half: the layout the
    // relay is made for (beside the sending program, the upstream MX or
    // smarthost on another host), where the hop costs the upstream nothing.
    if (split && cpus.size() < 2) throw std::runtime_error("--split-cpus needs 2 CPUs or more");
    const auto half = cpus.begin() + static_cast<std::ptrdiff_t>(cpus.size() / 2);
    const std::vector<int> ours(cpus.begin(), half), postfix_cpus(half, cpus.end());
    print("split_cpus", split ? static_cast<double>(postfix_cpus.size()) : 0, "cpus");  // Postfix's
    if (split) pin(postfix_cpus);
    postfix.start();
    if (split) pin(ours);
    const int relay_port = ndrlink::test::free_port(), plain_port = ndrlink::test::free_port();
    daemon = start_daemon(dir / "verp", relay_port, postfix.port(), true);
    plain = start_daemon(dir / "plain", plain_port, postfix.port(), false);
    // Only where it differs from the VERP relay.
    const bool own_verp = g_verp_scope == "recipient" && postfix_xverp;
    const int own_port = ndrlink::test::free_port();
    if (own_verp) own = start_daemon(dir / "own", own_port, postfix.port(), true, "xverp = false\n");
    print("rss_idle", static_cast<double>(ndrlink::bench::status_kib(daemon, "VmRSS")) / 1024.0, "MiB");

    // Warm every path up (processes spawned, caches filled), then measure.
    const auto messages = make_messages(n, size, false);
    const auto singles = make_messages(n, size, true);
    const auto warm = make_messages(std::min(n, 100), size, false);
    for (int port : {postfix.port(), relay_port, plain_port}) send_all(port, warm, connections, "warm");
    if (own_verp) send_all(own_port, warm, connections, "warm");
    drain(postfix);

    ndrlink::testing::TcpFaultProxy proxy(postfix.port());
    send_all(proxy.port(), warm, connections, "warm");
    drain(postfix);
    std::vector<Path> paths = {{postfix.port(), "direct", "direct"},
                               {relay_port, "relay", "relay"},
                               {plain_port, "noverp", "relay_noverp"},
                               {proxy.port(), "proxy", "tcp_proxy"}};
    if (own_verp) paths.push_back({own_port, "own", "relay_own_verp"});
    // Also straight to Postfix with the envelope of the relay's own VERP:
    // for single recipients, and for several when VERP is by message (by
    // recipient it also splits the transaction, which a direct client
    // would not do alike).
    auto verp_paths = paths;
    verp_paths.push_back({postfix.port(), "dverp", "direct_verp_senders", true});
    print("verp_by_message", g_verp_scope == "message" ? 1 : 0, "bool");
    const auto& multi_paths = g_verp_scope == "message" ? verp_paths : paths;
    const auto multi = run_rounds(postfix, multi_paths, messages, connections, 0);
    const auto single = run_rounds(postfix, verp_paths, singles, connections, kRounds);
    report(multi_paths, multi, messages, connections, "");
    report(verp_paths, single, singles, connections, "_single");
    long failures = 0;
    for (const auto* passes : {&multi, &single})
      for (const auto& p : *passes) failures += p.failures;
    print("failures", static_cast<double>(failures), "messages");
    print("acceptances_recorded", static_cast<double>(acceptances(dir / "verp" / "n.db")), "acceptances");
    print("acceptances_expected", static_cast<double>(recipients(messages) + recipients(singles)), "acceptances");
    // The relay's own CPU per relayed message (warm-up included): the
    // figure that decides throughput when the machine is the limit.
    const double relayed = static_cast<double>(messages.size() + singles.size() + warm.size());
    print("cpu_us_per_msg_relay", 1e6 * ndrlink::bench::cpu_seconds(daemon) / relayed, "us");
    print("cpu_us_per_msg_relay_noverp", 1e6 * ndrlink::bench::cpu_seconds(plain) / relayed, "us");
    if (own_verp) print("cpu_us_per_msg_relay_own_verp", 1e6 * ndrlink::bench::cpu_seconds(own) / relayed, "us");
    print("rss_ndrlinkd", static_cast<double>(ndrlink::bench::status_kib(daemon, "VmRSS")) / 1024.0, "MiB");
    print("rss_peak_ndrlinkd", static_cast<double>(ndrlink::bench::status_kib(daemon, "VmHWM")) / 1024.0, "MiB");
    stop(daemon);
    stop(plain);
    stop(own);
  } catch (const std::exception& e) {
    std::cerr << "bench_relay: " << e.what() << "\n";
    stop(daemon);
    stop(plain);
    stop(own);
    fs::remove_all(dir);
    return 1;
  }
  fs::remove_all(dir);
  return 0;
}
