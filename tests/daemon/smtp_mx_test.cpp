// MX resolution without the network: the static map, host:port parsing,
// what DnsMxResolver decides before asking DNS (invalid names, address
// literals), and how it reads answers from a tiny DNS server on loopback
// (MX order, null MX, NXDOMAIN, no MX, SERVFAIL). Public DNS is never used.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "smtp_mx.h"

namespace ndrlink::smtp {
namespace {

MxError::Kind kind_of(MxResolver& r, const std::string& domain) {
  try {
    r.resolve(domain);
  } catch (const MxError& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    return e.kind();
  }
  ADD_FAILURE() << domain << " resolved";
  return MxError::Kind::unknown;
}

TEST(StaticMx, MapWithPortsWildcardAndCase) {
  StaticMxResolver r({{"Example.COM", "127.0.0.1:2525"}, {"v6.example", "[::1]:26"}, {"*", "smarthost.test"}});
  auto hosts = r.resolve("example.com");
  ASSERT_EQ(hosts.size(), 1u);
  EXPECT_EQ(hosts[0].host, "127.0.0.1");
  EXPECT_EQ(hosts[0].port, 2525);
  hosts = r.resolve("V6.example");
  EXPECT_EQ(hosts[0].host, "::1");
  EXPECT_EQ(hosts[0].port, 26);
  hosts = r.resolve("other.org");
  EXPECT_EQ(hosts[0].host, "smarthost.test");
  EXPECT_EQ(hosts[0].port, 25);
}

TEST(StaticMx, PreferenceOrderAndUnknownDomain) {
  StaticMxResolver r;
  r.add("example.com", MxHost{"backup.test", 25, 20, false});
  r.add("example.com", MxHost{"primary.test", 25, 10, false});
  const auto hosts = r.resolve("example.com");
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[0].host, "primary.test");
  EXPECT_EQ(kind_of(r, "elsewhere.org"), MxError::Kind::unknown);
}

TEST(StaticMx, BadRouteIsRejected) {
  using Routes = std::map<std::string, std::string>;
  EXPECT_THROW(StaticMxResolver(Routes{{"example.com", "host:99999"}}), MxError);
  EXPECT_THROW(StaticMxResolver(Routes{{"example.com", ""}}), MxError);
}

TEST(HostPort, Forms) {
  EXPECT_EQ(parse_host_port("mx.example.com").host, "mx.example.com");
  EXPECT_EQ(parse_host_port("mx.example.com").port, 25);
  EXPECT_EQ(parse_host_port("mx.example.com", 587).port, 587);
  EXPECT_EQ(parse_host_port("127.0.0.1:10025").port, 10025);
  EXPECT_EQ(parse_host_port("[2001:db8::1]:2525").host, "2001:db8::1");
  EXPECT_EQ(parse_host_port("[2001:db8::1]:2525").port, 2525);
  EXPECT_EQ(parse_host_port("[::1]").port, 25);
  EXPECT_EQ(parse_host_port("2001:db8::1").host, "2001:db8::1");  // bare IPv6: no port
  for (const char* bad : {"", ":25", "host:", "host:0", "host:x", "host:65536", "[::1", "[::1]x", "[]:25"})
    EXPECT_THROW(parse_host_port(bad), MxError) << bad;
}

TEST(DomainOf, LowerCaseAfterTheLastAt) {
  EXPECT_EQ(domain_of("User@Example.COM"), "example.com");
  EXPECT_EQ(domain_of("\"a@b\"@example.org"), "example.org");
  EXPECT_EQ(domain_of("no-at"), "");
  EXPECT_EQ(domain_of("user@"), "");
}

TEST(DnsMx, InvalidNamesFailBeforeAnyLookup) {
  DnsMxResolver r;
  for (const char* bad : {"", "a..b", "-bad.example", "bad-.example", "exa mple.com", "ex\xc3\xa4mple.com",
                          ".example", "a/b.example"})
    EXPECT_EQ(kind_of(r, bad), MxError::Kind::invalid) << bad;
  EXPECT_EQ(kind_of(r, std::string(64, 'a') + ".example"), MxError::Kind::invalid);
  EXPECT_EQ(kind_of(r, std::string(250, 'a') + ".com"), MxError::Kind::invalid);
  try {
    r.resolve("ex\xc3\xa4mple.com");
  } catch (const MxError& e) {
    EXPECT_NE(std::string(e.what()).find("xn--"), std::string::npos) << e.what();
  }
}

TEST(DnsMx, AddressLiteralNeedsNoLookup) {
  DnsMxResolver r(2525);
  auto hosts = r.resolve("[127.0.0.1]");
  ASSERT_EQ(hosts.size(), 1u);
  EXPECT_EQ(hosts[0].host, "127.0.0.1");
  EXPECT_EQ(hosts[0].port, 2525);
  EXPECT_TRUE(hosts[0].implicit);
  hosts = r.resolve("[IPv6:::1]");
  EXPECT_EQ(hosts[0].host, "::1");
}

// A UDP DNS server on 127.0.0.1 answering MX queries from a table:
// name -> MX records (preference, exchange; "" is the root, a null MX), or
// an rcode for names listed in `rcodes`. Unknown names get NOERROR with no
// answer (NODATA).
class FakeDns {
 public:
  std::map<std::string, std::vector<std::pair<int, std::string>>> mx;
  std::map<std::string, int> rcodes;

