#include "dates.h"

#include <ctime>
#include <cstdio>
#include <cstring>

#include "text.h"

namespace ndrlink::parser {
namespace {

// Offset in seconds for the zone text that strptime left unparsed.
bool zone_offset(std::string_view z, long& offset) {
  z = text::trim(z);
  if (z.empty()) { offset = 0; return true; }
  if ((z[0] == '+' || z[0] == '-') && z.size() >= 5) {
    int hh = 0, mm = 0;
    for (int i = 1; i <= 4; ++i)
      if (z[i] < '0' || z[i] > '9') return false;
    hh = (z[1] - '0') * 10 + (z[2] - '0');
    mm = (z[3] - '0') * 10 + (z[4] - '0');
    if (hh > 23 || mm > 59) return false;
    offset = (hh * 3600 + mm * 60) * (z[0] == '-' ? -1 : 1);
    return true;
  }
  static constexpr std::pair<std::string_view, int> named[] = {
      {"UT", 0}, {"GMT", 0}, {"UTC", 0}, {"Z", 0}, {"EST", -5}, {"EDT", -4}, {"CST", -6}, {"CDT", -5},
      {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}, {"JST", 9}, {"CET", 1}, {"CEST", 2}};
  const auto word = z.substr(0, z.find_first_of(" ("));
  for (const auto& [name, hours] : named)
    if (text::iequals(word, name)) { offset = hours * 3600L; return true; }
  if (z[0] == '(') { offset = 0; return true; }
  return false;
}

}  // namespace

std::string rfc5322_to_iso8601(std::string_view value) {
  std::string v(text::trim(value));
  if (v.empty() || v.size() > 128) return {};
  // Drop a leading day name ("Thu,").
  if (const auto comma = v.find(','); comma != std::string::npos && comma <= 4) v.erase(0, comma + 1);
  static constexpr const char* formats[] = {"%d %b %Y %H:%M:%S", "%d %b %Y %H:%M", "%d %b %y %H:%M:%S"};
  for (const char* fmt : formats) {
    std::tm tm{};
    const char* end = strptime(v.c_str(), fmt, &tm);
    if (!end) continue;
    long offset = 0;
    if (!zone_offset(end, offset)) continue;
    if (tm.tm_year < 70 || tm.tm_year > 1100) return {};
    const std::time_t t = timegm(&tm) - offset;
    std::tm utc{};
    gmtime_r(&t, &utc);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buf;
  }
  return {};
}

}  // namespace ndrlink::parser
