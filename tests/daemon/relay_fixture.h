// The relay end to end: a real ndrlinkd with [relay] enabled on a free
// loopback port, its upstream a ScriptedSmtpServer (static MX "*" or a
// smarthost), and the store read back through a read-only Store.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <regex>
#include <string>

#include "daemon_fixture.h"
#include "daemon_process.h"
#include "ndrlink/correlator/verp.h"
#include "ndrlink/storage/store.h"
#include "scripted_smtp_server.h"
#include "smtp_test_client.h"

namespace ndrlink::testing {

// The token of a VERP MAIL FROM line "MAIL FROM:<bounces+TOKEN@bounces.example.net> ...".
inline std::string verp_token(const std::string& mail_line) {
  std::smatch m;
  if (!std::regex_search(mail_line, m, std::regex("^MAIL FROM:<bounces\\+([^@]+)@bounces\\.example\\.net>")))
    return {};
  return m[1];
}

inline std::vector<std::string> with_verb(const std::vector<std::string>& commands, const std::string& verb) {
  std::vector<std::string> out;
  for (const auto& c : commands)
    if (c.rfind(verb, 0) == 0) out.push_back(c);
  return out;
}

class RelayTest : public ::testing::Test {
 public:  // shared test helpers use the fixture too
  // Starts the upstream (unless the test made one) and ndrlinkd;
  // `relay_toml` adds [relay] keys (upstream_tls, client_timeout_seconds
  // and upstream_timeout_seconds there replace the defaults),
  // `routes` [relay.static_mx] lines before the "*" one (the upstream).
  void start(const std::string& relay_toml = "", test::ScriptedSmtpServer::Options upstream = {},
             const std::string& routes = "") {
    if (!upstream_) upstream_ = std::make_unique<test::ScriptedSmtpServer>(std::move(upstream));
    start_with(relay_toml + "\n[relay.static_mx]\n" + routes + "\"*\" = \"" + upstream_->address() + "\"\n");
  }
  // MX routing by DNS, asking only `dns_server`; every MX host on the
  // upstream's port.
  void start_dns(const std::string& relay_toml, const std::string& dns_server) {
    if (!upstream_) upstream_ = std::make_unique<test::ScriptedSmtpServer>();
    start_with(relay_toml + "\nupstream = \"mx\"\ndns_server = \"" + dns_server +
               "\"\nmx_port = " + std::to_string(upstream_->port()) + "\n");
  }
  // ndrlinkd relaying with `relay_keys` (and what follows them) in [relay].
  void start_with(const std::string& relay_keys) {
    fixture_ = std::make_unique<DaemonFixture>(
        "[verp]\ndomain = \"bounces.example.net\"\n"
        "[relay]\nenabled = true\nlisten = \"127.0.0.1:0\"\nhostname = \"relay.test\"\n"
        + std::string(relay_keys.find("upstream_tls =") == std::string::npos ? "upstream_tls = \"none\"\n" : "") +
        std::string(relay_keys.find("client_timeout_seconds =") == std::string::npos ? "client_timeout_seconds = 5\n"
                                                                                       : "") +
        std::string(relay_keys.find("upstream_timeout_seconds =") == std::string::npos ? "upstream_timeout_seconds = 2\n"
                                                                                         : "") +
        "upstream_data_timeout_seconds = 2\nupstream_data_end_timeout_seconds = 2\n" + relay_keys);
    daemon_ = std::make_unique<DaemonProcess>(fixture_->config_path(), fixture_->log_path());
    daemon_->start();
    std::smatch m;
    const std::string log = daemon_->log();
    ASSERT_TRUE(std::regex_search(log, m, std::regex("relay: listening on 127\\.0\\.0\\.1:([0-9]+)"))) << log;
    port_ = std::stoi(m[1]);
  }

  std::unique_ptr<SmtpTestClient> client() { return std::make_unique<SmtpTestClient>(port_); }
  // A greeted client (220 and EHLO checked).
  std::unique_ptr<SmtpTestClient> greeted() {
    auto c = client();
    EXPECT_EQ(c->reply().substr(0, 4), "220 ");
    EXPECT_EQ(c->command("EHLO app.test").substr(0, 4), "250-");
    return c;
  }
  std::unique_ptr<storage::Store> store() const {
    storage::StoreOptions o;
    o.read_only = true;
    return storage::Store::open(fixture_->db_path(), o);
  }
  std::vector<storage::Acceptance> acceptances() const { return store()->list_acceptances({}); }
  std::vector<storage::Refusal> refusals() const { return store()->refusals_since("", 1000); }
  correlator::VerpSigner signer() const {
    return correlator::VerpSigner::from_file(fixture_->dir().file("verp.secret"));
  }
  static std::string message(const std::string& extra_headers = "Message-ID: <m1@app.test>\r\n") {
    return "From: app@app.test\r\nTo: someone@example.com\r\n" + extra_headers +
           "Subject: test\r\n\r\nHello.\r\n..leading dot (dot-stuffed by the client)\r\n";
  }

  std::unique_ptr<test::ScriptedSmtpServer> upstream_;
  std::unique_ptr<DaemonFixture> fixture_;
  std::unique_ptr<DaemonProcess> daemon_;
  int port_ = 0;
};

// MAIL, RCPT to each of `rcpts` (each 250), DATA (354) and the message on
// `c`: the reply to its final ".".
inline std::string send_to(SmtpTestClient& c, std::initializer_list<const char*> rcpts) {
  EXPECT_EQ(c.command("MAIL FROM:<app@app.test>"), "250 2.1.0 Ok");
  for (const char* r : rcpts) EXPECT_EQ(c.command("RCPT TO:<" + std::string(r) + ">").substr(0, 4), "250 ") << r;
  EXPECT_EQ(c.command("DATA").substr(0, 4), "354 ");
  return c.command(RelayTest::message() + ".");
}
// send_to() a@ and b@example.com.
inline std::string send_to_two(SmtpTestClient& c) { return send_to(c, {"a@example.com", "b@example.com"}); }

}  // namespace ndrlink::testing
