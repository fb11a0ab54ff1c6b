// The SMTP relay in the real ndrlinkd against a scripted upstream: what the
// client sees, what goes upstream (VERP, ENVID, NOTIFY, X-Ndrlink-Id,
// Message-ID) and what is recorded (acceptances with the upstream's reply,
// refusals); sessions, pipelining, limits, TLS, AUTH. DATA outcomes:
// relay_data_test.cpp.
#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "relay_fixture.h"
#include "smtp_client.h"
#include "test_certificate.h"

namespace ndrlink::testing {
namespace {
using test::ScriptedSmtpServer;

TEST_F(RelayTest, Upstream252IsRecordedWithItsReplyAndTaggedByVerpEnvidAndHeader) {
  start();
  upstream_->on("RCPT", ScriptedSmtpServer::reply("252 2.1.5 Cannot VRFY user, but will accept message"));
  auto c = greeted();
  EXPECT_EQ(c->command("MAIL FROM:<app@app.test> SIZE=300"), "250 2.1.0 Ok");
  EXPECT_EQ(c->command("RCPT TO:<someone@example.com>"), "252 2.1.5 Cannot VRFY user, but will accept message");
  EXPECT_EQ(c->command("DATA").substr(0, 4), "354 ");
  EXPECT_EQ(c->command(message() + ".").substr(0, 4), "250 ");
  EXPECT_EQ(c->command("QUIT").substr(0, 4), "221 ");

  const auto rows = acceptances();
  ASSERT_EQ(rows.size(), 1u);
  const auto& a = rows[0];
  EXPECT_EQ(a.recipient, "someone@example.com");
  EXPECT_EQ(a.reply_code, 252);
  EXPECT_EQ(a.enhanced_status, "2.1.5");
  EXPECT_EQ(a.reply_text, "Cannot VRFY user, but will accept message");
  EXPECT_EQ(a.mx_host, "127.0.0.1");
  EXPECT_EQ(a.sender, "app@app.test");
  EXPECT_EQ(a.source, "relay");
  EXPECT_EQ(a.message_id, "<m1@app.test>");
  EXPECT_EQ(a.state, "pending");
  // Upstream: MAIL FROM is the recipient's VERP address, whose token
  // verifies with the daemon's secret and names this acceptance.
  const auto mails = with_verb(upstream_->commands(), "MAIL FROM:");
  ASSERT_EQ(mails.size(), 1u);
  const std::string token = verp_token(mails[0]);
  ASSERT_FALSE(token.empty()) << mails[0];
  EXPECT_EQ(signer().verify(token), a.id);
  EXPECT_EQ(a.verp_token, token);
  EXPECT_NE(mails[0].find("SIZE=300"), std::string::npos) << mails[0];
  EXPECT_NE(mails[0].find("RET=HDRS"), std::string::npos) << mails[0];
  EXPECT_NE(mails[0].find("ENVID=" + token), std::string::npos) << mails[0];
  EXPECT_EQ(a.envid, token);
  EXPECT_EQ(with_verb(upstream_->commands(), "RCPT TO:").at(0),
            "RCPT TO:<someone@example.com> NOTIFY=FAILURE,DELAY ORCPT=rfc822;someone@example.com");
  EXPECT_EQ(a.copy_token, token);
  const auto messages = upstream_->messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body.rfind("X-Ndrlink-Id: " + token + "\r\n", 0), 0u) << messages[0].body;
  EXPECT_NE(messages[0].body.find("\r\n.leading dot (dot"), std::string::npos);  // unstuffed, stuffed again
  EXPECT_NE(daemon_->log().find("RCPT <someone@example.com>: 252 2.1.5 Cannot VRFY user, but will accept message -> "
                                "acceptance " + std::to_string(a.id)),
            std::string::npos);
}

TEST_F(RelayTest, RefusedAndAcceptedRecipientsEachGetTheirOwnReply) {
  start();
  upstream_->on_rcpt("nobody@example.com", ScriptedSmtpServer::reply("550 5.1.1 <nobody@example.com>: User unknown"));
  auto c = greeted();
  EXPECT_EQ(c->command("MAIL FROM:<app@app.test>"), "250 2.1.0 Ok");
  EXPECT_EQ(c->command("RCPT TO:<nobody@example.com>"), "550 5.1.1 <nobody@example.com>: User unknown");
  EXPECT_EQ(c->command("RCPT TO:<someone@example.com>").substr(0, 4), "250 ");
  EXPECT_EQ(c->command("DATA").substr(0, 4), "354 ");
  EXPECT_EQ(c->command(message() + ".").substr(0, 4), "250 ");
  const auto rows = acceptances();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].recipient, "someone@example.com");
  const auto refused = refusals();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].recipient, "nobody@example.com");
  EXPECT_EQ(refused[0].reply_code, 550);
  EXPECT_EQ(refused[0].enhanced_status, "5.1.1");
  EXPECT_EQ(refused[0].reply_text, "<nobody@example.com>: User unknown");
  EXPECT_EQ(refused[0].stage, "rcpt");
  EXPECT_EQ(refused[0].mx_host, "127.0.0.1");
  // The refused recipient's reserved id is a gap: no acceptance has it.
  const auto mails = with_verb(upstream_->commands(), "MAIL FROM:");
  ASSERT_EQ(mails.size(), 2u);
  const auto gap = signer().verify(verp_token(mails[0]));
  ASSERT_TRUE(gap);
  EXPECT_FALSE(store()->acceptance(*gap));
  EXPECT_EQ(signer().verify(verp_token(mails[1])), rows[0].id);
  ASSERT_EQ(upstream_->messages().size(), 1u);
  EXPECT_EQ(upstream_->messages()[0].rcpt_to.size(), 1u);
  EXPECT_NE(daemon_->log().find("RCPT <nobody@example.com>: 550 5.1.1 <nobody@example.com>: User unknown -> refusal"),
            std::string::npos);
}

