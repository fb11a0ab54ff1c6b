// The relay's DATA outcomes in the real ndrlinkd against a scripted
// upstream: copies refused, deferred, hanging or lost; a store that cannot
// record (nothing goes out); a client that leaves mid-DATA; SIGTERM while
// DATA waits on the upstream. What the client is told and what is
// recorded for each.
#include <utility>  // before Asio (Boost 1.74)

#include <algorithm>
#include <thread>

#include "../integration/raw_sql.h"
#include "relay_fixture.h"

namespace ndrlink::testing {
namespace {
using test::ScriptedSmtpServer;

TEST_F(RelayTest, DataRefusedAfterRcptIsMarkedAndPassedThrough) {
  start();
  upstream_->on(".", ScriptedSmtpServer::reply("554 5.7.1 Message content rejected"));
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<someone@example.com>").substr(0, 4), "250 ");
  c->command("DATA");
  EXPECT_EQ(c->command(message() + "."), "554 5.7.1 Message content rejected");
  const auto rows = acceptances();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].reply_code, 250);
  EXPECT_EQ(rows[0].state, "bounced");
  EXPECT_EQ(rows[0].data_reply_code, 554);
  EXPECT_EQ(rows[0].data_reply_text, "554 5.7.1 Message content rejected");
  EXPECT_EQ(rows[0].message_id, "");
  const auto refused = refusals();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].stage, "data");
  EXPECT_EQ(store()->events_for(rows[0].id).at(0).why, "data refused: 554 5.7.1 Message content rejected");
}

// An upstream offering CHUNKING gets each copy as one BDAT chunk (one
// round trip, nothing dot-stuffed): the client's message with the relay's
// headers on top, its "." lines intact; a refused chunk is the DATA
// refusal it stands for.
TEST_F(RelayTest, UpstreamOfferingChunkingGetsTheMessageAsOneBdatChunk) {
  ScriptedSmtpServer::Options o;
  o.extensions.push_back("CHUNKING");
  start("", o);
  upstream_->on(".", std::vector<ScriptedSmtpServer::Action>{ScriptedSmtpServer::reply(""),
                                                             ScriptedSmtpServer::reply("554 5.7.1 Content rejected")});
  auto c = greeted();
  const std::string body = "Message-ID: <chunk@app.test>\r\nSubject: dots\r\n\r\n..stuffed by the client\r\n";
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>").substr(0, 4), "250 ");
  EXPECT_EQ(c->command("DATA").substr(0, 4), "354 ");
  EXPECT_EQ(c->command(body + ".").substr(0, 4), "250 ");
  const auto sent = upstream_->messages();
  ASSERT_EQ(sent.size(), 1u);
  const std::string unstuffed = "Message-ID: <chunk@app.test>\r\nSubject: dots\r\n\r\n.stuffed by the client\r\n";
  EXPECT_EQ(sent[0].body.rfind("X-Ndrlink-Id: " + acceptances().at(0).verp_token + "\r\n", 0), 0u) << sent[0].body;
  EXPECT_EQ(sent[0].body.substr(sent[0].body.size() - unstuffed.size()), unstuffed);
  const auto commands = upstream_->commands();
  EXPECT_EQ(std::count_if(commands.begin(), commands.end(), [](const auto& l) { return l.rfind("BDAT ", 0) == 0; }), 1);
  EXPECT_EQ(std::count(commands.begin(), commands.end(), "DATA"), 0);

  c->command("MAIL FROM:<app@app.test>");
  c->command("RCPT TO:<b@example.com>");
  c->command("DATA");
  EXPECT_EQ(c->command(message() + "."), "554 5.7.1 Content rejected");
  const auto rows = acceptances();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].state, "bounced");
  EXPECT_EQ(rows[1].data_reply_code, 554);
}

test::ScriptedSmtpServer::Options without_8bitmime_and_smtputf8() {
  test::ScriptedSmtpServer::Options o;
  o.extensions = {"PIPELINING", "SIZE 10240000", "DSN", "ENHANCEDSTATUSCODES"};
  return o;
}

