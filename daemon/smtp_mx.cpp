#include "smtp_mx.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <random>
#include <vector>

namespace ndrlink::smtp {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A DNS host name in ASCII (LDH labels; '_' tolerated as resolvers do).
// Empty when valid, else why not.
std::string invalid_name(std::string_view d) {
  if (d.empty()) return "empty domain";
  if (d.size() > 253) return "domain longer than 253 octets";
  std::size_t start = 0;
  while (start <= d.size()) {
    const auto dot = d.find('.', start);
    const std::string_view label = d.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty()) return "empty label";
    if (label.size() > 63) return "label longer than 63 octets";
    for (char c : label) {
      const auto u = static_cast<unsigned char>(c);
      if (u >= 0x80) return "non-ASCII characters (use the xn-- form)";
      if (!std::isalnum(u) && c != '-' && c != '_') return std::string("character '") + c + "' not allowed";
    }
    if (label.front() == '-' || label.back() == '-') return "label starts or ends with '-'";
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return "";
}

}  // namespace

void shuffle_ties(std::vector<MxHost>& hosts) {
  std::stable_sort(hosts.begin(), hosts.end(),
                   [](const MxHost& a, const MxHost& b) { return a.preference < b.preference; });
  thread_local std::mt19937 rng{std::random_device{}()};
  for (auto first = hosts.begin(); first != hosts.end();) {
    auto last = std::find_if(first, hosts.end(), [&](const MxHost& h) { return h.preference != first->preference; });
    std::shuffle(first, last, rng);
    first = last;
  }
}

namespace {

// res_nquery's state, closed on every path.
class ResolverState {
 public:
  ResolverState() {
    if (res_ninit(&state_) != 0) throw MxError(MxError::Kind::temporary, "cannot initialise the DNS resolver");
  }
  ~ResolverState() { res_nclose(&state_); }
  ResolverState(const ResolverState&) = delete;
  ResolverState& operator=(const ResolverState&) = delete;
  res_state get() { return &state_; }

 private:
  struct __res_state state_ {};
};

}  // namespace

std::vector<MxHost> DnsMxResolver::resolve(const std::string& domain_in) {
  std::string domain = lower(domain_in);
  // An address literal ("user@[192.0.2.1]") names its host directly.
  if (domain.size() > 2 && domain.front() == '[' && domain.back() == ']') {
    std::string literal = domain.substr(1, domain.size() - 2);
    const bool v6 = literal.rfind("ipv6:", 0) == 0;
    if (v6) literal.erase(0, 5);
    unsigned char addr[16];
    if (inet_pton(v6 ? AF_INET6 : AF_INET, literal.c_str(), addr) != 1)
      throw MxError(MxError::Kind::invalid, "invalid address literal \"" + domain_in.substr(0, 80) + "\"");
    return {MxHost{literal, port_, 0, true}};
  }
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  if (const auto why = invalid_name(domain); !why.empty())
    throw MxError(MxError::Kind::invalid, "invalid domain \"" + domain_in.substr(0, 80) + "\": " + why);

  ResolverState state;
  if (!nameserver_.empty()) {
    const MxHost ns = parse_host_port(nameserver_, 53);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(ns.port);
    if (inet_pton(AF_INET, ns.host.c_str(), &addr.sin_addr) != 1)
      throw MxError(MxError::Kind::invalid, "nameserver must be an IPv4 address: " + nameserver_);
    state.get()->nscount = 1;
    state.get()->nsaddr_list[0] = addr;
  }
  std::vector<unsigned char> answer(NS_MAXMSG);
  const int len = res_nquery(state.get(), domain.c_str(), ns_c_in, ns_t_mx, answer.data(),
                             static_cast<int>(answer.size()));
  if (len < 0) {
    switch (state.get()->res_h_errno) {
      case HOST_NOT_FOUND: throw MxError(MxError::Kind::no_domain, "domain " + domain + " does not exist (NXDOMAIN)");
      case NO_DATA: return {MxHost{domain, port_, 0, true}};
      case TRY_AGAIN:
        throw MxError(MxError::Kind::temporary, "MX lookup for " + domain + " failed temporarily (DNS timeout or SERVFAIL)");
      default: throw MxError(MxError::Kind::temporary, "MX lookup for " + domain + " failed (DNS unreachable or refused)");
    }
  }
  ns_msg msg;
  if (ns_initparse(answer.data(), len, &msg) != 0)
    throw MxError(MxError::Kind::temporary, "MX lookup for " + domain + ": malformed DNS answer");
  std::vector<MxHost> hosts;
  bool null_mx = false;
  std::optional<std::uint32_t> ttl;
  const int count = ns_msg_count(msg, ns_s_an);
  for (int i = 0; i < count; ++i) {
    ns_rr rr;
    if (ns_parserr(&msg, ns_s_an, i, &rr) != 0)
      throw MxError(MxError::Kind::temporary, "MX lookup for " + domain + ": malformed DNS answer");
    if (ns_rr_type(rr) != ns_t_mx || ns_rr_rdlen(rr) < 3) continue;
    const unsigned char* rdata = ns_rr_rdata(rr);
    const int preference = ns_get16(rdata);
    char name[NS_MAXDNAME];
    if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rdata + 2, name, sizeof name) < 0)
      throw MxError(MxError::Kind::temporary, "MX lookup for " + domain + ": malformed MX record");
    std::string host = lower(name);
    if (!host.empty() && host.back() == '.') host.pop_back();
    if (host.empty()) {  // "." : RFC 7505 null MX
      null_mx = true;
      continue;
    }
    hosts.push_back(MxHost{host, port_, preference, false});
    ttl = std::min<std::uint32_t>(ttl.value_or(ns_rr_ttl(rr)), ns_rr_ttl(rr));
  }
  for (auto& h : hosts) h.ttl = ttl;
  if (hosts.empty() && null_mx)
    throw MxError(MxError::Kind::no_mail, "domain " + domain + " accepts no mail (null MX, RFC 7505)");
  if (hosts.empty()) return {MxHost{domain, port_, 0, true}};  // e.g. only a CNAME in the answer
  shuffle_ties(hosts);
  return hosts;
}

