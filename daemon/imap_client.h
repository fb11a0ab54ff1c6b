// The IMAP commands a report source needs, over one Connection: log in
// (TLS first), select, list new UIDs, fetch bodies without setting \Seen,
// flag or move processed messages, IDLE or NOOP for news. Each call sends
// tagged commands and reads up to their completion; a NO/BAD, BYE, a
// timeout or malformed data is an ImapError. Passwords never reach a log.
#pragma once

#include <utility>  // before Asio (see imap_connection.h)

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"
#include "imap_connection.h"

namespace ndrlink::daemon::imap {

struct MailboxState {
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 0;
  std::uint32_t exists = 0;
};

struct Listed {
  std::uint32_t uid = 0;
  bool seen = false;
  std::uint64_t size = 0;  // RFC822.SIZE (0 when the server did not say)
};

class Client {
 public:
  using Duration = Connection::Duration;
  // `timeout` bounds connecting, the TLS handshake and every silence of
  // the server while a command runs.
  Client(std::shared_ptr<Connection> connection, Duration timeout);

  // Connects, sets up TLS as configured, reads the greeting and logs in.
  boost::asio::awaitable<void> open(const ImapConfig& config, const std::string& password);
  boost::asio::awaitable<MailboxState> select(const std::string& mailbox);
  // UIDs >= first (with their \Seen flag and size), ascending; at most
  // the lowest 2^20 of them (`more` is then true: list again).
  boost::asio::awaitable<std::vector<Listed>> list_from(std::uint32_t first, bool& more);
  // BODY.PEEK[] of `uids`; `each` gets uid, bytes (at most the framer's
  // max_literal) and whether they were cut. UIDs expunged meanwhile are
  // simply not reported.
  using BodyHandler = std::function<void(std::uint32_t uid, std::string body, bool truncated)>;
  boost::asio::awaitable<void> fetch_bodies(const std::vector<std::uint32_t>& uids, const BodyHandler& each);
  boost::asio::awaitable<void> mark_seen(const std::vector<std::uint32_t>& uids);
  // UID MOVE, or COPY + \Deleted + (UID) EXPUNGE without MOVE; creates
  // `mailbox` when the server says TRYCREATE.
  boost::asio::awaitable<void> move(const std::vector<std::uint32_t>& uids, const std::string& mailbox);
  // IDLE until new mail (true) or `restart` has passed (false).
  boost::asio::awaitable<bool> idle(Duration restart);
  boost::asio::awaitable<void> noop();
  boost::asio::awaitable<void> logout();

  bool has(const std::string& capability) const { return caps_.count(capability) > 0; }
  // True once an EXISTS arrived since the last call (and resets it).
  bool take_new_mail() { return std::exchange(new_mail_, false); }
  const MailboxState& mailbox() const { return mailbox_; }

 private:
  using Untagged = std::function<void(Response&)>;
  // Sends "<tag> <line>" and reads to its tagged completion, passing
  // untagged data to `untagged`. `secret` keeps the line out of logs.
  // (Coroutine arguments here are views and pointers: GCC 12 mishandles
  // temporaries with destructors inside co_await expressions.)
  boost::asio::awaitable<Response> command(std::string_view line, const Untagged* untagged = nullptr,
                                           bool secret = false);
  // command() that must end in OK.
  boost::asio::awaitable<void> simple(std::string_view line);
  std::string next_tag();
  void note(const Response& r);
  void take_capabilities(const Response& r);
  static void require_ok(const Response& r, const std::string& what);
  boost::asio::awaitable<void> authenticate(const ImapConfig& config, const std::string& password);

  std::shared_ptr<Connection> conn_;
  Duration timeout_;
  std::set<std::string> caps_;
  MailboxState mailbox_;
  bool new_mail_ = false;
  bool caps_heard_ = false;  // a capability list arrived since it was reset
  unsigned tag_ = 0;
};

}  // namespace ndrlink::daemon::imap
