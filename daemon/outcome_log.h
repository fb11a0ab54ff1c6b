// One log line per processed message, with the ids needed to follow it:
// source key, report id, and per recipient the outcome and the acceptance
// it changed. No message content beyond addresses and codes.
#pragma once

#include <string_view>

#include "ndrlink/correlator/correlator.h"
#include "stats.h"

namespace ndrlink::daemon {

void log_outcome(std::string_view source_key, const correlator::IngestOutcome& outcome);
void count_outcome(Stats& stats, const correlator::IngestOutcome& outcome);

}  // namespace ndrlink::daemon
