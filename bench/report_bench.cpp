// bench/report: fills a store with N acceptances (default 1,000,000) on one
// day plus a tenth of that the day before, with a realistic mix of reply
// codes (250/251/252), domains and states (bounces linked to stored reports,
// delayed, delivered, presumed delivered, pending), unmatched and
// suspicious reports and complaints — one transaction, prepared inserts
// through the Store API — then times `ndrlink report` for that day:
// the queries alone and each format. Prints JSON lines.
// Usage: bench_report [--acceptances N] [--keep DIR]
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>
#include <string>

#include "bench_support.h"
#include "ndrlink/storage/report.h"
#include "report_model.h"

namespace {

namespace fs = std::filesystem;
namespace st = ndrlink::storage;
using Clock = std::chrono::steady_clock;

void print(const char* metric, double value, const char* unit) { ndrlink::bench::print("report", metric, value, unit); }
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

constexpr const char* kReasons[] = {"userunknown", "mailboxfull", "hostunknown", "filtered",
                                    "spamdetected", "expired",    "blocked",     "rejected"};

std::string at(int day, long second) {  // 2026-12-<day> plus seconds
  char buf[32];
  std::snprintf(buf, sizeof buf, "2026-12-%02dT%02ld:%02ld:%02ldZ", day, second / 3600 % 24, second / 60 % 60,
                second % 60);
  return buf;
}

// One acceptance with a state; a bounce or delivery is decided by a stored
// report linked to it, as the correlator would.
void fill_one(st::Store& store, std::mt19937_64& rng, long i, long per_day, int day) {
  std::uniform_real_distribution<double> u(0, 1);
  // Domains: a few big ones, a long tail (5,000 in all), a few catch-alls.
  const double d = u(rng);
  const long domain = d < 0.5 ? static_cast<long>(u(rng) * 10) : static_cast<long>(10 + u(rng) * 4990);
  const bool catch_all = domain % 500 == 7;
  st::NewAcceptance a;
  a.recipient = "user" + std::to_string(i) + "@d" + std::to_string(domain) + ".example";
  const double c = u(rng);
  a.reply_code = catch_all ? 252 : c < 0.70 ? 250 : c < 0.75 ? 251 : 252;
  a.message_id = "<bench-" + std::to_string(i) + "@sender.example>";
  // Recorded as they happen: in time order over the day, a few seconds of jitter.
  const long second = std::min<long>(86399, i % per_day * 86400 / per_day + static_cast<long>(u(rng) * 3));
  a.accepted_at = at(day, second);
  a.source = "bench";
  const double s = u(rng);
  const double bounce_p = catch_all ? 0.4 : a.reply_code == 252 ? 0.12 : 0.05;
  if (s >= bounce_p && s < bounce_p + 0.55) a.state = "presumed_delivered";
  else if (s >= bounce_p + 0.55 && s < bounce_p + 0.58) a.state = "delayed";
  const auto id = store.record_acceptance(a).id;
  if (s >= bounce_p && !(s >= 0.97)) return;  // bounce (s < bounce_p) or delivery (s >= 0.97) below
  const bool bounced = s < bounce_p;
  st::StoredReport r;
  r.source_key = "bench:" + std::to_string(i);
  r.kind = "dsn";
  r.original_message_id = a.message_id;
  r.received_at = at(day, std::min<long>(86399, second + 600 + static_cast<long>(u(rng) * 20000)));
  st::ReportRecipientRow row;
  row.recipient = a.recipient;
  row.action = bounced ? "failed" : "delivered";
  row.reason = bounced ? kReasons[catch_all ? 0 : rng() % 8] : "delivered";
  row.hard = bounced && (row.reason == "userunknown" || row.reason == "hostunknown");
  r.recipients.push_back(row);
  store.insert_report(r);
  const auto rr = r.recipients[0].id;
  store.link_recipient(rr, id, "message_id", 0.8);
  st::StateChange ch;
  ch.acceptance_id = id;
  ch.from_state = a.state;
  ch.to_state = bounced ? "bounced" : "delivered";
  ch.at = r.received_at;
  ch.why = bounced ? "bounce: " + row.reason + " via message_id" : "success DSN via message_id";
  ch.reason = row.reason;
  ch.hard = bounced ? std::optional<bool>(row.hard) : std::nullopt;
  ch.report_recipient_id = rr;
  ch.resolve = true;
  store.change_state(ch);
}

// Reports that link nothing: unmatched, forged, complaints.
void fill_unlinked(st::Store& store, long n, int day) {
  for (long i = 0; i < n; ++i) {
    st::StoredReport r;
    r.source_key = "bench-unlinked:" + std::to_string(day) + ":" + std::to_string(i);
    r.kind = i % 10 == 0 ? "arf" : "dsn";
    r.received_at = at(day, i * 86400 / n);
    st::ReportRecipientRow row;
    row.recipient = "stranger" + std::to_string(i) + "@elsewhere.example";
    row.action = "failed";
    row.reason = "userunknown";
    if (r.kind == "arf") row.feedback_type = "abuse";
    r.recipients.push_back(row);
    store.insert_report(r);
    if (i % 7 == 0) store.mark_suspicious(r.recipients[0].id, "verp token fails verification");
  }
}

}  // namespace

