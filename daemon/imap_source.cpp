#include "imap_source.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "imap_password.h"
#include "outcome_log.h"
#include "worker_call.h"

namespace ndrlink::daemon {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// A batch holds at most this many messages and bytes in memory.
constexpr std::size_t kBatchMessages = 16;
constexpr std::uint64_t kBatchBytes = 32ull << 20;

template <typename T>
using WorkerCall = worker_detail::Call<T>;

// A fetch running longer than this is reported, once per period, with
// how much has arrived: a slow server shows in the log as a few lines,
// not as silence and not as a line per chunk.
constexpr auto kFetchReportEvery = 10s;

// Logs the progress of one UID FETCH every kFetchReportEvery until done()
// (or destruction); done() adds a summary line when the fetch was slow.
class FetchProgress {
 public:
  FetchProgress(asio::io_context& io, std::string name, const std::shared_ptr<imap::Connection>& conn,
                std::size_t messages)
      : state_(std::make_shared<State>(io, std::move(name), conn, messages)) {
    arm(state_);
  }
  ~FetchProgress() { state_->timer.cancel(); }
  FetchProgress(const FetchProgress&) = delete;
  FetchProgress& operator=(const FetchProgress&) = delete;

  void done() {
    state_->timer.cancel();
    if (!state_->reported) return;
    const double secs = state_->elapsed();
    spdlog::info("imap {}: fetched {} message(s), {} KiB in {:.1f} s ({:.1f} KiB/s): the server is slow", state_->name,
                 state_->messages, state_->kib(), secs, state_->kib() / std::max(secs, 0.001));
  }

 private:
  struct State {
    State(asio::io_context& io, std::string n, const std::shared_ptr<imap::Connection>& c, std::size_t m)
        : timer(io), name(std::move(n)), conn(c), messages(m), bytes_before(c->received()) {}
    double elapsed() const {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    }
    std::uint64_t kib() const {
      const auto c = conn.lock();
      return c ? (c->received() - bytes_before) / 1024 : 0;
    }
    asio::steady_timer timer;
    std::string name;
    std::weak_ptr<imap::Connection> conn;
    std::size_t messages;
    std::uint64_t bytes_before;
    std::chrono::steady_clock::time_point began = std::chrono::steady_clock::now();
    bool reported = false;
  };
  static void arm(const std::shared_ptr<State>& state) {
    state->timer.expires_after(kFetchReportEvery);
    state->timer.async_wait([state](boost::system::error_code ec) {
      if (ec) return;
      state->reported = true;
      spdlog::info("imap {}: still fetching {} message(s) after {:.0f} s: {} KiB received so far", state->name,
                   state->messages, state->elapsed(), state->kib());
      arm(state);
    });
  }
  std::shared_ptr<State> state_;
};

const char* tls_name(TlsMode m) {
  return m == TlsMode::implicit ? "TLS" : m == TlsMode::starttls ? "STARTTLS" : "plaintext";
}

}  // namespace

ImapSource::ImapSource(asio::io_context& io, Pipeline& pipeline, Stats& stats, ImapConfig config,
                       std::size_t max_message_bytes)
    : io_(io), pipeline_(pipeline), stats_(stats), config_(std::move(config)), timer_(io) {
  limits_.max_literal = max_message_bytes + 1;  // one byte more: the parser sees the cut and flags it
}

std::string ImapSource::source_key(const std::string& name, std::uint32_t uidvalidity, std::uint32_t uid) {
  return "imap:" + name + ":" + std::to_string(uidvalidity) + ":" + std::to_string(uid);
}

void ImapSource::start() {
  // Moving into the watched mailbox would give each message a new UID,
  // hence a new source key, over and over.
  if (config_.after == ImapAfter::move && config_.move_to == config_.mailbox)
    throw std::runtime_error("imap " + config_.name + ": move_to \"" + config_.move_to + "\" is the watched mailbox");
  tls_ = imap::make_tls_context({config_.ca_file, config_.verify_certificate && config_.tls != TlsMode::none});
  if (config_.tls == TlsMode::none)
    spdlog::warn("imap {}: tls = \"none\": the password and mail cross the network in clear text", config_.name);
  else if (!config_.verify_certificate)
    spdlog::warn("imap {}: verify_certificate = false: the server is not authenticated (tests only)", config_.name);
  stopped_ = false;
  auto self = shared_from_this();
  asio::co_spawn(io_, run(), [self](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::critical("imap {}: source stopped: {}", self->config_.name, ex.what());
    }
  });
}

void ImapSource::stop() {
  stopped_ = true;
  timer_.cancel();
  if (conn_) conn_->close();
}

