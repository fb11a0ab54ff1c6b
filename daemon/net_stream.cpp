#include "net_stream.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace ndrlink::net {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::string tls_error_text(const boost::system::error_code& ec) {
  std::string what = ec.message();
  if (ec.category() == asio::error::get_ssl_category()) {
    // "certificate verify failed (self-signed certificate)" and the like.
    const auto reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
    if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED) what = "certificate verify failed";
  }
  return what;
}

}  // namespace

std::shared_ptr<asio::ssl::context> make_client_tls_context(const TlsClientSettings& s) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_options(asio::ssl::context::no_compression);
  if (!s.verify) {
    ctx->set_verify_mode(asio::ssl::verify_none);
    return ctx;
  }
  ctx->set_verify_mode(asio::ssl::verify_peer);
  boost::system::error_code ec;
  if (s.ca_file.empty())
    ctx->set_default_verify_paths(ec);
  else
    ctx->load_verify_file(s.ca_file, ec);
  if (ec)
    throw NetError(NetError::Kind::tls, "cannot load CA certificates from " +
                                            (s.ca_file.empty() ? std::string("the system store") : s.ca_file) +
                                            ": " + ec.message());
  return ctx;
}

NetStream::NetStream(asio::any_io_executor ex, std::shared_ptr<asio::ssl::context> tls)
    : ex_(ex),
      tls_(std::move(tls)),
      stream_(std::make_shared<asio::ssl::stream<tcp::socket>>(ex, *tls_)),
      resolver_(std::make_shared<tcp::resolver>(ex)),
      deadline_(ex) {}

void NetStream::arm(Duration timeout) {
  *timed_out_ = false;
  armed_for_ = timeout;
  deadline_.expires_after(timeout);
  std::weak_ptr<asio::ssl::stream<tcp::socket>> stream = stream_;
  std::weak_ptr<tcp::resolver> resolver = resolver_;
  deadline_.async_wait([flag = timed_out_, stream, resolver](boost::system::error_code ec) {
    if (ec) return;
    *flag = true;
    if (auto r = resolver.lock()) r->cancel();
    if (auto s = stream.lock()) {
      boost::system::error_code ignored;
      s->next_layer().close(ignored);
    }
  });
}

void NetStream::disarm() { deadline_.cancel(); }

void NetStream::close() {
  disarm();
  resolver_->cancel();
  boost::system::error_code ignored;
  stream_->next_layer().close(ignored);
}

void NetStream::rethrow(const boost::system::system_error& e, const std::string& what, NetError::Kind fallback) {
  if (*timed_out_) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(armed_for_).count();
    // Whole seconds unless the timeout is shorter than one (tests).
    const std::string after = ms % 1000 == 0 || ms > 10000 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
    throw NetError(NetError::Kind::timeout, what + ": timed out after " + after);
  }
  const auto ec = e.code();
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_reset)
    throw NetError(NetError::Kind::closed, what + ": the server closed the connection");
  if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor)
    throw NetError(NetError::Kind::closed, what + ": connection closed");
  if (ec.category() == asio::error::get_ssl_category())
    throw NetError(NetError::Kind::tls, what + ": TLS: " + tls_error_text(ec));
  throw NetError(fallback, what + ": " + ec.message());
}

asio::awaitable<void> NetStream::connect(const std::string& host, std::uint16_t port, Duration timeout) {
  const std::string where = "connect to " + host + ":" + std::to_string(port);
  arm(timeout);
  try {
    const std::string service = std::to_string(port);
    auto endpoints = co_await resolver_->async_resolve(host, service, asio::use_awaitable);
    co_await asio::async_connect(stream_->next_layer(), endpoints, asio::use_awaitable);
  } catch (const boost::system::system_error& e) {
    disarm();
    if (!*timed_out_ && (e.code() == asio::error::eof || e.code() == asio::error::operation_aborted))
      throw NetError(NetError::Kind::connect, where + ": " + e.code().message());
    rethrow(e, where, NetError::Kind::connect);
  }
  disarm();
  boost::system::error_code ignored;
  stream_->next_layer().set_option(tcp::no_delay(true), ignored);
}

asio::awaitable<void> NetStream::start_tls(const std::string& host, Duration timeout) {
  SSL* ssl = stream_->native_handle();
  boost::system::error_code addr_ec;
  asio::ip::make_address(host, addr_ec);
  if (addr_ec) {
    SSL_set_tlsext_host_name(ssl, host.c_str());  // SNI: DNS names only
    SSL_set1_host(ssl, host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
  }
  const std::string what = "TLS handshake with " + host;
  arm(timeout);
  try {
    co_await stream_->async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
  } catch (const boost::system::system_error& e) {
    disarm();
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK && !*timed_out_)
      throw NetError(NetError::Kind::tls, what + ": certificate not trusted: " + X509_verify_cert_error_string(verify));
    rethrow(e, what, NetError::Kind::tls);
  }
  disarm();
  tls_on_ = true;
}

asio::awaitable<void> NetStream::write(std::string_view data, Duration timeout) {
  const bool bounded = timeout != Duration::zero();
  if (bounded) arm(timeout);
  try {
    if (tls_on_)
      co_await asio::async_write(*stream_, asio::buffer(data), asio::use_awaitable);
    else
      co_await asio::async_write(stream_->next_layer(), asio::buffer(data), asio::use_awaitable);
  } catch (const boost::system::system_error& e) {
    if (bounded) disarm();
    rethrow(e, "send", NetError::Kind::io);
  }
  if (bounded) disarm();
}

asio::awaitable<std::size_t> NetStream::read_some(asio::mutable_buffer into, Duration timeout, const char* what) {
  arm(timeout);
  std::size_t n = 0;
  try {
    if (tls_on_)
      n = co_await stream_->async_read_some(into, asio::use_awaitable);
    else
      n = co_await stream_->next_layer().async_read_some(into, asio::use_awaitable);
  } catch (const boost::system::system_error& e) {
    disarm();
    rethrow(e, what, NetError::Kind::io);
  }
  disarm();
  co_return n;
}

}  // namespace ndrlink::net
