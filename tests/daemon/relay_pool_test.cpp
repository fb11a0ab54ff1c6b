// The daemon-wide upstream connections, in the real ndrlinkd against a
// scripted upstream: clients that connect per message share one upstream
// connection; an idle one is QUIT after its idle time; at most
// upstream_keep_per_host are kept, none with 0; a kept one the upstream
// timed out is replaced unseen; an upstream 421 is a 451 for the client;
// at upstream_max_per_host a transaction holding connections gets 452 and
// one holding none waits (up to the connect timeout); the daemon QUITs
// kept connections when it stops.
#include <utility>  // before Asio (Boost 1.74)

#include <algorithm>
#include <chrono>
#include <thread>

#include <filesystem>
#include <fstream>

#include "relay_fixture.h"
#include "service_support.h"
#include "test_certificate.h"

namespace ndrlink::testing {
namespace {
using namespace std::chrono_literals;

// One client session: greeting, EHLO, one message to `rcpt`, QUIT.
void send_one(RelayTest& t, const std::string& rcpt, const std::string& id) {
  auto c = t.greeted();
  EXPECT_EQ(c->command("MAIL FROM:<app@app.test>"), "250 2.1.0 Ok");
  EXPECT_EQ(c->command("RCPT TO:<" + rcpt + ">").substr(0, 4), "250 ");
  EXPECT_EQ(c->command("DATA").substr(0, 4), "354 ");
  EXPECT_EQ(c->command(RelayTest::message("Message-ID: <" + id + "@app.test>\r\n") + ".").substr(0, 4), "250 ");
  EXPECT_EQ(c->command("QUIT").substr(0, 4), "221 ");
}

std::size_t quits(const test::ScriptedSmtpServer& s) { return with_verb(s.commands(), "QUIT").size(); }

// Waits until the upstream received `n` QUITs (or 5 s passed).
bool wait_for_quits(const test::ScriptedSmtpServer& s, std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (quits(s) < n && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  return quits(s) >= n;
}

// `holder` holds its upstream connection in DATA (MAIL, RCPT a@, DATA);
// `waiter` has sent RCPT b@ and waits for a connection (its reply unread).
void hold_and_wait(SmtpTestClient& holder, SmtpTestClient& waiter) {
  holder.command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(holder.command("RCPT TO:<a@example.com>").substr(0, 4), "250 ");
  EXPECT_EQ(holder.command("DATA").substr(0, 4), "354 ");
  waiter.command("MAIL FROM:<app@app.test>");
  waiter.send("RCPT TO:<b@example.com>\r\n");
  std::this_thread::sleep_for(200ms);
}

TEST_F(RelayTest, ClientsConnectingPerMessageShareOneUpstreamConnection) {
  start();
  for (int i = 0; i < 3; ++i) send_one(*this, "a" + std::to_string(i) + "@example.com", "p" + std::to_string(i));
  EXPECT_EQ(upstream_->messages().size(), 3u);
  EXPECT_EQ(upstream_->connections(), 1);
  EXPECT_EQ(with_verb(upstream_->commands(), "EHLO").size(), 1u);
  EXPECT_EQ(quits(*upstream_), 0u);  // kept, not closed with the client's session
  EXPECT_EQ(acceptances().size(), 3u);
}

TEST_F(RelayTest, AKeptConnectionIdleTooLongIsClosedWithQuit) {
  start("upstream_keep_idle_seconds = 1");
  send_one(*this, "a@example.com", "i1");
  EXPECT_TRUE(wait_for_quits(*upstream_, 1));
  send_one(*this, "b@example.com", "i2");
  EXPECT_EQ(upstream_->connections(), 2);
  EXPECT_EQ(upstream_->messages().size(), 2u);
}

// Past upstream_reuse_time_seconds a connection is closed after its
// transaction instead of kept, however busy it is.
TEST_F(RelayTest, AConnectionIsNotKeptPastItsReuseTime) {
  start("upstream_reuse_time_seconds = 1");
  send_one(*this, "r1@example.com", "r1");
  std::this_thread::sleep_for(1100ms);
  send_one(*this, "r2@example.com", "r2");  // on the kept one, then closed: too old
  EXPECT_TRUE(wait_for_quits(*upstream_, 1));
  send_one(*this, "r3@example.com", "r3");
  EXPECT_EQ(upstream_->connections(), 2);
  EXPECT_EQ(upstream_->messages().size(), 3u);
}

TEST_F(RelayTest, WithKeepPerHostZeroEveryTransactionHasItsOwnConnection) {
  start("upstream_keep_per_host = 0");
  auto c = greeted();
  for (int i = 0; i < 2; ++i) {
    c->command("MAIL FROM:<app@app.test>");
    EXPECT_EQ(c->command("RCPT TO:<z" + std::to_string(i) + "@example.com>").substr(0, 4), "250 ");
    c->command("DATA");
    EXPECT_EQ(c->command(message("Message-ID: <z" + std::to_string(i) + "@app.test>\r\n") + ".").substr(0, 4), "250 ");
  }
  EXPECT_EQ(upstream_->connections(), 2);
  EXPECT_TRUE(wait_for_quits(*upstream_, 2));
}

// Two sessions in a transaction at once hold two connections; with one
// kept per host, the second one back is closed.
TEST_F(RelayTest, AtMostKeepPerHostConnectionsAreKept) {
  start("upstream_keep_per_host = 1");
  auto first = greeted(), second = greeted();
  for (auto* c : {first.get(), second.get()}) {
    c->command("MAIL FROM:<app@app.test>");
    EXPECT_EQ(c->command("RCPT TO:<k@example.com>").substr(0, 4), "250 ");
    c->command("DATA");
  }
  EXPECT_EQ(first->command(message("Message-ID: <k1@app.test>\r\n") + ".").substr(0, 4), "250 ");
  EXPECT_EQ(second->command(message("Message-ID: <k2@app.test>\r\n") + ".").substr(0, 4), "250 ");
  EXPECT_EQ(upstream_->connections(), 2);
  EXPECT_TRUE(wait_for_quits(*upstream_, 1));
  send_one(*this, "k3@example.com", "k3");
  EXPECT_EQ(upstream_->connections(), 2);  // the kept one
  EXPECT_EQ(quits(*upstream_), 1u);
}

// An upstream that timed a kept connection out said "421" and closed it
// while it was kept: the next transaction reads that 421 as the reply to
// MAIL (no PIPELINING: MAIL goes alone) and goes on a new connection; the
// client never sees it.
TEST_F(RelayTest, AKeptConnectionTheUpstreamTimedOutIsReplacedUnseen) {
  test::ScriptedSmtpServer::Options o;
  o.extensions = {"8BITMIME", "SIZE 10240000", "DSN", "ENHANCEDSTATUSCODES"};
  upstream_ = std::make_unique<test::ScriptedSmtpServer>(o);
  upstream_->on("MAIL", std::vector<test::ScriptedSmtpServer::Action>{
                            test::ScriptedSmtpServer::reply(""),
                            test::ScriptedSmtpServer::reply_and_close("421 4.4.2 relay.test Error: timeout exceeded"),
                            test::ScriptedSmtpServer::reply("")});
  start();
  send_one(*this, "t1@example.com", "t1");
  send_one(*this, "t2@example.com", "t2");
  EXPECT_EQ(upstream_->messages().size(), 2u);
  EXPECT_EQ(upstream_->connections(), 2);
  EXPECT_TRUE(refusals().empty());
}

// A 421 means the upstream closes its channel; the relay's channel to the
// client stays open, so the client gets 451 with the upstream's text, and
// the recipients already accepted on that connection are not lost: DATA
// answers 451 (the client retries the message).
TEST_F(RelayTest, Upstream421IsA451ForTheClient) {
  start("verp = false");
  upstream_->on_rcpt("b@example.com", test::ScriptedSmtpServer::reply_and_close("421 4.3.2 Shutting down"));
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>").substr(0, 4), "250 ");
  EXPECT_EQ(c->command("RCPT TO:<b@example.com>"), "451 4.3.2 Shutting down");
  EXPECT_EQ(c->command("DATA").substr(0, 4), "354 ");
  EXPECT_EQ(c->command(message() + ".").substr(0, 4), "451 ");
  EXPECT_TRUE(upstream_->messages().empty());
  const auto refused = refusals();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].reply_code, 421);  // recorded as the upstream said it
  const auto rows = acceptances();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].recipient, "a@example.com");
  EXPECT_EQ(rows[0].state, "bounced");  // marked never sent, not left pending
}

