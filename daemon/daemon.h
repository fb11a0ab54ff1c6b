// ndrlinkd: one Boost.Asio event loop (sources, socket, signals, timers)
// and a pool of workers for parsing and the store. SIGTERM/SIGINT drain
// and stop; SIGHUP reloads the configuration file.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <vector>

#include "config.h"
#include "ingest_socket.h"
#include "pipeline.h"
#include "relay_server.h"
#include "source.h"
#include "stats.h"

namespace ndrlink::daemon {

class Daemon {
 public:
  // Opens the store and binds the socket: a bad path fails here, before
  // READY, with an exception naming it.
  explicit Daemon(Config config);
  ~Daemon();
  // Runs until SIGTERM/SIGINT (or stop()); returns the exit status.
  int run();
  // Asks the loop to drain and stop (thread-safe).
  void stop();

 private:
  void start_sources();
  void stop_sources();
  void on_signal(int signo);
  void reload();
  // How long `daemon_time` lasts in real time (see Config::clock_scale).
  std::chrono::milliseconds real_time(std::chrono::seconds daemon_time) const;
  void schedule_sweep();
  void sweep_batch(int done_so_far);
  void schedule_checkpoint();
  void schedule_watchdog();
  void schedule_status();
  std::string status_line() const;

  Config config_;
  boost::asio::io_context io_;
  Stats stats_;
  Pipeline pipeline_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer sweep_timer_, checkpoint_timer_, watchdog_timer_, status_timer_;
  std::vector<std::shared_ptr<Source>> sources_;
  std::shared_ptr<IngestSocket> socket_;
  std::shared_ptr<relay::RelayServer> relay_;
  bool stopping_ = false;
  bool sweeping_ = false;  // a sweep's batches are queued or running
};

}  // namespace ndrlink::daemon