TEST_F(RelayTest, EachRecipientHasItsOwnTaggedTransactionWithVerp) {
  start();
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>").substr(0, 4), "250 ");
  EXPECT_EQ(c->command("RCPT TO:<b@example.org>").substr(0, 4), "250 ");
  c->command("DATA");
  EXPECT_EQ(c->command(message("") + ".").substr(0, 4), "250 ");
  const auto rows = acceptances();
  ASSERT_EQ(rows.size(), 2u);
  // No Message-ID from the client: the relay added one, the same on both.
  EXPECT_FALSE(rows[0].message_id.empty());
  EXPECT_EQ(rows[0].message_id, rows[1].message_id);
  const auto messages = upstream_->messages();
  ASSERT_EQ(messages.size(), 2u);
  for (const auto& m : messages) {
    EXPECT_EQ(m.rcpt_to.size(), 1u);
    EXPECT_NE(m.body.find("Message-ID: " + rows[0].message_id + "\r\n"), std::string::npos) << m.body;
    EXPECT_EQ(m.body.rfind("X-Ndrlink-Id: ", 0), 0u) << m.body;
  }
}

TEST_F(RelayTest, WithoutVerpOneUpstreamTransactionKeepsTheSenderAndIsTaggedByItsFirstRecipient) {
  start("verp = false");
  auto c = greeted();
  EXPECT_EQ(send_to_two(*c).substr(0, 4), "250 ");
  const auto messages = upstream_->messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].rcpt_to.size(), 2u);
  EXPECT_EQ(messages[0].mail_from.rfind("<app@app.test>", 0), 0u) << messages[0].mail_from;
  const auto rows = acceptances();
  ASSERT_EQ(rows.size(), 2u);
  // One tag per upstream transaction, its first recipient's token: ENVID,
  // header and each acceptance's copy_token.
  EXPECT_EQ(rows[0].envid, rows[0].verp_token);
  EXPECT_EQ(rows[1].envid, rows[0].verp_token);
  EXPECT_EQ(messages[0].body.rfind("X-Ndrlink-Id: " + rows[0].verp_token + "\r\n", 0), 0u) << messages[0].body;
  for (const auto& a : rows) EXPECT_EQ(a.copy_token, rows[0].verp_token);
}

