// MX resolution without the network: the static map, host:port parsing,
// what DnsMxResolver decides before asking DNS (invalid names, address
// literals), and how it reads answers from a tiny DNS server on loopback
// (MX order, TTL, null MX, NXDOMAIN, no MX, SERVFAIL). Public DNS is never
// used.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "fake_dns.h"
#include "smtp_mx.h"

namespace ndrlink::smtp {
namespace {
using testing::FakeDns;

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
  // Only addresses: a name in brackets would be looked up (RFC 5321 4.1.3).
  for (const char* bad : {"[intranet.corp]", "[::1]", "[IPv6:127.0.0.1]", "[300.1.1.1]"})
    EXPECT_EQ(kind_of(r, bad), MxError::Kind::invalid) << bad;
}

class DnsMxAnswers : public ::testing::Test {
 protected:
  void SetUp() override {
    dns_.mx["example.test"] = {{20, "backup-b.example.test"}, {10, "MX1.Example.Test."}, {20, "backup-a.example.test"}};
    dns_.mx["nullmx.test"] = {{0, ""}};
    dns_.rcodes["nx.test"] = 3;        // NXDOMAIN
    dns_.rcodes["servfail.test"] = 2;  // SERVFAIL
    dns_.mx["ttl.test"] = {{10, "a.ttl.test"}, {20, "b.ttl.test"}};
    dns_.mx["zero.test"] = {{10, "a.zero.test"}, {20, "b.zero.test"}};
    dns_.record_ttl = {{"a.ttl.test", 3600}, {"b.ttl.test", 7}, {"a.zero.test", 0}, {"b.zero.test", 3600}};
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
    EXPECT_EQ(hosts[0].ttl, 60u);  // the records' TTL, for the relay's cache
    seconds.insert(hosts[1].host);
  }
  // Both equal-preference hosts come second sometimes (odds of a false
  // failure: 2^-39).
  EXPECT_EQ(seconds, (std::set<std::string>{"backup-a.example.test", "backup-b.example.test"}));
}

TEST_F(DnsMxAnswers, EveryHostCarriesTheAnswersLeastTtl) {
  DnsMxResolver r(25, dns_.address());
  for (const auto& h : r.resolve("ttl.test")) EXPECT_EQ(h.ttl, 7u) << h.host;
  for (const auto& h : r.resolve("zero.test")) EXPECT_EQ(h.ttl, 0u) << h.host;  // 0 first, still the least
  EXPECT_FALSE(r.resolve("plain.test").at(0).ttl);  // no MX record: no TTL of its own
  EXPECT_FALSE(r.resolve("[127.0.0.1]").at(0).ttl);
  EXPECT_EQ(dns_.queries("ttl.test"), 1);
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
