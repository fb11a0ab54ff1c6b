// The report's aggregate queries: a few GROUP BY scans over the period's
// rows (indexes of 0003_report.sql), never a C++ loop over acceptances.
#include <algorithm>

#include "ndrlink/storage/report.h"
#include "statement.h"

namespace ndrlink::storage {
namespace {

// Outcome columns 1..7 of an aggregate over acceptances.
constexpr const char* kOutcomeSums =
    "count(*), sum(state = 'bounced'), sum(state = 'bounced' AND hard = 1), sum(state = 'delivered'), "
    "sum(state = 'presumed_delivered'), sum(state = 'pending'), sum(state = 'delayed')";

OutcomeCounts read_outcome(const Statement& s, int first) {
  OutcomeCounts o;
  o.accepted = s.int64(first);
  o.bounced = s.int64(first + 1);
  o.bounced_hard = s.int64(first + 2);
  o.delivered = s.int64(first + 3);
  o.presumed_delivered = s.int64(first + 4);
  o.pending = s.int64(first + 5);
  o.delayed = s.int64(first + 6);
  return o;
}

std::vector<CodeOutcome> by_code(Store& store, const ReportPeriod& p) {
  Statement s(store.handle(), std::string("SELECT reply_code, ") + kOutcomeSums +
                                  " FROM acceptances WHERE accepted_at >= ?1 AND accepted_at < ?2 "
                                  "GROUP BY reply_code ORDER BY reply_code");
  StatementScope scope(s);
  s.bind(1, p.since, false).bind(2, p.until, false);
  std::vector<CodeOutcome> out;
  for (int code : {250, 251, 252}) out.push_back(CodeOutcome{code, {}});
  while (s.step()) {
    const int code = static_cast<int>(s.int64(0));
    auto it = std::find_if(out.begin(), out.end(), [&](const CodeOutcome& c) { return c.reply_code == code; });
    if (it == out.end()) it = out.insert(out.end(), CodeOutcome{code, {}});
    it->outcome = read_outcome(s, 1);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.reply_code < b.reply_code; });
  return out;
}

ReportActivity activity(Store& store, const ReportPeriod& p) {
  ReportActivity a;
  Statement reports(store.handle(), "SELECT count(*) FROM reports WHERE received_at >= ?1 AND received_at < ?2");
  {
    StatementScope scope(reports);
    reports.bind(1, p.since, false).bind(2, p.until, false);
    if (reports.step()) a.reports = reports.int64(0);
  }
  Statement s(store.handle(),
              "SELECT count(DISTINCT CASE WHEN rr.acceptance_id IS NULL THEN r.id END), "
              "coalesce(sum(rr.acceptance_id IS NULL), 0), coalesce(sum(r.kind = 'arf'), 0), "
              "coalesce(sum(r.kind = 'arf' AND rr.acceptance_id IS NOT NULL), 0), "
              "coalesce(sum(rr.suspicious IS NOT NULL), 0) "
              "FROM reports r JOIN report_recipients rr ON rr.report_id = r.id "
              "WHERE r.received_at >= ?1 AND r.received_at < ?2");
  StatementScope scope(s);
  s.bind(1, p.since, false).bind(2, p.until, false);
  if (s.step()) {
    a.unmatched_reports = s.int64(0);
    a.unmatched_results = s.int64(1);
    a.complaints = s.int64(2);
    a.complaints_linked = s.int64(3);
    a.suspicious = s.int64(4);
  }
  return a;
}

PeriodFigures figures(Store& store, const ReportPeriod& p) {
  PeriodFigures f;
  f.period = p;
  f.by_code = by_code(store, p);
  for (const auto& c : f.by_code) f.totals += c.outcome;
  f.activity = activity(store, p);
  return f;
}

std::vector<ReasonCount> reasons(Store& store, const ReportPeriod& p, int limit) {
  Statement s(store.handle(),
              "SELECT coalesce(reason, 'undefined') AS why, count(*) AS n, sum(hard = 1) FROM acceptances "
              "WHERE state = 'bounced' AND accepted_at >= ?1 AND accepted_at < ?2 "
              "GROUP BY why ORDER BY n DESC, why LIMIT ?3");
  StatementScope scope(s);
  s.bind(1, p.since, false).bind(2, p.until, false).bind(3, limit);
  std::vector<ReasonCount> out;
  while (s.step()) out.push_back(ReasonCount{s.text(0), s.int64(1), s.int64(2)});
  return out;
}

std::vector<DomainRow> domains(Store& store, const ReportPeriod& p) {
  Statement s(store.handle(),
              std::string("SELECT domain, ") + kOutcomeSums +
                  ", sum(reply_code = 250), sum(reply_code = 251), sum(reply_code = 252), "
                  "sum(reply_code = 250 AND state = 'bounced'), sum(reply_code = 252 AND state = 'bounced') "
                  "FROM acceptances WHERE accepted_at >= ?1 AND accepted_at < ?2 "
                  "GROUP BY domain ORDER BY count(*) DESC, domain");
  StatementScope scope(s);
  s.bind(1, p.since, false).bind(2, p.until, false);
  std::vector<DomainRow> out;
  while (s.step()) {
    DomainRow d;
    d.domain = s.text(0);
    d.outcome = read_outcome(s, 1);
    d.accepted_250 = s.int64(8);
    d.accepted_251 = s.int64(9);
    d.accepted_252 = s.int64(10);
    d.bounced_250 = s.int64(11);
    d.bounced_252 = s.int64(12);
    out.push_back(std::move(d));
  }
  return out;
}

// Nearest rank: the value at 1-based rank ceil(pct/100 * n) in ascending order.
BounceDelay bounce_delay(Store& store, const ReportPeriod& p) {
  constexpr const char* kWhere =
      " FROM acceptances WHERE state = 'bounced' AND resolved_by IS NOT NULL AND accepted_at >= ?1 AND accepted_at < ?2";
  BounceDelay d;
  Statement count(store.handle(), std::string("SELECT count(*)") + kWhere);
  {
    StatementScope scope(count);
    count.bind(1, p.since, false).bind(2, p.until, false);
    if (count.step()) d.count = count.int64(0);
  }
  if (d.count == 0) return d;
  Statement at(store.handle(),
               std::string("SELECT CAST(round((julianday(state_at) - julianday(accepted_at)) * 86400) AS INTEGER) AS s") +
                   kWhere + " ORDER BY s LIMIT 1 OFFSET ?3");
  auto value_at = [&](std::int64_t pct) {
    const std::int64_t rank = std::max<std::int64_t>(1, (pct * d.count + 99) / 100);
    StatementScope scope(at);
    at.bind(1, p.since, false).bind(2, p.until, false).bind(3, rank - 1);
    return at.step() ? at.int64(0) : 0;
  };
  d.p50_seconds = value_at(50);
  d.p90_seconds = value_at(90);
  return d;
}

std::vector<UnmatchedSample> unmatched(Store& store, const ReportPeriod& p, int limit) {
  Statement s(store.handle(),
              "SELECT r.id, r.received_at, r.kind, rr.recipient, rr.reason, rr.suspicious "
              "FROM reports r JOIN report_recipients rr ON rr.report_id = r.id "
              "WHERE r.received_at >= ?1 AND r.received_at < ?2 AND rr.acceptance_id IS NULL "
              "ORDER BY r.received_at, rr.id LIMIT ?3");
  StatementScope scope(s);
  s.bind(1, p.since, false).bind(2, p.until, false).bind(3, limit);
  std::vector<UnmatchedSample> out;
  while (s.step()) out.push_back(UnmatchedSample{s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5)});
  return out;
}