TEST_F(RelayTest, VerpByMessageTagsOneTransactionPerUpstreamWithItsFirstRecipient) {
  ScriptedSmtpServer other;
  start("verp_scope = \"message\"", {}, "\"example.org\" = \"" + other.address() + "\"\n");
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  for (const char* rcpt : {"a@example.com", "c@example.org", "b@example.com"})
    EXPECT_EQ(c->command("RCPT TO:<" + std::string(rcpt) + ">").substr(0, 4), "250 ") << rcpt;
  c->command("DATA");
  EXPECT_EQ(c->command(message() + "."), "250 2.0.0 Ok: <m1@app.test> relayed in 2 upstream transaction(s)");
  std::map<std::string, storage::Acceptance> by;
  for (const auto& a : acceptances()) by[a.recipient] = a;
  ASSERT_EQ(by.size(), 3u);
  const std::string first = by["a@example.com"].verp_token, alone = by["c@example.org"].verp_token;
  EXPECT_EQ(by["a@example.com"].copy_token, first);
  EXPECT_EQ(by["b@example.com"].copy_token, first);
  EXPECT_EQ(by["b@example.com"].envid, first);
  EXPECT_EQ(by["c@example.org"].copy_token, alone);
  const auto sent = upstream_->messages();
  ASSERT_EQ(sent.size(), 1u);
  const auto& m = sent[0];
  EXPECT_EQ(m.rcpt_to.size(), 2u);
  EXPECT_EQ(m.mail_from.rfind("<bounces+" + first + "@bounces.example.net>", 0), 0u) << m.mail_from;
  EXPECT_NE(m.mail_from.find("ENVID=" + first), std::string::npos) << m.mail_from;
  EXPECT_EQ(m.body.rfind("X-Ndrlink-Id: " + first + "\r\n", 0), 0u) << m.body;
  const auto rcpts = with_verb(upstream_->commands(), "RCPT TO:");
  ASSERT_EQ(rcpts.size(), 2u);
  EXPECT_EQ(rcpts[1], "RCPT TO:<b@example.com> NOTIFY=FAILURE,DELAY ORCPT=rfc822;b@example.com");
  ASSERT_EQ(other.messages().size(), 1u);
  EXPECT_EQ(other.messages()[0].mail_from.rfind("<bounces+" + alone + "@bounces.example.net>", 0), 0u);
}

// An upstream that offers XVERP (Postfix, to its authorized clients) makes
// each recipient's VERP address itself: VERP by recipient then needs one
// upstream transaction per message, with a fixed return path.
TEST_F(RelayTest, XverpUpstreamGetsOneTransactionWithAFixedReturnPathTaggedByItsFirstRecipient) {
  ScriptedSmtpServer::Options xverp;
  xverp.extensions.push_back("XVERP");
  start("", xverp);
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  for (const char* rcpt : {"a@example.com", "b@example.org"})
    EXPECT_EQ(c->command("RCPT TO:<" + std::string(rcpt) + ">").substr(0, 4), "250 ") << rcpt;
  c->command("DATA");
  EXPECT_EQ(c->command(message() + ".").substr(0, 4), "250 ");
  const auto rows = acceptances();
  ASSERT_EQ(rows.size(), 2u);
  const std::string tag = rows[0].verp_token;
  for (const auto& a : rows) {
    EXPECT_EQ(a.copy_token, tag);
    EXPECT_EQ(a.envid, tag);
  }
  const auto sent = upstream_->messages();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].rcpt_to.size(), 2u);
  EXPECT_EQ(sent[0].mail_from, "<bounces@bounces.example.net> RET=HDRS ENVID=" + tag + " XVERP=+=");
  EXPECT_EQ(sent[0].body.rfind("X-Ndrlink-Id: " + tag + "\r\n", 0), 0u) << sent[0].body;
  EXPECT_NE(daemon_->log().find("tagging verp=true (by recipient, XVERP where offered)"), std::string::npos);

  // Pipelined RCPTs share that transaction, so they are asked in turn.
  upstream_->on_rcpt("c@example.com", ScriptedSmtpServer::reply_after(std::chrono::milliseconds(200)));
  upstream_->on_rcpt("d@example.com", ScriptedSmtpServer::reply_after(std::chrono::milliseconds(200)));
  c->send("MAIL FROM:<app@app.test>\r\nRCPT TO:<c@example.com>\r\nRCPT TO:<d@example.com>\r\nDATA\r\n");
  for (const char* code : {"250 ", "250 ", "250 ", "354 "}) EXPECT_EQ(c->reply().substr(0, 4), code);
  EXPECT_EQ(c->command(message() + ".").substr(0, 4), "250 ");
  ASSERT_EQ(upstream_->messages().size(), 2u);
  EXPECT_EQ(upstream_->messages()[1].rcpt_to.size(), 2u);
  EXPECT_EQ(upstream_->most_concurrent_delays(), 1);
}

TEST_F(RelayTest, XverpOffIsVerpByRecipientOnAnyUpstream) {
  ScriptedSmtpServer::Options xverp;
  xverp.extensions.push_back("XVERP");
  start("xverp = false", xverp);
  auto c = greeted();
  EXPECT_EQ(send_to_two(*c).substr(0, 4), "250 ");
  const auto sent = upstream_->messages();
  ASSERT_EQ(sent.size(), 2u);
  for (const auto& m : sent) {
    EXPECT_EQ(m.mail_from.find("XVERP"), std::string::npos) << m.mail_from;
    EXPECT_EQ(m.mail_from.rfind("<bounces+", 0), 0u) << m.mail_from;
  }
}

