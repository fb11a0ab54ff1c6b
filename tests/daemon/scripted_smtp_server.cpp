#include "scripted_smtp_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "smtp_data.h"

namespace ndrlink::test {
namespace {

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string unbase64(const std::string& in) {
  std::string out(in.size() / 4 * 3 + 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) return "";
  out.resize(static_cast<std::size_t>(n));
  // EVP_DecodeBlock counts the padding as zero bytes.
  for (std::size_t pad = 0; pad < 2 && !in.empty() && in[in.size() - 1 - pad] == '=' && !out.empty(); ++pad)
    out.pop_back();
  return out;
}

// The address inside <...> of "TO:<a@b> NOTIFY=...", lower case.
std::string angle_address(const std::string& arg) {
  const auto open = arg.find('<'), close = arg.find('>');
  if (open == std::string::npos || close == std::string::npos || close < open) return lower(arg);
  return lower(arg.substr(open + 1, close - open - 1));
}

}  // namespace

// One client connection, served on its own thread with blocking I/O; every
// wait also watches the server's wake pipe so the destructor ends it.
class ScriptedSmtpServer::Session {
 public:
  Session(ScriptedSmtpServer& server, int fd) : s_(server), fd_(fd) {}
  ~Session() {
    if (ssl_) SSL_free(ssl_);
  }

  void run() {
    const Action greeting = s_.scripted("GREETING", "");
    if (!act(greeting, "220 " + s_.options_.hostname + " ESMTP scripted")) return;
    while (auto line = read_line()) {
      if (!command(*line)) return;
    }
  }

 private:
  // Waits for and reads more bytes into buf_; false when the peer closed
  // or the server is stopping.
  bool fill() {
    if (!ssl_ || SSL_pending(ssl_) == 0) {
      pollfd fds[2] = {{fd_, POLLIN, 0}, {s_.wake_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) <= 0 || (fds[1].revents != 0)) return false;
    }
    char chunk[16384];
    const long n = ssl_ ? SSL_read(ssl_, chunk, sizeof chunk) : ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  // The next command line without its line end; an over-long one is
  // answered here and skipped. nullopt at end of stream.
  std::optional<std::string> read_line() {
    while (true) {
      const auto nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (discarding_) {
          discarding_ = false;
          if (!send("500 5.5.2 Error: line too long")) return std::nullopt;
          continue;
        }
        return line;
      }
      if (buf_.size() > s_.options_.max_line) {
        discarding_ = true;
        buf_.clear();
      }
      if (!fill()) return std::nullopt;
    }
  }