// VERP: each recipient holds its own upstream connection until DATA. At
// upstream_max_per_host the next recipient gets 452 (RFC 5321 4.5.3.1.10:
// the client sends it in another transaction), which then reuses the
// connections kept after the first.
TEST_F(RelayTest, VerpRecipientsBeyondTheConnectionCapAreToldToComeBack) {
  start("upstream_max_per_host = 2");
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>").substr(0, 4), "250 ");
  EXPECT_EQ(c->command("RCPT TO:<b@example.com>").substr(0, 4), "250 ");
  EXPECT_EQ(c->command("RCPT TO:<c@example.com>"),
            "452 4.5.3 Too many upstream connections to 127.0.0.1 at once, send the other recipients in another "
            "transaction");
  c->command("DATA");
  EXPECT_EQ(c->command(message() + ".").substr(0, 4), "250 ");
  c->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(c->command("RCPT TO:<c@example.com>").substr(0, 4), "250 ");
  c->command("DATA");
  EXPECT_EQ(c->command(message("Message-ID: <m2@app.test>\r\n") + ".").substr(0, 4), "250 ");
  EXPECT_EQ(upstream_->messages().size(), 3u);
  EXPECT_EQ(upstream_->connections(), 2);
  EXPECT_TRUE(refusals().empty());  // the relay's own limit, not an upstream's verdict
}

