// A client byte stream over TCP, optionally upgraded to TLS, where every
// operation has a deadline. Shared by the IMAP source and the SMTP client
// (each frames its own protocol on top). Failures are NetError with a
// one-line message ("read: timed out after 30 s", "TLS handshake with
// mx.example: certificate not trusted: self-signed certificate").
// Coroutines on one executor; not thread-safe.
#pragma once

// <utility> first: Boost 1.74's awaitable.hpp uses std::exchange unincluded.
#include <utility>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

namespace ndrlink::net {

class NetError : public std::runtime_error {
 public:
  // connect: resolving or connecting failed; timeout: a deadline passed;
  // tls: context setup, handshake or verification; closed: the peer closed
  // (or the stream was closed locally); io: any other socket error.
  enum class Kind { connect, timeout, tls, closed, io };
  NetError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

struct TlsClientSettings {
  std::string ca_file;  // empty: the system trust store
  bool verify = true;   // false: accept any certificate (tests only)
};

// A client TLS context: TLS >= 1.2, no compression, peer verification as
// `s` says. Throws NetError(tls) when the CA file cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context(const TlsClientSettings& s);

class NetStream {
 public:
  using Duration = std::chrono::steady_clock::duration;

  NetStream(boost::asio::any_io_executor ex, std::shared_ptr<boost::asio::ssl::context> tls);

  // Resolves and connects (every address of `host` in turn) within `timeout`.
  boost::asio::awaitable<void> connect(const std::string& host, std::uint16_t port, Duration timeout);
  // TLS handshake, verifying (when the context verifies) that the
  // certificate names `host`: a DNS name (also sent as SNI) or an IP
  // address literal.
  boost::asio::awaitable<void> start_tls(const std::string& host, Duration timeout);
  // Writes all of `data`. A zero timeout means none (a write while a read
  // is pending: one read and one write may be outstanding, two writes not).
  boost::asio::awaitable<void> write(std::string_view data, Duration timeout);
  // Some bytes (at least one) into `into`, within `timeout`. `what` names
  // the operation in error messages ("read").
  boost::asio::awaitable<std::size_t> read_some(boost::asio::mutable_buffer into, Duration timeout,
                                                const char* what = "read");
  // Closes the socket: pending operations end with an error. Idempotent.
  void close();
  bool is_open() const { return stream_->next_layer().is_open(); }
  bool encrypted() const { return tls_on_; }
  boost::asio::any_io_executor executor() const { return ex_; }

 private:
  void arm(Duration timeout);
  void disarm();
  [[noreturn]] void rethrow(const boost::system::system_error& e, const std::string& what, NetError::Kind fallback);

  boost::asio::any_io_executor ex_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::shared_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> stream_;
  std::shared_ptr<boost::asio::ip::tcp::resolver> resolver_;
  boost::asio::steady_timer deadline_;
  std::shared_ptr<bool> timed_out_ = std::make_shared<bool>(false);
  Duration armed_for_{};
  bool tls_on_ = false;
};

}  // namespace ndrlink::net
