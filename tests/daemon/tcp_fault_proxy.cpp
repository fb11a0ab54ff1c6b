#include "tcp_fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace ndrlink::testing {
namespace {

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// Writes all of `data` (blocking); false when the peer is gone.
bool write_all(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    const auto w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

}  // namespace

TcpFaultProxy::TcpFaultProxy(int upstream_port) : upstream_port_(upstream_port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a = loopback(0);
  socklen_t len = sizeof a;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 16) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("TcpFaultProxy: cannot listen on loopback");
  }
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

TcpFaultProxy::~TcpFaultProxy() {
  stopping_ = true;
  acceptor_.join();
  for (auto& t : threads_) t.join();
  ::close(listen_fd_);
}

void TcpFaultProxy::plan_cut(std::size_t bytes) {
  std::lock_guard lock(mu_);
  planned_cuts_.push_back(bytes);
}

void TcpFaultProxy::throttle(std::size_t chunk_bytes, std::chrono::milliseconds pause) {
  pause_ms_ = pause.count();
  chunk_bytes_ = chunk_bytes;
}

void TcpFaultProxy::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int client = ::accept(listen_fd_, nullptr, nullptr);
    if (client < 0) continue;
    const int server = ::socket(AF_INET, SOCK_STREAM, 0);
    const sockaddr_in up = loopback(upstream_port_);
    if (::connect(server, reinterpret_cast<const sockaddr*>(&up), sizeof up) != 0) {
      ::close(server);
      ::close(client);  // as if the server were down
      continue;
    }
    std::optional<std::size_t> cut;
    {
      std::lock_guard lock(mu_);
      if (!planned_cuts_.empty()) {
        cut = planned_cuts_.front();
        planned_cuts_.pop_front();
      }
    }
    ++connections_;
    threads_.emplace_back([this, client, server, cut] { relay(client, server, cut); });
  }
}

// Both directions on one thread: poll, then move what is there. A pause
// of the throttle also holds client->server data back (a slow server).
void TcpFaultProxy::relay(int client, int server, std::optional<std::size_t> cut_after) {
  std::vector<char> buffer(64 * 1024);
  std::size_t down = 0;
  bool open = true;
  while (open && !stopping_) {
    pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (::poll(p, 2, 50) <= 0) continue;
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const auto n = ::recv(client, buffer.data(), buffer.size(), 0);
      open = n > 0 && write_all(server, buffer.data(), static_cast<std::size_t>(n));
    }
    if (open && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      std::size_t want = buffer.size();
      if (const auto chunk = chunk_bytes_.load(); chunk > 0) want = std::min(want, chunk);
      if (cut_after) want = std::min(want, *cut_after - down);
      const auto n = want == 0 ? 0 : ::recv(server, buffer.data(), want, 0);
      open = n > 0 && write_all(client, buffer.data(), static_cast<std::size_t>(n));
      if (n > 0) {
        down += static_cast<std::size_t>(n);
        bytes_down_ += static_cast<std::size_t>(n);
      }
      if (cut_after && down >= *cut_after) {
        ++cuts_;
        open = false;
      } else if (open && chunk_bytes_ > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms_.load()));
      }
    }
  }
  ::shutdown(client, SHUT_RDWR);
  ::shutdown(server, SHUT_RDWR);
  ::close(client);
  ::close(server);
}

}  // namespace ndrlink::testing
