#include "outcome_log.h"

#include <spdlog/spdlog.h>

#include <string>

namespace ndrlink::daemon {

void log_outcome(std::string_view source_key, const correlator::IngestOutcome& outcome) {
  if (outcome.duplicate) {
    spdlog::info("{}: already stored{}, moved on", source_key,
                 outcome.same_content ? " (the same bytes under another source key)" : "");
    return;
  }
  std::string line;
  for (const auto& r : outcome.recipients) {
    if (!line.empty()) line += "; ";
    line += (r.recipient.empty() ? "-" : r.recipient) + " " + (r.reason.empty() ? "-" : r.reason);
    if (!r.status.empty()) line += " " + r.status;
    if (r.acceptance_id) {
      line += " acceptance=" + std::to_string(*r.acceptance_id) + " via " + r.link_method;
      if (!r.to_state.empty()) line += " " + r.from_state + "->" + r.to_state;
    } else {
      line += " unmatched";
    }
    if (!r.suspicious.empty()) line += " SUSPICIOUS(" + r.suspicious + ")";
  }
  spdlog::info("{}: report={} kind={} {}", source_key, outcome.report_id, parser::to_string(outcome.kind),
               line.empty() ? "no recipients" : line);
}

void count_outcome(Stats& stats, const correlator::IngestOutcome& outcome) {
  if (outcome.duplicate) {
    ++stats.duplicates;
    return;
  }
  ++stats.messages;
  for (const auto& r : outcome.recipients) stats.linked += r.acceptance_id.has_value();
}

}  // namespace ndrlink::daemon
