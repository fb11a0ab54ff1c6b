// A TCP proxy on loopback for fault tests: it sits between a client (the
// daemon) and a real server and relays bytes both ways, but can cut a
// connection after N bytes from the server, and can throttle what the
// server sends (chunks of K bytes, a pause after each). Bytes pass
// through unchanged, so TLS runs end to end. Each accepted connection
// takes the next planned cut (connections beyond the plan are not cut).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace ndrlink::testing {

class TcpFaultProxy {
 public:
  // Listens on 127.0.0.1 (a free port) and forwards to 127.0.0.1:`upstream_port`.
  explicit TcpFaultProxy(int upstream_port);
  ~TcpFaultProxy();  // closes everything and joins the threads
  TcpFaultProxy(const TcpFaultProxy&) = delete;
  TcpFaultProxy& operator=(const TcpFaultProxy&) = delete;

  int port() const { return port_; }

  // The next connection that has none yet is cut once the server has
  // sent it `bytes` bytes (exactly that many reach the client).
  void plan_cut(std::size_t bytes);
  // From now on, server->client data goes in chunks of at most
  // `chunk_bytes` with `pause` after each (0 bytes: no throttle).
  void throttle(std::size_t chunk_bytes, std::chrono::milliseconds pause);

  int connections() const { return connections_; }
  int cuts() const { return cuts_; }
  std::size_t bytes_down() const { return bytes_down_; }  // server -> client, all connections

 private:
  void accept_loop();
  void relay(int client, int server, std::optional<std::size_t> cut_after);

  int port_ = 0, upstream_port_ = 0, listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0}, cuts_{0};
  std::atomic<std::size_t> bytes_down_{0};
  std::atomic<std::size_t> chunk_bytes_{0};
  std::atomic<long> pause_ms_{0};
  std::mutex mu_;
  std::deque<std::size_t> planned_cuts_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace ndrlink::testing
