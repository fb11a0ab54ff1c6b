// The SMTP client against the scripted SMTP server on loopback: replies
// pass through whatever their code, and every transport failure is one
// typed SmtpError with a one-line message, within the configured timeouts.
#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "../integration/test_support.h"
#include "scripted_smtp_server.h"
#include "smtp_client.h"
#include "test_certificate.h"

namespace ndrlink::smtp {
namespace {
using namespace std::chrono_literals;
using test::ScriptedSmtpServer;
using Body = std::function<boost::asio::awaitable<void>(SmtpClient&)>;

struct Outcome {
  std::string error;  // empty when the body finished
  std::optional<SmtpError::Kind> kind;
};

SmtpClientOptions plain_options() {
  SmtpClientOptions o;
  o.helo_name = "client.test";
  o.starttls = StartTlsMode::none;
  o.timeouts = SmtpTimeouts::all(5s);
  return o;
}

// Runs `body` on a client of `server` (after open() unless `open` is
// false) and reports how it ended.
Outcome run(const ScriptedSmtpServer& server, SmtpClientOptions options, const Body& body, bool open = true) {
  boost::asio::io_context io;
  SmtpClient client(io.get_executor(), std::move(options));
  Outcome out{"not finished", std::nullopt};
  const std::string host = "127.0.0.1";
  const auto port = static_cast<std::uint16_t>(server.port());
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        if (open) co_await client.open(host, port);
        co_await body(client);
      },
      [&](std::exception_ptr e) {
        out.error.clear();
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const SmtpError& ex) {
          out.error = ex.what();
          out.kind = ex.kind();
        } catch (const std::exception& ex) {
          out.error = std::string("unexpected: ") + ex.what();
        }
      });
  io.run_for(20s);
  client.close();
  return out;
}

TEST(SmtpClient, RcptRepliesPassThroughWithTheirText) {
  ScriptedSmtpServer server;
  server.on_rcpt("forwarded@example.com", ScriptedSmtpServer::reply("251 2.1.5 User not local; will forward"));
  server.on_rcpt("unverified@example.com",
                 ScriptedSmtpServer::reply("252 2.1.5 Cannot VRFY user, but will accept message"));
  server.on_rcpt("nobody@example.com", ScriptedSmtpServer::reply("550 5.1.1 <nobody@example.com>: User unknown"));
  server.on_rcpt("later@example.com", ScriptedSmtpServer::reply("421 4.3.2 Service shutting down"));
  std::vector<SmtpReply> got;
  const auto out = run(server, plain_options(), [&](SmtpClient& c) -> boost::asio::awaitable<void> {
    const std::string from = "postmaster@client.test";
    got.push_back(co_await c.mail_from(from, "SIZE=100"));
    for (const char* rcpt : {"ok@example.com", "forwarded@example.com", "unverified@example.com",
                             "nobody@example.com", "later@example.com"}) {
      const std::string r = rcpt;
      got.push_back(co_await c.rcpt_to(r));
    }
    got.push_back(co_await c.quit());
  });
  ASSERT_EQ(out.error, "");
  ASSERT_EQ(got.size(), 7u);
  EXPECT_EQ(got[0].code, 250);
  EXPECT_EQ(got[1].summary(), "250 2.1.5 Ok");
  EXPECT_EQ(got[2].summary(), "251 2.1.5 User not local; will forward");
  EXPECT_EQ(got[3].code, 252);
  EXPECT_EQ(got[3].text(), "Cannot VRFY user, but will accept message");
  EXPECT_EQ(got[4].enhanced, "5.1.1");
  EXPECT_TRUE(got[4].permanent());
  EXPECT_EQ(got[5].code, 421);
  EXPECT_EQ(got[6].code, 221);
  const auto cmds = server.commands();
  ASSERT_GE(cmds.size(), 3u);
  EXPECT_EQ(cmds[0], "EHLO client.test");
  EXPECT_EQ(cmds[1], "MAIL FROM:<postmaster@client.test> SIZE=100");
  EXPECT_EQ(cmds[2], "RCPT TO:<ok@example.com>");
}

