// IMAP report source: one account and mailbox, watched over one
// connection (IDLE, or NOOP polling without it). New messages (UID above
// the stored cursor) are fetched with BODY.PEEK[] in bounded batches and
// stored by workers under "imap:<name>:<uidvalidity>:<uid>"; only after a
// message's result is committed is it flagged \Seen, moved, or kept, and
// the cursor saved. A crash at any point neither loses nor double-counts a
// message: an uncommitted one is fetched again, a committed one is a
// duplicate source key. Errors reconnect with exponential backoff and
// jitter. UIDVALIDITY policy: docs/imap.md.
#pragma once

#include <utility>  // before Asio (see imap_connection.h)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "config.h"
#include "imap_client.h"
#include "pipeline.h"
#include "source.h"
#include "stats.h"

namespace ndrlink::daemon {

class ImapSource : public Source, public std::enable_shared_from_this<ImapSource> {
 public:
  // `max_message_bytes`: bytes kept of one message (parser.max_message_bytes).
  ImapSource(boost::asio::io_context& io, Pipeline& pipeline, Stats& stats, ImapConfig config,
             std::size_t max_message_bytes);
  // Throws when the settings cannot work (unreadable ca_file, move_to =
  // mailbox); a dead server or a wrong password is retried.
  void start() override;
  void stop() override;
  const std::string& name() const override { return config_.name; }

  static std::string source_key(const std::string& name, std::uint32_t uidvalidity, std::uint32_t uid);
  // The source_state row of this account and mailbox.
  std::string cursor_key() const { return "imap:" + config_.name + ":" + config_.mailbox; }

 private:
  struct Cursor {
    std::uint32_t uidvalidity = 0, last_uid = 0;
  };
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> session(bool& selected);
  // Processes the messages above the cursor; `rescan`: the mailbox is new
  // to us (no cursor, or UIDVALIDITY changed). True when the listing was
  // cut and more messages wait.
  boost::asio::awaitable<bool> drain(imap::Client& client, Cursor& cursor, bool rescan);
  boost::asio::awaitable<void> process_batch(imap::Client& client, Cursor& cursor,
                                             const std::vector<std::uint32_t>& uids, bool rescan);
  boost::asio::awaitable<void> save(const Cursor& cursor);
  boost::asio::awaitable<void> sleep(std::chrono::steady_clock::duration d);
  // (Coroutine arguments are named lvalues passed by reference: GCC 12
  // mishandles temporaries with destructors inside co_await expressions.)
  // Runs `fn` on a worker (waiting while the queue is full) and returns
  // its result on the I/O thread.
  template <typename T>
  boost::asio::awaitable<T> on_worker(const std::function<T(Processor&)>& fn);
  std::chrono::milliseconds next_delay();

  boost::asio::io_context& io_;
  Pipeline& pipeline_;
  Stats& stats_;
  ImapConfig config_;
  imap::Limits limits_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::shared_ptr<imap::Connection> conn_;
  boost::asio::steady_timer timer_;
  std::chrono::milliseconds backoff_{1000};
  std::mt19937 rng_{std::random_device{}()};
  bool stopped_ = true;
};

}  // namespace ndrlink::daemon
