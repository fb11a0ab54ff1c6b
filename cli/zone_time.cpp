#include "zone_time.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <stdexcept>

namespace ndrlink::cli {
namespace {

// Sets TZ for its lifetime; restores the previous value (or its absence).
class TzScope {
 public:
  explicit TzScope(const std::string& zone) {
    if (const char* old = std::getenv("TZ")) old_ = std::string(old);
    ::setenv("TZ", zone.c_str(), 1);
    ::tzset();
  }
  ~TzScope() {
    if (old_) ::setenv("TZ", old_->c_str(), 1);
    else ::unsetenv("TZ");
    ::tzset();
  }
  TzScope(const TzScope&) = delete;
  TzScope& operator=(const TzScope&) = delete;

 private:
  std::optional<std::string> old_;
};

std::tm local_tm(correlator::TimePoint t) {
  const std::time_t tt = static_cast<std::time_t>(t.time_since_epoch().count());
  std::tm tm{};
  if (!::localtime_r(&tt, &tm)) throw std::runtime_error("time out of range");
  return tm;
}

std::chrono::year_month_day date_of(const std::tm& tm) {
  using namespace std::chrono;
  return year_month_day{year{tm.tm_year + 1900}, month{static_cast<unsigned>(tm.tm_mon + 1)},
                        day{static_cast<unsigned>(tm.tm_mday)}};
}

bool valid_zone_name(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+')) return false;
  return true;
}

// A TZif file in TZDIR or /usr/share/zoneinfo.
bool zone_exists(const std::string& name) {
  const char* dir = std::getenv("TZDIR");
  std::ifstream in(std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + name, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::string(magic, 4) == "TZif";
}

}  // namespace

Zone::Zone(std::string name) : name_(std::move(name)) {
  if (!valid_zone_name(name_) || !zone_exists(name_))
    throw std::runtime_error("--tz: unknown time zone " + name_ + " (an IANA name such as Europe/Berlin)");
}

std::chrono::year_month_day Zone::local_date(correlator::TimePoint t) const {
  TzScope scope(name_);
  return date_of(local_tm(t));
}

long Zone::utc_offset(correlator::TimePoint t) const {
  TzScope scope(name_);
  return local_tm(t).tm_gmtoff;
}

correlator::TimePoint Zone::start_of(std::chrono::year_month_day day) const {
  using namespace std::chrono;
  TzScope scope(name_);
  // UTC offsets lie within -12 h .. +14 h: the local day starts within
  // 30 h of the same date's UTC midnight. Binary search for the first
  // second whose local date is not before `day`.
  const sys_days utc_midnight{day};
  auto lo = correlator::TimePoint(utc_midnight) - hours(30);  // local date before `day`
  auto hi = correlator::TimePoint(utc_midnight) + hours(30);  // local date at or after `day`
  while (hi - lo > seconds(1)) {
    const auto mid = lo + (hi - lo) / 2;
    if (sys_days(date_of(local_tm(mid))) < utc_midnight) lo = mid;
    else hi = mid;
  }
  return hi;
}

std::chrono::year_month_day parse_date(const std::string& flag, const std::string& text) {
  using namespace std::chrono;
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3)
    throw std::runtime_error(flag + ": not a date (YYYY-MM-DD): " + text);
  const year_month_day ymd{year{y}, month{m}, day{d}};
  if (!ymd.ok()) throw std::runtime_error(flag + ": no such date: " + text);
  return ymd;
}

std::string format_date(std::chrono::year_month_day day) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(day.year()), static_cast<unsigned>(day.month()),
                static_cast<unsigned>(day.day()));
  return buf;
}

}  // namespace ndrlink::cli
