#include "relay_recorder.h"

#include "worker_call.h"

namespace ndrlink::daemon::relay {
namespace asio = boost::asio;

asio::awaitable<Recorded> RelayRecorder::reserve() {
  if (reserved_.empty()) {
    const std::function<std::vector<Recorded>(Processor&)> fn = [](Processor& p) {
      return p.reserve_acceptances(kReserveBlock);
    };
    const auto block = co_await on_worker(io_, pipeline_, fn);
    // Another session may have refilled meanwhile: both blocks are used.
    reserved_.insert(reserved_.end(), block.begin(), block.end());
  }
  Recorded r = reserved_.front();
  reserved_.pop_front();
  co_return r;
}

asio::awaitable<Recorded> RelayRecorder::accepted(const storage::NewAcceptance& a) {
  const std::function<Recorded(Processor&)> fn = [a](Processor& p) {
    storage::NewAcceptance row = a;
    if (row.accepted_at.empty()) row.accepted_at = p.now_iso();
    return p.record_relayed(row);
  };
  co_return co_await on_worker(io_, pipeline_, fn);
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

asio::awaitable<int> RelayRecorder::message_id(const std::vector<std::int64_t>& ids, const std::string& message_id) {
  const std::function<int(Processor&)> fn = [ids, message_id](Processor& p) { return p.set_message_id(ids, message_id); };
  co_return co_await on_worker(io_, pipeline_, fn);
}

}  // namespace ndrlink::daemon::relay
