// Local calendar days of an IANA time zone (Europe/Berlin, America/New_York)
// read from the system tz database, /usr/share/zoneinfo (Debian's tzdata).
// GCC 12's libstdc++ has no std::chrono::tzdb (locate_zone, zoned_time),
// so this wraps glibc: TZ is set around localtime_r and restored after.
//
// Contract: not thread-safe (TZ is process-wide); the CLI is one thread.
// A day may be 23 or 25 hours long: use start_of(day) and start_of(next
// day), never "+ 24 h".
#pragma once

#include <chrono>
#include <string>

#include "ndrlink/correlator/clock.h"

namespace ndrlink::cli {

class Zone {
 public:
  // Throws std::runtime_error when the tz database has no zone `name`
  // (glibc would silently fall back to UTC).
  explicit Zone(std::string name);
  const std::string& name() const { return name_; }

  // The local date at UTC time `t`.
  std::chrono::year_month_day local_date(correlator::TimePoint t) const;
  // The first second whose local date is `day` (local midnight, or the
  // first instant after it when midnight itself was skipped by a DST change).
  correlator::TimePoint start_of(std::chrono::year_month_day day) const;
  // Local time minus UTC at `t`, in seconds (3600 for Berlin in winter).
  long utc_offset(correlator::TimePoint t) const;

 private:
  std::string name_;
};

// Reads "YYYY-MM-DD"; throws std::runtime_error naming `flag` when malformed.
std::chrono::year_month_day parse_date(const std::string& flag, const std::string& text);
std::string format_date(std::chrono::year_month_day day);

}  // namespace ndrlink::cli
