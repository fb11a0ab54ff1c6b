#include "relay_upstream.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

namespace ndrlink::daemon::relay {
namespace asio = boost::asio;

namespace {
asio::awaitable<std::vector<smtp::MxHost>> resolve_on_pool(std::shared_ptr<smtp::MxResolver> resolver,
                                                           std::string domain) {
  co_return resolver->resolve(domain);
}
}  // namespace

asio::awaitable<std::vector<smtp::MxHost>> Upstreams::route(const std::string& domain) {
  if (ctx_.config.upstream == RelayConfig::Upstream::smarthost)
    co_return std::vector<smtp::MxHost>{smtp::MxHost{ctx_.config.smarthost_host, ctx_.config.smarthost_port, 0, false}};
  // A static map, or an address literal (no DNS asked: nothing to keep).
  if (!ctx_.resolver_blocks || (!domain.empty() && domain.front() == '['))
    co_return ctx_.resolver->resolve(domain);
  if (auto kept = ctx_.mx_cache.find(domain, MxCache::Clock::now())) co_return std::move(*kept);
  // DNS blocks: ask on the pool, resume here.
  auto lookup = resolve_on_pool(ctx_.resolver, domain);
  auto hosts = co_await asio::co_spawn(ctx_.dns_pool->get_executor(), std::move(lookup), asio::use_awaitable);
  ctx_.mx_cache.put(domain, hosts, MxCache::Clock::now());
  spdlog::debug("relay {}: MX {}: {} host(s), first {}:{}, TTL {}", session_, domain, hosts.size(), hosts.front().host,
                hosts.front().port, hosts.front().ttl ? std::to_string(*hosts.front().ttl) + " s" : "none");
  co_return hosts;
}

asio::awaitable<Connection> Upstreams::connect(const std::vector<smtp::MxHost>& hosts, bool& reused,
                                               const std::function<bool()>& may_wait, bool fresh) {
  reused = false;
  if (hosts.empty()) throw smtp::SmtpError(smtp::SmtpError::Kind::connect, "no upstream host");
  const auto deadline = std::chrono::steady_clock::now() + ctx_.upstream.timeouts.connect;
  std::unique_ptr<UpstreamPool::Waiter> me;  // our place in the first host's queue, once we wait
  bool last_look = false;
  while (true) {
    // In preference order: a kept connection to a host, else a new one,
    // before the next host (mail must not stay on a backup MX).
    std::unique_ptr<smtp::SmtpError> last_error;
    std::unique_ptr<Unavailable> last_refusal;
    for (const auto& h : hosts) {
      const UpstreamPool::Waiter* turn = &h == &hosts.front() ? me.get() : nullptr;
      if (!fresh) {
        if (auto client = ctx_.pool.take(h.host, h.port, turn)) {
          reused = true;
          co_return client;
        }
      }
      auto client = ctx_.pool.open_slot(h.host, h.port, ctx_.upstream, turn);
      if (!client) continue;
      me.reset();  // served: the next in line need not wait for our greeting and EHLO
      try {
        co_return co_await open(std::move(client), h);
      } catch (const Unavailable& u) {
        last_refusal = std::make_unique<Unavailable>(u);
      } catch (const smtp::SmtpError& e) {
        spdlog::warn("relay {}: upstream {}", session_, e.what());
        last_error = std::make_unique<smtp::SmtpError>(e);
      }
    }
    if (last_error) throw *last_error;
    if (last_refusal) throw *last_refusal;
    fresh = false;  // a kept connection given back while waiting will do
    // Every host is at its cap. A caller that holds other connections
    // must not wait (two such could wait for each other); the others queue
    // at the first host, and look at every host once more at the end.
    if (last_look || ctx_.stopping) throw AtCapacity{hosts.front().host, true};
    if (!may_wait()) throw AtCapacity{hosts.front().host, false};
    if (!me) {
      spdlog::debug("relay {}: {} upstream connection(s) to {} already, waiting for one", session_,
                    ctx_.config.upstream_max_per_host, hosts.front().host);
      me = std::make_unique<UpstreamPool::Waiter>(ctx_.pool, hosts.front().host, hosts.front().port);
    }
    if (!co_await me->turn(deadline)) {
      me.reset();
      last_look = true;
    }
  }
}

asio::awaitable<Connection> Upstreams::open(Connection client, const smtp::MxHost& h) {
  try {
    const std::string host = h.host;
    const auto reply = co_await client->open(host, h.port);
    if (!reply.positive()) {
      spdlog::warn("relay {}: upstream {}:{} refused the session: {}", session_, h.host, h.port, reply.summary());
      client->close();
      throw Unavailable{reply};
    }
    if (ctx_.config.upstream == RelayConfig::Upstream::smarthost && !ctx_.config.smarthost_user.empty()) {
      const std::string user = ctx_.config.smarthost_user;
      const auto auth = co_await client->auth(user, ctx_.smarthost_password);
      if (!auth.positive()) {
        spdlog::error("relay {}: smarthost {}:{} refused AUTH as {}: {}", session_, h.host, h.port, user,
                      auth.summary());
        client->close();
        throw Unavailable{auth};
      }
    }
  } catch (const smtp::SmtpError&) {
    client->close();
    throw;
  }
  co_return client;
}

void Upstreams::park(Connection client) { ctx_.pool.keep(std::move(client)); }

}  // namespace ndrlink::daemon::relay
