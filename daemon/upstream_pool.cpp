#include "upstream_pool.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

namespace ndrlink::daemon::relay {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

std::unique_ptr<smtp::SmtpClient> UpstreamPool::take(const std::string& host, std::uint16_t port) {
  const auto it = kept_.find(key(host, port));
  if (it == kept_.end()) return nullptr;
  auto& queue = it->second;
  std::unique_ptr<smtp::SmtpClient> client;
  while (!client && !queue.empty()) {
    auto kept = std::move(queue.back());
    queue.pop_back();
    if (kept.client->is_open()) client = std::move(kept.client);
  }
  if (queue.empty()) kept_.erase(it);
  return client;
}

void UpstreamPool::keep(std::unique_ptr<smtp::SmtpClient> client) {
  if (!client || !client->is_open()) return;
  auto& queue = kept_[key(client->host(), client->port())];
  if (closed_ || queue.size() >= per_host_) {
    if (queue.empty()) kept_.erase(key(client->host(), client->port()));
    retire(std::move(client));
    return;
  }
  queue.push_back(Kept{std::move(client), Clock::now()});
  if (!sweeping_) {
    sweeping_ = true;
    asio::co_spawn(io_, sweep(), asio::detached);
  }
}

void UpstreamPool::close_all() {
  closed_ = true;
  sweep_.cancel();
  auto all = std::move(kept_);
  kept_.clear();
  for (auto& [k, queue] : all)
    for (auto& kept : queue) retire(std::move(kept.client));
}

std::size_t UpstreamPool::kept() const {
  std::size_t n = 0;
  for (const auto& [k, queue] : kept_) n += queue.size();
  return n;
}

void UpstreamPool::retire(std::unique_ptr<smtp::SmtpClient> client) {
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

asio::awaitable<void> UpstreamPool::sweep() {
  while (!closed_ && !kept_.empty()) {
    sweep_.expires_after(std::min<Duration>(idle_, std::chrono::seconds(1)));
    boost::system::error_code ec;
    co_await sweep_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    const auto now = Clock::now();
    for (auto it = kept_.begin(); it != kept_.end();) {
      auto& queue = it->second;
      while (!queue.empty() && (now - queue.front().since >= idle_ || !queue.front().client->is_open())) {
        retire(std::move(queue.front().client));
        queue.pop_front();
      }
      it = queue.empty() ? kept_.erase(it) : std::next(it);
    }
  }
  sweeping_ = false;
}

}  // namespace ndrlink::daemon::relay