// MAIL + RCPT in one write with PIPELINING, one after the other without;
// without PIPELINING a refused MAIL is not followed by RCPT.
TEST(SmtpClient, MailAndFirstRcptArePipelinedWhenOffered) {
  for (const bool pipelining : {true, false}) {
    ScriptedSmtpServer::Options options;
    if (!pipelining) options.extensions = {"8BITMIME", "DSN"};
    ScriptedSmtpServer server(options);
    server.on("MAIL", std::vector<ScriptedSmtpServer::Action>{ScriptedSmtpServer::reply("250 2.1.0 Ok"),
                                                             ScriptedSmtpServer::reply("550 5.7.1 Sender refused")});
    server.on_rcpt("unverified@example.com", ScriptedSmtpServer::reply("252 2.1.5 Cannot VRFY user"));
    std::pair<SmtpReply, SmtpReply> first, second;
    bool offered = false;
    const auto out = run(server, plain_options(), [&](SmtpClient& c) -> boost::asio::awaitable<void> {
      offered = c.extensions().pipelining;
      first = co_await c.mail_rcpt("a@client.test", "SIZE=10", "unverified@example.com", "NOTIFY=NEVER");
      co_await c.rset();
      second = co_await c.mail_rcpt("b@client.test", "", "other@example.com", "");
      co_await c.quit();
    });
    ASSERT_EQ(out.error, "") << pipelining;
    EXPECT_EQ(offered, pipelining);
    EXPECT_EQ(first.first.code, 250);
    EXPECT_EQ(first.second.summary(), "252 2.1.5 Cannot VRFY user");
    EXPECT_EQ(second.first.summary(), "550 5.7.1 Sender refused");
    const auto cmds = server.commands();
    ASSERT_GE(cmds.size(), 4u);
    EXPECT_EQ(cmds[1], "MAIL FROM:<a@client.test> SIZE=10");
    EXPECT_EQ(cmds[2], "RCPT TO:<unverified@example.com> NOTIFY=NEVER");
    const bool rcpt_after_refusal = std::find(cmds.begin(), cmds.end(), "RCPT TO:<other@example.com>") != cmds.end();
    EXPECT_EQ(rcpt_after_refusal, pipelining);  // pipelined: already sent, its reply is ignored
    if (!pipelining) {
      EXPECT_EQ(second.second.code, 0);
    }
  }
}

TEST(SmtpClient, EhloExtensionsAreParsed) {
  ScriptedSmtpServer server;
  bool dsn = false, pipelining = false;
  std::optional<std::uint64_t> size;
  const auto out = run(server, plain_options(), [&](SmtpClient& c) -> boost::asio::awaitable<void> {
    dsn = c.extensions().dsn;
    pipelining = c.extensions().pipelining;
    size = c.extensions().size;
    co_return;
  });
  ASSERT_EQ(out.error, "");
  EXPECT_TRUE(dsn);
  EXPECT_TRUE(pipelining);
  EXPECT_EQ(size, std::optional<std::uint64_t>(10240000));
}

TEST(SmtpClient, Greeting554IsReturnedNotThrown) {
  ScriptedSmtpServer server;
  server.on("GREETING", ScriptedSmtpServer::reply("554 5.3.2 No SMTP service here"));
  SmtpReply greeting;
  const auto out = run(
      server, plain_options(),
      [&](SmtpClient& c) -> boost::asio::awaitable<void> {
        const std::string host = "127.0.0.1";
        greeting = co_await c.open(host, static_cast<std::uint16_t>(server.port()));
        co_await c.quit();
      },
      false);
  ASSERT_EQ(out.error, "");
  EXPECT_EQ(greeting.code, 554);
  EXPECT_EQ(greeting.text(), "No SMTP service here");
  const auto cmds = server.commands();
  ASSERT_EQ(cmds.size(), 1u);  // no EHLO after a 554 greeting
  EXPECT_EQ(cmds[0], "QUIT");
}

TEST(SmtpClient, HeloFallbackWhenEhloIsRefused) {
  ScriptedSmtpServer server;
  server.on("EHLO", ScriptedSmtpServer::reply("502 5.5.2 Error: command not recognized"));
  SmtpReply hello;
  bool has_ext = true;
  const auto out = run(
      server, plain_options(),
      [&](SmtpClient& c) -> boost::asio::awaitable<void> {
        const std::string host = "127.0.0.1";
        hello = co_await c.open(host, static_cast<std::uint16_t>(server.port()));
        has_ext = !c.extensions().keywords.empty();
      },
      false);
  ASSERT_EQ(out.error, "");
  EXPECT_EQ(hello.summary(), "250 scripted.test");
  EXPECT_FALSE(has_ext);
  EXPECT_EQ(server.commands().at(1), "HELO client.test");
}