asio::awaitable<void> ImapSource::sleep(std::chrono::steady_clock::duration d) {
  if (stopped_) co_return;
  timer_.expires_after(d);
  boost::system::error_code ec;
  co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

std::chrono::milliseconds ImapSource::next_delay() {
  // Equal jitter: half the step fixed, half random; then double the step.
  const auto step = backoff_.count();
  std::uniform_int_distribution<long long> half(0, step / 2);
  const auto delay = std::chrono::milliseconds(step - step / 2 + half(rng_));
  backoff_ = std::min<std::chrono::milliseconds>(backoff_ * 2, config_.max_backoff);
  return delay;
}

template <typename T>
asio::awaitable<T> ImapSource::on_worker(const std::function<T(Processor&)>& fn) {
  const std::function<bool()> stopping = [this] { return stopped_; };
  co_return co_await ndrlink::daemon::on_worker(io_, pipeline_, fn, stopping);
}

asio::awaitable<void> ImapSource::run() {
  auto self = shared_from_this();
  while (!stopped_) {
    bool selected = false;
    std::string error;
    try {
      co_await session(selected);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (conn_) conn_->close();
    conn_.reset();
    if (stopped_) break;
    if (selected) backoff_ = 1000ms;  // it worked for a while: start over
    const auto delay = next_delay();
    ++stats_.errors;
    // One line per attempt; attempts are spaced by the growing backoff.
    spdlog::error("imap {}: {}; retrying in {:.1f} s", config_.name, error, delay.count() / 1000.0);
    co_await sleep(delay);
  }
  spdlog::debug("imap {}: stopped", config_.name);
}

asio::awaitable<void> ImapSource::session(bool& selected) {
  const std::string password = imap::read_password(config_.password_file);
  conn_ = std::make_shared<imap::Connection>(io_.get_executor(), tls_, limits_);
  imap::Client client(conn_, config_.connect_timeout);
  co_await client.open(config_, password);
  const auto mailbox = co_await client.select(config_.mailbox);
  const std::string key = cursor_key();
  const std::function<std::optional<storage::SourceCursor>(Processor&)> load = [key](Processor& p) {
    return p.cursor(key);
  };
  const auto stored = co_await on_worker(load);
  Cursor cursor{mailbox.uidvalidity, 0};
  bool rescan = true;
  if (stored && stored->uidvalidity == mailbox.uidvalidity) {
    cursor.last_uid = static_cast<std::uint32_t>(std::clamp<std::int64_t>(stored->last_uid, 0, 0xFFFFFFFF));
    rescan = false;
  } else if (stored) {
    spdlog::warn("imap {}: UIDVALIDITY of \"{}\" changed from {} to {}: rescanning the mailbox{}", config_.name,
                 config_.mailbox, stored->uidvalidity, mailbox.uidvalidity,
                 config_.after == ImapAfter::seen ? " (messages flagged \\Seen are taken as processed)" : "");
  }
  selected = true;
  spdlog::info("imap {}: logged in to {}:{} as {} ({}); \"{}\" has {} message(s), UIDVALIDITY {}, last UID done {}; {}",
               config_.name, config_.host, config_.port, config_.username, tls_name(config_.tls), config_.mailbox,
               mailbox.exists, mailbox.uidvalidity, cursor.last_uid,
               client.has("IDLE") ? "waiting with IDLE" : "polling (no IDLE)");
  while (!stopped_) {
    const bool more = co_await drain(client, cursor, rescan);
    if (more) continue;  // a long listing was cut: the rescan, if any, goes on
    rescan = false;
    if (stopped_ || client.take_new_mail()) continue;
    if (client.has("IDLE")) {
      co_await client.idle(config_.idle_restart);
    } else {
      co_await sleep(config_.poll_interval);
      if (!stopped_) co_await client.noop();
    }
  }
}

asio::awaitable<bool> ImapSource::drain(imap::Client& client, Cursor& cursor, bool rescan) {
  if (cursor.last_uid == 0xFFFFFFFF) co_return false;
  bool more = false;
  const std::uint32_t first = cursor.last_uid + 1;
  const auto listed = co_await client.list_from(first, more);
  // On a rescan with after = seen, \Seen marks what an earlier run (under
  // the old UIDVALIDITY) already stored.
  const bool skip_seen = rescan && config_.after == ImapAfter::seen;
  std::uint32_t highest = cursor.last_uid;
  std::size_t skipped = 0;
  std::vector<std::vector<std::uint32_t>> batches;
  std::uint64_t batch_bytes = 0;
  for (const auto& m : listed) {
    highest = std::max(highest, m.uid);
    if (skip_seen && m.seen) {
      ++skipped;
      continue;
    }
    const std::uint64_t bytes = std::min<std::uint64_t>(m.size, limits_.max_literal);
    if (batches.empty() || batches.back().size() >= kBatchMessages || batch_bytes + bytes > kBatchBytes) {
      batches.emplace_back();
      batch_bytes = 0;
    }
    batches.back().push_back(m.uid);
    batch_bytes += bytes;
  }
  if (skipped > 0)
    spdlog::info("imap {}: rescan: {} message(s) flagged \\Seen taken as processed", config_.name, skipped);
  for (auto& batch : batches) {
    if (stopped_) co_return false;
    co_await process_batch(client, cursor, batch, rescan);
  }
  cursor.last_uid = std::max(cursor.last_uid, highest);
  // A rescan's cursor is saved once the whole mailbox has been listed.
  if ((highest >= first || rescan) && !(rescan && more)) co_await save(cursor);
  co_return more;
}

asio::awaitable<void> ImapSource::process_batch(imap::Client& client, Cursor& cursor,
                                                const std::vector<std::uint32_t>& uids, bool rescan) {
  struct Item {
    std::uint32_t uid;
    std::shared_ptr<WorkerCall<bool>> call;
  };
  std::vector<std::pair<std::uint32_t, std::shared_ptr<const std::string>>> bodies;
  const imap::Client::BodyHandler take = [&](std::uint32_t uid, std::string body, bool truncated) {
    if (truncated)
      spdlog::warn("imap {}: UID {} is larger than {} bytes: only its beginning is parsed", config_.name, uid,
                   limits_.max_literal - 1);
    bodies.emplace_back(uid, std::make_shared<const std::string>(std::move(body)));
  };
  FetchProgress progress(io_, config_.name, conn_, uids.size());
  co_await client.fetch_bodies(uids, take);
  progress.done();
  std::sort(bodies.begin(), bodies.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

  // All of the batch goes to the workers at once; results come back in any order.
  std::vector<Item> items;
  for (auto& [uid, raw] : bodies) {
    auto call = std::make_shared<WorkerCall<bool>>(io_.get_executor());
    const std::string key = source_key(config_.name, cursor.uidvalidity, uid);
    Pipeline::Job job = [call, key, raw, &io = io_, &stats = stats_, name = config_.name](Processor& p) {
      bool ok = false;
      try {
        const auto out = p.ingest(key, *raw);
        log_outcome(key, out);
        count_outcome(stats, out);
        ok = true;
      } catch (const std::exception& e) {
        ++stats.errors;
        spdlog::error("imap {}: {} not stored, will retry: {}", name, key, e.what());
      }
      asio::post(io, [call, ok] {
        call->value = ok;
        call->done = true;
        call->timer.cancel();
      });
    };
    while (!pipeline_.try_submit(job)) {
      if (stopped_) co_return;
      co_await sleep(20ms);
    }
    items.push_back({uid, call});
  }
  std::vector<std::uint32_t> committed;
  std::optional<std::uint32_t> first_failed;
  for (auto& item : items) {
    if (!item.call->done) {
      boost::system::error_code ec;
      co_await item.call->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (item.call->value.value_or(false)) {
      if (!first_failed) committed.push_back(item.uid);
    } else if (!first_failed) {
      first_failed = item.uid;
    }
  }
  if (stopped_ && committed.empty()) co_return;
  // Committed: now the server may be told.
  if (!committed.empty()) {
    if (config_.after == ImapAfter::seen)
      co_await client.mark_seen(committed);
    else if (config_.after == ImapAfter::move)
      co_await client.move(committed, config_.move_to);
  }
  // UIDs the server no longer had (expunged meanwhile) count as done.
  const std::uint32_t done_up_to = first_failed ? *first_failed - 1 : uids.back();
  cursor.last_uid = std::max(cursor.last_uid, done_up_to);
  // A rescan saves its cursor only at the end: until then the stored
  // (old) UIDVALIDITY makes a restarted run rescan with the same policy.
  if (!rescan) co_await save(cursor);
  if (first_failed)
    throw imap::ImapError(imap::ImapError::Kind::server,
                          "UID " + std::to_string(*first_failed) + " could not be stored; fetching it again later");
}

asio::awaitable<void> ImapSource::save(const Cursor& cursor) {
  const std::string key = cursor_key();
  const auto c = cursor;
  const std::function<bool(Processor&)> store = [key, c](Processor& p) {
    p.save_cursor(key, c.uidvalidity, c.last_uid);
    return true;
  };
  const bool ok = co_await on_worker(store);
  (void)ok;
}

}  // namespace ndrlink::daemon
