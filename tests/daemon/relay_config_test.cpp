// [relay] in the configuration: every key read, defaults, and mistakes as
// one line naming the file, line and key.
#include <gtest/gtest.h>

#include "config.h"

namespace ndrlink::daemon {
namespace {

std::string error_of(const std::string& toml) {
  try {
    parse_config(toml + "\n[[maildir]]\npath = \"m\"\n", "n.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(RelayConfig, OffByDefaultWithRfcDefaults) {
  const auto c = parse_config("[[maildir]]\npath = \"m\"\n", "n.toml");
  EXPECT_FALSE(c.relay.enabled);
  EXPECT_EQ(c.relay.listen_host, "127.0.0.1");
  EXPECT_EQ(c.relay.listen_port, 10025);
  EXPECT_EQ(c.relay.upstream, RelayConfig::Upstream::mx);
  EXPECT_EQ(c.relay.upstream_tls, "opportunistic");
  EXPECT_TRUE(c.relay.verp && c.relay.envid && c.relay.header);
  EXPECT_EQ(c.relay.verp_scope, RelayConfig::VerpScope::recipient);
  EXPECT_FALSE(c.relay.address_literals);
  EXPECT_TRUE(c.relay.transaction_per_recipient());
  EXPECT_TRUE(c.relay.xverp);
  EXPECT_EQ(c.relay.upstream_data_end_timeout, std::chrono::seconds(600));
}

TEST(RelayConfig, EveryKeyIsRead) {
  const auto c = parse_config(R"([verp]
domain = "bounces.example.org"
[relay]
enabled = true
listen = "[::1]:2525"
hostname = "relay.example.org"
max_connections = 10
max_message_size = 1048576
max_recipients = 50
max_line_length = 2000
client_timeout_seconds = 60
upstream = "smarthost"
smarthost = "smtp.example.org:587"
mx_port = 2526
mx_cache_seconds = 60
address_literals = true
dns_server = "127.0.0.53"
smarthost_user = "relay"
smarthost_password_file = "/etc/ndrlink/smarthost-password"
upstream_tls = "required"
upstream_tls_ca = "/etc/ssl/ca.pem"
upstream_tls_verify = true
upstream_connect_timeout_seconds = 10
upstream_timeout_seconds = 30
upstream_data_timeout_seconds = 40
upstream_data_end_timeout_seconds = 50
cert_file = "/etc/ndrlink/relay.crt"
key_file = "/etc/ndrlink/relay.key"
verp = true
verp_scope = "message"
xverp = false
envid = false
header = false
[relay.static_mx]
"example.com" = "127.0.0.1:2525"
[[maildir]]
path = "m"
)",
                              "n.toml");
  const auto& r = c.relay;
  EXPECT_TRUE(r.enabled);
  EXPECT_EQ(r.listen_host, "::1");
  EXPECT_EQ(r.listen_port, 2525);
  EXPECT_EQ(r.hostname, "relay.example.org");
  EXPECT_EQ(r.max_connections, 10u);
  EXPECT_EQ(r.max_message_size, 1048576u);
  EXPECT_EQ(r.max_recipients, 50u);
  EXPECT_EQ(r.max_line_length, 2000u);
  EXPECT_EQ(r.client_timeout, std::chrono::seconds(60));
  EXPECT_EQ(r.upstream, RelayConfig::Upstream::smarthost);
  EXPECT_EQ(r.smarthost_host, "smtp.example.org");
  EXPECT_EQ(r.smarthost_port, 587);
  EXPECT_EQ(r.mx_port, 2526);
  EXPECT_EQ(r.mx_cache, std::chrono::seconds(60));
  EXPECT_TRUE(r.address_literals);
  EXPECT_EQ(r.dns_server, "127.0.0.53:53");
  EXPECT_EQ(r.smarthost_user, "relay");
  EXPECT_EQ(r.smarthost_password_file, "/etc/ndrlink/smarthost-password");
  EXPECT_EQ(r.upstream_tls, "required");
  EXPECT_EQ(r.upstream_tls_ca, "/etc/ssl/ca.pem");
  EXPECT_EQ(r.upstream_connect_timeout, std::chrono::seconds(10));
  EXPECT_EQ(r.upstream_timeout, std::chrono::seconds(30));
  EXPECT_EQ(r.upstream_data_timeout, std::chrono::seconds(40));
  EXPECT_EQ(r.upstream_data_end_timeout, std::chrono::seconds(50));
  EXPECT_EQ(r.cert_file, "/etc/ndrlink/relay.crt");
  EXPECT_EQ(r.key_file, "/etc/ndrlink/relay.key");
  EXPECT_EQ(r.verp_scope, RelayConfig::VerpScope::message);
  EXPECT_FALSE(r.transaction_per_recipient());
  EXPECT_FALSE(r.xverp);
  EXPECT_FALSE(r.envid);
  EXPECT_FALSE(r.header);
  EXPECT_EQ(r.static_mx.at("example.com"), "127.0.0.1:2525");
  EXPECT_EQ(c.verp_domain, "bounces.example.org");
}

TEST(RelayConfig, MistakesAreOneLineWithFileLineAndKey) {
  // The unknown-key error then lists the known keys (config.cpp).
  const std::string unknown = error_of("[relay]\nlisten_on = \"x\"");
  EXPECT_EQ(unknown.rfind("n.toml:2: relay.listen_on: unknown key (known: ", 0), 0u) << unknown;
  EXPECT_NE(unknown.find(" listen, "), std::string::npos) << unknown;
  EXPECT_EQ(error_of("[relay]\nupstream = \"dns\""),
            "n.toml:2: relay.upstream: must be one of mx, smarthost (got \"dns\")");
  EXPECT_EQ(error_of("[relay]\nlisten = \"127.0.0.1:99999\""), "n.toml:2: relay.listen: bad port in \"127.0.0.1:99999\"");
  EXPECT_EQ(error_of("[relay]\nmax_connections = 0"), "n.toml:2: relay.max_connections: must be between 1 and 100000");
  EXPECT_EQ(error_of("[relay]\nupstream_tls = \"maybe\""),
            "n.toml:2: relay.upstream_tls: must be one of none, opportunistic, required (got \"maybe\")");
  EXPECT_EQ(error_of("[relay]\ndns_server = \"ns.example.org\""),
            "n.toml:2: relay.dns_server: expected an IPv4 address[:port] (got \"ns.example.org\")");
  EXPECT_EQ(error_of("[relay]\nmx_cache_seconds = 0"), "n.toml:2: relay.mx_cache_seconds: must be between 1 and 86400");
  EXPECT_EQ(error_of("[relay]\nverp_scope = \"domain\""),
            "n.toml:2: relay.verp_scope: must be one of recipient, message (got \"domain\")");
  EXPECT_EQ(error_of("[relay]\n[relay.static_mx]\n\"example.com\" = 25"),
            "n.toml:3: relay.static_mx.example.com: expected \"host:port\"");
  EXPECT_EQ(error_of("[relay]\nenabled = true\nverp = false\nupstream = \"smarthost\""),
            "n.toml:1: relay.smarthost: required");
  EXPECT_EQ(error_of("[relay]\nenabled = true"),
            "n.toml: relay.verp = true needs [verp] domain (the domain of the watched bounce mailbox)");
  EXPECT_EQ(error_of("[verp]\ndomain = \"b.example\"\n[relay]\nenabled = true\ncert_file = \"c\""),
            "n.toml: relay.cert_file and relay.key_file go together");
  // XVERP's delimiter is the prefix's last character: asked for with a
  // prefix that has none, an error; by default, XVERP is left off.
  EXPECT_EQ(error_of("[verp]\ndomain = \"b.example\"\nprefix = \"bnc\"\n[relay]\nenabled = true\nxverp = true"),
            "n.toml: relay.xverp = true needs a [verp] prefix ending in '+', '-' or '=' (got \"bnc\")");
  EXPECT_FALSE(parse_config("[verp]\ndomain = \"b.example\"\nprefix = \"bnc\"\n[relay]\nenabled = true\n[[maildir]]\npath = \"m\"\n", "n.toml")
                   .relay.xverp);
  EXPECT_TRUE(parse_config("[verp]\ndomain = \"b.example\"\nprefix = \"bnc-\"\n[relay]\nenabled = true\n[[maildir]]\npath = \"m\"\n", "n.toml")
                  .relay.xverp);
  EXPECT_EQ(error_of("[verp]\ndomain = \"a@b\""),
            "n.toml:2: verp.domain: must be a domain name like \"bounces.example.org\"");
}

}  // namespace
}  // namespace ndrlink::daemon