TEST(SmtpClient, ReplyThenCloseEndsTheSession) {
  ScriptedSmtpServer server;
  server.on("RCPT", ScriptedSmtpServer::reply_and_close("421 4.3.2 Service shutting down"));
  SmtpReply rcpt;
  const auto out = run(server, plain_options(), [&](SmtpClient& c) -> boost::asio::awaitable<void> {
    const std::string from = "a@client.test", to = "b@example.com";
    co_await c.mail_from(from);
    rcpt = co_await c.rcpt_to(to);
    co_await c.rset();
  });
  EXPECT_EQ(rcpt.code, 421);
  EXPECT_EQ(out.kind, SmtpError::Kind::closed) << out.error;
  EXPECT_NE(out.error.find("RSET"), std::string::npos) << out.error;
}

TEST(SmtpClient, ConcurrentConnectionsAreServed) {
  ScriptedSmtpServer server;
  boost::asio::io_context io;
  std::vector<std::unique_ptr<SmtpClient>> clients;
  int done = 0;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<SmtpClient>(io.get_executor(), plain_options()));
    boost::asio::co_spawn(
        io,
        [&, i, c = clients.back().get()]() -> boost::asio::awaitable<void> {
          const std::string host = "127.0.0.1", from = "a@client.test", to = "b@example.com";
          const std::string message = "Subject: " + std::to_string(i) + "\r\n\r\nx\r\n";
          co_await c->open(host, static_cast<std::uint16_t>(server.port()));
          co_await c->mail_from(from);
          co_await c->rcpt_to(to);
          const auto end = co_await c->data(message);
          if (end.positive()) ++done;
          co_await c->quit();
        },
        boost::asio::detached);
  }
  io.run_for(20s);
  EXPECT_EQ(done, 3);
  EXPECT_TRUE(server.wait_for_messages(3, 5s));
  EXPECT_EQ(server.connections(), 3);
}

TEST(SmtpClient, DataIsDotStuffedWithCrlf) {
  ScriptedSmtpServer server;
  SmtpReply end;
  const auto out = run(server, plain_options(), [&](SmtpClient& c) -> boost::asio::awaitable<void> {
    const std::string from = "a@client.test", to = "b@example.com";
    co_await c.mail_from(from);
    co_await c.rcpt_to(to);
    const std::string message = "Subject: dots\n\n.leading dot\n..two\nlast line without end";
    end = co_await c.data(message);
    co_await c.quit();
  });
  ASSERT_EQ(out.error, "");
  EXPECT_EQ(end.code, 250);
  const auto messages = server.messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body, "Subject: dots\r\n\r\n.leading dot\r\n..two\r\nlast line without end\r\n");
  EXPECT_EQ(messages[0].mail_from, "<a@client.test>");
  EXPECT_EQ(messages[0].rcpt_to, std::vector<std::string>{"<b@example.com>"});
}

TEST(SmtpClient, DataRefusedBeforeOrAfterTheMessage) {
  ScriptedSmtpServer server;
  server.on("DATA", std::vector<ScriptedSmtpServer::Action>{ScriptedSmtpServer::reply("554 5.5.1 No valid recipients"),
                                                            ScriptedSmtpServer::reply("")});
  server.on(".", ScriptedSmtpServer::reply("554 5.7.1 Message rejected as spam"));
  SmtpReply first, second;
  const auto out = run(server, plain_options(), [&](SmtpClient& c) -> boost::asio::awaitable<void> {
    const std::string from = "a@client.test", to = "b@example.com", message = "Subject: x\r\n\r\nbody\r\n";
    co_await c.mail_from(from);
    co_await c.rcpt_to(to);
    first = co_await c.data(message);
    second = co_await c.data(message);
  });
  ASSERT_EQ(out.error, "");
  EXPECT_EQ(first.summary(), "554 5.5.1 No valid recipients");
  EXPECT_EQ(second.summary(), "554 5.7.1 Message rejected as spam");
}

ScriptedSmtpServer::Options chunking_server() {
  ScriptedSmtpServer::Options o;
  o.extensions.push_back("CHUNKING");
  return o;
}

