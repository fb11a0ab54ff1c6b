// The daily report's figures, read from the store with aggregate queries
// (storage/src/report_queries.cpp). Plain structs; rendering is the CLI's.
//
// Contract: a period is the half-open UTC range [since, until) of ISO 8601
// times. Acceptance figures count the acceptances *accepted* in the period
// with their current state (a cohort); report figures (unmatched,
// complaints, suspicious) count the reports *received* in the period.
// Throws StoreError like every Store call.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ndrlink/storage/store.h"

namespace ndrlink::storage {

struct ReportPeriod {
  std::string since, until;  // ISO 8601 UTC, [since, until)
};

// What became of a set of acceptances.
struct OutcomeCounts {
  std::int64_t accepted = 0;
  std::int64_t bounced = 0, bounced_hard = 0;  // bounced_soft = bounced - bounced_hard
  std::int64_t delivered = 0, presumed_delivered = 0;
  std::int64_t pending = 0, delayed = 0;
  std::int64_t bounced_soft() const { return bounced - bounced_hard; }
  OutcomeCounts& operator+=(const OutcomeCounts& o);
};

struct CodeOutcome {
  int reply_code = 0;
  OutcomeCounts outcome;
};

struct ReasonCount {
  std::string reason;  // parser taxonomy; "undefined" when none was stored
  std::int64_t bounced = 0, hard = 0;
};

struct DomainRow {
  std::string domain;
  OutcomeCounts outcome;
  std::int64_t accepted_250 = 0, accepted_251 = 0, accepted_252 = 0;
  std::int64_t bounced_250 = 0, bounced_252 = 0;
};

// Acceptance -> bounce processing time of the period's bounces that a
// report decided (nearest-rank percentiles, whole seconds).
struct BounceDelay {
  std::int64_t count = 0;
  std::int64_t p50_seconds = 0, p90_seconds = 0;
};

struct UnmatchedSample {
  std::int64_t report_id = 0;
  std::string received_at, kind, recipient, reason, suspicious;
};

struct KeyCount {
  std::string key;
  std::int64_t count = 0;
};

// Report-side figures of a period (by received_at).
struct ReportActivity {
  std::int64_t reports = 0;             // messages of any kind received
  std::int64_t unmatched_reports = 0;   // reports with at least one unlinked result
  std::int64_t unmatched_results = 0;   // unlinked results (suspicious included)
  std::int64_t complaints = 0;          // results of kind arf reports
  std::int64_t complaints_linked = 0;   // ... of which linked to an acceptance
  std::int64_t suspicious = 0;          // results whose evidence was distrusted
};

// Refused RCPTs (and DATA) of one reply code, by refused_at.
struct RefusedCount {
  int reply_code = 0;
  std::int64_t count = 0;
};

struct PeriodFigures {
  ReportPeriod period;
  std::vector<CodeOutcome> by_code;  // ascending reply code; 250, 251, 252 always present
  OutcomeCounts totals;              // sum of by_code
  std::int64_t refused = 0;                 // refusals recorded in the period (relay, probe)
  std::vector<RefusedCount> refused_by_code;  // ascending reply code, codes seen only
  ReportActivity activity;
};

struct ReportData {
  PeriodFigures current, previous;
  std::vector<ReasonCount> reasons;            // top bounce reasons, most first
  std::vector<DomainRow> domains;              // every domain of the period, most accepted first
  BounceDelay bounce_delay;
  std::vector<UnmatchedSample> unmatched;      // first unmatched results of the period
  std::vector<KeyCount> complaint_types;       // feedback types of the period's complaints
  std::vector<KeyCount> suspicious_reasons;    // why evidence was distrusted
};

struct ReportLimits {
  int reasons = 10;    // top bounce reasons
  int unmatched = 20;  // unmatched samples
};

// Reads every figure of `period` and, for the comparison, `previous`.
ReportData read_report(Store& store, const ReportPeriod& period, const ReportPeriod& previous,
                       const ReportLimits& limits = {});

// A domain that accepts addresses it cannot deliver to — a catch-all or a
// backup MX that answers 250/252 to every RCPT and bounces later — shows
// many acceptances that later bounced hard. Flagged when all hold:
struct CatchAllRule {
  std::int64_t min_accepted = 10;  // enough acceptances to judge
  std::int64_t min_bounced = 5;    // enough bounces to judge
  double min_bounce_rate = 0.20;   // bounced / accepted
  double min_hard_share = 0.50;    // bounced_hard / bounced: the addresses did not exist
};
bool looks_like_catch_all(const DomainRow& d, const CatchAllRule& rule = {});

}  // namespace ndrlink::storage