// RFC 6152 3: 8-bit data declared BODY=8BITMIME must not reach a server
// without 8BITMIME as it is; the relay does not convert it, so that copy
// is refused (and marked never sent). 7-bit data declared so goes, the
// parameter dropped.
TEST_F(RelayTest, EightBitDataToAnUpstreamWithout8bitmimeIsRefusedNotMangled) {
  start("", without_8bitmime_and_smtputf8());
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test> BODY=8BITMIME");
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>").substr(0, 4), "250 ");
  c->command("DATA");
  EXPECT_EQ(c->command(message() + ".").substr(0, 4), "250 ");
  c->command("MAIL FROM:<app@app.test> BODY=8BITMIME");
  EXPECT_EQ(c->command("RCPT TO:<b@example.com>").substr(0, 4), "250 ");
  c->command("DATA");
  EXPECT_EQ(c->command("Message-ID: <8bit@app.test>\r\nSubject: x\r\n\r\nd\xc3\xa9j\xc3\xa0 vu\r\n."),
            "554 5.6.3 127.0.0.1 does not accept 8-bit data (no 8BITMIME); not converted");
  const auto sent = upstream_->messages();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].mail_from.find("BODY="), std::string::npos) << sent[0].mail_from;
  const auto rows = acceptances();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].state, "bounced");
  EXPECT_EQ(rows[1].data_reply_code, 554);
  EXPECT_EQ(rows[1].message_id, "");
  // The upstream transaction was reset and its connection serves on.
  EXPECT_EQ(with_verb(upstream_->commands(), "RSET").size(), 1u);
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<c@example.com>").substr(0, 4), "250 ");
  c->command("DATA");
  EXPECT_EQ(c->command(message("Message-ID: <after@app.test>\r\n") + ".").substr(0, 4), "250 ");
  EXPECT_EQ(upstream_->connections(), 1);
}

// RFC 6531 3.4: without SMTPUTF8 upstream, neither a non-ASCII address
// (refused at RCPT, nothing sent) nor UTF-8 headers (refused at DATA)
// go there.
TEST_F(RelayTest, UpstreamWithoutSmtputf8GetsNoNonAsciiEnvelopeOrHeaders) {
  start("", without_8bitmime_and_smtputf8());
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test> SMTPUTF8");
  EXPECT_EQ(c->command("RCPT TO:<\xce\xb4\xce\xbf\xce\xba@example.com>"),
            "553 5.6.7 127.0.0.1 does not accept non-ASCII addresses (no SMTPUTF8)");
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>").substr(0, 4), "250 ");
  c->command("DATA");
  EXPECT_EQ(c->command("Message-ID: <utf8@app.test>\r\nSubject: \xce\xb4\r\n\r\nx\r\n."),
            "550 5.6.9 127.0.0.1 does not accept UTF-8 headers (no SMTPUTF8)");
  EXPECT_TRUE(upstream_->messages().empty());
  for (const auto& line : upstream_->commands()) EXPECT_EQ(line.find("\xce"), std::string::npos) << line;
  EXPECT_EQ(refusals().size(), 2u);  // the address at RCPT, the message at DATA
}

// With VERP the copies go upstream at the same time; each leg's outcome is
// recorded as its own, whichever finishes first.
TEST_F(RelayTest, OneVerpCopyRefusedAtDataWhileTheOtherIsAccepted) {
  start();
  upstream_->on(".", std::vector<ScriptedSmtpServer::Action>{ScriptedSmtpServer::reply("554 5.7.1 Content rejected"),
                                                             ScriptedSmtpServer::reply("250 2.0.0 Ok: queued")});
  auto c = greeted();
  EXPECT_EQ(send_to_two(*c).substr(0, 4), "250 ");
  const auto rows = acceptances();
  ASSERT_EQ(rows.size(), 2u);
  const bool first_refused = rows[0].data_reply_code == 554;
  const auto& refused_row = rows[first_refused ? 0 : 1];
  const auto& sent_row = rows[first_refused ? 1 : 0];
  EXPECT_EQ(refused_row.state, "bounced");
  EXPECT_EQ(refused_row.data_reply_text, "554 5.7.1 Content rejected");
  EXPECT_EQ(refused_row.message_id, "");
  EXPECT_EQ(sent_row.data_reply_code, 0);
  EXPECT_NE(sent_row.state, "bounced");
  EXPECT_FALSE(sent_row.message_id.empty());
  const auto refused = refusals();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].stage, "data");
  EXPECT_EQ(refused[0].recipient, refused_row.recipient);
}

