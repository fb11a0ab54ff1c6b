// Upstream connections, shared by every relay session (I/O thread only).
//
// Kept connections: one whose transaction ended well is kept for the next
// transaction to the same host:port from any session — most recently kept
// first — for at most `idle`, then QUIT and closed; at most `keep_per_host`
// are kept per host (one more is closed), and none made more than
// `reuse` ago (as Postfix's smtp_connection_reuse_time_limit: mail
// spreads over the MX hosts again and follows DNS changes). A client that connects per
// message (as many applications do) thus costs the upstream no new
// connection, greeting and EHLO per message.
//
// Slots: at most `max_per_host` connections to one host:port exist at
// once (in use or kept); a Connection holds its slot until it is
// destroyed, wherever that happens. Beyond that the upstream would refuse
// us anyway (Postfix allows 50 per client by default). Who waits for one
// is served first come, first served: a slot given back or a connection
// kept wakes the first waiter, and nobody overtakes the queue.
//
// Contract: a connection handed out is no longer the pool's; a kept one
// may have been closed by the server meanwhile (the caller's first
// command then fails: it opens a new one). After close_all() (the relay
// stops) nothing more is kept.
#pragma once

#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <string>

#include "smtp_client.h"

namespace ndrlink::daemon::relay {

class UpstreamPool {
 public:
  using Duration = std::chrono::steady_clock::duration;
  struct Host;
  // Deletes the client and gives its slot back.
  struct Release {
    std::shared_ptr<Host> host;
    void operator()(smtp::SmtpClient* client) const;
  };
  using Connection = std::unique_ptr<smtp::SmtpClient, Release>;

  explicit UpstreamPool(boost::asio::io_context& io) : io_(io), sweep_(io) {}
  ~UpstreamPool();
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;
  void configure(std::size_t max_per_host, std::size_t keep_per_host, Duration idle, Duration reuse) {
    max_per_host_ = max_per_host, keep_per_host_ = keep_per_host, idle_ = idle, reuse_ = reuse;
  }

  class Waiter;
  // A kept connection to host:port, or nullptr. Nobody overtakes the
  // host's waiters: with a queue, only its first (`me`) gets one.
  Connection take(const std::string& host, std::uint16_t port, const Waiter* me = nullptr);
  // A new client (not connected yet) under a free slot of host:port, or
  // nullptr when max_per_host connections to it exist (or others wait).
  Connection open_slot(const std::string& host, std::uint16_t port, const smtp::SmtpClientOptions& options,
                       const Waiter* me = nullptr);
  // Keeps `client` when it is open (else drops it); closes it when the
  // host has keep_per_host kept already or the pool is closed.
  void keep(Connection client);
  // QUITs every kept connection; keeps none from now on.
  void close_all();

  struct Kept {
    Connection client;
    std::chrono::steady_clock::time_point since;
  };
  struct Host {
    std::size_t open = 0;                            // connections that exist: in use, kept or closing
    std::map<const smtp::SmtpClient*, std::chrono::steady_clock::time_point> opened;  // when each was made
    std::deque<Kept> kept;                           // oldest first
    std::list<boost::asio::steady_timer*> waiters;  // first come, first served; each removes itself
    bool closed = false;                             // the pool closed: nobody is served any more
    // Tells the first waiter to look again (a slot or a kept connection
    // may be there for it).
    void wake() const {
      if (!waiters.empty()) waiters.front()->cancel();
    }
  };

  // A place in a host's queue for a connection (while every slot is
  // taken), from construction to destruction.
  class Waiter {
   public:
    Waiter(UpstreamPool& pool, const std::string& host, std::uint16_t port);
    ~Waiter();
    Waiter(const Waiter&) = delete;
    Waiter& operator=(const Waiter&) = delete;
    // Waits until this waiter is first in line and a kept connection or a
    // free slot is there; false at `deadline` or when the pool closed.
    boost::asio::awaitable<bool> turn(std::chrono::steady_clock::time_point deadline);
    bool first() const { return host_->waiters.front() == &timer_; }

   private:
    UpstreamPool& pool_;
    std::shared_ptr<Host> host_;
    boost::asio::steady_timer timer_;
    std::list<boost::asio::steady_timer*>::iterator place_;
  };

 private:
  static std::string key(const std::string& host, std::uint16_t port) { return host + ":" + std::to_string(port); }
  std::shared_ptr<Host>& host(const std::string& host, std::uint16_t port);
  // QUIT (a reply waited for at most 2 s), then closed; in the background.
  void retire(Connection client);
  // Retires what was idle too long; forgets hosts without connections.
  boost::asio::awaitable<void> sweep();
  void start_sweep();

  boost::asio::io_context& io_;
  boost::asio::steady_timer sweep_;
  std::map<std::string, std::shared_ptr<Host>> hosts_;
  std::size_t max_per_host_ = 50, keep_per_host_ = 16;
  Duration idle_ = std::chrono::seconds(10);
  Duration reuse_ = std::chrono::seconds(300);
  bool sweeping_ = false, closed_ = false;
};

using Connection = UpstreamPool::Connection;

}  // namespace ndrlink::daemon::relay
