#include "pipeline.h"

#include <spdlog/spdlog.h>

namespace ndrlink::daemon {

Pipeline::Pipeline(const Config& config, correlator::Clock clock)
    : clock_(clock), queue_(config.queue_size), config_(std::make_shared<const Config>(config)) {
  for (unsigned i = 0; i < config.workers; ++i) processors_.push_back(std::make_unique<Processor>(config, clock));
}

Pipeline::~Pipeline() { drain_and_stop(); }

void Pipeline::start() {
  for (auto& p : processors_) threads_.emplace_back([this, proc = p.get()] { run(*proc); });
}

bool Pipeline::try_submit(Job& job) { return queue_.try_push(job); }

void Pipeline::drain_and_stop() {
  queue_.close();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void Pipeline::reconfigure(const Config& config) {
  {
    std::lock_guard lock(config_mu_);
    config_ = std::make_shared<const Config>(config);
  }
  ++generation_;
}

void Pipeline::run(Processor& processor) {
  unsigned seen = generation_.load();
  while (auto job = queue_.pop()) {
    if (const unsigned g = generation_.load(); g != seen) {
      std::shared_ptr<const Config> config;
      {
        std::lock_guard lock(config_mu_);
        config = config_;
      }
      processor.reconfigure(*config);
      seen = g;
    }
    try {
      (*job)(processor);
    } catch (const std::exception& e) {
      // Jobs handle their own errors; this is a last line of defence.
      spdlog::error("worker: job failed: {}", e.what());
    }
  }
}

}  // namespace ndrlink::daemon
