#include "upstream_pool.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

namespace ndrlink::daemon::relay {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

void UpstreamPool::Release::operator()(smtp::SmtpClient* client) const {
  if (host) host->opened.erase(client);
  delete client;
  if (host) {
    --host->open;
    host->wake();
  }
}

UpstreamPool::Waiter::Waiter(UpstreamPool& pool, const std::string& host, std::uint16_t port)
    : pool_(pool), host_(pool.host(host, port)), timer_(pool.io_) {
  place_ = host_->waiters.insert(host_->waiters.end(), &timer_);
}

UpstreamPool::Waiter::~Waiter() {
  // Only the Host here: the frame holding a Waiter may be destroyed after
  // the pool (an I/O loop torn down mid-wait).
  host_->waiters.erase(place_);
  if (!host_->closed) host_->wake();  // the next one may be served now
}

asio::awaitable<bool> UpstreamPool::Waiter::turn(Clock::time_point deadline) {
  while (!host_->closed) {
    if (first() && (host_->open < pool_.max_per_host_ || !host_->kept.empty())) co_return true;
    if (Clock::now() >= deadline) break;
    timer_.expires_at(deadline);
    boost::system::error_code ec;  // operation_aborted: woken
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return false;
}

UpstreamPool::~UpstreamPool() {
  // A kept connection holds its Host: let go of them (no QUIT: the I/O
  // loop has ended).
  for (auto& [k, h] : hosts_) auto gone = std::move(h->kept);
}

std::shared_ptr<UpstreamPool::Host>& UpstreamPool::host(const std::string& host, std::uint16_t port) {
  auto& h = hosts_[key(host, port)];
  if (!h) {
    h = std::make_shared<Host>();
    h->closed = closed_;
  }
  return h;
}

Connection UpstreamPool::take(const std::string& host, std::uint16_t port, const Waiter* me) {
  const auto it = hosts_.find(key(host, port));
  if (it == hosts_.end()) return nullptr;
  auto& h = *it->second;
  if (!h.waiters.empty() && !(me && me->first())) return nullptr;
  while (!h.kept.empty()) {
    auto client = std::move(h.kept.back().client);
    h.kept.pop_back();
    if (client->is_open()) return client;
  }
  return nullptr;
}

Connection UpstreamPool::open_slot(const std::string& host, std::uint16_t port,
                                   const smtp::SmtpClientOptions& options, const Waiter* me) {
  auto& h = this->host(host, port);
  if (h->open >= max_per_host_ || (!h->waiters.empty() && !(me && me->first()))) return nullptr;
  // The client first: its constructor may throw (the CA file), and then no
  // slot may stay counted.
  auto client = std::make_unique<smtp::SmtpClient>(io_.get_executor(), options);
  h->opened[client.get()] = Clock::now();
  ++h->open;
  start_sweep();  // forgets the host again once its connections are gone
  return Connection(client.release(), Release{h});
}

void UpstreamPool::keep(Connection client) {
  if (!client || !client->is_open() || !client.get_deleter().host) return;
  const auto h = client.get_deleter().host;  // the Host its slot is counted in
  const auto made = h->opened.find(client.get());
  const bool old_enough = made != h->opened.end() && Clock::now() - made->second >= reuse_;
  // Beyond keep_per_host only when someone waits: it is theirs at once.
  if (closed_ || old_enough || (h->kept.size() >= keep_per_host_ && h->waiters.empty())) {
    retire(std::move(client));
    return;
  }
  h->kept.push_back(Kept{std::move(client), Clock::now()});
  h->wake();
  start_sweep();
}

void UpstreamPool::close_all() {
  closed_ = true;
  sweep_.cancel();
  for (auto& [k, h] : hosts_) {
    h->closed = true;
    auto kept = std::move(h->kept);
    h->kept.clear();
    for (auto& k : kept) retire(std::move(k.client));
    for (auto* waiter : h->waiters) waiter->cancel();  // they give up
  }
}

void UpstreamPool::retire(Connection client) {
  if (!client->is_open()) return;
  auto owned = std::shared_ptr<smtp::SmtpClient>(std::move(client));
  asio::co_spawn(
      io_,
      [owned]() -> asio::awaitable<void> {
        try {
          co_await owned->command("QUIT", std::chrono::seconds(2));
        } catch (const smtp::SmtpError& e) {
          spdlog::debug("relay: closing a kept upstream connection: {}", e.what());
        }
        owned->close();
      },
      asio::detached);
}

void UpstreamPool::start_sweep() {
  if (sweeping_ || closed_) return;
  sweeping_ = true;
  asio::co_spawn(io_, sweep(), asio::detached);
}

asio::awaitable<void> UpstreamPool::sweep() {
  while (!closed_ && !hosts_.empty()) {
    sweep_.expires_after(std::min<Duration>(idle_, std::chrono::seconds(1)));
    boost::system::error_code ec;
    co_await sweep_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    const auto now = Clock::now();
    for (auto it = hosts_.begin(); it != hosts_.end();) {
      auto& kept = it->second->kept;
      while (!kept.empty() && (now - kept.front().since >= idle_ || !kept.front().client->is_open())) {
        retire(std::move(kept.front().client));
        kept.pop_front();
      }
      // Nobody holds a connection to it or waits for one: forget it.
      const bool unused = it->second->open == 0 && it->second.use_count() == 1;
      it = unused ? hosts_.erase(it) : std::next(it);
    }
  }
  sweeping_ = false;
}

}  // namespace ndrlink::daemon::relay
