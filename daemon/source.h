// A report source: something that delivers inbound messages (bounces,
// DSNs, feedback reports) to the pipeline. Sources run on the I/O thread.
#pragma once

#include <string>

namespace ndrlink::daemon {

class Source {
 public:
  virtual ~Source() = default;
  // Begins watching; errors that may pass (a dead server) are retried by
  // the source itself, errors that cannot (a bad path) throw.
  virtual void start() = 0;
  // Stops watching. Jobs already queued still finish.
  virtual void stop() = 0;
  virtual const std::string& name() const = 0;
};

}  // namespace ndrlink::daemon
