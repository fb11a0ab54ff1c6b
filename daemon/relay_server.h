// The relay's listener: accepts client connections on relay.listen, runs a
// RelaySession for each, answers "421 4.3.2" and closes when
// relay.max_connections sessions are open. Loads the server certificate
// for STARTTLS (offered only when relay.cert_file/key_file are set), the
// smarthost password, and sets up the MX resolver. stop() ends the
// listener and has every session say 421 at its next command boundary.
#pragma once

#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <vector>

#include "config.h"
#include "pipeline.h"
#include "relay_context.h"
#include "stats.h"

namespace ndrlink::daemon::relay {

class RelaySession;

class RelayServer : public std::enable_shared_from_this<RelayServer> {
 public:
  // Throws std::runtime_error (one line) when the certificate, key or
  // password file cannot be read or the static MX map is bad.
  RelayServer(boost::asio::io_context& io, Pipeline& pipeline, Stats& stats, const Config& config);
  ~RelayServer();
  // Binds and listens; throws with the address on failure.
  void start();
  void stop();
  std::size_t sessions() const { return open_; }
  // The bound port (listen port 0 picks one).
  std::uint16_t port() const;

 private:
  void accept();
  void refuse(boost::asio::ip::tcp::socket socket);

  RelayContext ctx_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::vector<std::weak_ptr<RelaySession>> sessions_;
  std::size_t open_ = 0;
};

}  // namespace ndrlink::daemon::relay
