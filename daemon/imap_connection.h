// One IMAP connection's transport: a net::NetStream (TCP, then TLS —
// implicit, or later via STARTTLS — with certificate and host name
// verification) and framed reads of server responses. Every operation has
// a deadline; a timeout, a closed connection or a TLS failure is an
// ImapError with a one-line message. Coroutines on the I/O thread; not
// thread-safe.
#pragma once

// <utility> first: Boost 1.74's awaitable.hpp uses std::exchange unincluded.
#include <utility>

#include <array>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "imap_protocol.h"
#include "net_stream.h"

namespace ndrlink::daemon::imap {

class ImapError : public std::runtime_error {
 public:
  enum class Kind { network, tls, auth, protocol, server };
  ImapError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

using TlsSettings = net::TlsClientSettings;

// A client TLS context: TLS >= 1.2, peer verification against `s`.
// Throws ImapError(tls) when the CA file cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsSettings& s);

class Connection {
 public:
  using Duration = std::chrono::steady_clock::duration;

  Connection(boost::asio::any_io_executor ex, std::shared_ptr<boost::asio::ssl::context> tls, Limits limits);

  // Resolves and connects (every address of `host` in turn) within `timeout`.
  boost::asio::awaitable<void> connect(const std::string& host, std::uint16_t port, Duration timeout);
  // TLS handshake, verifying that the certificate names `host` (a DNS
  // name or an IP address literal). Bytes already buffered from the
  // plaintext phase are a protocol error (STARTTLS injection).
  boost::asio::awaitable<void> start_tls(const std::string& host, Duration timeout);
  // Writes all of `data`. A zero timeout means none: used for IDLE's
  // "DONE", written while a read is pending (one read and one write may
  // be outstanding at once; two writes may not).
  boost::asio::awaitable<void> write(std::string_view data, Duration timeout);
  // The next complete response, parsed. `idle_timeout` bounds the time
  // without any byte from the server, not the whole response (a large
  // message on a slow link is fine as long as it keeps coming).
  boost::asio::awaitable<Response> read(Duration idle_timeout);
  // Closes the socket: pending operations end with an error. Idempotent.
  void close() { stream_.close(); }
  bool is_open() const { return stream_.is_open(); }
  bool encrypted() const { return stream_.encrypted(); }
  boost::asio::any_io_executor executor() const { return stream_.executor(); }

 private:
  std::shared_ptr<boost::asio::ssl::context> tls_;
  net::NetStream stream_;
  ResponseFramer framer_;
  std::string pending_;  // received, not yet framed (at most one read's worth)
  std::array<char, 64 * 1024> buffer_{};
};

}  // namespace ndrlink::daemon::imap