// A transaction's tag (return path, ENVID, header) names its first
// recipient's acceptance: a refused one has none, so the next recipient
// opens a transaction under its own, with VERP by message and without VERP.
class RefusedFirstRecipient : public RelayTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(RefusedFirstRecipient, StartsAnotherTransaction) {
  start(GetParam());
  upstream_->on_rcpt("nobody@example.com", ScriptedSmtpServer::reply("550 5.1.1 <nobody@example.com>: User unknown"));
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<nobody@example.com>").substr(0, 4), "550 ");
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>").substr(0, 4), "250 ");
  EXPECT_EQ(c->command("RCPT TO:<b@example.com>").substr(0, 4), "250 ");
  c->command("DATA");
  EXPECT_EQ(c->command(message() + ".").substr(0, 4), "250 ");
  EXPECT_EQ(with_verb(upstream_->commands(), "MAIL FROM:").size(), 2u);
  const auto rows = acceptances();
  ASSERT_EQ(rows.size(), 2u);
  const std::string tag = rows[0].verp_token;
  EXPECT_EQ(rows[1].copy_token, tag);
  EXPECT_EQ(rows[1].envid, tag);
  const auto sent = upstream_->messages();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].rcpt_to.size(), 2u);
  EXPECT_NE(sent[0].mail_from.find("ENVID=" + tag), std::string::npos) << sent[0].mail_from;
  EXPECT_EQ(sent[0].body.rfind("X-Ndrlink-Id: " + tag + "\r\n", 0), 0u) << sent[0].body;
}

INSTANTIATE_TEST_SUITE_P(Relay, RefusedFirstRecipient,
                         ::testing::Values("verp = false", "verp_scope = \"message\""),
                         [](const auto& info) { return info.index == 0 ? "WithoutVerp" : "VerpByMessage"; });

TEST_F(RelayTest, EachDomainGoesToItsOwnMxWithoutVerp) {
  ScriptedSmtpServer other;
  start("verp = false", {}, "\"example.org\" = \"" + other.address() + "\"\n");
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>").substr(0, 4), "250 ");
  EXPECT_EQ(c->command("RCPT TO:<b@example.org>").substr(0, 4), "250 ");
  EXPECT_EQ(c->command("RCPT TO:<c@example.org>").substr(0, 4), "250 ");
  c->command("DATA");
  EXPECT_EQ(c->command(message() + "."), "250 2.0.0 Ok: <m1@app.test> relayed in 2 upstream transaction(s)");
  ASSERT_EQ(upstream_->messages().size(), 1u);
  EXPECT_EQ(upstream_->messages()[0].rcpt_to.size(), 1u);
  ASSERT_EQ(other.messages().size(), 1u);
  EXPECT_EQ(other.messages()[0].rcpt_to.size(), 2u);
  EXPECT_EQ(other.messages()[0].mail_from.rfind("<app@app.test>", 0), 0u);
  for (const auto& a : acceptances()) EXPECT_EQ(a.message_id, "<m1@app.test>");
}

TEST_F(RelayTest, TheSessionsNextTransactionReusesTheUpstreamConnection) {
  start();
  // The second MAIL on the kept connection finds it closed: a new one.
  upstream_->on("MAIL", std::vector<ScriptedSmtpServer::Action>{ScriptedSmtpServer::reply("250 2.1.0 Ok"),
                                                                ScriptedSmtpServer::reply("250 2.1.0 Ok"),
                                                                ScriptedSmtpServer::close(),
                                                                ScriptedSmtpServer::reply("250 2.1.0 Ok")});
  auto c = greeted();
  for (int i = 0; i < 3; ++i) {
    c->command("MAIL FROM:<app@app.test>");
    EXPECT_EQ(c->command("RCPT TO:<a" + std::to_string(i) + "@example.com>").substr(0, 4), "250 ") << i;
    c->command("DATA");
    EXPECT_EQ(c->command(message("Message-ID: <r" + std::to_string(i) + "@app.test>\r\n") + ".").substr(0, 4), "250 ");
  }
  EXPECT_EQ(upstream_->messages().size(), 3u);
  EXPECT_EQ(upstream_->connections(), 2);  // 1st and 2nd message on one, the 3rd on a new one
  EXPECT_EQ(acceptances().size(), 3u);
}