// A copy deferred (4xx) while the other is accepted: 451, so the client
// retries — a 250 would stand for the deferred recipient too and nobody
// would ever send it its message.
TEST_F(RelayTest, OneVerpCopyDeferredAtDataMakesTheClientRetry) {
  start();
  upstream_->on(".", std::vector<ScriptedSmtpServer::Action>{ScriptedSmtpServer::reply("451 4.3.0 Try again later"),
                                                             ScriptedSmtpServer::reply("250 2.0.0 Ok: queued")});
  auto c = greeted();
  EXPECT_EQ(send_to_two(*c).substr(0, 10), "451 4.4.2 ");
  const auto rows = acceptances();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].data_reply_code == 451 ? rows[0].state : rows[1].state, "bounced");
  EXPECT_EQ(std::count_if(rows.begin(), rows.end(), [](const auto& r) { return r.data_reply_code == 451; }), 1);
}

TEST_F(RelayTest, OneVerpCopyHangingAtDataTimesOutWhileTheOtherIsAccepted) {
  start();
  upstream_->on(".", std::vector<ScriptedSmtpServer::Action>{ScriptedSmtpServer::hang(),
                                                             ScriptedSmtpServer::reply("250 2.0.0 Ok: queued")});
  auto c = greeted();
  // One copy's fate is unknown: the client must retry (a 250 would lose it).
  EXPECT_EQ(send_to_two(*c).substr(0, 10), "451 4.4.2 ");
  const auto rows = acceptances();
  ASSERT_EQ(rows.size(), 2u);
  int timed_out = 0, sent = 0;
  for (const auto& r : rows) {
    // The whole message went up before the wait: it may have been taken.
    if (r.data_reply_text.rfind("upstream failed after the whole message was sent (it may have been taken, and then "
                                "arrives twice): ",
                                0) == 0) {
      ++timed_out;
      EXPECT_EQ(r.state, "bounced");
      EXPECT_EQ(r.message_id, "");
    } else if (!r.message_id.empty()) {
      ++sent;
    }
  }
  EXPECT_EQ(timed_out, 1);
  EXPECT_EQ(sent, 1);
}

// A copy deferred (4xx) and one refused (5xx), none accepted: the client
// gets the 4xx (it retries), never the 5xx that would bounce both.
TEST_F(RelayTest, DeferredAndRefusedCopiesGiveTheDeferral) {
  start();
  upstream_->on(".", std::vector<ScriptedSmtpServer::Action>{ScriptedSmtpServer::reply("550 5.7.1 Rejected"),
                                                             ScriptedSmtpServer::reply("451 4.3.0 Try again later")});
  auto c = greeted();
  EXPECT_EQ(send_to_two(*c), "451 4.3.0 Try again later");
}

TEST_F(RelayTest, DisconnectMidDataRecordsNothingAsSent) {
  start();
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>").substr(0, 4), "250 ");
  EXPECT_EQ(c->command("DATA").substr(0, 4), "354 ");
  c->send("From: app@app.test\r\nSubject: half\r\n\r\nthe first half");
  c->close();
  // Nothing was written before the final "."; recorded not sent when the client went away.
  ASSERT_TRUE(eventually(
      [&] {
        const auto rows = acceptances();
        return rows.size() == 1 && rows[0].state == "bounced";
      },
      std::chrono::seconds(10)));
  const auto a = acceptances().at(0);
  EXPECT_EQ(a.data_reply_code, 0);
  EXPECT_EQ(a.data_reply_text, "client disconnected before the end of DATA");
  EXPECT_EQ(a.message_id, "");
  EXPECT_EQ(a.reason, "not_sent");
  EXPECT_TRUE(upstream_->messages().empty());
  EXPECT_TRUE(with_verb(upstream_->commands(), "DATA").empty());  // DATA goes up with the whole message only
}

