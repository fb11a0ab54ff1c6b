#include "relay_server.h"

#include <unistd.h>

#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "imap_password.h"
#include "relay_session.h"

namespace ndrlink::daemon::relay {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::string system_hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || !name[0]) return "localhost";
  return name;
}

std::shared_ptr<asio::ssl::context> server_tls(const RelayConfig& c) {
  auto tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                   asio::ssl::context::no_compression);
  if (c.cert_file.empty()) return tls;
  boost::system::error_code ec;
  tls->use_certificate_chain_file(c.cert_file, ec);
  if (ec) throw std::runtime_error("relay.cert_file " + c.cert_file + ": " + ec.message());
  tls->use_private_key_file(c.key_file, asio::ssl::context::pem, ec);
  if (ec) throw std::runtime_error("relay.key_file " + c.key_file + ": " + ec.message());
  return tls;
}

}  // namespace

RelayServer::RelayServer(asio::io_context& io, Pipeline& pipeline, Stats& stats, const Config& config)
    : ctx_(io, pipeline, stats) {
  const RelayConfig& c = config.relay;
  ctx_.config = c;
  ctx_.hostname = c.hostname.empty() ? system_hostname() : c.hostname;
  ctx_.verp_prefix = config.verp_prefix;
  ctx_.verp_domain = config.verp_domain;
  if (c.transaction_per_recipient() && c.xverp && xverp_prefix_ok(config.verp_prefix)) {
    const auto& p = config.verp_prefix;
    ctx_.xverp_sender = p.substr(0, p.size() - 1) + "@" + config.verp_domain;
    ctx_.xverp_param = "XVERP=" + p.substr(p.size() - 1) + "=";
  }
  ctx_.upstream.helo_name = ctx_.hostname;
  ctx_.pool.configure(c.upstream_max_per_host, c.upstream_keep_per_host, c.upstream_keep_idle,
                      c.upstream_reuse_time);
  ctx_.upstream.starttls = *smtp::parse_starttls_mode(c.upstream_tls);
  ctx_.upstream.tls.ca_file = c.upstream_tls_ca;
  ctx_.upstream.tls.verify = c.upstream_tls_verify;
  ctx_.upstream.timeouts = smtp::SmtpTimeouts::all(c.upstream_timeout);
  ctx_.upstream.timeouts.connect = c.upstream_connect_timeout;
  ctx_.upstream.timeouts.data_init = c.upstream_data_timeout;
  ctx_.upstream.timeouts.data_block = c.upstream_data_timeout;
  ctx_.upstream.timeouts.data_end = c.upstream_data_end_timeout;
  if (!c.smarthost_password_file.empty()) ctx_.smarthost_password = imap::read_password(c.smarthost_password_file);
  if (c.upstream == RelayConfig::Upstream::mx && !c.static_mx.empty()) {
    try {
      ctx_.resolver = std::make_shared<smtp::StaticMxResolver>(c.static_mx);
    } catch (const smtp::MxError& e) {
      throw std::runtime_error(std::string("relay.static_mx: ") + e.what());
    }
  } else if (c.upstream == RelayConfig::Upstream::mx) {
    ctx_.resolver = c.dns_server.empty() ? std::make_shared<smtp::DnsMxResolver>(c.mx_port)
                                         : std::make_shared<smtp::DnsMxResolver>(c.mx_port, c.dns_server);
    ctx_.resolver_blocks = true;
    ctx_.mx_cache.set_lifetime(c.mx_cache);
    ctx_.dns_pool = std::make_unique<asio::thread_pool>(2);
  }
  ctx_.client_tls = server_tls(c);
  ctx_.offer_starttls = !c.cert_file.empty();
}

RelayServer::~RelayServer() {
  if (ctx_.dns_pool) ctx_.dns_pool->join();
}

std::uint16_t RelayServer::port() const {
  boost::system::error_code ec;
  return acceptor_ ? acceptor_->local_endpoint(ec).port() : 0;
}

void RelayServer::start() {
  const auto& c = ctx_.config;
  const std::string where = c.listen_host + ":" + std::to_string(c.listen_port);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(c.listen_host, ec);
  if (ec) throw std::runtime_error("relay.listen " + where + ": not an IP address");
  acceptor_ = std::make_unique<tcp::acceptor>(ctx_.io);
  const tcp::endpoint ep(address, c.listen_port);
  acceptor_->open(ep.protocol(), ec);
  if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_->bind(ep, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("relay.listen " + where + ": " + ec.message());
  ctx_.stopping = false;
  spdlog::info("relay: listening on {}:{} as {}, upstream {}{}, STARTTLS {}, tagging verp={}{} envid={} header={}",
               c.listen_host, port(), ctx_.hostname,
               c.upstream == RelayConfig::Upstream::smarthost ? "smarthost " + c.smarthost_host + ":" +
                                                                    std::to_string(c.smarthost_port)
                                                              : std::string("mx"),
               c.upstream == RelayConfig::Upstream::mx && !c.static_mx.empty() ? " (static map)" : "",
               ctx_.offer_starttls ? "offered" : "off", c.verp,
               !c.verp                                            ? ""
               : c.verp_scope == RelayConfig::VerpScope::message ? " (by message)"
               : ctx_.xverp_param.empty()                        ? " (by recipient)"
                                                                 : " (by recipient, XVERP where offered)",
               c.envid, c.header);
  accept();
}

void RelayServer::stop() {
  ctx_.stopping = true;
  ctx_.pool.close_all();
  ctx_.recorder.stop();
  if (acceptor_) {
    boost::system::error_code ec;
    acceptor_->close(ec);
  }
  for (auto& w : sessions_)
    if (auto s = w.lock()) s->shutdown();
}

void RelayServer::accept() {
  auto self = shared_from_this();
  acceptor_->async_accept([this, self](boost::system::error_code ec, tcp::socket socket) {
    if (ctx_.stopping || ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (open_ >= ctx_.config.max_connections) {
        refuse(std::move(socket));
      } else {
        ++open_;
        // Replies are small and each is written whole: without NODELAY a
        // pipelining client's second reply would wait for the ACK of the
        // first (Nagle against delayed ACK: 40 ms per reply on Linux).
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto session = std::make_shared<RelaySession>(ctx_, std::move(socket), [this, self] { --open_; });
        std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
        sessions_.push_back(session);
        session->start();
      }
    }
    accept();
  });
}

void RelayServer::refuse(tcp::socket socket) {
  spdlog::warn("relay: {} connections open (relay.max_connections), refusing another", open_);
  auto s = std::make_shared<tcp::socket>(std::move(socket));
  auto text = std::make_shared<std::string>("421 4.3.2 " + ctx_.hostname + " Too many connections, try again later\r\n");
  asio::async_write(*s, asio::buffer(*text), [s, text](boost::system::error_code, std::size_t) {
    boost::system::error_code ec;
    s->shutdown(tcp::socket::shutdown_both, ec);
    s->close(ec);
  });
}

}  // namespace ndrlink::daemon::relay