TEST_F(RelayTest, UpstreamRefusingTheSessionIsTheRecipientsReply) {
  start();
  upstream_->on("GREETING", ScriptedSmtpServer::reply("554 5.3.2 No SMTP service here"));
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>"), "554 5.3.2 No SMTP service here");
  const auto refused = refusals();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].reply_code, 554);
  EXPECT_EQ(refused[0].mx_host, "127.0.0.1");
  EXPECT_TRUE(acceptances().empty());
}

TEST_F(RelayTest, HeloClientsAndOverlongMessageLines) {
  start("max_line_length = 1000");
  auto c = client();
  c->reply();
  EXPECT_EQ(c->command("HELO old.client"), "250 relay.test");
  EXPECT_EQ(c->command("MAIL FROM:<app@app.test> SIZE=10"), "555 5.5.4 MAIL FROM parameters need EHLO");
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>").substr(0, 4), "250 ");
  c->command("DATA");
  EXPECT_EQ(c->command("Subject: x\r\n\r\n" + std::string(1200, 'y') + "\r\n."), "500 5.5.2 Line too long");
  EXPECT_TRUE(upstream_->messages().empty());
  EXPECT_EQ(acceptances().at(0).data_reply_text, "message line too long");
}

TEST_F(RelayTest, ClientNotifyIsKeptAndNoDsnUpstreamGetsNoDsnParameters) {
  start();
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test> RET=FULL");
  c->command("RCPT TO:<a@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a@example.com");
  c->command("RSET");
  const auto rcpts = with_verb(upstream_->commands(), "RCPT TO:");
  ASSERT_EQ(rcpts.size(), 1u);
  EXPECT_EQ(rcpts[0], "RCPT TO:<a@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a@example.com");
  EXPECT_NE(with_verb(upstream_->commands(), "MAIL FROM:").at(0).find("RET=FULL"), std::string::npos);
  // RSET before DATA: the acceptance stays, marked not sent.
  const auto rows = acceptances();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, "bounced");
  EXPECT_EQ(rows[0].data_reply_text, "client sent RSET before DATA");

  daemon_->terminate();
  upstream_.reset();
  ScriptedSmtpServer::Options no_dsn;
  no_dsn.extensions = {"PIPELINING", "8BITMIME", "SIZE 10240000", "ENHANCEDSTATUSCODES"};
  start("", no_dsn);
  auto d = greeted();
  d->command("MAIL FROM:<app@app.test> RET=FULL ENVID=abc");
  d->command("RCPT TO:<a@example.com> NOTIFY=SUCCESS");
  EXPECT_EQ(with_verb(upstream_->commands(), "RCPT TO:").at(0), "RCPT TO:<a@example.com>");
  const std::string mail = with_verb(upstream_->commands(), "MAIL FROM:").at(0);
  EXPECT_EQ(mail.find("ENVID"), std::string::npos) << mail;
  EXPECT_EQ(mail.find("RET"), std::string::npos) << mail;
}

TEST_F(RelayTest, PipelinedCommandsAreAnsweredInOrder) {
  start();
  upstream_->on_rcpt("nobody@example.com", ScriptedSmtpServer::reply("550 5.1.1 User unknown"));
  auto c = client();
  EXPECT_EQ(c->reply().substr(0, 4), "220 ");
  c->send("EHLO app.test\r\nMAIL FROM:<app@app.test>\r\nRCPT TO:<a@example.com>\r\nRCPT TO:<nobody@example.com>\r\n"
          "DATA\r\n");
  EXPECT_NE(c->reply().find("250-PIPELINING"), std::string::npos);
  EXPECT_EQ(c->reply(), "250 2.1.0 Ok");
  EXPECT_EQ(c->reply().substr(0, 4), "250 ");
  EXPECT_EQ(c->reply(), "550 5.1.1 User unknown");
  EXPECT_EQ(c->reply().substr(0, 4), "354 ");
  c->send(message() + ".\r\nQUIT\r\n");
  EXPECT_EQ(c->reply().substr(0, 4), "250 ");
  EXPECT_EQ(c->reply().substr(0, 4), "221 ");
  EXPECT_EQ(acceptances().size(), 1u);
}

