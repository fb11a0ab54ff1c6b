// MX resolution without the network: the static map, host:port parsing,
// and what DnsMxResolver decides before asking DNS (invalid names,
// address literals). Real DNS answers are not available in the test
// environment and public DNS is never relied upon.
#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace ndrlink::smtp
