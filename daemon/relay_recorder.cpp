#include "relay_recorder.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace ndrlink::daemon::relay {
namespace asio = boost::asio;

asio::awaitable<Recorded> RelayRecorder::reserve() {
  while (reserved_.empty()) {
    if (refilling_) {  // one refill at a time: the others wait for its block
      boost::system::error_code ec;  // operation_aborted: the refill ended
      co_await refilled_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    refilling_ = true;
    const std::function<std::vector<Recorded>(Processor&)> fn = [](Processor& p) {
      return p.reserve_acceptances(kReserveBlock);
    };
    std::vector<Recorded> block;
    std::exception_ptr failed;
    try {
      block = co_await on_worker(io_, pipeline_, fn);
    } catch (...) {
      failed = std::current_exception();
    }
    refilling_ = false;
    refilled_.cancel();  // wakes the waiters (they retry when this one failed)
    if (failed) std::rethrow_exception(failed);
    reserved_.insert(reserved_.end(), block.begin(), block.end());
  }
  Recorded r = reserved_.front();
  reserved_.pop_front();
  co_return r;
}

asio::awaitable<std::vector<RelayWriteResult>> RelayRecorder::write(std::vector<RelayWrite> writes) {
  if (writes.empty()) co_return std::vector<RelayWriteResult>{};
  auto call = std::make_shared<worker_detail::Call<std::vector<RelayWriteResult>>>(io_.get_executor());
  waiters_.push_back(Waiter{call, writes.size()});
  for (auto& w : writes) pending_.push_back(std::move(w));
  if (!flushing_) {
    flushing_ = true;
    asio::co_spawn(io_, flush(), asio::detached);
  }
  if (!call->done) {
    boost::system::error_code ec;
    co_await call->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return std::move(*call->value);
}

asio::awaitable<void> RelayRecorder::flush() {
  while (!pending_.empty()) {
    auto batch = std::make_shared<std::vector<RelayWrite>>(std::move(pending_));
    std::vector<Waiter> waiting = std::move(waiters_);
    pending_.clear();
    waiters_.clear();
    const std::function<std::vector<RelayWriteResult>(Processor&)> fn = [batch](Processor& p) {
      return p.record_relay_writes(*batch);
    };
    std::vector<RelayWriteResult> results;
    try {
      results = co_await on_worker(io_, pipeline_, fn);
    } catch (...) {  // the transaction failed: so did every write in it
      results.assign(batch->size(), RelayWriteResult{{}, std::current_exception()});
    }
    if (results.size() != batch->size())  // never expected: fail the batch rather than hang its waiters
      results.assign(batch->size(), RelayWriteResult{{}, std::make_exception_ptr(std::logic_error("short batch"))});
    std::size_t at = 0;
    for (auto& w : waiting) {
      const auto from = results.begin() + static_cast<std::ptrdiff_t>(at);
      w.call->value.emplace(std::make_move_iterator(from),
                            std::make_move_iterator(from + static_cast<std::ptrdiff_t>(w.writes)));
      at += w.writes;
      w.call->done = true;
      w.call->timer.cancel();
    }
  }
  flushing_ = false;
}

asio::awaitable<std::int64_t> RelayRecorder::refused(const storage::NewRefusal& r) {
  const std::function<std::int64_t(Processor&)> fn = [r](Processor& p) {
    storage::NewRefusal row = r;
    if (row.refused_at.empty()) row.refused_at = p.now_iso();
    return p.record_refusal(row);
  };
  co_return co_await on_worker(io_, pipeline_, fn);
}

asio::awaitable<int> RelayRecorder::not_sent(const std::vector<std::int64_t>& ids, int code,
                                             const std::string& enhanced, const std::string& text) {
  const std::function<int(Processor&)> fn = [ids, code, enhanced, text](Processor& p) {
    return p.mark_not_sent(ids, code, enhanced, text);
  };
  co_return co_await on_worker(io_, pipeline_, fn);
}

void RelayRecorder::retry_not_sent(std::vector<std::int64_t> ids, int code, std::string enhanced, std::string text) {
  marks_.push_back(Mark{std::move(ids), code, std::move(enhanced), std::move(text)});
  if (!retrying_) {
    retrying_ = true;
    asio::co_spawn(io_, retry_marks(), asio::detached);
  }
}

void RelayRecorder::stop() {
  stopped_ = true;
  retry_.cancel();  // the retries make their last attempt now
}

asio::awaitable<void> RelayRecorder::retry_marks() {
  while (!marks_.empty()) {
    if (!stopped_) {
      retry_.expires_after(kRetryMark);
      boost::system::error_code ec;  // operation_aborted: stop()
      co_await retry_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    // Every waiting mark, each on its own: one that keeps failing does not
    // hold the others back.
    std::deque<Mark> failed;
    while (!marks_.empty()) {
      Mark mark = std::move(marks_.front());
      marks_.pop_front();
      try {
        const int n = co_await not_sent(mark.ids, mark.code, mark.enhanced, mark.text);
        spdlog::info("relay: acceptance(s) {} marked not sent on retry ({} changed): {}", fmt::join(mark.ids, ","), n,
                     mark.text);
      } catch (const std::exception& e) {
        spdlog::warn("relay: acceptance(s) {} still not marked not sent: {}", fmt::join(mark.ids, ","), e.what());
        failed.push_back(std::move(mark));
      }
    }
    marks_ = std::move(failed);
    if (stopped_) break;  // that was the last attempt
  }
  for (const auto& m : marks_)
    spdlog::error("relay: stopping: acceptance(s) {} stay pending, not marked not sent ({})", fmt::join(m.ids, ","),
                  m.text);
  marks_.clear();
  retrying_ = false;
}

}  // namespace ndrlink::daemon::relay