// With VERP the recipients a client pipelines are asked upstream at once
// (each is its own upstream transaction); the replies still come in
// order, a bad command in between is answered in its place, and the
// recipient limit holds.
TEST_F(RelayTest, PipelinedRecipientsGoUpstreamTogetherAndAreAnsweredInOrder) {
  start("max_recipients = 3");
  // Slow RCPT replies: asked together, their waits overlap upstream.
  upstream_->on_rcpt("a@example.com", ScriptedSmtpServer::reply_after(std::chrono::milliseconds(300)));
  upstream_->on_rcpt("nobody@example.com", ScriptedSmtpServer::reply_after(std::chrono::milliseconds(300),
                                                                           "550 5.1.1 User unknown"));
  auto c = greeted();
  c->send("MAIL FROM:<app@app.test>\r\nRCPT TO:<a@example.com>\r\nRCPT TO:<nobody@example.com>\r\n"
          "RCPT TO:<broken\r\nRCPT TO:<c@example.com>\r\nRCPT TO:<d@example.com>\r\nDATA\r\n");
  EXPECT_EQ(c->reply(), "250 2.1.0 Ok");
  EXPECT_EQ(c->reply().substr(0, 4), "250 ");
  EXPECT_EQ(c->reply(), "550 5.1.1 User unknown");
  EXPECT_EQ(c->reply().substr(0, 4), "501 ");
  EXPECT_EQ(c->reply().substr(0, 4), "250 ");
  EXPECT_EQ(c->reply().substr(0, 10), "452 4.5.3 ");
  EXPECT_EQ(c->reply().substr(0, 4), "354 ");
  EXPECT_EQ(c->command(message() + ".").substr(0, 4), "250 ");
  const auto rows = acceptances();
  ASSERT_EQ(rows.size(), 2u);
  std::set<std::string> got{rows[0].recipient, rows[1].recipient};
  EXPECT_EQ(got, (std::set<std::string>{"a@example.com", "c@example.com"}));
  EXPECT_EQ(refusals().size(), 1u);
  EXPECT_EQ(upstream_->messages().size(), 2u);  // one copy per accepted recipient
  for (const auto& m : upstream_->messages()) EXPECT_EQ(m.rcpt_to.size(), 1u);
  EXPECT_EQ(upstream_->most_concurrent_delays(), 2);  // a and nobody were asked at once
}

