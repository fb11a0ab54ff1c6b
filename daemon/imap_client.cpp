#include "imap_client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace ndrlink::daemon::imap {
namespace asio = boost::asio;

namespace {

// UID sets in commands stay well below common 8 KiB command-line limits.
constexpr std::size_t kMaxUidsPerCommand = 256;
// New messages listed per round (memory: 16 bytes each).
constexpr std::size_t kMaxListed = 1 << 20;
constexpr std::string_view kDone = "DONE\r\n";

std::vector<std::vector<std::uint32_t>> chunks(const std::vector<std::uint32_t>& uids) {
  std::vector<std::vector<std::uint32_t>> out;
  for (std::size_t i = 0; i < uids.size(); i += kMaxUidsPerCommand)
    out.emplace_back(uids.begin() + static_cast<std::ptrdiff_t>(i),
                     uids.begin() + static_cast<std::ptrdiff_t>(std::min(uids.size(), i + kMaxUidsPerCommand)));
  return out;
}

std::string printable(std::string s) {
  if (s.size() > 200) s.resize(200);
  for (auto& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  return s;
}

}  // namespace

Client::Client(std::shared_ptr<Connection> connection, Duration timeout)
    : conn_(std::move(connection)), timeout_(timeout) {}

std::string Client::next_tag() { return "N" + std::to_string(++tag_); }

void Client::take_capabilities(const Response& r) {
  if (r.capabilities.empty()) return;
  caps_heard_ = true;
  caps_.clear();
  caps_.insert(r.capabilities.begin(), r.capabilities.end());
}

void Client::note(const Response& r) {
  if (r.kind != Response::Kind::untagged) return;
  take_capabilities(r);
  if (r.status == Status::bye)
    throw ImapError(ImapError::Kind::server, "the server closed the session: " + printable(r.text));
  if (r.keyword == "EXISTS") {
    if (r.number > mailbox_.exists) new_mail_ = true;
    mailbox_.exists = r.number;
  } else if (r.keyword == "EXPUNGE" && mailbox_.exists > 0) {
    --mailbox_.exists;
  } else if (r.status == Status::ok && r.code == "UIDVALIDITY") {
    if (auto n = r.code_number()) mailbox_.uidvalidity = *n;
  } else if (r.status == Status::ok && r.code == "UIDNEXT") {
    if (auto n = r.code_number()) mailbox_.uidnext = *n;
  }
}

void Client::require_ok(const Response& r, const std::string& what) {
  if (r.status == Status::ok) return;
  std::string text = printable(r.text);
  if (!r.code.empty()) text = "[" + r.code + "] " + text;
  throw ImapError(ImapError::Kind::server, what + ": " + std::string(to_string(r.status)) + " " + text);
}

asio::awaitable<void> Client::simple(std::string_view line) {
  const Response r = co_await command(line);
  require_ok(r, std::string(line.substr(0, line.find(' '))));
}

asio::awaitable<Response> Client::command(std::string_view line, const Untagged* untagged, bool secret) {
  const std::string tag = next_tag();
  if (!secret) spdlog::trace("imap > {} {}", tag, line);
  std::string out = tag;
  out += ' ';
  out += line;
  out += "\r\n";
  co_await conn_->write(out, timeout_);
  while (true) {
    Response r = co_await conn_->read(timeout_);
    if (r.kind == Response::Kind::tagged) {
      if (r.tag != tag) throw ImapError(ImapError::Kind::protocol, "unexpected tag " + printable(r.tag));
      take_capabilities(r);
      co_return r;
    }
    if (r.kind == Response::Kind::continuation)
      throw ImapError(ImapError::Kind::protocol, "unexpected continuation request");
    note(r);
    if (untagged) (*untagged)(r);
  }
}

asio::awaitable<void> Client::open(const ImapConfig& c, const std::string& password) {
  co_await conn_->connect(c.host, static_cast<std::uint16_t>(c.port), timeout_);
  if (c.tls == TlsMode::implicit) co_await conn_->start_tls(c.host, timeout_);
  Response greeting = co_await conn_->read(timeout_);
  if (greeting.kind != Response::Kind::untagged ||
      (greeting.status != Status::ok && greeting.status != Status::preauth)) {
    if (greeting.status == Status::bye)
      throw ImapError(ImapError::Kind::server, "the server refused the connection: " + printable(greeting.text));
    throw ImapError(ImapError::Kind::protocol, "no IMAP greeting");
  }
  take_capabilities(greeting);
  if (c.tls == TlsMode::starttls) {
    if (caps_.empty()) co_await simple("CAPABILITY");
    if (!has("STARTTLS"))
      throw ImapError(ImapError::Kind::tls, "the server does not offer STARTTLS (tls = \"starttls\")");
    co_await simple("STARTTLS");
    co_await conn_->start_tls(c.host, timeout_);
    caps_.clear();  // what was said in plaintext is not trusted
  }
  if (greeting.status == Status::preauth) co_return;
  if (caps_.empty()) co_await simple("CAPABILITY");
  caps_heard_ = false;
  co_await authenticate(c, password);
  // Capabilities change with login: ask unless the login answer said them.
  if (!caps_heard_) co_await simple("CAPABILITY");
}

asio::awaitable<void> Client::authenticate(const ImapConfig& c, const std::string& password) {
  const std::string who = "login as " + c.username + " refused";
  bool use_plain = c.auth == "plain";
  if (use_plain && !has("AUTH=PLAIN") && !has("LOGINDISABLED")) {
    spdlog::info("imap {}: the server does not list AUTH=PLAIN; using LOGIN", c.name);
    use_plain = false;
  }
  if (!use_plain) {
    if (has("LOGINDISABLED"))
      throw ImapError(ImapError::Kind::auth, "the server disables LOGIN here (LOGINDISABLED): use TLS or auth = \"plain\"");
    const auto user = quote(c.username), pass = quote(password);
    if (!user || !pass)
      throw ImapError(ImapError::Kind::auth, "user name or password has characters LOGIN cannot send: use auth = \"plain\"");
    const std::string line = "LOGIN " + *user + " " + *pass;
    const Response r = co_await command(line, nullptr, true);
    if (r.status != Status::ok)
      throw ImapError(ImapError::Kind::auth, who + ": " + (r.code.empty() ? "" : "[" + r.code + "] ") + printable(r.text));
    co_return;
  }
  std::string blob;
  blob.push_back('\0');
  blob += c.username;
  blob.push_back('\0');
  blob += password;
  const std::string encoded = base64(blob);
  Response r;
  if (has("SASL-IR")) {
    const std::string line = "AUTHENTICATE PLAIN " + encoded;
    r = co_await command(line, nullptr, true);
  } else {
    const std::string tag = next_tag();
    const std::string line = tag + " AUTHENTICATE PLAIN\r\n";
    co_await conn_->write(line, timeout_);
    while (true) {
      r = co_await conn_->read(timeout_);
      if (r.kind == Response::Kind::continuation) {
        const std::string response = encoded + "\r\n";
        co_await conn_->write(response, timeout_);
        continue;
      }
      if (r.kind == Response::Kind::tagged) break;
      note(r);
    }
    take_capabilities(r);
  }
  if (r.status != Status::ok)
    throw ImapError(ImapError::Kind::auth, who + ": " + (r.code.empty() ? "" : "[" + r.code + "] ") + printable(r.text));
}

asio::awaitable<MailboxState> Client::select(const std::string& mailbox) {
  mailbox_ = MailboxState{};
  const std::string line = "SELECT " + mailbox_arg(mailbox);
  const Response r = co_await command(line);
  require_ok(r, "cannot select mailbox \"" + mailbox + "\"");
  if (mailbox_.uidvalidity == 0)
    throw ImapError(ImapError::Kind::protocol, "SELECT " + mailbox + " gave no UIDVALIDITY");
  new_mail_ = false;
  co_return mailbox_;
}

asio::awaitable<std::vector<Listed>> Client::list_from(std::uint32_t first, bool& more) {
  std::vector<Listed> out;
  if (first == 0) first = 1;
  // "first:*" always includes the highest UID, even below `first`.
  const std::string line = "UID FETCH " + std::to_string(first) + ":* (UID FLAGS RFC822.SIZE)";
  const auto by_uid = [](const Listed& a, const Listed& b) { return a.uid < b.uid; };
  bool cut = false;
  const Untagged each = [&](Response& u) {
    if (u.keyword != "FETCH" || !u.fetch || !u.fetch->uid || *u.fetch->uid < first || !u.fetch->flags) return;
    out.push_back({*u.fetch->uid, u.fetch->seen(), u.fetch->rfc822_size.value_or(0)});
    if (out.size() >= 2 * kMaxListed) {
      // Keep the lowest UIDs only: the rest is listed again next round.
      std::nth_element(out.begin(), out.begin() + kMaxListed, out.end(), by_uid);
      out.resize(kMaxListed);
      cut = true;
    }
  };
  const Response r = co_await command(line, &each);
  require_ok(r, "UID FETCH");
  std::sort(out.begin(), out.end(), by_uid);
  more = cut || out.size() > kMaxListed;
  if (out.size() > kMaxListed) out.resize(kMaxListed);
  out.erase(std::unique(out.begin(), out.end(), [](const Listed& a, const Listed& b) { return a.uid == b.uid; }),
            out.end());
  co_return out;
}

asio::awaitable<void> Client::fetch_bodies(const std::vector<std::uint32_t>& uids, const BodyHandler& each) {
  if (uids.empty()) co_return;
  const std::set<std::uint32_t> wanted(uids.begin(), uids.end());
  std::set<std::uint32_t> got;
  const std::string line = "UID FETCH " + uid_set(uids) + " (UID BODY.PEEK[])";
  const Untagged handler = [&](Response& u) {
    if (u.keyword != "FETCH" || !u.fetch || !u.fetch->uid || !u.fetch->body) return;
    const auto uid = *u.fetch->uid;
    if (!wanted.count(uid) || !got.insert(uid).second) return;
    each(uid, std::move(*u.fetch->body), u.fetch->body_truncated);
  };
  const Response r = co_await command(line, &handler);
  require_ok(r, "UID FETCH");
}

asio::awaitable<void> Client::mark_seen(const std::vector<std::uint32_t>& uids) {
  for (const auto& part : chunks(uids)) {
    const std::string line = "UID STORE " + uid_set(part) + " +FLAGS.SILENT (\\Seen)";
    co_await simple(line);
  }
}

asio::awaitable<void> Client::move(const std::vector<std::uint32_t>& uids, const std::string& mailbox) {
  const std::string dest = mailbox_arg(mailbox);
  for (const auto& part : chunks(uids)) {
    const std::string set = uid_set(part);
    const std::string verb = has("MOVE") ? "UID MOVE " : "UID COPY ";
    const std::string line = verb + set + " " + dest;
    Response r = co_await command(line);
    if (r.status == Status::no && r.code == "TRYCREATE") {
      const std::string create = "CREATE " + dest;
      const Response created = co_await command(create);
      require_ok(created, "cannot create mailbox \"" + mailbox + "\"");
      spdlog::info("imap: created mailbox \"{}\"", mailbox);
      r = co_await command(line);
    }
    require_ok(r, "cannot move to \"" + mailbox + "\"");
    if (has("MOVE")) continue;
    const std::string flag = "UID STORE " + set + " +FLAGS.SILENT (\\Deleted)";
    co_await simple(flag);
    // Without UIDPLUS, EXPUNGE also removes other messages flagged \Deleted.
    const std::string expunge = has("UIDPLUS") ? "UID EXPUNGE " + set : std::string("EXPUNGE");
    co_await simple(expunge);
  }
}

asio::awaitable<bool> Client::idle(Duration restart) {
  const std::string tag = next_tag();
  spdlog::trace("imap > {} IDLE", tag);
  const std::string line = tag + " IDLE\r\n";
  co_await conn_->write(line, timeout_);
  // Wait for "+ idling" (untagged news may come first).
  while (true) {
    Response r = co_await conn_->read(timeout_);
    if (r.kind == Response::Kind::continuation) break;
    if (r.kind == Response::Kind::tagged) {
      require_ok(r, "IDLE");
      co_return take_new_mail();
    }
    note(r);
  }
  // "DONE" ends IDLE: on news at once, or from the timer when `restart`
  // has passed while the read below is still waiting.
  struct State {
    bool done_sent = false;
  };
  auto state = std::make_shared<State>();
  const auto executor = co_await asio::this_coro::executor;
  auto timer = std::make_shared<asio::steady_timer>(executor);
  timer->expires_after(restart);
  std::weak_ptr<Connection> weak = conn_;
  timer->async_wait([state, weak](boost::system::error_code ec) {
    if (ec || state->done_sent) return;
    auto conn = weak.lock();
    if (!conn || !conn->is_open()) return;
    state->done_sent = true;
    asio::co_spawn(
        conn->executor(),
        [conn]() -> asio::awaitable<void> {
          try {
            co_await conn->write(kDone, Duration::zero());
          } catch (const std::exception&) {
            // The pending read reports the broken connection.
          }
        },
        asio::detached);
  });
  bool news = take_new_mail();
  if (news) {
    state->done_sent = true;
    co_await conn_->write(kDone, timeout_);
  }
  const Duration quiet = restart + timeout_;
  while (true) {
    // The server may stay silent for the whole restart period.
    Response r = co_await conn_->read(quiet);
    if (r.kind == Response::Kind::tagged) {
      timer->cancel();
      if (r.tag != tag) throw ImapError(ImapError::Kind::protocol, "unexpected tag " + printable(r.tag));
      require_ok(r, "IDLE");
      break;
    }
    note(r);
    if (new_mail_ && !state->done_sent) {
      state->done_sent = true;
      timer->cancel();
      co_await conn_->write(kDone, timeout_);
    }
  }
  co_return take_new_mail() || news;
}

asio::awaitable<void> Client::noop() { co_await simple("NOOP"); }

asio::awaitable<void> Client::logout() {
  try {
    co_await command("LOGOUT");
  } catch (const ImapError&) {
    // BYE, then the server closes: nothing left to do either way.
  }
}

}  // namespace ndrlink::daemon::imap
