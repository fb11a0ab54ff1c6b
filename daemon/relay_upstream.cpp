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
  if (const auto it = routes_.find(domain); it != routes_.end()) co_return it->second;
  std::vector<smtp::MxHost> hosts;
  if (ctx_.resolver_blocks) {
    // DNS blocks: ask on the pool, resume here.
    auto lookup = resolve_on_pool(ctx_.resolver, domain);
    hosts = co_await asio::co_spawn(ctx_.dns_pool->get_executor(), std::move(lookup), asio::use_awaitable);
  } else {
    hosts = ctx_.resolver->resolve(domain);
  }
  routes_[domain] = hosts;
  co_return hosts;
}

asio::awaitable<std::unique_ptr<smtp::SmtpClient>> Upstreams::connect(const std::vector<smtp::MxHost>& hosts,
                                                                     bool& reused, bool fresh) {
  reused = false;
  for (const auto& h : hosts) {
    if (fresh) break;
    if (auto client = ctx_.pool.take(h.host, h.port)) {
      reused = true;
      co_return client;
    }
  }
  std::unique_ptr<smtp::SmtpError> last_error;
  std::unique_ptr<Unavailable> last_refusal;
  for (const auto& h : hosts) {
    auto client = std::make_unique<smtp::SmtpClient>(ctx_.io.get_executor(), ctx_.upstream);
    try {
      const std::string host = h.host;
      const auto reply = co_await client->open(host, h.port);
      if (!reply.positive()) {
        spdlog::warn("relay {}: upstream {}:{} refused the session: {}", session_, h.host, h.port, reply.summary());
        last_refusal = std::make_unique<Unavailable>(Unavailable{reply});
        client->close();
        continue;
      }
      if (ctx_.config.upstream == RelayConfig::Upstream::smarthost && !ctx_.config.smarthost_user.empty()) {
        const std::string user = ctx_.config.smarthost_user;
        const auto auth = co_await client->auth(user, ctx_.smarthost_password);
        if (!auth.positive()) {
          spdlog::error("relay {}: smarthost {}:{} refused AUTH as {}: {}", session_, h.host, h.port, user,
                        auth.summary());
          last_refusal = std::make_unique<Unavailable>(Unavailable{auth});
          client->close();
          continue;
        }
      }
      co_return client;
    } catch (const smtp::SmtpError& e) {
      spdlog::warn("relay {}: upstream {}", session_, e.what());
      last_error = std::make_unique<smtp::SmtpError>(e);
      client->close();
    }
  }
  if (last_error) throw *last_error;
  if (last_refusal) throw *last_refusal;
  throw smtp::SmtpError(smtp::SmtpError::Kind::connect, "no upstream host");
}

void Upstreams::park(std::unique_ptr<smtp::SmtpClient> client) { ctx_.pool.keep(std::move(client)); }

}  // namespace ndrlink::daemon::relay
