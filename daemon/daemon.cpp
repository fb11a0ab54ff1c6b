#include "daemon.h"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <csignal>

#include "imap_source.h"
#include "logging.h"
#include "maildir_source.h"
#include "systemd_notify.h"

namespace ndrlink::daemon {

Daemon::Daemon(Config config)
    : config_(std::move(config)),
      pipeline_(config_, config_.clock_scale > 1 ? correlator::accelerated_clock(config_.clock_scale)
                                                 : correlator::Clock(correlator::system_now)),
      signals_(io_, SIGTERM, SIGINT, SIGHUP),
      sweep_timer_(io_),
      checkpoint_timer_(io_),
      watchdog_timer_(io_),
      status_timer_(io_) {
  if (config_.clock_scale > 1)
    spdlog::warn("daemon.clock_scale = {}: the daemon's clock runs {}x faster than real time (tests only)",
                 config_.clock_scale, config_.clock_scale);
  if (config_.socket.enabled) socket_ = std::make_shared<IngestSocket>(io_, pipeline_, stats_, config_.socket);
  if (config_.relay.enabled) relay_ = std::make_shared<relay::RelayServer>(io_, pipeline_, stats_, config_);
}

Daemon::~Daemon() { pipeline_.drain_and_stop(); }

void Daemon::start_sources() {
  for (const auto& m : config_.maildirs) {
    auto source = std::make_shared<MaildirSource>(io_, pipeline_, stats_, m);
    source->start();
    sources_.push_back(std::move(source));
  }
  for (const auto& m : config_.imaps) {
    auto source = std::make_shared<ImapSource>(io_, pipeline_, stats_, m, config_.max_message_bytes);
    source->start();
    sources_.push_back(std::move(source));
  }
}

void Daemon::stop_sources() {
  for (auto& s : sources_) s->stop();
  sources_.clear();
}

int Daemon::run() {
  pipeline_.start();
  if (socket_) socket_->start();
  if (relay_) relay_->start();
  start_sources();
  signals_.async_wait([this](boost::system::error_code ec, int signo) {
    if (!ec) on_signal(signo);
  });
  schedule_sweep();
  schedule_checkpoint();
  schedule_watchdog();
  schedule_status();
  spdlog::info("ndrlinkd ready: store {}, {} source(s), socket {}, relay {}", config_.db_path, sources_.size(),
               socket_ ? config_.socket.path : std::string("off"),
               relay_ ? config_.relay.listen_host + ":" + std::to_string(relay_->port()) : std::string("off"));
  systemd::ready(status_line());
  io_.run();
  // The loop ran out of work: sources and socket are closed. Finish the
  // queued jobs, then let their completions (log lines) run.
  pipeline_.drain_and_stop();
  io_.restart();
  io_.poll();
  spdlog::info("ndrlinkd stopped: {}", stats_.summary());
  return 0;
}

void Daemon::stop() {
  boost::asio::post(io_, [this] { on_signal(SIGTERM); });
}

void Daemon::on_signal(int signo) {
  if (signo == SIGHUP) {
    reload();
    signals_.async_wait([this](boost::system::error_code ec, int s) {
      if (!ec) on_signal(s);
    });
    return;
  }
  if (stopping_) return;
  stopping_ = true;
  spdlog::info("signal {}: draining {} queued job(s) and stopping", signo, pipeline_.queued());
  systemd::stopping();
  stop_sources();
  if (socket_) socket_->stop();
  // Relay sessions answer 421 at their next command boundary (at once when
  // waiting for the client); io_.run() returns when the last one closed.
  if (relay_) relay_->stop();
  boost::system::error_code ec;
  signals_.cancel(ec);
  sweep_timer_.cancel();
  checkpoint_timer_.cancel();
  watchdog_timer_.cancel();
  status_timer_.cancel();
}

void Daemon::reload() {
  if (config_.file.empty()) {
    spdlog::info("SIGHUP: running on the built-in configuration, nothing to reload");
    return;
  }
  systemd::reloading();
  Config fresh;
  try {
    fresh = load_config(config_.file);
  } catch (const std::exception& e) {
    spdlog::error("SIGHUP: configuration not reloaded, keeping the running one: {}", e.what());
    systemd::ready(status_line());
    return;
  }
  if (fresh.db_path != config_.db_path || fresh.verp_secret_file != config_.verp_secret_file ||
      fresh.workers != config_.workers || fresh.queue_size != config_.queue_size ||
      fresh.clock_scale != config_.clock_scale)
    spdlog::warn("SIGHUP: store, VERP secret, worker and clock_scale settings apply after a restart");
  if ((fresh.relay.enabled || config_.relay.enabled) &&
      (fresh.relay != config_.relay || fresh.verp_domain != config_.verp_domain ||
       fresh.verp_prefix != config_.verp_prefix))
    spdlog::warn("SIGHUP: [relay] settings apply after a restart (open relay sessions are not cut)");
  // Sources: swap to the new set; if one of them cannot start (a bad path,
  // a bad CA file), go back to the sources that ran before.
  const Config previous = config_;
  stop_sources();
  config_.maildirs = fresh.maildirs;
  config_.imaps = fresh.imaps;
  try {
    start_sources();
  } catch (const std::exception& e) {
    spdlog::error("SIGHUP: configuration not reloaded, keeping the running one: {}", e.what());
    stop_sources();
    config_ = previous;
    try {
      start_sources();
    } catch (const std::exception& again) {
      spdlog::critical("SIGHUP: the previous sources do not start either: {}", again.what());
    }
    systemd::ready(status_line());
    return;
  }
  set_log_level(fresh.log_level);
  pipeline_.reconfigure(fresh);
  config_.grace = fresh.grace;
  config_.window = fresh.window;
  config_.keep_raw = fresh.keep_raw;
  config_.max_message_bytes = fresh.max_message_bytes;
  config_.sweep_interval = fresh.sweep_interval;
  config_.checkpoint_interval = fresh.checkpoint_interval;
  config_.log_level = fresh.log_level;
  spdlog::info("SIGHUP: configuration reloaded from {} ({} source(s))", config_.file, sources_.size());
  systemd::ready(status_line());
}

std::chrono::milliseconds Daemon::real_time(std::chrono::seconds daemon_time) const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(daemon_time) / config_.clock_scale;
}

