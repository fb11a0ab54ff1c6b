// The ingest socket: a Unix stream socket taking JSON lines with the fields
// of `ndrlink record` ({"rcpt":..,"code":252,...}). One reply line per
// request, in order: {"ok":true,"id":N,"created":true,"verp_token":".."}
// or {"ok":false,"error":".."}. An oversized or malformed line gets an
// error and the connection stays usable.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <memory>
#include <string>

#include "config.h"
#include "pipeline.h"
#include "stats.h"

namespace ndrlink::daemon {

class IngestSocket : public std::enable_shared_from_this<IngestSocket> {
 public:
  IngestSocket(boost::asio::io_context& io, Pipeline& pipeline, Stats& stats, SocketConfig config);
  // Binds (replacing a stale socket file, refusing to replace anything
  // else), sets the mode, and accepts. Throws with the path on failure.
  void start();
  // Stops accepting and closes every connection.
  void stop();

  std::size_t clients() const { return clients_; }

 private:
  class Session;
  void accept();

  boost::asio::io_context& io_;
  Pipeline& pipeline_;
  Stats& stats_;
  SocketConfig config_;
  std::unique_ptr<boost::asio::local::stream_protocol::acceptor> acceptor_;
  std::size_t clients_ = 0;
  bool stopped_ = true;
  std::vector<std::weak_ptr<Session>> sessions_;
};


}  // namespace ndrlink::daemon