// RFC 3030: one "BDAT <n> LAST" chunk, line ends made CRLF, no
// dot-stuffing (a "." line is content); a message larger than one write
// block arrives whole.
TEST(SmtpClient, WithChunkingTheMessageIsOneBdatChunkNotDotStuffed) {
  ScriptedSmtpServer server(chunking_server());
  SmtpReply small, big;
  const std::string large = "Subject: large\r\n\r\n" + std::string(200'000, 'y') + "\r\n.\r\n";
  const auto out = run(server, plain_options(), [&](SmtpClient& c) -> boost::asio::awaitable<void> {
    const std::string from = "a@client.test", to = "b@example.com";
    const std::string message = "Subject: dots\n\n.leading dot\n.\nlast line without end";
    co_await c.mail_from(from);
    co_await c.rcpt_to(to);
    small = co_await c.data(message);
    co_await c.mail_from(from);
    co_await c.rcpt_to(to);
    big = co_await c.data(large);
    co_await c.quit();
  });
  ASSERT_EQ(out.error, "");
  EXPECT_EQ(small.code, 250);
  EXPECT_EQ(big.code, 250);
  const std::string canonical = "Subject: dots\r\n\r\n.leading dot\r\n.\r\nlast line without end\r\n";
  const auto messages = server.messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].body, canonical);
  EXPECT_EQ(messages[1].body, large);
  const auto commands = server.commands();
  EXPECT_EQ(std::count(commands.begin(), commands.end(), "BDAT " + std::to_string(canonical.size()) + " LAST"), 1);
  EXPECT_EQ(std::count(commands.begin(), commands.end(), "BDAT " + std::to_string(large.size()) + " LAST"), 1);
  EXPECT_EQ(std::count(commands.begin(), commands.end(), "DATA"), 0);
}

