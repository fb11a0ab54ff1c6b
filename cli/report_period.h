// Which period a report covers, from --date / --yesterday / --since
// --until in a time zone, and the period before it to compare with.
#pragma once

#include <string>

#include "ndrlink/correlator/clock.h"
#include "ndrlink/storage/report.h"
#include "report_model.h"
#include "zone_time.h"

namespace ndrlink::cli {

struct PeriodOptions {
  std::string date;        // --date YYYY-MM-DD: that local day
  bool yesterday = false;  // --yesterday (also the default): the local day before now's
  std::string since, until;  // --since/--until: a local date (its midnight) or an ISO 8601 time
};

struct ChosenPeriods {
  storage::ReportPeriod current, previous;
  PeriodLabel current_label, previous_label;
};

// A day's previous period is the local day before (which may be 23 or 25
// hours); a --since/--until range's is the same length just before it.
// --since without --until ends at `now`. Throws std::runtime_error on a bad
// value or an empty range.
ChosenPeriods choose_periods(const PeriodOptions& options, const Zone& zone, correlator::TimePoint now);

}  // namespace ndrlink::cli
