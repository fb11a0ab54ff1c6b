// One relay session's way upstream: routes recipients (smarthost or MX,
// the MX answers cached for the session), and opens connections
// (greeting, EHLO, STARTTLS as configured, AUTH to a smarthost) trying
// each MX host in turn — or takes one kept by the daemon-wide pool — and
// gives connections whose transaction ended back to the pool.
#pragma once

#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/awaitable.hpp>
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

class Upstreams {
 public:
  Upstreams(RelayContext& ctx, std::string session) : ctx_(ctx), session_(std::move(session)) {}

  // The hosts for `domain` (smarthost: always the smarthost). Throws
  // smtp::MxError.
  boost::asio::awaitable<std::vector<smtp::MxHost>> route(const std::string& domain);
  // A kept connection to one of `hosts` from the pool (then `reused` is
  // set; unless `fresh`), else a new one to the first host that works.
  // Throws smtp::SmtpError (the last host's failure) or Unavailable.
  boost::asio::awaitable<std::unique_ptr<smtp::SmtpClient>> connect(const std::vector<smtp::MxHost>& hosts,
                                                                    bool& reused, bool fresh = false);
  // Keeps an open connection (between transactions) for reuse.
  void park(std::unique_ptr<smtp::SmtpClient> client);

 private:
  RelayContext& ctx_;
  std::string session_;
  std::map<std::string, std::vector<smtp::MxHost>> routes_;  // domain -> hosts, per session
};

}  // namespace ndrlink::daemon::relay