// data(head, message) sends them as one message in blocks: a message of
// several blocks with dots and bare line ends where blocks meet arrives
// exactly as one encoded copy of head + message would (DATA: stuffed and
// unstuffed again; BDAT: its size counted right, or the next command
// would be read as message data).
TEST(SmtpClient, HeadAndMessageGoOutAsOneMessageInBlocks) {
  std::string message = "Subject: blocks\n\n";
  while (message.size() < 200'000) message += ".dot at a line start\nand a bare LF line end\r\n";
  const std::string head = "X-Added: yes\r\n";
  const std::string expected = crlf_lines(head + message);
  for (const bool chunking : {false, true}) {
    ScriptedSmtpServer server(chunking ? chunking_server() : ScriptedSmtpServer::Options{});
    SmtpReply first, second;
    const auto out = run(server, plain_options(), [&](SmtpClient& c) -> boost::asio::awaitable<void> {
      const std::string from = "a@client.test", to = "b@example.com", dotted = ".first line starts with a dot\r\n";
      co_await c.mail_from(from);
      co_await c.rcpt_to(to);
      first = co_await c.data(head, message);
      co_await c.mail_from(from);
      co_await c.rcpt_to(to);
      second = co_await c.data(head, dotted);
    });
    ASSERT_EQ(out.error, "") << chunking;
    EXPECT_EQ(first.code, 250) << chunking;
    EXPECT_EQ(second.code, 250) << chunking;
    const auto messages = server.messages();
    ASSERT_EQ(messages.size(), 2u) << chunking;
    EXPECT_TRUE(messages[0].body == expected) << chunking << ": " << messages[0].body.size() << " vs " << expected.size();
    EXPECT_EQ(messages[1].body, head + ".first line starts with a dot\r\n") << chunking;
  }
}

// A refusal of the chunk is the verdict; a reply that is neither 2xx nor
// 4xx/5xx (here a 354 to BDAT) leaves the session unknown: an error.
TEST(SmtpClient, BdatRefusedOrAnsweredOutOfProtocol) {
  ScriptedSmtpServer server(chunking_server());
  server.on(".", std::vector<ScriptedSmtpServer::Action>{ScriptedSmtpServer::reply("552 5.3.4 Message too big"),
                                                         ScriptedSmtpServer::reply("354 Go ahead")});
  SmtpReply refused;
  const auto out = run(server, plain_options(), [&](SmtpClient& c) -> boost::asio::awaitable<void> {
    const std::string from = "a@client.test", to = "b@example.com", message = "Subject: x\r\n\r\nbody\r\n";
    co_await c.mail_from(from);
    co_await c.rcpt_to(to);
    refused = co_await c.data(message);
    co_await c.mail_from(from);
    co_await c.rcpt_to(to);
    co_await c.data(message);
  });
  EXPECT_EQ(refused.summary(), "552 5.3.4 Message too big");
  EXPECT_EQ(out.kind, SmtpError::Kind::protocol) << out.error;
  EXPECT_NE(out.error.find("end of BDAT: unexpected reply 354"), std::string::npos) << out.error;
}

// Without CHUNKING a 2xx to DATA (no 354) is out of protocol as well.
TEST(SmtpClient, DataAnsweredWithoutThe354IsAProtocolError) {
  ScriptedSmtpServer server;
  server.on("DATA", ScriptedSmtpServer::reply("250 2.0.0 Sure"));
  const auto out = run(server, plain_options(), [&](SmtpClient& c) -> boost::asio::awaitable<void> {
    const std::string from = "a@client.test", to = "b@example.com", message = "Subject: x\r\n\r\nbody\r\n";
    co_await c.mail_from(from);
    co_await c.rcpt_to(to);
    co_await c.data(message);
  });
  EXPECT_EQ(out.kind, SmtpError::Kind::protocol) << out.error;
  EXPECT_NE(out.error.find("DATA: unexpected reply 250 2.0.0 Sure"), std::string::npos) << out.error;
  EXPECT_TRUE(server.messages().empty());
}

TEST(SmtpClient, ServerClosingMidDataIsAClosedError) {
  ScriptedSmtpServer::Options o;
  o.close_after_data_bytes = 1000;
  ScriptedSmtpServer server(o);
  const auto out = run(server, plain_options(), [&](SmtpClient& c) -> boost::asio::awaitable<void> {
    const std::string from = "a@client.test", to = "b@example.com";
    co_await c.mail_from(from);
    co_await c.rcpt_to(to);
    const std::string message = "Subject: big\r\n\r\n" + std::string(2'000'000, 'x');
    co_await c.data(message);
  });
  EXPECT_EQ(out.kind, SmtpError::Kind::closed) << out.error;
  EXPECT_NE(out.error.find("127.0.0.1:" + std::to_string(server.port())), std::string::npos) << out.error;
  EXPECT_EQ(out.error.find('\n'), std::string::npos);
  EXPECT_TRUE(server.messages().empty());
}

TEST(SmtpClient, HangingServerTimesOutPerCommand) {
  ScriptedSmtpServer server;
  server.on("RCPT", ScriptedSmtpServer::hang());
  auto o = plain_options();
  o.timeouts.rcpt = 300ms;
  const auto started = std::chrono::steady_clock::now();
  const auto out = run(server, o, [&](SmtpClient& c) -> boost::asio::awaitable<void> {
    const std::string from = "a@client.test", to = "b@example.com";
    co_await c.mail_from(from);
    co_await c.rcpt_to(to);
  });
  EXPECT_EQ(out.kind, SmtpError::Kind::timeout) << out.error;
  EXPECT_NE(out.error.find("RCPT: timed out after 300 ms"), std::string::npos) << out.error;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
}

TEST(SmtpClient, SilentGreetingTimesOut) {
  ScriptedSmtpServer server;
  server.on("GREETING", ScriptedSmtpServer::hang());
  auto o = plain_options();
  o.timeouts.greeting = 200ms;
  const auto out = run(server, o, [](SmtpClient&) -> boost::asio::awaitable<void> { co_return; });
  EXPECT_EQ(out.kind, SmtpError::Kind::timeout) << out.error;
  EXPECT_NE(out.error.find("greeting: timed out"), std::string::npos) << out.error;
}

TEST(SmtpClient, ConnectionRefusedIsAConnectError) {
  int port = 0;
  {
    ScriptedSmtpServer gone;
    port = gone.port();
  }
  boost::asio::io_context io;
  SmtpClient client(io.get_executor(), plain_options());
  std::string error;
  std::optional<SmtpError::Kind> kind;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        const std::string host = "127.0.0.1";
        co_await client.connect(host, static_cast<std::uint16_t>(port));
      },
      [&](std::exception_ptr e) {
        try {
          if (e) std::rethrow_exception(e);
        } catch (const SmtpError& ex) {
          error = ex.what();
          kind = ex.kind();
        }
      });
  io.run_for(10s);
  EXPECT_EQ(kind, SmtpError::Kind::connect) << error;
  EXPECT_NE(error.find("connect to 127.0.0.1:" + std::to_string(port)), std::string::npos) << error;
}

