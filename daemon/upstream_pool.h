// Upstream connections between transactions, shared by every relay
// session (I/O thread only). A connection whose transaction ended well is
// kept for the next transaction to the same host:port from any session —
// most recently kept first — for at most `idle`, then QUIT and closed; at
// most `per_host` are kept idle per host (one more is closed). A client
// that connects per message (as many applications do) thus costs the
// upstream no new connection, greeting and EHLO per message.
//
// Contract: a connection handed out by take() is no longer the pool's;
// it may still have been closed by the server meanwhile (the caller's
// first command then fails: it opens a new one). After close_all() (the
// relay stops) nothing more is kept.
#pragma once

#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>

#include "smtp_client.h"

namespace ndrlink::daemon::relay {

class UpstreamPool {
 public:
  using Duration = std::chrono::steady_clock::duration;

  explicit UpstreamPool(boost::asio::io_context& io) : io_(io), sweep_(io) {}
  void configure(std::size_t per_host, Duration idle) { per_host_ = per_host, idle_ = idle; }

  // A kept connection to host:port, or nullptr.
  std::unique_ptr<smtp::SmtpClient> take(const std::string& host, std::uint16_t port);
  // Keeps `client` when it is open (else drops it); closes it when the
  // host has per_host kept already or the pool is closed.
  void keep(std::unique_ptr<smtp::SmtpClient> client);
  // QUITs every kept connection; keeps none from now on.
  void close_all();
  std::size_t kept() const;

 private:
  struct Kept {
    std::unique_ptr<smtp::SmtpClient> client;
    std::chrono::steady_clock::time_point since;
  };
  static std::string key(const std::string& host, std::uint16_t port) { return host + ":" + std::to_string(port); }
  // QUIT (a reply waited for at most 2 s), then closed; in the background.
  void retire(std::unique_ptr<smtp::SmtpClient> client);
  // Retires what was idle too long, until nothing is kept.
  boost::asio::awaitable<void> sweep();

  boost::asio::io_context& io_;
  boost::asio::steady_timer sweep_;
  std::map<std::string, std::deque<Kept>> kept_;  // host:port -> oldest first
  std::size_t per_host_ = 16;
  Duration idle_ = std::chrono::seconds(10);
  bool sweeping_ = false, closed_ = false;
};

}  // namespace ndrlink::daemon::relay
