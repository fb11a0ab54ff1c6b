// Counters for systemd STATUS= and the logs. Updated from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace ndrlink::daemon {

struct Stats {
  std::atomic<std::uint64_t> messages{0};      // reports stored
  std::atomic<std::uint64_t> duplicates{0};    // already stored (moved on)
  std::atomic<std::uint64_t> linked{0};        // recipient results linked to an acceptance
  std::atomic<std::uint64_t> acceptances{0};   // recorded through the socket or the relay
  std::atomic<std::uint64_t> errors{0};        // failed attempts (retried)

  std::string summary() const {
    return "messages=" + std::to_string(messages.load()) + " linked=" + std::to_string(linked.load()) +
           " duplicates=" + std::to_string(duplicates.load()) + " acceptances=" + std::to_string(acceptances.load()) +
           " errors=" + std::to_string(errors.load());
  }
};

}  // namespace ndrlink::daemon
