// The report's aggregate queries: a few GROUP BY scans over the period's
// rows (indexes of 0003_report.sql), never a C++ loop over acceptances.
#include <algorithm>

#include "ndrlink/storage/report.h"
#include "statement.h"

namespace ndrlink::storage {
namespace {

// Adds `n` acceptances in `state` (hard: bounced hard) to `o`.
void add(OutcomeCounts& o, const std::string& state, bool hard, std::int64_t n) {
  o.accepted += n;
  if (state == kBounced) {
    o.bounced += n;
    if (hard) o.bounced_hard += n;
  } else if (state == kDelivered) {
    o.delivered += n;
  } else if (state == kPresumedDelivered) {
    o.presumed_delivered += n;
  } else if (state == kDelayed) {
    o.delayed += n;
  } else {
    o.pending += n;
  }
}

CodeOutcome& code_row(std::vector<CodeOutcome>& rows, int code) {
  for (auto& c : rows)
    if (c.reply_code == code) return c;
  return rows.emplace_back(CodeOutcome{code, {}});
}

// The period's acceptances by reply code and, when `domains` is given, by
// domain: one GROUP BY over the covering index; C++ folds the groups (a
// few per domain), never the acceptances.
std::vector<CodeOutcome> cohort(Store& store, const ReportPeriod& p, std::vector<DomainRow>* domains) {
  Statement s(store.handle(), domains ? "SELECT reply_code, state, hard = 1, count(*), domain FROM acceptances "
                                        "WHERE accepted_at >= ?1 AND accepted_at < ?2 "
                                        "GROUP BY domain, reply_code, state, hard = 1 ORDER BY domain"
                                      : "SELECT reply_code, state, hard = 1, count(*) FROM acceptances "
                                        "WHERE accepted_at >= ?1 AND accepted_at < ?2 "
                                        "GROUP BY reply_code, state, hard = 1");
  StatementScope scope(s);
  s.bind(1, p.since, false).bind(2, p.until, false);
  std::vector<CodeOutcome> codes;
  for (int code : {250, 251, 252}) codes.push_back(CodeOutcome{code, {}});
  while (s.step()) {
    const int code = static_cast<int>(s.int64(0));
    const std::string state = s.text(1);
    const bool hard = s.int64(2) != 0;
    const std::int64_t n = s.int64(3);
    add(code_row(codes, code).outcome, state, hard, n);
    if (!domains) continue;
    std::string domain = s.text(4);
    if (domains->empty() || domains->back().domain != domain) domains->push_back(DomainRow{std::move(domain), {}});
    auto& d = domains->back();  // rows come grouped by domain
    add(d.outcome, state, hard, n);
    if (code == 250) d.accepted_250 += n, d.bounced_250 += state == kBounced ? n : 0;
    if (code == 251) d.accepted_251 += n;
    if (code == 252) d.accepted_252 += n, d.bounced_252 += state == kBounced ? n : 0;
  }
  std::sort(codes.begin(), codes.end(), [](const auto& a, const auto& b) { return a.reply_code < b.reply_code; });
  if (domains)
    std::sort(domains->begin(), domains->end(), [](const DomainRow& a, const DomainRow& b) {
      return a.outcome.accepted != b.outcome.accepted ? a.outcome.accepted > b.outcome.accepted : a.domain < b.domain;
    });
  return codes;
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

// The period's refusals by reply code (index refusals_refused).
void refused(Store& store, const ReportPeriod& p, PeriodFigures& f) {
  Statement s(store.handle(), "SELECT reply_code, count(*) FROM refusals WHERE refused_at >= ?1 AND refused_at < ?2 "
                              "GROUP BY reply_code ORDER BY reply_code");
  StatementScope scope(s);
  s.bind(1, p.since, false).bind(2, p.until, false);
  while (s.step()) {
    f.refused_by_code.push_back(RefusedCount{static_cast<int>(s.int64(0)), s.int64(1)});
    f.refused += s.int64(1);
  }
}

PeriodFigures figures(Store& store, const ReportPeriod& p, std::vector<DomainRow>* domains) {
  PeriodFigures f;
  f.period = p;
  f.by_code = cohort(store, p, domains);
  for (const auto& c : f.by_code) f.totals += c.outcome;
  refused(store, p, f);
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

// Nearest rank: the value at 1-based rank ceil(pct/100 * n) in ascending
// order; one sort of the period's bounces gives both percentiles.
BounceDelay bounce_delay(Store& store, const ReportPeriod& p) {
  Statement s(store.handle(),
              "SELECT n, rn, secs FROM (SELECT secs, row_number() OVER (ORDER BY secs) AS rn, count(*) OVER () AS n "
              "FROM (SELECT CAST(round((julianday(state_at) - julianday(accepted_at)) * 86400) AS INTEGER) AS secs "
              "FROM acceptances WHERE state = 'bounced' AND resolved_by IS NOT NULL "
              "AND accepted_at >= ?1 AND accepted_at < ?2)) "
              "WHERE rn = max(1, (50 * n + 99) / 100) OR rn = max(1, (90 * n + 99) / 100) ORDER BY rn");
  StatementScope scope(s);
  s.bind(1, p.since, false).bind(2, p.until, false);
  BounceDelay d;
  while (s.step()) {
    d.count = s.int64(0);
    const std::int64_t rank = s.int64(1);
    if (rank == std::max<std::int64_t>(1, (50 * d.count + 99) / 100)) d.p50_seconds = s.int64(2);
    if (rank == std::max<std::int64_t>(1, (90 * d.count + 99) / 100)) d.p90_seconds = s.int64(2);
  }
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
  // One read transaction (unless the caller has one): every figure sees
  // the same snapshot, even while the daemon writes.
  const bool own = sqlite3_get_autocommit(store.handle()) != 0;
  if (own) Statement(store.handle(), "BEGIN").run();
  ReportData r;
  try {
    r.current = figures(store, period, &r.domains);
    r.previous = figures(store, previous, nullptr);
    r.reasons = reasons(store, period, limits.reasons);
    r.bounce_delay = bounce_delay(store, period);
    r.unmatched = unmatched(store, period, limits.unmatched);
    r.complaint_types = result_counts(store, period, "rr.feedback_type", "r.kind = 'arf'");
    r.suspicious_reasons = result_counts(store, period, "rr.suspicious", "rr.suspicious IS NOT NULL");
  } catch (...) {
    if (own) sqlite3_exec(store.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  if (own) Statement(store.handle(), "COMMIT").run();
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
