#include "mx_cache.h"

#include <algorithm>

namespace ndrlink::daemon::relay {

std::optional<std::vector<smtp::MxHost>> MxCache::find(const std::string& domain, Clock::time_point now) {
  const auto it = entries_.find(domain);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.expires <= now) {
    entries_.erase(it);
    return std::nullopt;
  }
  auto hosts = it->second.hosts;
  smtp::shuffle_ties(hosts);
  return hosts;
}

void MxCache::put(const std::string& domain, std::vector<smtp::MxHost> hosts, Clock::time_point now) {
  if (hosts.empty() || capacity_ == 0) return;
  std::chrono::seconds keep = lifetime_;
  for (const auto& h : hosts)
    if (h.ttl) keep = std::min(keep, std::chrono::seconds(*h.ttl));
  if (keep.count() == 0) return;  // TTL 0: not to be kept (RFC 1035 3.2.1)
  if (!entries_.count(domain)) make_room(now);
  entries_[domain] = Entry{std::move(hosts), now + keep};
}

void MxCache::make_room(Clock::time_point now) {
  if (entries_.size() < capacity_) return;
  std::erase_if(entries_, [now](const auto& e) { return e.second.expires <= now; });
  if (entries_.size() < capacity_) return;
  const auto soonest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
    return a.second.expires < b.second.expires;
  });
  entries_.erase(soonest);
}

}  // namespace ndrlink::daemon::relay
