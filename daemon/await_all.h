// Runs coroutines concurrently and waits for all of them (Boost 1.74 has
// no parallel_group): each is co_spawned on the caller's executor, a
// counter counts completions, a timer wakes the caller at the last one.
//
// Contract: the executor is single-threaded (the I/O thread's
// io_context), so the counter needs no lock. Every task runs to its end
// even when another throws; then the first exception is rethrown.
#pragma once

#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <memory>
#include <vector>

namespace ndrlink::daemon {

inline boost::asio::awaitable<void> await_all(std::vector<boost::asio::awaitable<void>> tasks) {
  namespace asio = boost::asio;
  const auto ex = co_await asio::this_coro::executor;
  struct State {
    explicit State(asio::any_io_executor e) : timer(e, std::chrono::steady_clock::time_point::max()) {}
    asio::steady_timer timer;
    std::size_t left = 0;
    std::exception_ptr error;
  };
  auto state = std::make_shared<State>(ex);
  state->left = tasks.size();
  for (auto& task : tasks)
    asio::co_spawn(ex, std::move(task), [state](std::exception_ptr e) {
      if (e && !state->error) state->error = e;
      if (--state->left == 0) state->timer.cancel();
    });
  while (state->left > 0) {
    boost::system::error_code ec;  // operation_aborted: the last task ended
    co_await state->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (state->error) std::rethrow_exception(state->error);
}

}  // namespace ndrlink::daemon