StaticMxResolver::StaticMxResolver(const std::map<std::string, std::string>& routes) {
  for (const auto& [domain, target] : routes) add(domain, parse_host_port(target));
}

void StaticMxResolver::add(const std::string& domain, MxHost host) { routes_[lower(domain)].push_back(std::move(host)); }

std::vector<MxHost> StaticMxResolver::resolve(const std::string& domain) {
  auto it = routes_.find(lower(domain));
  if (it == routes_.end()) it = routes_.find("*");
  if (it == routes_.end()) throw MxError(MxError::Kind::unknown, "no static MX route for domain \"" + domain + "\"");
  auto hosts = it->second;
  std::stable_sort(hosts.begin(), hosts.end(),
                   [](const MxHost& a, const MxHost& b) { return a.preference < b.preference; });
  return hosts;
}

MxHost parse_host_port(std::string_view text, std::uint16_t default_port) {
  MxHost out;
  out.port = default_port;
  std::string_view host = text, port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) throw MxError(MxError::Kind::invalid, "unclosed '[' in \"" + std::string(text) + "\"");
    host = text.substr(1, close - 1);
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') throw MxError(MxError::Kind::invalid, "bad host:port \"" + std::string(text) + "\"");
      port = rest.substr(1);
      if (port.empty()) throw MxError(MxError::Kind::invalid, "empty port in \"" + std::string(text) + "\"");
    }
  } else if (const auto colon = text.find(':'); colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (port.empty()) throw MxError(MxError::Kind::invalid, "empty port in \"" + std::string(text) + "\"");
  }
  if (host.empty()) throw MxError(MxError::Kind::invalid, "empty host in \"" + std::string(text) + "\"");
  if (!port.empty()) {
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535)
      throw MxError(MxError::Kind::invalid, "bad port \"" + std::string(port) + "\"");
    out.port = static_cast<std::uint16_t>(value);
  }
  out.host = std::string(host);
  return out;
}

std::string domain_of(std::string_view address) {
  const auto at = address.rfind('@');
  if (at == std::string_view::npos) return "";
  return lower(address.substr(at + 1));
}

}  // namespace ndrlink::smtp