void Daemon::schedule_sweep() {
  sweep_timer_.expires_after(real_time(config_.sweep_interval));
  sweep_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    if (!sweeping_) sweep_batch(0);  // else the last round is still going
    schedule_sweep();
  });
}

// One batch (one transaction) per job, the next one queued behind the
// messages and acceptances that arrived meanwhile: a large sweep does not
// hold the database's write lock for all of its batches at once (which
// stalled ingest for seconds at 2,000 acceptances/s, see tests/soak).
void Daemon::sweep_batch(int done_so_far) {
  constexpr int kBatch = 1000;
  sweeping_ = true;
  Pipeline::Job job = [this, done_so_far](Processor& p) {
    int done = done_so_far;
    bool more = false;
    try {
      const auto out = p.sweep_batch(kBatch);
      done += out.presumed_delivered;
      more = out.more;
    } catch (const std::exception& e) {
      spdlog::error("sweep failed, will retry: {}", e.what());
    }
    boost::asio::post(io_, [this, done, more] {
      if (more && !stopping_) return sweep_batch(done);
      sweeping_ = false;
      if (done > 0) spdlog::info("sweep: {} acceptance(s) presumed delivered", done);
    });
  };
  if (!pipeline_.try_submit(job)) {
    sweeping_ = false;
    spdlog::debug("sweep: queue full, the rest waits for the next round");
  }
}

void Daemon::schedule_checkpoint() {
  checkpoint_timer_.expires_after(real_time(config_.checkpoint_interval));
  checkpoint_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    Pipeline::Job job = [](Processor& p) {
      try {
        p.checkpoint();
      } catch (const std::exception& e) {
        spdlog::warn("WAL checkpoint failed: {}", e.what());
      }
    };
    pipeline_.try_submit(job);
    schedule_checkpoint();
  });
}

void Daemon::schedule_watchdog() {
  const auto interval = systemd::watchdog_interval();
  if (!interval) return;
  watchdog_timer_.expires_after(*interval);
  watchdog_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    systemd::watchdog();
    schedule_watchdog();
  });
}

void Daemon::schedule_status() {
  status_timer_.expires_after(std::chrono::seconds(10));
  status_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    systemd::status(status_line());
    schedule_status();
  });
}

std::string Daemon::status_line() const {
  return stats_.summary() + " queued=" + std::to_string(pipeline_.queued()) +
         (socket_ ? " clients=" + std::to_string(socket_->clients()) : std::string()) +
         (relay_ ? " relay_sessions=" + std::to_string(relay_->sessions()) : std::string());
}

}  // namespace ndrlink::daemon
