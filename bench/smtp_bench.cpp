// The SMTP client side: reply framing and EHLO parsing (replies/s),
// dot-stuffing (MiB/s), and whole client transactions (EHLO, MAIL, RCPT,
// DATA of 10 KiB, QUIT; one connection each) against the tests' scripted
// SMTP server on loopback (transactions/s, mean ms). One JSON line per
// figure; nothing is asserted.
#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <string>

#include "bench_support.h"
#include "scripted_smtp_server.h"
#include "smtp_client.h"
#include "smtp_data.h"
#include "smtp_reply.h"

namespace {
using namespace ndrlink;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void bench_replies() {
  const std::string stream =
      "220 mx.example.com ESMTP Postfix (Debian/GNU)\r\n"
      "250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n"
      "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n"
      "250 2.1.0 Ok\r\n252 2.1.5 Cannot VRFY user, but will accept message\r\n"
      "550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n"
      "550-5.1.1 double-checking the recipient's email address for typos or\r\n"
      "550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser\r\n";
  const int rounds = 200000;
  std::size_t replies = 0, keywords = 0;
  const auto start = Clock::now();
  for (int i = 0; i < rounds; ++i) {
    smtp::ReplyReader reader;
    std::string_view rest = stream;
    while (!rest.empty()) {
      rest.remove_prefix(reader.feed(rest));
      if (!reader.ready()) break;
      const auto reply = reader.take();
      if (reply.lines.size() > 1) keywords += smtp::parse_ehlo(reply).keywords.size();
      ++replies;
    }
  }
  const double s = seconds_since(start);
  bench::print("smtp", "reply_parse_rate", static_cast<double>(replies) / s, "replies/s");
  if (keywords == 0) std::printf("unexpected: no EHLO keywords\n");
}

void bench_dot_stuffing() {
  std::string message;
  while (message.size() < 10 * 1024 * 1024) message += "Line of a message body.\n.a line starting with a dot\r\n";
  const int rounds = 20;
  std::size_t out = 0;
  const auto start = Clock::now();
  for (int i = 0; i < rounds; ++i) out += smtp::dot_stuff(message).size();
  const double s = seconds_since(start);
  bench::print("smtp", "dot_stuff_rate", static_cast<double>(message.size()) * rounds / s / (1024.0 * 1024.0),
               "MiB/s");
  if (out == 0) std::printf("unexpected: nothing stuffed\n");
}

void bench_transactions() {
  test::ScriptedSmtpServer server;
  smtp::SmtpClientOptions options;
  options.helo_name = "bench.test";
  options.starttls = smtp::StartTlsMode::none;
  options.timeouts = smtp::SmtpTimeouts::all(std::chrono::seconds(10));
  const std::string message = "Subject: bench\r\n\r\n" + std::string(10 * 1024, 'x') + "\r\n";
  const int count = 500;
  int ok = 0;
  boost::asio::io_context io;
  const auto start = Clock::now();
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        const std::string host = "127.0.0.1", from = "a@bench.test", to = "b@example.com";
        for (int i = 0; i < count; ++i) {
          smtp::SmtpClient c(io.get_executor(), options);
          co_await c.open(host, static_cast<std::uint16_t>(server.port()));
          co_await c.mail_from(from);
          co_await c.rcpt_to(to);
          if ((co_await c.data(message)).positive()) ++ok;
          co_await c.quit();
        }
      },
      boost::asio::detached);
  io.run();
  const double s = seconds_since(start);
  bench::print("smtp", "client_transactions_rate", ok / s, "transactions/s");
  bench::print("smtp", "client_transaction_mean", s * 1000.0 / count, "ms");
}

}  // namespace

int main() {
  bench_replies();
  bench_dot_stuffing();
  bench_transactions();
}