// Counts of `column` over the period's report results matching `where`.
std::vector<KeyCount> result_counts(Store& store, const ReportPeriod& p, const std::string& column,
                                    const std::string& where) {
  Statement s(store.handle(), "SELECT coalesce(" + column + ", 'unknown') AS k, count(*) AS n "
                              "FROM reports r JOIN report_recipients rr ON rr.report_id = r.id "
                              "WHERE r.received_at >= ?1 AND r.received_at < ?2 AND " + where +
                                  " GROUP BY k ORDER BY n DESC, k");
  StatementScope scope(s);
  s.bind(1, p.since, false).bind(2, p.until, false);
  std::vector<KeyCount> out;
  while (s.step()) out.push_back(KeyCount{s.text(0), s.int64(1)});
  return out;
}

}  // namespace

OutcomeCounts& OutcomeCounts::operator+=(const OutcomeCounts& o) {
  accepted += o.accepted;
  bounced += o.bounced;
  bounced_hard += o.bounced_hard;
  delivered += o.delivered;
  presumed_delivered += o.presumed_delivered;
  pending += o.pending;
  delayed += o.delayed;
  return *this;
}

ReportData read_report(Store& store, const ReportPeriod& period, const ReportPeriod& previous,
                       const ReportLimits& limits) {
  // One read transaction: every figure sees the same snapshot.
  Statement begin(store.handle(), "BEGIN");
  begin.run();
  ReportData r;
  try {
    r.current = figures(store, period);
    r.previous = figures(store, previous);
    r.reasons = reasons(store, period, limits.reasons);
    r.domains = domains(store, period);
    r.bounce_delay = bounce_delay(store, period);
    r.unmatched = unmatched(store, period, limits.unmatched);
    r.complaint_types = result_counts(store, period, "rr.feedback_type", "r.kind = 'arf'");
    r.suspicious_reasons = result_counts(store, period, "rr.suspicious", "rr.suspicious IS NOT NULL");
  } catch (...) {
    Statement rollback(store.handle(), "ROLLBACK");
    rollback.run();
    throw;
  }
  Statement commit(store.handle(), "COMMIT");
  commit.run();
  return r;
}

bool looks_like_catch_all(const DomainRow& d, const CatchAllRule& rule) {
  const auto& o = d.outcome;
  if (o.accepted < rule.min_accepted || o.bounced < rule.min_bounced) return false;
  const double bounce_rate = static_cast<double>(o.bounced) / static_cast<double>(o.accepted);
  const double hard_share = static_cast<double>(o.bounced_hard) / static_cast<double>(o.bounced);
  return bounce_rate >= rule.min_bounce_rate && hard_share >= rule.min_hard_share;
}

}  // namespace ndrlink::storage
