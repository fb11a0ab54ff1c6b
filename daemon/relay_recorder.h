// What the relay writes to the store, on a pipeline worker (its own SQLite
// connection), awaited from a session's coroutine: a reserved acceptance
// id per recipient (its VERP token goes upstream before the reply is
// known), the acceptance under that id for a 2xx RCPT, a refusal for a
// 4xx/5xx, "not sent" marks for accepted messages that did not go out, and
// the Message-ID after DATA. Store errors are thrown to the session.
#pragma once

#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "ndrlink/storage/records.h"
#include "pipeline.h"
#include "processor.h"

namespace ndrlink::daemon::relay {

class RelayRecorder {
 public:
  RelayRecorder(boost::asio::io_context& io, Pipeline& pipeline) : io_(io), pipeline_(pipeline) {}

  // A reserved id and its token. Ids are reserved on a worker in blocks of
  // kReserveBlock (one transaction per block, not per recipient); those a
  // stopped daemon never used are gaps, as refused recipients leave.
  boost::asio::awaitable<Recorded> reserve();
  static constexpr int kReserveBlock = 32;
  // `a.reserved_id` from reserve(); accepted_at is stamped when empty.
  boost::asio::awaitable<Recorded> accepted(const storage::NewAcceptance& a);
  boost::asio::awaitable<std::int64_t> refused(const storage::NewRefusal& r);
  // `code` 0: never sent, `text` says why.
  boost::asio::awaitable<int> not_sent(const std::vector<std::int64_t>& ids, int code, const std::string& enhanced,
                                       const std::string& text);
  boost::asio::awaitable<int> message_id(const std::vector<std::int64_t>& ids, const std::string& message_id);

 private:
  boost::asio::io_context& io_;
  Pipeline& pipeline_;
  std::deque<Recorded> reserved_;  // I/O thread only
};

}  // namespace ndrlink::daemon::relay