int main(int argc, char** argv) {
  long n = 1000000;
  std::string keep;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--acceptances") n = std::atol(argv[i + 1]);
    else if (flag == "--keep") keep = argv[i + 1];
  }
  const fs::path dir = keep.empty() ? fs::temp_directory_path() / ("ndrlink-report-bench-" + std::to_string(getpid()))
                                    : fs::path(keep);
  fs::create_directories(dir);
  const std::string db = (dir / "report.db").string();
  fs::remove(db);
  {
    st::StoreOptions options;
    options.cache_mib = 256;
    auto store = st::Store::open(db, options);
    std::mt19937_64 rng(42);
    const auto t = Clock::now();
    st::Transaction tx(*store);
    for (long i = 0; i < n / 10; ++i) fill_one(*store, rng, n + i, n / 10, 2);
    for (long i = 0; i < n; ++i) fill_one(*store, rng, i, n, 3);
    fill_unlinked(*store, n / 1000, 2);
    fill_unlinked(*store, n / 500, 3);
    tx.commit();
    store->checkpoint();
    const double fill = since(t);
    print("fill_seconds", fill, "s");
    print("fill_rows_per_s", static_cast<double>(n + n / 10) / fill, "rows/s");
  }
  st::StoreOptions options;
  options.read_only = true;
  options.cache_mib = 64;  // as the CLI
  auto store = st::Store::open(db, options);
  const st::ReportPeriod day{"2026-12-03T00:00:00Z", "2026-12-04T00:00:00Z"};
  const st::ReportPeriod before{"2026-12-02T00:00:00Z", "2026-12-03T00:00:00Z"};
  auto t = Clock::now();
  ndrlink::cli::ReportDocument doc;
  doc.data = st::read_report(*store, day, before);
  const double queries = since(t);
  doc.current = {"2026-12-03", 24};
  doc.previous = {"2026-12-02", 24};
  print("seconds_1m", queries, "s");
  print("query_ms", queries * 1000.0, "ms");
  if (doc.data.current.totals.accepted != n) {
    std::cerr << "bench_report: counted " << doc.data.current.totals.accepted << " acceptances, expected " << n << '\n';
    return 1;
  }
  print("catch_all_domains", static_cast<double>(ndrlink::cli::catch_all_domains(doc).size()), "domains");
  const std::pair<const char*, void (*)(const ndrlink::cli::ReportDocument&, std::ostream&)> formats[] = {
      {"render_text_seconds", ndrlink::cli::render_text},
      {"render_json_seconds", ndrlink::cli::render_json},
      {"render_csv_seconds", ndrlink::cli::render_csv},
      {"render_html_seconds", ndrlink::cli::render_html}};
  for (const auto& [metric, render] : formats) {
    t = Clock::now();
    std::ostringstream out;
    render(doc, out);
    print(metric, since(t), "s");
  }
  print("db_mib", static_cast<double>(fs::file_size(db)) / (1024.0 * 1024.0), "MiB");
  if (keep.empty()) fs::remove_all(dir);
  return 0;
}
