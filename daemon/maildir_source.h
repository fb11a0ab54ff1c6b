// Maildir source: an initial scan of new/, then inotify on new/. Each
// message is parsed and stored by a worker; only after its result is
// committed is the file moved to cur/ with flag S (or to the configured
// done folder). Its unique name is its source key, so a crash at any
// point neither loses nor double-counts a message: a file still in new/
// whose key is stored is simply moved on restart.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <unordered_set>

#include "config.h"
#include "pipeline.h"
#include "source.h"
#include "stats.h"

namespace ndrlink::daemon {

class MaildirSource : public Source, public std::enable_shared_from_this<MaildirSource> {
 public:
  MaildirSource(boost::asio::io_context& io, Pipeline& pipeline, Stats& stats, MaildirConfig config);
  void start() override;
  void stop() override;
  const std::string& name() const override { return config_.name; }

  // "maildir:" + the unique part of a Maildir file name (before ':').
  static std::string source_key(const std::string& file_name);

 private:
  void scan();
  void read_events();
  void enqueue(const std::string& file_name);
  void pump();
  void finished(const std::string& file_name, bool ok);
  void retry_later(std::chrono::milliseconds delay);

  boost::asio::io_context& io_;
  Pipeline& pipeline_;
  Stats& stats_;
  MaildirConfig config_;
  std::string new_dir_, done_cur_dir_;
  int inotify_fd_ = -1;
  std::unique_ptr<boost::asio::posix::stream_descriptor> events_;
  boost::asio::steady_timer retry_timer_;
  std::deque<std::string> pending_;
  std::unordered_set<std::string> known_;  // pending or in flight
  bool stopped_ = true;
  bool retry_armed_ = false;
  int failures_in_a_row_ = 0;
  std::array<char, 16 * 1024> event_buffer_{};
};

}  // namespace ndrlink::daemon
