// One relay session's way upstream: routes recipients (smarthost or MX,
// the MX answers cached for the session), and opens connections
// (greeting, EHLO, STARTTLS as configured, AUTH to a smarthost) trying
// each MX host in turn — or takes one kept by the daemon-wide pool — and
// gives connections whose transaction ended back to the pool.
#pragma once

#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "relay_context.h"

namespace ndrlink::daemon::relay {

// A connection that could not be opened with a server reply (a 554
// greeting, a failed AUTH): the reply for the client. Transport failures
// are smtp::SmtpError.
struct Unavailable {
  smtp::SmtpReply reply;
};
// Every host had relay.upstream_max_per_host connections, and none was
// given back in time (or the caller could not wait).
struct AtCapacity {
  std::string host;
  bool waited = false;  // false: the caller could not wait at all
};

class Upstreams {
 public:
  Upstreams(RelayContext& ctx, std::string session) : ctx_(ctx), session_(std::move(session)) {}

  // The hosts for `domain`, lower case as smtp::domain_of gives it
  // (smarthost: always the smarthost; DNS answers kept in the daemon's
  // MxCache, keyed by it). Throws smtp::MxError.
  boost::asio::awaitable<std::vector<smtp::MxHost>> route(const std::string& domain);
  // A connection to the first of `hosts` (in preference order) that
  // works: a kept one from the pool (then `reused` is set; not when
  // `fresh`), else a new one under a free slot. When every host is at its
  // cap: queues for the first host's next free slot or kept connection, up
  // to the connect timeout, while `may_wait()` holds — a caller that holds
  // other upstream connections must not wait, or two sessions could each
  // wait for the other's. Throws smtp::SmtpError (the last host's
  // failure), Unavailable or AtCapacity.
  boost::asio::awaitable<Connection> connect(const std::vector<smtp::MxHost>& hosts, bool& reused,
                                             const std::function<bool()>& may_wait, bool fresh = false);
  // Keeps an open connection (between transactions) for reuse.
  void park(Connection client);

 private:
  // Greeting, EHLO, STARTTLS and AUTH on a new client; throws SmtpError or
  // Unavailable (the client closed).
  boost::asio::awaitable<Connection> open(Connection client, const smtp::MxHost& h);

  RelayContext& ctx_;
  std::string session_;
};

}  // namespace ndrlink::daemon::relay