// Without VERP the recipients share one upstream transaction: asked one
// after another, even when pipelined.
// Recipients that share an upstream transaction (no VERP, or VERP by
// message) are asked in turn, in the one transaction.
class PipelinedSharedTransaction : public RelayTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(PipelinedSharedTransaction, RecipientsAreAskedInTurn) {
  start(GetParam());
  upstream_->on_rcpt("a@example.com", ScriptedSmtpServer::reply_after(std::chrono::milliseconds(200)));
  upstream_->on_rcpt("b@example.com", ScriptedSmtpServer::reply_after(std::chrono::milliseconds(200)));
  auto c = greeted();
  c->send("MAIL FROM:<app@app.test>\r\nRCPT TO:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
  EXPECT_EQ(c->reply(), "250 2.1.0 Ok");
  EXPECT_EQ(c->reply().substr(0, 4), "250 ");
  EXPECT_EQ(c->reply().substr(0, 4), "250 ");
  EXPECT_EQ(c->reply().substr(0, 4), "354 ");
  EXPECT_EQ(c->command(message() + ".").substr(0, 4), "250 ");
  EXPECT_EQ(upstream_->most_concurrent_delays(), 1);
  ASSERT_EQ(upstream_->messages().size(), 1u);
  EXPECT_EQ(upstream_->messages()[0].rcpt_to.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Relay, PipelinedSharedTransaction,
                         ::testing::Values("verp = false", "verp_scope = \"message\""),
                         [](const auto& info) { return info.index == 0 ? "WithoutVerp" : "VerpByMessage"; });

TEST_F(RelayTest, ClientMistakesGetProperReplies) {
  start("max_recipients = 2\nmax_message_size = 2048");
  auto c = client();
  c->reply();
  EXPECT_EQ(c->command("MAIL FROM:<app@app.test>"), "503 5.5.1 Error: send EHLO or HELO first");
  EXPECT_EQ(c->command("FOO bar"), "500 5.5.1 Command unrecognized");
  EXPECT_EQ(c->command("EHLO"), "501 5.5.4 Syntax: EHLO hostname");
  c->command("EHLO app.test");
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>"), "503 5.5.1 Error: need MAIL command");
  EXPECT_EQ(c->command("DATA"), "503 5.5.1 Error: need MAIL command");
  EXPECT_EQ(c->command("MAIL FROM:app@app.test"), "501 5.5.4 Syntax: MAIL FROM:<address>");
  EXPECT_EQ(c->command("MAIL FROM:<app@app.test> SIZE=4096"), "552 5.3.4 Message size exceeds fixed limit");
  EXPECT_EQ(c->command("MAIL FROM:<app@app.test> FOO=1"), "555 5.5.4 MAIL FROM parameter FOO not recognized");
  EXPECT_EQ(c->command("MAIL FROM:<app@app.test>"), "250 2.1.0 Ok");
  EXPECT_EQ(c->command("MAIL FROM:<app@app.test>"), "503 5.5.1 Error: nested MAIL command");
  EXPECT_EQ(c->command("DATA"), "503 5.5.1 Error: need RCPT command");
  EXPECT_EQ(c->command("RCPT TO:<bad address@example.com>").substr(0, 10), "501 5.1.3 ");
  EXPECT_EQ(c->command("VRFY someone"), "252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery");
  EXPECT_EQ(c->command("AUTH PLAIN"), "502 5.5.1 Command not implemented");
  EXPECT_EQ(c->command("STARTTLS"), "502 5.5.1 STARTTLS not available");
  c->command("RCPT TO:<a@example.com>");
  c->command("RCPT TO:<b@example.com>");
  EXPECT_EQ(c->command("RCPT TO:<c@example.com>"), "452 4.5.3 Error: too many recipients");
  c->command("DATA");
  EXPECT_EQ(c->command(std::string(3000, 'x') + "\r\n."), "552 5.3.4 Message size exceeds fixed limit");
  EXPECT_EQ(c->command("NOOP"), "250 2.0.0 Ok");
  EXPECT_TRUE(upstream_->messages().empty());
}

TEST_F(RelayTest, TenMegabyteLineIsRefusedAndTheSessionGoesOn) {
  start();
  auto c = greeted();
  ASSERT_TRUE(c->send(std::string(10 << 20, 'A') + "\r\n"));
  EXPECT_EQ(c->reply(), "500 5.5.2 Line too long");
  EXPECT_EQ(c->command("NOOP"), "250 2.0.0 Ok");
  EXPECT_EQ(c->command("MAIL FROM:<app@app.test>"), "250 2.1.0 Ok");
}

TEST_F(RelayTest, AnIdleClientTimesOutWith421) {
  start("client_timeout_seconds = 1");
  auto c = greeted();
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(c->reply(), "421 4.4.2 relay.test Timeout, closing connection");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(900));
  EXPECT_TRUE(c->closed());
}

TEST_F(RelayTest, ACommandTrickledAByteAtATimeGetsOneTimeoutNotOnePerByte) {
  // Each byte within the timeout, the line not: the line's deadline holds.
  start("client_timeout_seconds = 1");
  auto c = greeted();
  for (char ch : std::string("NOOP\r\n")) {
    if (!c->send(std::string(1, ch))) break;  // closed after the 421
    std::this_thread::sleep_for(std::chrono::milliseconds(350));
  }
  EXPECT_EQ(c->reply(), "421 4.4.2 relay.test Timeout, closing connection");
}

TEST_F(RelayTest, SighupSaysAnyRelayChangeWaitsForARestart) {
  start();
  std::string config = read_file(fixture_->config_path());
  const std::string from = "client_timeout_seconds = 5", to = "client_timeout_seconds = 6";
  ASSERT_NE(config.find(from), std::string::npos);
  config.replace(config.find(from), from.size(), to);
  std::ofstream(fixture_->config_path()) << config;
  ::kill(daemon_->pid(), SIGHUP);
  ASSERT_TRUE(eventually([&] { return daemon_->log().find("configuration reloaded") != std::string::npos; },
                         std::chrono::seconds(10)))
      << daemon_->log();
  EXPECT_NE(daemon_->log().find("SIGHUP: [relay] settings apply after a restart"), std::string::npos)
      << daemon_->log();
  EXPECT_EQ(greeted()->command("NOOP"), "250 2.0.0 Ok");  // the running relay goes on
}

TEST_F(RelayTest, OverMaxConnectionsGets421) {
  start("max_connections = 2");
  auto a = greeted();
  auto b = greeted();
  auto c = client();
  EXPECT_EQ(c->reply().substr(0, 10), "421 4.3.2 ");
  EXPECT_TRUE(c->closed());
  a.reset();
  ASSERT_TRUE(eventually(
      [&] {
        SmtpTestClient d(port_);
        return d.reply().substr(0, 4) == "220 ";
      },
      std::chrono::seconds(10)));
}

TEST_F(RelayTest, UpstreamRefusingConnectionsGives451) {
  start();
  const int dead = upstream_->port();
  upstream_.reset();  // nothing listens there now
  (void)dead;
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>").substr(0, 10), "451 4.4.1 ");
  EXPECT_EQ(c->command("DATA"), "554 5.5.1 Error: no valid recipients");
  EXPECT_TRUE(acceptances().empty());
  EXPECT_TRUE(refusals().empty());
}

TEST_F(RelayTest, UpstreamHangingGives451AfterTheTimeout) {
  start();
  upstream_->on("RCPT", ScriptedSmtpServer::hang());
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>").substr(0, 10), "451 4.4.1 ");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1500));
  EXPECT_TRUE(acceptances().empty());
}

TEST_F(RelayTest, SigtermAnswers421ToWaitingClients) {
  start();
  auto c = greeted();
  EXPECT_EQ(daemon_->terminate(), 0);
  EXPECT_EQ(c->reply().substr(0, 10), "421 4.3.2 ");
}

TEST_F(RelayTest, StartTlsTowardTheClientWithASelfSignedCertificate) {
  TempDir certs;
  const auto cert = test::make_self_signed_certificate(certs.path().string());
  start("cert_file = \"" + cert.cert_file + "\"\nkey_file = \"" + cert.key_file + "\"");
  // The project's SMTP client: STARTTLS required, the certificate verified
  // against itself as CA and for 127.0.0.1.
  namespace asio = boost::asio;
  asio::io_context io;
  smtp::SmtpClientOptions o;
  o.helo_name = "app.test";
  o.starttls = smtp::StartTlsMode::required;
  o.tls.ca_file = cert.cert_file;
  o.timeouts = smtp::SmtpTimeouts::all(std::chrono::seconds(5));
  smtp::SmtpClient tls_client(io.get_executor(), o);
  bool encrypted = false;
  smtp::SmtpReply ehlo, rcpt;
  std::string error;
  auto session = [&]() -> asio::awaitable<void> {
    try {
      const std::string host = "127.0.0.1", from = "app@app.test", to = "a@example.com";
      ehlo = co_await tls_client.open(host, static_cast<std::uint16_t>(port_));
      encrypted = tls_client.encrypted();
      co_await tls_client.mail_from(from);
      rcpt = co_await tls_client.rcpt_to(to);
      co_await tls_client.quit();
    } catch (const std::exception& e) {
      error = e.what();
    }
  };
  asio::co_spawn(io, session(), asio::detached);
  io.run();
  ASSERT_EQ(error, "");
  EXPECT_TRUE(encrypted);
  EXPECT_FALSE(tls_client.extensions().starttls);  // not offered again inside TLS
  EXPECT_EQ(rcpt.code, 250);
  // And the openssl CLI, as an administrator would check it.
  const std::string cmd = "printf 'QUIT\\r\\n' | timeout 20 openssl s_client -starttls smtp -connect 127.0.0.1:" +
                          std::to_string(port_) + " -CAfile '" + cert.cert_file +
                          "' -verify_return_error -ign_eof 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_TRUE(p);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  EXPECT_NE(out.find("Verify return code: 0 (ok)"), std::string::npos) << out;
  EXPECT_NE(out.find("221 2.0.0 Bye"), std::string::npos) << out;
}

TEST_F(RelayTest, SmarthostWithAuthFromAPasswordFile) {
  TempDir secrets;
  std::ofstream(secrets.file("password")) << "s3cret-pass\n";
  ScriptedSmtpServer::Options o;
  o.auth_mechanisms = {"PLAIN"};
  o.auth_user = "relayuser";
  o.auth_password = "s3cret-pass";
  upstream_ = std::make_unique<ScriptedSmtpServer>(o);
  start("upstream = \"smarthost\"\nsmarthost = \"" + upstream_->address() +
        "\"\nsmarthost_user = \"relayuser\"\nsmarthost_password_file = \"" + secrets.file("password") + "\"");
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>").substr(0, 4), "250 ");
  c->command("DATA");
  EXPECT_EQ(c->command(message() + ".").substr(0, 4), "250 ");
  ASSERT_EQ(upstream_->messages().size(), 1u);
  EXPECT_EQ(upstream_->messages()[0].auth_user, "relayuser");
  EXPECT_EQ(daemon_->log().find("s3cret-pass"), std::string::npos);
}

}  // namespace
}  // namespace ndrlink::testing
