// What the relay writes to the store, on a pipeline worker (its own SQLite
// connection), awaited from a session's coroutine: a reserved acceptance
// id per recipient (its VERP token goes upstream before the reply is
// known); a transaction's acceptances, written when its message is about
// to go out (with the Message-ID) or when it never will (marked not sent);
// a refusal for a 4xx/5xx; "not sent" marks for messages an upstream then
// refused. Store errors are thrown to the session.
//
// Group commit: the acceptance writes of all sessions that wait at the
// same moment go to the worker as one SQLite transaction (each in its own
// savepoint); writes that arrive while it runs form the next one.
#pragma once

#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "ndrlink/storage/records.h"
#include "pipeline.h"
#include "processor.h"
#include "worker_call.h"

namespace ndrlink::daemon::relay {

class RelayRecorder {
 public:
  RelayRecorder(boost::asio::io_context& io, Pipeline& pipeline)
      : io_(io), pipeline_(pipeline), refilled_(io, std::chrono::steady_clock::time_point::max()), retry_(io) {}

  // A reserved id and its token. Ids are reserved on a worker in blocks of
  // kReserveBlock (one transaction per block, not per recipient; one
  // refill at a time, however many RCPTs wait); those a stopped daemon
  // never used are gaps, as refused recipients leave.
  boost::asio::awaitable<Recorded> reserve();
  static constexpr int kReserveBlock = 32;
  // Records `writes` (with those of other sessions waiting meanwhile): a
  // result per write, in order, each with its rows or its error. Never
  // throws; when the whole transaction fails every result has its error.
  boost::asio::awaitable<std::vector<RelayWriteResult>> write(std::vector<RelayWrite> writes);
  boost::asio::awaitable<std::int64_t> refused(const storage::NewRefusal& r);
  // `code` 0: never sent, `text` says why.
  boost::asio::awaitable<int> not_sent(const std::vector<std::int64_t>& ids, int code, const std::string& enhanced,
                                       const std::string& text);
  // Keeps a "not sent" mark that could not be written and writes it again
  // every kRetryMark until it is: rows left pending would be presumed
  // delivered after the grace time. stop() makes one last attempt at
  // once (a mark kept after it gets one attempt too); what fails then is
  // logged as an error with its acceptance ids.
  void retry_not_sent(std::vector<std::int64_t> ids, int code, std::string enhanced, std::string text);
  static constexpr std::chrono::seconds kRetryMark{2};
  void stop();

 private:
  struct Waiter {
    std::shared_ptr<worker_detail::Call<std::vector<RelayWriteResult>>> call;
    std::size_t writes = 0;  // its share of pending_, in order
  };
  // Writes what is pending, batch after batch, until nothing is.
  boost::asio::awaitable<void> flush();
  struct Mark {
    std::vector<std::int64_t> ids;
    int code = 0;
    std::string enhanced, text;
  };
  // Writes the waiting marks again, every kRetryMark, until none waits.
  boost::asio::awaitable<void> retry_marks();

  boost::asio::io_context& io_;
  Pipeline& pipeline_;
  // I/O thread only:
  std::deque<Recorded> reserved_;
  bool refilling_ = false;           // a block is being reserved
  boost::asio::steady_timer refilled_;  // cancelled when that refill ends
  std::vector<RelayWrite> pending_;
  std::vector<Waiter> waiters_;
  bool flushing_ = false;
  std::deque<Mark> marks_;  // "not sent" marks waiting for a retry
  boost::asio::steady_timer retry_;
  bool retrying_ = false, stopped_ = false;
};

}  // namespace ndrlink::daemon::relay
