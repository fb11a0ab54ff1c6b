// One relay client connection: the server side of RFC 5321 (greeting,
// EHLO/HELO, STARTTLS, MAIL, RCPT, DATA, RSET, NOOP, QUIT, VRFY, HELP),
// with PIPELINING (commands are read as they arrive and answered in
// order, replies flushed before waiting for more input), SIZE, 8BITMIME,
// SMTPUTF8, DSN and ENHANCEDSTATUSCODES. The mail transaction itself is
// RelayTransaction's. Every read waits at most relay.client_timeout (then
// 421); a line longer than relay.max_line_length is dropped as it arrives
// and answered 500 5.5.2. Coroutines on the I/O thread.
#pragma once

#include <utility>  // before Asio (Boost 1.74)

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "relay_input.h"
#include "relay_transaction.h"

namespace ndrlink::daemon::relay {

class RelaySession : public std::enable_shared_from_this<RelaySession> {
 public:
  // `on_end` runs (on the I/O thread) when the connection is closed.
  RelaySession(RelayContext& ctx, boost::asio::ip::tcp::socket socket, std::function<void()> on_end);
  void start();
  // The relay stops: a 421 at the next command boundary (at once when the
  // session is waiting for the client).
  void shutdown();
  const std::string& id() const { return id_; }

 private:
  enum class End { none, eof, timeout, shutdown, error };
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> serve();
  // The next line; nullopt when the connection ended (end_ says how).
  boost::asio::awaitable<std::optional<InputLine>> next_line();
  boost::asio::awaitable<void> flush();
  void reply(const smtp::SmtpReply& r) { out_ += wire(r); }
  void reply(int code, const char* enhanced, const std::string& text) { out_ += wire(local_reply(code, enhanced, text)); }
  boost::asio::awaitable<bool> command(const Command& cmd);  // false: QUIT
  boost::asio::awaitable<void> ehlo(const Command& cmd);
  boost::asio::awaitable<void> mail(const Command& cmd);
  // The relay's own reply to a RCPT it does not ask upstream (no
  // transaction, bad parameters, over max_recipients with `ahead` more
  // already taken); nullopt when the RCPT goes upstream.
  std::optional<smtp::SmtpReply> local_rcpt_reply(const Command& rcpt, std::size_t ahead) const;
  // `first` and the RCPT commands already buffered right after it that
  // are valid (with VERP by recipient only: each is its own upstream
  // transaction, so they can be asked at once; RFC 2920 replies still go
  // in order).
  std::vector<Command> pipelined_rcpts(const Command& first);
  boost::asio::awaitable<void> rcpt_into(const Command& cmd, smtp::SmtpReply& out);
  boost::asio::awaitable<void> data();
  boost::asio::awaitable<bool> starttls();
  void arm();  // the client timeout from now
  void arm_until(std::chrono::steady_clock::time_point deadline);
  void disarm();

  RelayContext& ctx_;
  std::string id_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  boost::asio::steady_timer deadline_;
  std::function<void()> on_end_;
  std::string peer_;
  bool tls_ = false, greeted_ = false, esmtp_ = false, reading_ = false;
  End end_ = End::none;
  LineFramer framer_;
  std::string out_;
  std::array<char, 16 * 1024> buffer_{};
  Upstreams upstreams_;
  RelayTransaction txn_;
};

}  // namespace ndrlink::daemon::relay
