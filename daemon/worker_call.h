// Runs a function on a pipeline worker (its own store connection) from a
// coroutine on the I/O thread and returns its result there. While the
// queue is full the caller waits (back-pressure), polling every 20 ms.
#pragma once

#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>

#include "pipeline.h"

namespace ndrlink::daemon {

namespace worker_detail {
template <typename T>
struct Call {
  explicit Call(boost::asio::any_io_executor ex) : timer(ex) {
    timer.expires_at(std::chrono::steady_clock::time_point::max());
  }
  boost::asio::steady_timer timer;
  std::optional<T> value;
  std::exception_ptr error;
  bool done = false;
};
}  // namespace worker_detail

// Throws what `fn` threw. `give_up` (checked while the queue is full)
// returns true to stop waiting: then std::runtime_error("stopping").
template <typename T>
boost::asio::awaitable<T> on_worker(boost::asio::io_context& io, Pipeline& pipeline,
                                    const std::function<T(Processor&)>& fn,
                                    const std::function<bool()>& give_up = {}) {
  namespace asio = boost::asio;
  auto call = std::make_shared<worker_detail::Call<T>>(io.get_executor());
  Pipeline::Job job = [call, fn, &io](Processor& p) {
    std::optional<T> value;
    std::exception_ptr error;
    try {
      value = fn(p);
    } catch (...) {
      error = std::current_exception();
    }
    asio::post(io, [call, value = std::move(value), error]() mutable {
      call->value = std::move(value);
      call->error = error;
      call->done = true;
      call->timer.cancel();
    });
  };
  while (!pipeline.try_submit(job)) {
    if (give_up && give_up()) throw std::runtime_error("stopping");
    asio::steady_timer wait(io, std::chrono::milliseconds(20));
    boost::system::error_code ec;
    co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (!call->done) {
    boost::system::error_code ec;
    co_await call->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (call->error) std::rethrow_exception(call->error);
  co_return std::move(*call->value);
}

}  // namespace ndrlink::daemon
