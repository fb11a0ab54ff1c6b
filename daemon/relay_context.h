// What every relay session shares (owned by RelayServer, used on the I/O
// thread only): settings, the upstream client options, the MX resolver
// and its answers, the server TLS context, the recorder and the kept
// upstream connections.
#pragma once

#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "config.h"
#include "mx_cache.h"
#include "relay_recorder.h"
#include "smtp_client.h"
#include "smtp_mx.h"
#include "stats.h"
#include "upstream_pool.h"

namespace ndrlink::daemon::relay {

struct RelayContext {
  RelayContext(boost::asio::io_context& io, Pipeline& pipeline, Stats& stats)
      : io(io), clock(pipeline.clock()), recorder(io, pipeline), pool(io), stats(stats) {}

  boost::asio::io_context& io;
  correlator::Clock clock;  // stamps accepted_at at RCPT time
  RelayConfig config;
  std::string hostname;                  // ours, in the greeting and EHLO
  std::string verp_prefix, verp_domain;  // VERP MAIL FROM: prefix + token + "@" + domain
  // With relay.xverp (VERP by recipient): the fixed return path ("bounces@"
  // + domain) and its MAIL parameter ("XVERP=+="), from which an upstream
  // that offers XVERP makes "bounces+user=example.com@" + domain; empty
  // when XVERP is not used.
  std::string xverp_sender, xverp_param;
  // Whether the upstream connection opened last offered XVERP: whether a
  // transaction's pipelined RCPTs are asked in turn before it has a leg
  // (a guess; asked at once, each opens its own upstream transaction:
  // RelayTransaction::rcpt() joins an XVERP one only when asked alone).
  bool xverp_last_offered = false;
  smtp::SmtpClientOptions upstream;      // EHLO name, STARTTLS mode, CA, timeouts
  std::string smarthost_password;        // read from its file at start; never logged
  std::shared_ptr<smtp::MxResolver> resolver;
  bool resolver_blocks = false;          // DNS: resolve on dns_pool, off the I/O thread
  std::unique_ptr<boost::asio::thread_pool> dns_pool;
  MxCache mx_cache;  // DNS answers (not static routes), every session's
  // The server TLS context of client sessions (always set; it has a
  // certificate only when offer_starttls).
  std::shared_ptr<boost::asio::ssl::context> client_tls;
  bool offer_starttls = false;
  RelayRecorder recorder;
  UpstreamPool pool;  // upstream connections between transactions
  Stats& stats;
  std::uint64_t next_session = 0;
  bool stopping = false;
};

}  // namespace ndrlink::daemon::relay
