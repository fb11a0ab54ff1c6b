// Time as the store writes it: ISO 8601 UTC text. The clock is injected so
// tests never sleep.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ndrlink::correlator {

using TimePoint = std::chrono::sys_seconds;
using Clock = std::function<TimePoint()>;

// The real clock.
TimePoint system_now();

// Tests and soaks: a clock that starts at the real time and then runs
// `factor` times faster (an hour of daemon time in 60/factor minutes).
Clock accelerated_clock(unsigned factor);

// "2026-12-04T15:04:05Z".
std::string to_iso(TimePoint t);

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS][.fff](Z|±HH:MM|±HHMM)" and a
// space instead of 'T'; a time without zone is UTC. nullopt if malformed.
std::optional<TimePoint> parse_iso(std::string_view text);

}  // namespace ndrlink::correlator