TEST_F(RelayTest, DataCommandRefusedUpstreamIsTheClientsReplyAndMarked) {
  start();
  upstream_->on("DATA", ScriptedSmtpServer::reply("554 5.3.4 No DATA for you"));
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>").substr(0, 4), "250 ");
  EXPECT_EQ(c->command("DATA").substr(0, 4), "354 ");
  EXPECT_EQ(c->command(message() + "."), "554 5.3.4 No DATA for you");
  const auto a = acceptances().at(0);
  EXPECT_EQ(a.state, "bounced");
  EXPECT_EQ(a.data_reply_code, 554);
  EXPECT_EQ(a.message_id, "");
  ASSERT_EQ(refusals().size(), 1u);
  EXPECT_EQ(refusals()[0].stage, "data");
  // The session goes on: the upstream transaction was reset, not lost.
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<b@example.com>").substr(0, 4), "250 ");
}

TEST_F(RelayTest, ReplyOutOfProtocolToDataIsAFailureNotASuccess) {
  start();
  upstream_->on("DATA", ScriptedSmtpServer::reply("250 2.0.0 Sure"));  // no 354: the state is unknown
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  c->command("RCPT TO:<a@example.com>");
  c->command("DATA");
  EXPECT_EQ(c->command(message() + ".").substr(0, 10), "451 4.4.2 ");
  const auto a = acceptances().at(0);
  EXPECT_EQ(a.state, "bounced");
  EXPECT_EQ(a.data_reply_text.rfind("upstream failed during DATA: ", 0), 0u) << a.data_reply_text;
  EXPECT_NE(a.data_reply_text.find(": DATA: unexpected reply 250 2.0.0 Sure"), std::string::npos) << a.data_reply_text;
  EXPECT_TRUE(upstream_->messages().empty());
}

TEST_F(RelayTest, UpstreamClosingMidDataGives451AndMarksNotSent) {
  ScriptedSmtpServer::Options o;
  o.close_after_data_bytes = 10;
  start("", o);
  auto c = greeted();
  EXPECT_EQ(send_to(*c, {"a@example.com"}).substr(0, 10), "451 4.4.2 ");
  const auto a = acceptances().at(0);
  EXPECT_EQ(a.state, "bounced");
  // "during DATA", or, when the short message was all written before the
  // close came, "after the whole message was sent".
  EXPECT_EQ(a.data_reply_text.rfind("upstream failed ", 0), 0u) << a.data_reply_text;
  EXPECT_EQ(a.message_id, "");
}

TEST_F(RelayTest, UpstreamClosingBeforeItsVerdictMarksTheCopyMaybeTaken) {
  start();
  upstream_->on(".", ScriptedSmtpServer::close());
  auto c = greeted();
  EXPECT_EQ(send_to(*c, {"a@example.com"}).substr(0, 10), "451 4.4.2 ");
  const auto a = acceptances().at(0);
  EXPECT_EQ(a.state, "bounced");
  EXPECT_EQ(a.data_reply_text.rfind("upstream failed after the whole message was sent (it may have been taken", 0), 0u)
      << a.data_reply_text;
  EXPECT_EQ(upstream_->messages().size(), 1u);  // it had the whole message
}

