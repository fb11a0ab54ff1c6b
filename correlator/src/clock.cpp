#include "ndrlink/correlator/clock.h"

#include <cstdio>
#include <ctime>

namespace ndrlink::correlator {
namespace {
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}
}  // namespace

TimePoint system_now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

Clock accelerated_clock(unsigned factor) {
  using namespace std::chrono;
  const auto start = system_clock::now();
  const auto steady_start = steady_clock::now();
  return [start, steady_start, factor] {
    const auto elapsed = duration_cast<system_clock::duration>(steady_clock::now() - steady_start);
    return floor<seconds>(start + elapsed * factor);
  };
}

std::string to_iso(TimePoint t) {
  const std::time_t tt = t.time_since_epoch().count();
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<TimePoint> parse_iso(std::string_view s) {
  using namespace std::chrono;
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  std::size_t pos = 10;
  long offset = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    if (!digits(s, pos + 1, 2, h) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, mi))
      return std::nullopt;
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, sec)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
      }
    }
    if (pos < s.size()) {
      const char z = s[pos];
      if ((z == 'Z' || z == 'z') && pos + 1 == s.size()) {
      } else if (z == '+' || z == '-') {
        int oh, om;
        std::string_view rest = s.substr(pos + 1);
        if (rest.size() == 5 && rest[2] == ':' && digits(rest, 0, 2, oh) && digits(rest, 3, 2, om)) {
        } else if (rest.size() == 4 && digits(rest, 0, 2, oh) && digits(rest, 2, 2, om)) {
        } else if (rest.size() == 2 && digits(rest, 0, 2, oh)) {
          om = 0;
        } else {
          return std::nullopt;
        }
        if (oh > 23 || om > 59) return std::nullopt;
        offset = (oh * 3600L + om * 60L) * (z == '-' ? -1 : 1);
      } else {
        return std::nullopt;
      }
    }
  }
  if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} - seconds{offset};
}

}  // namespace ndrlink::correlator
