// Where to deliver mail for a domain: its MX hosts (RFC 5321 5.1).
//
// MxResolver::resolve(domain) returns the hosts to try, in order, or throws
// MxError with a one-line message. DnsMxResolver asks DNS (glibc
// libresolv); it blocks, so async callers run it off their I/O thread. It
// is thread-safe (each call has its own resolver state). StaticMxResolver
// is a fixed map for tests and for `[relay.static_mx]`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ndrlink::smtp {

struct MxHost {
  std::string host;         // DNS name (no trailing dot) or IP literal (IPv6 without brackets)
  std::uint16_t port = 25;
  int preference = 0;       // lower first
  bool implicit = false;    // no MX record: the domain itself (RFC 5321 5.1)
  // Seconds DNS lets the answer be kept (its MX records' least TTL; 0:
  // not at all); none for an answer without MX records (the domain
  // itself, an address literal).
  std::optional<std::uint32_t> ttl = std::nullopt;
};

// Sorts by preference, shuffling hosts of equal preference (RFC 5321 5.1).
void shuffle_ties(std::vector<MxHost>& hosts);

class MxError : public std::runtime_error {
 public:
  // invalid: not a domain name; no_domain: NXDOMAIN; no_mail: null MX
  // (RFC 7505) — the domain accepts no mail; temporary: SERVFAIL, timeout,
  // no answer (retry later); unknown: no static entry.
  enum class Kind { invalid, no_domain, no_mail, temporary, unknown };
  MxError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

class MxResolver {
 public:
  virtual ~MxResolver() = default;
  // The hosts to try for `domain`, most preferred first (never empty).
  virtual std::vector<MxHost> resolve(const std::string& domain) = 0;
};

// MX records via res_nquery; hosts of equal preference in random order
// (RFC 5321 5.1 load spreading). No MX but the name exists: the domain
// itself (implicit MX; connecting then resolves its A/AAAA). A single MX
// "." of any preference: MxError(no_mail, "... accepts no mail (null MX)").
class DnsMxResolver : public MxResolver {
 public:
  explicit DnsMxResolver(std::uint16_t port = 25) : port_(port) {}
  // Asks only `nameserver` ("127.0.0.1:5353", IPv4) instead of the
  // resolv.conf servers (relay.dns_server; tests on loopback), with
  // resolv.conf's timeout and attempts.
  DnsMxResolver(std::uint16_t port, std::string nameserver) : port_(port), nameserver_(std::move(nameserver)) {}
  std::vector<MxHost> resolve(const std::string& domain) override;

 private:
  std::uint16_t port_;
  std::string nameserver_;
};

// domain (case-insensitive) -> hosts; "*" matches any domain without its
// own entry.
class StaticMxResolver : public MxResolver {
 public:
  StaticMxResolver() = default;
  // Each value "host[:port]" or "[v6]:port" (see parse_host_port), one
  // host per domain, port default 25. Throws MxError(invalid) on a bad one.
  explicit StaticMxResolver(const std::map<std::string, std::string>& routes);
  void add(const std::string& domain, MxHost host);
  std::vector<MxHost> resolve(const std::string& domain) override;

 private:
  std::map<std::string, std::vector<MxHost>> routes_;
};

// "host", "host:port", "1.2.3.4:25", "[::1]:2525" or "::1" -> MxHost.
// Throws MxError(invalid) on an empty host or a bad port.
MxHost parse_host_port(std::string_view text, std::uint16_t default_port = 25);

// The domain of an address ("user@Example.COM" -> "example.com"); empty
// when there is no '@' or nothing after it.
std::string domain_of(std::string_view address);

}  // namespace ndrlink::smtp