// The store refuses the acceptances (a trigger, as a full disk or a broken
// file would): nothing may go out unrecorded. The upstream transactions
// are reset without DATA and the client must retry — which goes out once
// the store works again.
void store_refusing_the_acceptances_sends_nothing(RelayTest& t, const std::string& mode) {
  t.start(mode);
  raw_exec(t.fixture_->db_path(),
           "CREATE TRIGGER refuse BEFORE INSERT ON acceptances "
           "BEGIN SELECT RAISE(ABORT, 'injected: acceptances refused'); END");
  auto c = t.greeted();
  EXPECT_EQ(send_to_two(*c).substr(0, 10), "451 4.4.2 ");
  EXPECT_TRUE(t.upstream_->messages().empty());
  EXPECT_TRUE(with_verb(t.upstream_->commands(), "DATA").empty());  // not even DATA went up
  EXPECT_TRUE(t.acceptances().empty());
  EXPECT_NE(t.daemon_->log().find("injected: acceptances refused"), std::string::npos);
  raw_exec(t.fixture_->db_path(), "DROP TRIGGER refuse");
  EXPECT_EQ(send_to_two(*c).substr(0, 4), "250 ");
  EXPECT_EQ(t.acceptances().size(), 2u);
  EXPECT_FALSE(t.upstream_->messages().empty());
}

// The upstream refuses the message after the acceptances were committed,
// and the "not sent" mark cannot be written then (a full disk, played by
// a trigger): the rows would stay pending and later be presumed
// delivered. The mark is written again until it is.
TEST_F(RelayTest, ANotSentMarkThatFailsIsWrittenOnceTheStoreWorksAgain) {
  start();
  upstream_->on(".", ScriptedSmtpServer::reply_after(std::chrono::milliseconds(600), "554 5.7.1 Rejected"));
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>").substr(0, 4), "250 ");
  c->command("DATA");
  c->send(message() + ".\r\n");
  // Committed (with its Message-ID), the upstream not answering yet.
  for (int i = 0; i < 100 && (acceptances().empty() || acceptances().at(0).message_id.empty()); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  raw_exec(fixture_->db_path(),
           "CREATE TRIGGER full BEFORE UPDATE ON acceptances "
           "BEGIN SELECT RAISE(ABORT, 'injected: database or disk is full'); END");
  EXPECT_EQ(c->reply(), "554 5.7.1 Rejected");
  EXPECT_EQ(acceptances().at(0).state, "pending");
  raw_exec(fixture_->db_path(), "DROP TRIGGER full");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (acceptances().at(0).state == "pending" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto a = acceptances().at(0);
  EXPECT_EQ(a.state, "bounced");
  EXPECT_EQ(a.data_reply_code, 554);
  EXPECT_NE(daemon_->log().find("marked not sent on retry"), std::string::npos) << daemon_->log();
}

TEST_F(RelayTest, StoreRefusingTheAcceptancesSendsNothingWithVerp) {
  store_refusing_the_acceptances_sends_nothing(*this, "verp = true");
}

TEST_F(RelayTest, StoreRefusingTheAcceptancesSendsNothingWithoutVerp) {
  store_refusing_the_acceptances_sends_nothing(*this, "verp = false");
}

// SIGTERM while DATA waits for the upstream: the transaction finishes and
// the client gets its 250 before the 421 (else it would send again and
// every recipient would get the message twice).
TEST_F(RelayTest, SigtermDuringDataLetsTheTransactionFinishFirst) {
  start();
  upstream_->on(".", ScriptedSmtpServer::reply_after(std::chrono::milliseconds(1500)));
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>").substr(0, 4), "250 ");
  EXPECT_EQ(c->command("DATA").substr(0, 4), "354 ");
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    EXPECT_EQ(daemon_->terminate(), 0);
  });
  EXPECT_EQ(c->command(message() + ".").substr(0, 4), "250 ");
  EXPECT_EQ(c->reply().substr(0, 10), "421 4.3.2 ");
  stopper.join();
  EXPECT_EQ(upstream_->messages().size(), 1u);
  EXPECT_EQ(acceptances().at(0).message_id, "<m1@app.test>");
}

}  // namespace
}  // namespace ndrlink::testing