// Pipelined RCPTs open their connections at once: those beyond the cap
// do not wait for the ones opened beside them (only DATA would give them
// back) but are told to come back, at once.
TEST_F(RelayTest, PipelinedVerpRecipientsBeyondTheCapDoNotWaitForEachOther) {
  start("upstream_max_per_host = 2");
  auto c = greeted();
  const auto before = std::chrono::steady_clock::now();
  c->send("MAIL FROM:<app@app.test>\r\nRCPT TO:<a@example.com>\r\nRCPT TO:<b@example.com>\r\n"
          "RCPT TO:<c@example.com>\r\nDATA\r\n");
  EXPECT_EQ(c->reply().substr(0, 4), "250 ");
  int accepted = 0, later = 0;
  for (int i = 0; i < 3; ++i) {
    const auto r = c->reply();
    accepted += r.rfind("250 ", 0) == 0;
    later += r.rfind("452 4.5.3 ", 0) == 0;
  }
  EXPECT_EQ(accepted, 2);
  EXPECT_EQ(later, 1);
  EXPECT_EQ(c->reply().substr(0, 4), "354 ");
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
  EXPECT_EQ(c->command(message() + ".").substr(0, 4), "250 ");
  EXPECT_EQ(upstream_->messages().size(), 2u);
}

// A session that holds no upstream connection waits at the cap for one to
// be given back (here: kept after the other session's message), then
// goes on with it.
TEST_F(RelayTest, ASessionAtTheConnectionCapWaitsForOneToBeGivenBack) {
  start("upstream_max_per_host = 1\nverp = false");
  auto first = greeted(), second = greeted();
  hold_and_wait(*first, *second);
  EXPECT_EQ(upstream_->connections(), 1);
  EXPECT_EQ(first->command(message() + ".").substr(0, 4), "250 ");
  EXPECT_EQ(second->reply().substr(0, 4), "250 ");
  second->command("DATA");
  EXPECT_EQ(second->command(message("Message-ID: <w2@app.test>\r\n") + ".").substr(0, 4), "250 ");
  EXPECT_EQ(upstream_->messages().size(), 2u);
  EXPECT_EQ(upstream_->connections(), 1);
}

TEST_F(RelayTest, WaitingAtTheConnectionCapEndsAfterTheConnectTimeout) {
  start("upstream_max_per_host = 1\nupstream_connect_timeout_seconds = 1");
  auto first = greeted(), second = greeted();
  first->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(first->command("RCPT TO:<a@example.com>").substr(0, 4), "250 ");
  second->command("MAIL FROM:<app@app.test>");
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(second->command("RCPT TO:<b@example.com>"),
            "451 4.4.5 Too many upstream connections to 127.0.0.1, try again later");
  EXPECT_GE(std::chrono::steady_clock::now() - before, 900ms);
  first->command("DATA");
  EXPECT_EQ(first->command(message() + ".").substr(0, 4), "250 ");
  EXPECT_EQ(upstream_->connections(), 1);
}

// A connection that goes away (the upstream closed it after the first
// session's message) wakes the waiting session, which opens a new one.
TEST_F(RelayTest, AWaiterIsServedWhenAConnectionIsClosed) {
  start("upstream_max_per_host = 1\nverp = false");
  upstream_->on(".", std::vector<test::ScriptedSmtpServer::Action>{
                         test::ScriptedSmtpServer::reply_and_close("421 4.3.2 Shutting down"),
                         test::ScriptedSmtpServer::reply("")});
  auto first = greeted(), second = greeted();
  hold_and_wait(*first, *second);
  EXPECT_EQ(first->command(message() + ".").substr(0, 4), "451 ");
  EXPECT_EQ(second->reply().substr(0, 4), "250 ");
  EXPECT_EQ(upstream_->connections(), 2);
}