  bool send(const std::string& reply) {
    std::string wire;
    for (char c : reply) {
      if (c == '\n') wire += '\r';
      wire += c;
    }
    wire += "\r\n";
    std::size_t done = 0;
    while (done < wire.size()) {
      const long n = ssl_ ? SSL_write(ssl_, wire.data() + done, static_cast<int>(wire.size() - done))
                          : ::send(fd_, wire.data() + done, wire.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Carries out `a` (or sends `fallback` when a is an empty reply); false
  // when the session is over.
  bool act(const Action& a, const std::string& fallback) {
    if (a.delay.count() > 0) {
      const int now = ++s_.delays_;
      for (int most = s_.most_delays_; now > most && !s_.most_delays_.compare_exchange_weak(most, now);) {
      }
      std::this_thread::sleep_for(a.delay);
      --s_.delays_;
    }
    switch (a.kind) {
      case Action::Kind::reply: return send(a.text.empty() ? fallback : a.text);
      case Action::Kind::hang:
        while (fill()) buf_.clear();
        return false;
      case Action::Kind::close: ::shutdown(fd_, SHUT_RDWR); return false;
      case Action::Kind::reply_close:
        send(a.text.empty() ? fallback : a.text);
        ::shutdown(fd_, SHUT_RDWR);
        return false;
    }
    return false;
  }

  static bool positive(const Action& a, const std::string& fallback) {
    const std::string& t = a.text.empty() ? fallback : a.text;
    return (a.kind == Action::Kind::reply || a.kind == Action::Kind::reply_close) && !t.empty() && t[0] == '2';
  }

  std::string ehlo_reply(const std::string& arg) {
    std::vector<std::string> lines{s_.options_.hostname + " greets " + arg};
    for (const auto& e : s_.options_.extensions) lines.push_back(e);
    const bool listed_tls = std::count(lines.begin(), lines.end(), "STARTTLS") > 0;
    if (s_.tls_ctx_ && !ssl_ && s_.options_.advertise_starttls && !listed_tls) lines.push_back("STARTTLS");
    if (!s_.options_.auth_mechanisms.empty()) {
      std::string auth = "AUTH";
      for (const auto& m : s_.options_.auth_mechanisms) auth += " " + m;
      lines.push_back(auth);
    }
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i)
      out += (i ? "\n" : "") + std::string("250") + (i + 1 < lines.size() ? "-" : " ") + lines[i];
    return out;
  }

  bool command(const std::string& line) {
    const auto space = line.find_first_of(" :");
    const std::string verb = upper(line.substr(0, space));
    const std::string arg = space == std::string::npos ? "" : line.substr(space + 1);
    s_.record_command(verb == "AUTH" && arg.find(' ') != std::string::npos
                          ? "AUTH " + upper(arg.substr(0, arg.find(' '))) + " <auth data>"
                          : line);
    std::string rcpt;
    if (verb == "RCPT") rcpt = angle_address(arg);
    const Action a = s_.scripted(verb, rcpt);
    if (verb == "EHLO") return act(a, ehlo_reply(arg));
    if (verb == "HELO") return act(a, "250 " + s_.options_.hostname);
    if (verb == "STARTTLS") return starttls(a);
    if (verb == "AUTH") return a.text.empty() && a.kind == Action::Kind::reply ? auth(arg) : act(a, "");
    if (verb == "MAIL") {
      const std::string fallback = "250 2.1.0 Ok";
      if (positive(a, fallback)) {
        message_ = Message{};
        message_.mail_from = arg.size() > 5 && upper(arg.substr(0, 5)) == "FROM:" ? arg.substr(5) : arg;
        in_transaction_ = true;
      }
      return act(a, fallback);
    }
    if (verb == "RCPT") {
      const std::string fallback = "250 2.1.5 Ok";
      if (positive(a, fallback) && in_transaction_)
        message_.rcpt_to.push_back(arg.size() > 3 && upper(arg.substr(0, 3)) == "TO:" ? arg.substr(3) : arg);
      return act(a, fallback);
    }
    if (verb == "DATA") return data(a);
    if (verb == "BDAT") return bdat(a, arg);
    if (verb == "RSET") {
      in_transaction_ = false;
      return act(a, "250 2.0.0 Ok");
    }
    if (verb == "NOOP") return act(a, "250 2.0.0 Ok");
    if (verb == "VRFY") return act(a, "252 2.0.0 Cannot VRFY user");
    if (verb == "QUIT") {
      act(a, "221 2.0.0 Bye");
      ::shutdown(fd_, SHUT_RDWR);
      return false;
    }
    if (verb.empty()) return act(a, "500 5.5.2 Error: bad syntax");
    return act(a, "502 5.5.2 Error: command not recognized");
  }

  bool starttls(const Action& a) {
    if (!s_.tls_ctx_ || ssl_) return act(a, "454 4.7.0 TLS not available");
    const std::string fallback = "220 2.0.0 Ready to start TLS";
    if (!positive(a, fallback)) return act(a, fallback);
    if (!act(a, fallback)) return false;
    buf_.clear();  // anything pipelined before the handshake is discarded (RFC 3207 5)
    ssl_ = SSL_new(static_cast<SSL_CTX*>(s_.tls_ctx_.get()));
    SSL_set_fd(ssl_, fd_);
    if (SSL_accept(ssl_) != 1) return false;
    in_transaction_ = false;
    return true;
  }

  bool auth(const std::string& arg) {
    const auto space = arg.find(' ');
    const std::string mech = upper(arg.substr(0, space));
    const auto& mechs = s_.options_.auth_mechanisms;
    if (std::find(mechs.begin(), mechs.end(), mech) == mechs.end())
      return send("504 5.5.4 Unrecognized authentication type");
    auto ask = [&](const std::string& prompt) -> std::optional<std::string> {
      if (!send(prompt)) return std::nullopt;
      auto l = read_line();
      if (l) s_.record_command("<auth data>");
      return l;
    };
    std::string user, password;
    if (mech == "PLAIN") {
      std::optional<std::string> initial;
      if (space != std::string::npos) initial = arg.substr(space + 1);
      else initial = ask("334 ");
      if (!initial) return false;
      const std::string token = unbase64(*initial);
      const auto a = token.find('\0'), b = token.find('\0', a == std::string::npos ? 0 : a + 1);
      if (a == std::string::npos || b == std::string::npos) return send("501 5.5.2 Cannot decode AUTH parameter");
      user = token.substr(a + 1, b - a - 1);
      password = token.substr(b + 1);
    } else {
      const auto u = ask("334 VXNlcm5hbWU6");
      if (!u) return false;
      const auto p = ask("334 UGFzc3dvcmQ6");
      if (!p) return false;
      user = unbase64(*u);
      password = unbase64(*p);
    }
    if (user != s_.options_.auth_user || password != s_.options_.auth_password)
      return send("535 5.7.8 Error: authentication failed");
    auth_user_ = user;
    return send("235 2.7.0 Authentication successful");
  }

  bool data(const Action& a) {
    std::string fallback = "354 End data with <CR><LF>.<CR><LF>";
    if (!in_transaction_) fallback = "503 5.5.1 Error: need MAIL command";
    else if (message_.rcpt_to.empty()) fallback = "554 5.5.1 Error: no valid recipients";
    const std::string& t = a.text.empty() ? fallback : a.text;
    if (a.kind != Action::Kind::reply || t.rfind("354", 0) != 0) return act(a, fallback);
    if (!act(a, fallback)) return false;
    // The payload ends with CRLF "." CRLF, or is a lone "." line (empty).
    std::string payload;
    std::size_t searched = 0;
    while (true) {
      const std::size_t before = payload.size();
      payload += buf_;
      buf_.clear();
      s_.data_bytes_ += payload.size() - before;
      if (payload.size() >= s_.options_.close_after_data_bytes) {
        ::shutdown(fd_, SHUT_RDWR);
        return false;
      }
      if (payload.rfind(".\r\n", 0) == 0) {
        buf_ = payload.substr(3);
        payload.clear();
        break;
      }
      const auto end = payload.find("\r\n.\r\n", searched);
      if (end != std::string::npos) {
        buf_ = payload.substr(end + 5);  // pipelined commands after the message
        payload.resize(end + 2);
        break;
      }
      searched = payload.size() > 4 ? payload.size() - 4 : 0;
      if (!fill()) return false;
    }
    message_.body = smtp::dot_unstuff(payload);
    return finish_message();
  }

  // The message (message_.body) is complete: recorded, and the scripted
  // reply (".") sent.
  bool finish_message() {
    message_.tls = ssl_ != nullptr;
    message_.auth_user = auth_user_;
    in_transaction_ = false;
    const Action done = s_.scripted(".", "");
    static std::atomic<int> queued{0};
    const bool replies = done.kind == Action::Kind::reply || done.kind == Action::Kind::reply_close;
    message_.reply =
        replies ? (done.text.empty() ? "250 2.0.0 Ok: queued as Q" + std::to_string(++queued) : done.text) : "";
    s_.record_message(message_);
    return act(done, message_.reply);
  }

  // RFC 3030: "BDAT <n> [LAST]" and n octets of message, read whatever the
  // reply; the reply to a LAST chunk is the message's (scripted as ".").
  bool bdat(const Action& a, const std::string& arg) {
    std::istringstream words(arg);
    std::size_t size = 0;
    std::string last;
    const bool valid = static_cast<bool>(words >> size);
    words >> last;
    if (!valid) return act(a, "501 5.5.4 Syntax: BDAT count [LAST]");
    s_.data_bytes_ += std::min(buf_.size(), size);
    while (true) {
      if (chunks_.size() + std::min(buf_.size(), size) >= s_.options_.close_after_data_bytes) {
        ::shutdown(fd_, SHUT_RDWR);
        return false;
      }
      if (buf_.size() >= size) break;
      const std::size_t before = buf_.size();
      if (!fill()) return false;
      s_.data_bytes_ += std::min(buf_.size(), size) - before;
    }
    chunks_ += buf_.substr(0, size);
    buf_.erase(0, size);
    if (!in_transaction_ || message_.rcpt_to.empty()) {
      chunks_.clear();
      return act(a, in_transaction_ ? "554 5.5.1 Error: no valid recipients" : "503 5.5.1 Error: need MAIL command");
    }
    if (upper(last) != "LAST") return act(a, "250 2.0.0 " + std::to_string(size) + " octets received");
    message_.body = std::move(chunks_);
    chunks_.clear();
    return finish_message();
  }

  ScriptedSmtpServer& s_;
  int fd_;
  std::string chunks_;  // BDAT chunks of the message so far
  SSL* ssl_ = nullptr;
  std::string buf_;
  bool discarding_ = false;
  bool in_transaction_ = false;
  Message message_;
  std::string auth_user_;
};

ScriptedSmtpServer::ScriptedSmtpServer() : ScriptedSmtpServer(Options{}) {}

ScriptedSmtpServer::ScriptedSmtpServer(Options options) : options_(std::move(options)) {
  ::signal(SIGPIPE, SIG_IGN);  // SSL_write to a closed peer
  if (!options_.cert_file.empty() && !options_.key_file.empty()) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    tls_ctx_ = std::shared_ptr<void>(ctx, [](void* p) { SSL_CTX_free(static_cast<SSL_CTX*>(p)); });
    if (SSL_CTX_use_certificate_chain_file(ctx, options_.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, options_.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
      throw std::runtime_error("scripted SMTP server: cannot load " + options_.cert_file + " / " + options_.key_file);
  }
  if (::pipe(wake_) != 0) throw std::runtime_error("scripted SMTP server: pipe failed");
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(listener_, 16) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (listener_ >= 0) ::close(listener_);
    ::close(wake_[0]);
    ::close(wake_[1]);
    throw std::runtime_error("scripted SMTP server: cannot listen on 127.0.0.1");
  }
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

ScriptedSmtpServer::~ScriptedSmtpServer() {
  stopping_ = true;
  ::close(wake_[1]);  // every poll sees the pipe's end
  ::shutdown(listener_, SHUT_RDWR);
  acceptor_.join();
  {
    std::lock_guard lock(mu_);
    for (int fd : session_fds_) ::shutdown(fd, SHUT_RDWR);  // unblocks SSL_accept and friends
  }
  for (auto& t : sessions_) t.join();  // no new sessions: the acceptor is gone
  for (int fd : session_fds_) ::close(fd);
  ::close(listener_);
  ::close(wake_[0]);
}

void ScriptedSmtpServer::accept_loop() {
  while (!stopping_) {
    pollfd fds[2] = {{listener_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 || fds[1].revents != 0) return;
    const int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) {
      if (stopping_) return;
      continue;
    }
    ++connections_;
    std::lock_guard lock(mu_);
    session_fds_.push_back(fd);
    sessions_.emplace_back([this, fd] {
      Session session(*this, fd);
      session.run();
    });
  }
}

void ScriptedSmtpServer::on(const std::string& verb, Action action) { on(verb, std::vector<Action>{std::move(action)}); }

void ScriptedSmtpServer::on(const std::string& verb, std::vector<Action> sequence) {
  std::lock_guard lock(mu_);
  const std::string key = upper(verb);
  script_[key] = std::move(sequence);
  used_[key] = 0;
}

void ScriptedSmtpServer::on_rcpt(const std::string& address, Action action) {
  std::lock_guard lock(mu_);
  rcpt_script_[lower(address)] = std::move(action);
}

ScriptedSmtpServer::Action ScriptedSmtpServer::scripted(const std::string& verb, const std::string& rcpt_address) {
  std::lock_guard lock(mu_);
  if (!rcpt_address.empty()) {
    const auto it = rcpt_script_.find(rcpt_address);
    if (it != rcpt_script_.end()) return it->second;
  }
  const auto it = script_.find(verb);
  if (it == script_.end() || it->second.empty()) return reply("");  // the default
  const std::size_t i = std::min(used_[verb]++, it->second.size() - 1);
  return it->second[i];
}

void ScriptedSmtpServer::record_command(const std::string& line) {
  {
    std::lock_guard lock(mu_);
    commands_.push_back(line);
  }
  recorded_.notify_all();
}

void ScriptedSmtpServer::record_message(Message m) {
  {
    std::lock_guard lock(mu_);
    messages_.push_back(std::move(m));
  }
  recorded_.notify_all();
}

std::vector<std::string> ScriptedSmtpServer::commands() const {
  std::lock_guard lock(mu_);
  return commands_;
}

std::vector<ScriptedSmtpServer::Message> ScriptedSmtpServer::messages() const {
  std::lock_guard lock(mu_);
  return messages_;
}

bool ScriptedSmtpServer::wait_for_commands(std::size_t n, std::chrono::milliseconds limit) const {
  std::unique_lock lock(mu_);
  return recorded_.wait_for(lock, limit, [&] { return commands_.size() >= n; });
}

bool ScriptedSmtpServer::wait_for_messages(std::size_t n, std::chrono::milliseconds limit) const {
  std::unique_lock lock(mu_);
  return recorded_.wait_for(lock, limit, [&] { return messages_.size() >= n; });
}

}  // namespace ndrlink::test