TEST(SmtpClient, MalformedAndOverlongRepliesAreProtocolErrors) {
  ScriptedSmtpServer server;
  server.on("MAIL", ScriptedSmtpServer::reply("hello there"));
  server.on("RCPT", ScriptedSmtpServer::reply("250 " + std::string(5000, 'a')));
  auto body = [](bool rcpt) {
    return [rcpt](SmtpClient& c) -> boost::asio::awaitable<void> {
      const std::string from = "a@client.test", to = "b@example.com";
      if (rcpt) {
        co_await c.rset();
        co_await c.rcpt_to(to);
      } else {
        co_await c.mail_from(from);
      }
    };
  };
  const auto malformed = run(server, plain_options(), body(false));
  EXPECT_EQ(malformed.kind, SmtpError::Kind::protocol) << malformed.error;
  EXPECT_NE(malformed.error.find("MAIL: malformed reply line \"hello there\""), std::string::npos) << malformed.error;
  const auto overlong = run(server, plain_options(), body(true));
  EXPECT_EQ(overlong.kind, SmtpError::Kind::protocol) << overlong.error;
  EXPECT_NE(overlong.error.find("longer than 2048"), std::string::npos) << overlong.error;
}

TEST(SmtpClient, AuthPlainAndLogin) {
  ScriptedSmtpServer::Options o;
  o.auth_mechanisms = {"PLAIN", "LOGIN"};
  o.auth_user = "relay-user";
  o.auth_password = "pa55 word";
  ScriptedSmtpServer server(o);
  SmtpReply plain, login, wrong;
  const auto out = run(server, plain_options(), [&](SmtpClient& c) -> boost::asio::awaitable<void> {
    const std::string user = "relay-user", password = "pa55 word", bad = "guess";
    plain = co_await c.auth(user, password);
    login = co_await c.auth(user, password, AuthMechanism::login);
    wrong = co_await c.auth(user, bad, AuthMechanism::plain);
  });
  ASSERT_EQ(out.error, "");
  EXPECT_EQ(plain.code, 235);
  EXPECT_EQ(login.code, 235);
  EXPECT_EQ(wrong.summary(), "535 5.7.8 Error: authentication failed");
  for (const auto& cmd : server.commands()) EXPECT_EQ(cmd.find("pa55"), std::string::npos) << cmd;
  EXPECT_EQ(server.commands().at(1), "AUTH PLAIN <auth data>");
}

TEST(SmtpClient, LineBreaksInArgumentsAreNeverSent) {
  ScriptedSmtpServer server;
  const auto out = run(server, plain_options(), [](SmtpClient& c) -> boost::asio::awaitable<void> {
    const std::string evil = "a@client.test>\r\nRCPT TO:<victim@example.com";
    co_await c.mail_from(evil);
  });
  EXPECT_EQ(out.kind, SmtpError::Kind::protocol) << out.error;
  EXPECT_NE(out.error.find("CR or LF"), std::string::npos) << out.error;
  for (const auto& cmd : server.commands()) EXPECT_EQ(cmd.find("victim"), std::string::npos) << cmd;
}

TEST(SmtpClient, AuthNotOfferedIsAnError) {
  ScriptedSmtpServer server;
  const auto out = run(server, plain_options(), [&](SmtpClient& c) -> boost::asio::awaitable<void> {
    const std::string user = "u", password = "p";
    co_await c.auth(user, password);
  });
  EXPECT_EQ(out.kind, SmtpError::Kind::protocol);
  EXPECT_NE(out.error.find("does not offer PLAIN or LOGIN"), std::string::npos) << out.error;
}

class SmtpClientTls : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("command -v openssl >/dev/null 2>&1") != 0) GTEST_SKIP() << "openssl is not installed";
    cert_ = test::make_self_signed_certificate(dir_.path().string());
  }
  ScriptedSmtpServer::Options tls_server() const {
    ScriptedSmtpServer::Options o;
    o.cert_file = cert_.cert_file;
    o.key_file = cert_.key_file;
    return o;
  }
  testing::TempDir dir_;
  test::CertificateFiles cert_;
};

