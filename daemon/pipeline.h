// The workers: N threads, each with its own Processor (SQLite connection),
// fed by one bounded queue. Jobs run off the I/O thread; a job reports
// back by posting to the io_context itself.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "config.h"
#include "processor.h"
#include "work_queue.h"

namespace ndrlink::daemon {

class Pipeline {
 public:
  using Job = std::function<void(Processor&)>;

  // Opens one Processor per worker (throws if the store cannot be opened).
  Pipeline(const Config& config, correlator::Clock clock);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Starts the worker threads.
  void start();
  // False when the queue is full (back-pressure: retry later) or closed.
  bool try_submit(Job& job);
  // Runs what is queued, then stops the workers. Idempotent.
  void drain_and_stop();
  // Workers pick up the new settings before their next job.
  void reconfigure(const Config& config);

  std::size_t queued() const { return queue_.size(); }
  // The workers' clock (accelerated under [daemon] clock_scale).
  const correlator::Clock& clock() const { return clock_; }

 private:
  void run(Processor& processor);

  correlator::Clock clock_;
  BoundedQueue<Job> queue_;
  std::vector<std::unique_ptr<Processor>> processors_;
  std::vector<std::thread> threads_;
  std::mutex config_mu_;
  std::shared_ptr<const Config> config_;
  std::atomic<unsigned> generation_{0};
};

}  // namespace ndrlink::daemon
