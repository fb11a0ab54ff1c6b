#include "report_period.h"

#include <stdexcept>

namespace ndrlink::cli {
namespace {

using correlator::TimePoint;

double hours_between(TimePoint a, TimePoint b) { return static_cast<double>((b - a).count()) / 3600.0; }

// A local date means its midnight in `zone`; anything else is ISO 8601.
TimePoint instant(const std::string& flag, const std::string& text, const Zone& zone) {
  if (text.size() == 10) return zone.start_of(parse_date(flag, text));
  const auto t = correlator::parse_iso(text);
  if (!t) throw std::runtime_error(flag + ": not a date or an ISO 8601 time: " + text);
  return *t;
}

storage::ReportPeriod period(TimePoint since, TimePoint until) {
  return storage::ReportPeriod{correlator::to_iso(since), correlator::to_iso(until)};
}

ChosenPeriods day_periods(std::chrono::year_month_day day, const Zone& zone) {
  using std::chrono::days;
  using std::chrono::sys_days;
  const auto before = std::chrono::year_month_day{sys_days(day) - days(1)};
  const auto after = std::chrono::year_month_day{sys_days(day) + days(1)};
  const TimePoint s = zone.start_of(day), e = zone.start_of(after), ps = zone.start_of(before);
  return ChosenPeriods{period(s, e), period(ps, s), PeriodLabel{format_date(day), hours_between(s, e)},
                       PeriodLabel{format_date(before), hours_between(ps, s)}};
}

}  // namespace

ChosenPeriods choose_periods(const PeriodOptions& o, const Zone& zone, TimePoint now) {
  const bool range = !o.since.empty() || !o.until.empty();
  if (range + !o.date.empty() + o.yesterday > 1)
    throw std::runtime_error("choose one of --date, --yesterday, --since/--until");
  if (!o.date.empty()) return day_periods(parse_date("--date", o.date), zone);
  if (!range) {
    const auto today = zone.local_date(now);
    return day_periods(std::chrono::year_month_day{std::chrono::sys_days(today) - std::chrono::days(1)}, zone);
  }
  if (o.since.empty()) throw std::runtime_error("--until needs --since");
  const TimePoint s = instant("--since", o.since, zone);
  // "--since T" alone runs until now, the current second included: stored
  // times are whole seconds and `until` is excluded, so an acceptance made
  // in the same second as the report would otherwise be left out.
  const TimePoint e = o.until.empty() ? now + std::chrono::seconds(1) : instant("--until", o.until, zone);
  if (e <= s) throw std::runtime_error("--until must be after --since");
  const TimePoint ps = s - (e - s);
  const std::string label = correlator::to_iso(s) + " .. " + correlator::to_iso(e);
  const std::string previous = correlator::to_iso(ps) + " .. " + correlator::to_iso(s);
  return ChosenPeriods{period(s, e), period(ps, s), PeriodLabel{label, hours_between(s, e)},
                       PeriodLabel{previous, hours_between(ps, s)}};
}

}  // namespace ndrlink::cli
