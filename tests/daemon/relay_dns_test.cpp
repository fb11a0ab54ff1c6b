// The relay routing by DNS MX (upstream = "mx") against a fake DNS server
// on loopback (relay.dns_server): answers kept daemon-wide for their TTL,
// and a failover to the backup MX that the domain's next recipients share.
#include <chrono>
#include <thread>

#include "fake_dns.h"
#include "relay_fixture.h"

namespace ndrlink::testing {
namespace {
using namespace std::chrono_literals;

class RelayByDns : public RelayTest {
 protected:
  // One client session: a transaction to each of `rcpts`, every RCPT and
  // the message accepted.
  void send(const std::vector<std::string>& rcpts) {
    auto c = greeted();
    EXPECT_EQ(c->command("MAIL FROM:<app@app.test>").substr(0, 4), "250 ");
    for (const auto& r : rcpts) EXPECT_EQ(c->command("RCPT TO:<" + r + ">").substr(0, 4), "250 ") << r;
    EXPECT_EQ(c->command("DATA").substr(0, 4), "354 ");
    EXPECT_EQ(c->command(message() + ".").substr(0, 4), "250 ");
    c->command("QUIT");
  }
  FakeDns dns_;
};

TEST_F(RelayByDns, AnswersAreKeptAcrossSessionsForTheirTtl) {
  dns_.mx["example.test"] = {{10, "127.0.0.1"}};
  dns_.ttl = 2;
  dns_.start();
  start_dns("verp = false", dns_.address());
  send({"a@example.test"});
  send({"b@Example.TEST"});  // another session, the domain in another case
  EXPECT_EQ(dns_.queries("example.test"), 1);
  std::this_thread::sleep_for(2100ms);  // the TTL is over: asked again
  send({"c@example.test"});
  EXPECT_EQ(dns_.queries("example.test"), 2);
  EXPECT_EQ(upstream_->messages().size(), 3u);
  for (const auto& a : acceptances()) EXPECT_EQ(a.mx_host, "127.0.0.1") << a.recipient;
}

TEST_F(RelayByDns, TheDomainsRecipientsShareTheBackupMxAfterAFailover) {
  // 127.0.0.2 answers nothing on the upstream's port (refused at once).
  dns_.mx["example.test"] = {{10, "127.0.0.2"}, {20, "127.0.0.1"}};
  dns_.start();
  start_dns("verp_scope = \"message\"", dns_.address());
  send({"a@example.test", "b@example.test", "c@example.test"});
  const auto sent = upstream_->messages();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].rcpt_to.size(), 3u);
  const auto rows = acceptances();
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& a : rows) {
    EXPECT_EQ(a.mx_host, "127.0.0.1") << a.recipient;
    EXPECT_EQ(a.copy_token, rows[0].verp_token) << a.recipient;
  }
}

TEST_F(RelayByDns, AddressLiteralsAreRefusedUnlessAllowed) {
  dns_.start();
  start_dns("verp = false", dns_.address());
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<root@[127.0.0.1]>"),
            "550 5.7.1 <root@[127.0.0.1]>: address literals are not relayed here");
  const auto refused = refusals();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].reply_code, 550);
  EXPECT_TRUE(upstream_->commands().empty());
}

TEST_F(RelayByDns, AnAllowedAddressLiteralIsItsOwnHost) {
  dns_.start();
  start_dns("verp = false\naddress_literals = true", dns_.address());
  send({"root@[127.0.0.1]"});
  ASSERT_EQ(upstream_->messages().size(), 1u);
  ASSERT_EQ(acceptances().size(), 1u);
  EXPECT_EQ(acceptances()[0].mx_host, "127.0.0.1");
}

// RCPTs a client pipelines are asked at once until the relay has seen an
// upstream offer XVERP; then each opens its own transaction, even where
// the upstream does offer it and one is open already: two RCPTs never use
// one upstream connection at once (here the second slow.test route comes
// while the first one's reply, on a transaction of its own, is awaited).
TEST_F(RelayByDns, RecipientsAskedAtOnceNeverShareAnXverpTransaction) {
  dns_.mx["fast.test"] = {{10, "127.0.0.1"}};
  dns_.mx["slow.test"] = {{10, "127.0.0.1"}};
  dns_.delay["slow.test"] = 300ms;
  dns_.start();
  test::ScriptedSmtpServer::Options xverp;
  xverp.extensions.push_back("XVERP");
  upstream_ = std::make_unique<test::ScriptedSmtpServer>(xverp);
  // b's and c's routes come in either order, 300 ms apart: slow replies
  // keep the first one asked when the second is routed.
  for (const char* slow : {"b@slow.test", "c@slow.test"})
    upstream_->on_rcpt(slow, test::ScriptedSmtpServer::reply_after(2000ms));
  start_dns("upstream_timeout_seconds = 10", dns_.address());
  auto c = greeted();
  c->send("MAIL FROM:<app@app.test>\r\nRCPT TO:<a@fast.test>\r\nRCPT TO:<b@slow.test>\r\n"
          "RCPT TO:<c@slow.test>\r\nDATA\r\n");
  for (const char* code : {"250 ", "250 ", "250 ", "250 ", "354 "}) EXPECT_EQ(c->reply().substr(0, 4), code);
  EXPECT_EQ(c->command(message() + ".").substr(0, 4), "250 ");
  const auto rows = acceptances();
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& a : rows) EXPECT_EQ(a.copy_token, a.verp_token) << a.recipient;
  const auto sent = upstream_->messages();
  ASSERT_EQ(sent.size(), 3u);
  for (const auto& m : sent) {
    EXPECT_EQ(m.rcpt_to.size(), 1u);
    EXPECT_NE(m.mail_from.find(" XVERP=+="), std::string::npos) << m.mail_from;
  }
  EXPECT_EQ(daemon_->log().find("upstream failed"), std::string::npos) << daemon_->log();
}

}  // namespace
}  // namespace ndrlink::testing
