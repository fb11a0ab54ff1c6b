#include "imap_connection.h"

namespace ndrlink::daemon::imap {
namespace asio = boost::asio;

namespace {

// The transport's errors as IMAP errors: a timeout or a closed connection
// is a network failure for the source's retry logic.
[[noreturn]] void rethrow(const net::NetError& e) {
  throw ImapError(e.kind() == net::NetError::Kind::tls ? ImapError::Kind::tls : ImapError::Kind::network, e.what());
}

}  // namespace

std::shared_ptr<asio::ssl::context> make_tls_context(const TlsSettings& s) {
  try {
    return net::make_client_tls_context(s);
  } catch (const net::NetError& e) {
    throw ImapError(ImapError::Kind::tls, e.what());
  }
}

Connection::Connection(asio::any_io_executor ex, std::shared_ptr<asio::ssl::context> tls, Limits limits)
    : tls_(std::move(tls)), stream_(ex, tls_), framer_(limits) {}

asio::awaitable<void> Connection::connect(const std::string& host, std::uint16_t port, Duration timeout) {
  try {
    co_await stream_.connect(host, port, timeout);
  } catch (const net::NetError& e) {
    rethrow(e);
  }
}

asio::awaitable<void> Connection::start_tls(const std::string& host, Duration timeout) {
  if (!framer_.idle() || !pending_.empty())
    throw ImapError(ImapError::Kind::protocol, "the server sent data before the TLS handshake (STARTTLS injection?)");
  try {
    co_await stream_.start_tls(host, timeout);
  } catch (const net::NetError& e) {
    rethrow(e);
  }
}

asio::awaitable<void> Connection::write(std::string_view data, Duration timeout) {
  try {
    co_await stream_.write(data, timeout);
  } catch (const net::NetError& e) {
    rethrow(e);
  }
}

asio::awaitable<Response> Connection::read(Duration idle_timeout) {
  try {
    while (true) {
      if (!pending_.empty()) pending_.erase(0, framer_.feed(pending_));
      if (framer_.ready()) co_return parse_response(framer_.take());
      // Everything received is framed: read more.
      std::size_t n = 0;
      try {
        n = co_await stream_.read_some(asio::buffer(buffer_), idle_timeout);
      } catch (const net::NetError& e) {
        rethrow(e);
      }
      pending_.assign(buffer_.data(), n);
    }
  } catch (const ProtocolError& e) {
    throw ImapError(ImapError::Kind::protocol, e.what());
  }
}

}  // namespace ndrlink::daemon::imap