TEST_F(SmtpClientTls, StartTlsVerifiedWithTheCaFile) {
  ScriptedSmtpServer server(tls_server());
  auto o = plain_options();
  o.starttls = StartTlsMode::required;
  o.tls.ca_file = cert_.cert_file;
  bool encrypted = false;
  const auto out = run(server, o, [&](SmtpClient& c) -> boost::asio::awaitable<void> {
    encrypted = c.encrypted();
    const std::string from = "a@client.test", to = "b@example.com", message = "Subject: t\r\n\r\nx\r\n";
    co_await c.mail_from(from);
    co_await c.rcpt_to(to);
    co_await c.data(message);
    co_await c.quit();
  });
  ASSERT_EQ(out.error, "");
  EXPECT_TRUE(encrypted);
  const auto cmds = server.commands();
  ASSERT_GE(cmds.size(), 3u);
  EXPECT_EQ(cmds[1], "STARTTLS");
  EXPECT_EQ(cmds[2], "EHLO client.test");  // again, over TLS
  ASSERT_EQ(server.messages().size(), 1u);
  EXPECT_TRUE(server.messages()[0].tls);
}

TEST_F(SmtpClientTls, SelfSignedCertificateFailsWithoutTheCaFile) {
  ScriptedSmtpServer server(tls_server());
  auto o = plain_options();
  o.starttls = StartTlsMode::opportunistic;  // offered, so a failed handshake is an error
  const auto out = run(server, o, [](SmtpClient&) -> boost::asio::awaitable<void> { co_return; });
  EXPECT_EQ(out.kind, SmtpError::Kind::tls) << out.error;
  EXPECT_NE(out.error.find("certificate not trusted"), std::string::npos) << out.error;
  for (const auto& cmd : server.commands()) EXPECT_EQ(cmd.rfind("MAIL", 0), std::string::npos);
}

TEST_F(SmtpClientTls, WrongNameFailsVerification) {
  ScriptedSmtpServer server(tls_server());
  auto o = plain_options();
  o.starttls = StartTlsMode::required;
  o.tls.ca_file = cert_.cert_file;
  o.tls_name = "mx.example.com";
  const auto out = run(server, o, [](SmtpClient&) -> boost::asio::awaitable<void> { co_return; });
  EXPECT_EQ(out.kind, SmtpError::Kind::tls) << out.error;
}

TEST_F(SmtpClientTls, VerificationOffForTests) {
  ScriptedSmtpServer server(tls_server());
  auto o = plain_options();
  o.starttls = StartTlsMode::required;
  o.tls.verify = false;
  bool encrypted = false;
  const auto out = run(server, o, [&](SmtpClient& c) -> boost::asio::awaitable<void> {
    encrypted = c.encrypted();
    co_return;
  });
  ASSERT_EQ(out.error, "");
  EXPECT_TRUE(encrypted);
}

TEST(SmtpClientStartTls, RequiredButNotOfferedSendsNoMail) {
  ScriptedSmtpServer server;  // no certificate: no STARTTLS
  auto o = plain_options();
  o.starttls = StartTlsMode::required;
  const auto out = run(server, o, [](SmtpClient& c) -> boost::asio::awaitable<void> {
    const std::string from = "a@client.test";
    co_await c.mail_from(from);
  });
  EXPECT_EQ(out.kind, SmtpError::Kind::tls) << out.error;
  EXPECT_NE(out.error.find("STARTTLS required, but the server does not offer it"), std::string::npos) << out.error;
  for (const auto& cmd : server.commands()) EXPECT_EQ(cmd.rfind("MAIL", 0), std::string::npos);
}

TEST(SmtpClientStartTls, OpportunisticWithoutOfferStaysPlain) {
  ScriptedSmtpServer server;
  auto o = plain_options();
  o.starttls = StartTlsMode::opportunistic;
  bool encrypted = true;
  const auto out = run(server, o, [&](SmtpClient& c) -> boost::asio::awaitable<void> {
    encrypted = c.encrypted();
    co_return;
  });
  ASSERT_EQ(out.error, "");
  EXPECT_FALSE(encrypted);
}

TEST(SmtpClientStartTls, InjectedDataAfterTheReplyIsRefused) {
  ScriptedSmtpServer::Options so;
  so.extensions.push_back("STARTTLS");
  ScriptedSmtpServer server(so);
  server.on("STARTTLS", ScriptedSmtpServer::reply("220 2.0.0 Ready\n250 injected"));
  auto o = plain_options();
  o.starttls = StartTlsMode::required;
  const auto out = run(server, o, [](SmtpClient&) -> boost::asio::awaitable<void> { co_return; });
  EXPECT_EQ(out.kind, SmtpError::Kind::protocol) << out.error;
  EXPECT_NE(out.error.find("STARTTLS injection"), std::string::npos) << out.error;
}

}  // namespace
}  // namespace ndrlink::smtp