  FakeDns() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("fake DNS: cannot bind");
    port_ = ntohs(a.sin_port);
  }
  ~FakeDns() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  void start() { thread_ = std::thread([this] { serve(); }); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  static void put16(std::string& out, int v) {
    out += static_cast<char>((v >> 8) & 0xff);
    out += static_cast<char>(v & 0xff);
  }
  static std::string encode_name(const std::string& name) {
    std::string out;
    std::size_t start = 0;
    while (start < name.size()) {
      const auto dot = name.find('.', start);
      const auto label = name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      out += static_cast<char>(label.size());
      out += label;
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    return out + '\0';
  }
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      unsigned char q[512];
      sockaddr_in from{};
      socklen_t len = sizeof from;
      const auto n = ::recvfrom(fd_, q, sizeof q, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 17) continue;
      // The question: labels from offset 12, then type and class.
      std::string name;
      std::size_t i = 12;
      while (i < static_cast<std::size_t>(n) && q[i] != 0) {
        const std::size_t l = q[i];
        if (!name.empty()) name += '.';
        name.append(reinterpret_cast<const char*>(q + i + 1), l);
        i += l + 1;
      }
      const std::size_t question_end = i + 5;  // root byte, type, class
      std::string out(reinterpret_cast<const char*>(q), 2);  // id
      const auto rc = rcodes.count(name) ? rcodes.at(name) : 0;
      const auto& records = mx.count(name) ? mx.at(name) : std::vector<std::pair<int, std::string>>{};
      put16(out, 0x8180 | rc);  // response, recursion desired + available
      put16(out, 1);
      put16(out, rc ? 0 : static_cast<int>(records.size()));
      put16(out, 0);
      put16(out, 0);
      out.append(reinterpret_cast<const char*>(q + 12), question_end - 12);
      if (!rc)
        for (const auto& [pref, exchange] : records) {
          put16(out, 0xc00c);  // the question's name
          put16(out, 15);      // MX
          put16(out, 1);       // IN
          out += std::string("\0\0\0\x3c", 4);  // TTL 60
          const std::string target = exchange.empty() ? std::string(1, '\0') : encode_name(exchange);
          put16(out, static_cast<int>(target.size() + 2));
          put16(out, pref);
          out += target;
        }
      ::sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class DnsMxAnswers : public ::testing::Test {
 protected:
  void SetUp() override {
    dns_.mx["example.test"] = {{20, "backup-b.example.test"}, {10, "MX1.Example.Test."}, {20, "backup-a.example.test"}};
    dns_.mx["nullmx.test"] = {{0, ""}};
    dns_.rcodes["nx.test"] = 3;        // NXDOMAIN
    dns_.rcodes["servfail.test"] = 2;  // SERVFAIL
    dns_.start();
  }
  FakeDns dns_;
};

TEST_F(DnsMxAnswers, SortedByPreferenceTiesShuffled) {
  DnsMxResolver r(25, dns_.address());
  std::set<std::string> seconds;
  for (int i = 0; i < 40; ++i) {
    const auto hosts = r.resolve("example.test");
    ASSERT_EQ(hosts.size(), 3u);
    EXPECT_EQ(hosts[0].host, "mx1.example.test");  // lower case, no trailing dot
    EXPECT_EQ(hosts[0].preference, 10);
    EXPECT_EQ(hosts[1].preference, 20);
    EXPECT_FALSE(hosts[0].implicit);
    seconds.insert(hosts[1].host);
  }
  // Both equal-preference hosts come second sometimes (odds of a false
  // failure: 2^-39).
  EXPECT_EQ(seconds, (std::set<std::string>{"backup-a.example.test", "backup-b.example.test"}));
}

TEST_F(DnsMxAnswers, NullMxAcceptsNoMail) {
  DnsMxResolver r(25, dns_.address());
  EXPECT_EQ(kind_of(r, "nullmx.test"), MxError::Kind::no_mail);
  try {
    r.resolve("nullmx.test");
  } catch (const MxError& e) {
    EXPECT_NE(std::string(e.what()).find("accepts no mail"), std::string::npos) << e.what();
  }
}

TEST_F(DnsMxAnswers, NoMxMeansTheDomainItself) {
  DnsMxResolver r(2525, dns_.address());
  const auto hosts = r.resolve("plain.test");
  ASSERT_EQ(hosts.size(), 1u);
  EXPECT_EQ(hosts[0].host, "plain.test");
  EXPECT_EQ(hosts[0].port, 2525);
  EXPECT_TRUE(hosts[0].implicit);
}

TEST_F(DnsMxAnswers, NxdomainAndServfail) {
  DnsMxResolver r(25, dns_.address());
  EXPECT_EQ(kind_of(r, "nx.test"), MxError::Kind::no_domain);
  EXPECT_EQ(kind_of(r, "servfail.test"), MxError::Kind::temporary);
}

}  // namespace
}  // namespace ndrlink::smtp
