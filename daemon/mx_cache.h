// The relay's MX answers, shared by every session (on the I/O thread
// only), each kept for its DNS TTL but never longer than a configured
// lifetime (relay.mx_cache_seconds), so a long client session or a client
// that connects per message does not ask DNS per recipient, and a DNS
// change is followed within the TTL. Failures are not kept: the next
// recipient asks again.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "smtp_mx.h"

namespace ndrlink::daemon::relay {

class MxCache {
 public:
  using Clock = std::chrono::steady_clock;

  // `lifetime`: the longest an answer is kept (also for answers without a
  // TTL: no MX, the domain itself); at most `capacity` domains.
  explicit MxCache(std::chrono::seconds lifetime = std::chrono::seconds(300), std::size_t capacity = 10000)
      : lifetime_(lifetime), capacity_(capacity) {}
  void set_lifetime(std::chrono::seconds lifetime) { lifetime_ = lifetime; }

  // The hosts for `domain` (lower case) if kept and not expired, hosts of
  // equal preference shuffled again (RFC 5321 5.1 load spreading).
  std::optional<std::vector<smtp::MxHost>> find(const std::string& domain, Clock::time_point now);
  // Keeps `hosts` (non-empty) for the least of their TTL and the lifetime
  // (TTL 0: not at all; none: the lifetime); when full, expired entries
  // go first, then the one expiring soonest (a scan: a full cache of
  // live answers costs O(capacity) per new domain, next to a DNS query).
  void put(const std::string& domain, std::vector<smtp::MxHost> hosts, Clock::time_point now);
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::vector<smtp::MxHost> hosts;
    Clock::time_point expires;
  };
  void make_room(Clock::time_point now);

  std::chrono::seconds lifetime_;
  std::size_t capacity_;
  std::map<std::string, Entry> entries_;
};

}  // namespace ndrlink::daemon::relay
