// Day boundaries in IANA zones across DST changes (23- and 25-hour days),
// the period choice, and acceptances near the boundaries landing in the
// right local day of a report.
#include <gtest/gtest.h>

#include <cstdlib>

#include "report_fixture.h"
#include "report_json.h"

namespace ndrlink::testing {
namespace {

using namespace std::chrono;

std::string day_start(const char* zone, year_month_day day) {
  return correlator::to_iso(cli::Zone(zone).start_of(day));
}

TEST(Zone, DayStartsAtLocalMidnight) {
  EXPECT_EQ(day_start("UTC", 2026y / 12 / 1), "2026-12-01T00:00:00Z");
  EXPECT_EQ(day_start("Europe/Berlin", 2026y / 12 / 1), "2026-11-30T23:00:00Z");
  EXPECT_EQ(day_start("Europe/Berlin", 2026y / 7 / 1), "2026-06-30T22:00:00Z");
  EXPECT_EQ(day_start("America/New_York", 2026y / 12 / 1), "2026-12-01T05:00:00Z");
  EXPECT_EQ(day_start("Asia/Kolkata", 2026y / 12 / 1), "2026-11-30T18:30:00Z");
}

TEST(Zone, DstDaysAre23And25HoursLong) {
  auto hours_of = [](const char* zone, const char* date) {
    cli::PeriodOptions o;
    o.date = date;
    return cli::choose_periods(o, cli::Zone(zone), correlator::TimePoint{}).current_label.hours;
  };
  EXPECT_EQ(hours_of("Europe/Berlin", "2026-03-29"), 23);
  EXPECT_EQ(hours_of("Europe/Berlin", "2026-10-25"), 25);
  EXPECT_EQ(hours_of("Europe/Berlin", "2026-10-26"), 24);
  EXPECT_EQ(hours_of("America/New_York", "2026-03-08"), 23);
  EXPECT_EQ(hours_of("America/New_York", "2026-11-01"), 25);
  EXPECT_EQ(hours_of("UTC", "2026-03-29"), 24);
}

TEST(Zone, LocalDateOfAnInstant) {
  const cli::Zone berlin("Europe/Berlin");
  EXPECT_EQ(berlin.local_date(*correlator::parse_iso("2026-03-28T22:59:59Z")), 2026y / 3 / 28);
  EXPECT_EQ(berlin.local_date(*correlator::parse_iso("2026-03-28T23:00:00Z")), 2026y / 3 / 29);
  EXPECT_EQ(berlin.utc_offset(*correlator::parse_iso("2026-03-29T00:59:59Z")), 3600);
  EXPECT_EQ(berlin.utc_offset(*correlator::parse_iso("2026-03-29T01:00:00Z")), 7200);
}

TEST(Zone, UnknownZonesAreRefusedAndTzIsRestored) {
  EXPECT_THROW(cli::Zone("Mars/Olympus_Mons"), std::runtime_error);
  EXPECT_THROW(cli::Zone("../../etc/passwd"), std::runtime_error);
  EXPECT_THROW(cli::Zone(""), std::runtime_error);
  ::setenv("TZ", "Asia/Tokyo", 1);
  cli::Zone("America/New_York").start_of(2026y / 1 / 1);
  EXPECT_STREQ(std::getenv("TZ"), "Asia/Tokyo");
  ::unsetenv("TZ");
  cli::Zone("America/New_York").start_of(2026y / 1 / 1);
  EXPECT_EQ(std::getenv("TZ"), nullptr);
}

TEST(Periods, YesterdayIsTheLocalDayBeforeNow) {
  const auto now = *correlator::parse_iso("2026-12-01T23:30:00Z");  // already Dec 2 in Berlin
  const auto p = cli::choose_periods({}, cli::Zone("Europe/Berlin"), now);
  EXPECT_EQ(p.current_label.label, "2026-12-01");
  EXPECT_EQ(p.current.since, "2026-11-30T23:00:00Z");
  EXPECT_EQ(p.current.until, "2026-12-01T23:00:00Z");
  EXPECT_EQ(p.previous.since, "2026-11-29T23:00:00Z");
  EXPECT_EQ(cli::choose_periods({}, cli::Zone("UTC"), now).current_label.label, "2026-11-30");
}

TEST(Periods, SinceUntilRangeComparesWithTheSameLengthBefore) {
  cli::PeriodOptions o;
  o.since = "2026-12-01";
  o.until = "2026-12-08T00:00:00Z";
  const auto p = cli::choose_periods(o, cli::Zone("UTC"), correlator::TimePoint{});
  EXPECT_EQ(p.current.since, "2026-12-01T00:00:00Z");
  EXPECT_EQ(p.previous.since, "2026-11-24T00:00:00Z");
  EXPECT_EQ(p.previous.until, "2026-12-01T00:00:00Z");
  EXPECT_EQ(p.current_label.hours, 168);
  o.until = "2026-11-01";
  EXPECT_THROW(cli::choose_periods(o, cli::Zone("UTC"), correlator::TimePoint{}), std::runtime_error);
  cli::PeriodOptions bad;
  bad.date = "2026-02-30";
  EXPECT_THROW(cli::choose_periods(bad, cli::Zone("UTC"), correlator::TimePoint{}), std::runtime_error);
}

TEST(Periods, SinceAloneIncludesTheCurrentSecond) {
  cli::PeriodOptions o;
  o.since = "2026-12-01";
  const auto now = correlator::parse_iso("2026-12-04T18:31:04Z");
  ASSERT_TRUE(now);
  const auto p = cli::choose_periods(o, cli::Zone("UTC"), *now);
  EXPECT_EQ(p.current.until, "2026-12-04T18:31:05Z");  // excluded: 18:31:04 is in
}

class DstReport : public ReportFixture {
 protected:
  nlohmann::ordered_json day(const char* zone, const char* date) { return cli::report_json(document(zone, date)); }
};

TEST_F(DstReport, BerlinSpringForwardDay) {  // 2026-03-29: 23 h, from 23:00Z to 22:00Z
  accept("a@x.example", 250, "2026-03-28T22:59:59Z");  // 23:59:59 CET on the 28th
  accept("b@x.example", 252, "2026-03-28T23:00:00Z");  // 00:00 CET on the 29th
  accept("c@x.example", 252, "2026-03-29T21:59:59Z");  // 23:59:59 CEST on the 29th
  accept("d@x.example", 250, "2026-03-29T22:00:00Z");  // 00:00 CEST on the 30th
  const auto j = day("Europe/Berlin", "2026-03-29");
  EXPECT_EQ(j["period"]["hours"], 23);
  EXPECT_EQ(j["period"]["since"], "2026-03-28T23:00:00Z");
  EXPECT_EQ(j["period"]["until"], "2026-03-29T22:00:00Z");
  EXPECT_EQ(j["acceptances"]["total"]["accepted"], 2);
  EXPECT_EQ(j["acceptances"]["by_code"][2]["accepted"], 2);  // both 252s
  EXPECT_EQ(j["previous"]["acceptances"]["total"]["accepted"], 1);
  EXPECT_EQ(day("Europe/Berlin", "2026-03-30")["acceptances"]["total"]["accepted"], 1);
  EXPECT_EQ(day("UTC", "2026-03-29")["acceptances"]["total"]["accepted"], 2);  // c and d
}

TEST_F(DstReport, BerlinFallBackDay) {  // 2026-10-25: 25 h, from 22:00Z to 23:00Z
  accept("a@x.example", 250, "2026-10-24T21:59:59Z");
  accept("b@x.example", 250, "2026-10-24T22:00:00Z");
  accept("c@x.example", 250, "2026-10-25T00:30:00Z");  // 02:30 CEST
  accept("d@x.example", 250, "2026-10-25T01:30:00Z");  // 02:30 CET, the repeated hour
  accept("e@x.example", 250, "2026-10-25T22:59:59Z");
  accept("f@x.example", 250, "2026-10-25T23:00:00Z");
  const auto j = day("Europe/Berlin", "2026-10-25");
  EXPECT_EQ(j["period"]["hours"], 25);
  EXPECT_EQ(j["acceptances"]["total"]["accepted"], 4);
  EXPECT_EQ(j["previous_period"]["hours"], 24);
}

TEST_F(DstReport, NewYorkSpringForwardAndFallBackDays) {
  accept("a@x.example", 250, "2026-03-08T04:59:59Z");  // 23:59:59 EST on the 7th
  accept("b@x.example", 250, "2026-03-08T05:00:00Z");  // 00:00 EST on the 8th
  accept("c@x.example", 250, "2026-03-09T03:59:59Z");  // 23:59:59 EDT on the 8th
  accept("d@x.example", 250, "2026-03-09T04:00:00Z");  // 00:00 EDT on the 9th
  auto j = day("America/New_York", "2026-03-08");
  EXPECT_EQ(j["period"]["hours"], 23);
  EXPECT_EQ(j["acceptances"]["total"]["accepted"], 2);
  accept("e@x.example", 250, "2026-11-01T03:59:59Z");  // 23:59:59 EDT on Oct 31
  accept("f@x.example", 250, "2026-11-01T04:00:00Z");  // 00:00 EDT on Nov 1
  accept("g@x.example", 250, "2026-11-02T04:59:59Z");  // 23:59:59 EST on Nov 1
  accept("h@x.example", 250, "2026-11-02T05:00:00Z");  // 00:00 EST on Nov 2
  j = day("America/New_York", "2026-11-01");
  EXPECT_EQ(j["period"]["hours"], 25);
  EXPECT_EQ(j["period"]["since"], "2026-11-01T04:00:00Z");
  EXPECT_EQ(j["acceptances"]["total"]["accepted"], 2);
  EXPECT_EQ(j["previous"]["acceptances"]["total"]["accepted"], 1);
}

}  // namespace
}  // namespace ndrlink::testing