// With someone waiting, a connection whose transaction ended is handed to
// them even beyond upstream_keep_per_host (here 0: none kept otherwise).
TEST_F(RelayTest, AConnectionGoesToAWaiterEvenBeyondKeepPerHost) {
  start("upstream_max_per_host = 1\nupstream_keep_per_host = 0\nverp = false");
  auto first = greeted(), second = greeted();
  hold_and_wait(*first, *second);
  EXPECT_EQ(first->command(message() + ".").substr(0, 4), "250 ");
  EXPECT_EQ(second->reply().substr(0, 4), "250 ");
  EXPECT_EQ(upstream_->connections(), 1);
}

// Two waiters, two slots given back, new connections slow to greet (1.5 s,
// longer than the 1 s a waiter may wait): the first waiter leaves the
// queue as soon as it has its slot, so the second is served beside it
// instead of after its greeting — and past its deadline.
TEST_F(RelayTest, WaitersAreServedSideBySideNotAfterEachOthersGreeting) {
  start("upstream_max_per_host = 2\nupstream_keep_per_host = 0\nupstream_connect_timeout_seconds = 1\nverp = false");
  std::vector<std::unique_ptr<SmtpTestClient>> holders, waiters;
  for (int i = 0; i < 2; ++i) {
    holders.push_back(greeted());
    holders.back()->command("MAIL FROM:<app@app.test>");
    EXPECT_EQ(holders.back()->command("RCPT TO:<h" + std::to_string(i) + "@example.com>").substr(0, 4), "250 ");
    holders.back()->command("DATA");
  }
  upstream_->on("GREETING", test::ScriptedSmtpServer::reply_after(1500ms));
  upstream_->on(".", test::ScriptedSmtpServer::reply_and_close("421 4.3.2 Closing"));  // gone, not kept
  for (int i = 0; i < 2; ++i) {
    waiters.push_back(greeted());
    waiters.back()->command("MAIL FROM:<app@app.test>");
    waiters.back()->send("RCPT TO:<w" + std::to_string(i) + "@example.com>\r\n");
  }
  std::this_thread::sleep_for(200ms);
  for (auto& h : holders) EXPECT_EQ(h->command(message() + ".").substr(0, 4), "451 ");
  for (auto& w : waiters) EXPECT_EQ(w->reply().substr(0, 4), "250 ");
  EXPECT_EQ(upstream_->connections(), 4);
}

// Stopping while a session waits at the cap: the wait ends at once (no
// spinning, no waiting out the 30 s connect timeout).
TEST_F(RelayTest, StoppingWhileASessionWaitsAtTheCapIsPrompt) {
  start("upstream_max_per_host = 1\nupstream_connect_timeout_seconds = 30");
  auto first = greeted(), second = greeted();
  first->command("MAIL FROM:<app@app.test>");
  EXPECT_EQ(first->command("RCPT TO:<a@example.com>").substr(0, 4), "250 ");
  second->command("MAIL FROM:<app@app.test>");
  second->send("RCPT TO:<b@example.com>\r\n");
  std::this_thread::sleep_for(200ms);
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(daemon_->terminate(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
}

// A client that cannot even be made (its CA file vanished) takes no slot:
// once the file is back, the one slot there is serves.
TEST_F(RelayTest, AConnectionThatCannotBeMadeGivesItsSlotBack) {
  TempDir certs;
  const std::string ca = test::make_self_signed_certificate(certs.path().string()).cert_file;
  start("upstream_max_per_host = 1\nupstream_tls = \"opportunistic\"\nupstream_tls_ca = \"" + ca + "\"");
  const std::string saved = test::slurp(ca);
  std::filesystem::remove(ca);
  auto c = greeted();
  c->command("MAIL FROM:<app@app.test>");
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(c->command("RCPT TO:<a@example.com>").substr(0, 10), "451 4.4.1 ") << i;
  std::ofstream(ca) << saved;
  EXPECT_EQ(c->command("RCPT TO:<a@example.com>").substr(0, 4), "250 ");
}

TEST_F(RelayTest, KeptConnectionsAreClosedWithQuitWhenTheDaemonStops) {
  start();
  send_one(*this, "s@example.com", "s1");
  EXPECT_EQ(quits(*upstream_), 0u);
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(daemon_->terminate(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
  EXPECT_EQ(quits(*upstream_), 1u);
}

}  // namespace
}  // namespace ndrlink::testing
