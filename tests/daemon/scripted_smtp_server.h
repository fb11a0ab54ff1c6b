// A small SMTP server for tests: listens on 127.0.0.1:<ephemeral port>,
// serves any number of connections (one thread each) with default sane
// replies, any of which a test can script per command verb, and records
// what it received. Optional STARTTLS (a certificate file pair) and AUTH
// PLAIN/LOGIN against one configured user. The destructor closes every
// connection and joins every thread, whatever state the test left.
//
// Replies are written as on the wire without CRLF; "\n" separates the
// lines of a multi-line reply, each already carrying its "NNN-"/"NNN ".
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ndrlink::test {

class ScriptedSmtpServer {
 public:
  // What the server does in answer to a command.
  struct Action {
    enum class Kind { reply, hang, close, reply_close } kind = Kind::reply;
    std::string text;  // for reply and reply_close
    std::chrono::milliseconds delay{0};  // before acting (a slow server)
  };
  static Action reply(std::string text) { return {Action::Kind::reply, std::move(text), {}}; }
  // Reply `text` (empty: the usual one) after `delay`.
  static Action reply_after(std::chrono::milliseconds delay, std::string text = {}) {
    return {Action::Kind::reply, std::move(text), delay};
  }
  // Reply, then close the connection (a "421 shutting down").
  static Action reply_and_close(std::string text) { return {Action::Kind::reply_close, std::move(text), {}}; }
  static Action hang() { return {Action::Kind::hang, {}, {}}; }    // never answer (until the client or server closes)
  static Action close() { return {Action::Kind::close, {}, {}}; }  // close the connection without a reply

  struct Options {
    std::string hostname = "scripted.test";
    // The EHLO keywords after the first line (STARTTLS and AUTH are added
    // from tls/auth below, unless listed here already). BDAT is served
    // always; list "CHUNKING" to offer it.
    std::vector<std::string> extensions = {"PIPELINING", "8BITMIME", "SIZE 10240000", "DSN",
                                           "ENHANCEDSTATUSCODES", "SMTPUTF8"};
    // PEM files: when both set, STARTTLS is advertised and served.
    std::string cert_file, key_file;
    bool advertise_starttls = true;  // false: serve STARTTLS, but do not advertise it
    // AUTH: advertised mechanisms ("PLAIN", "LOGIN") and the one account.
    std::vector<std::string> auth_mechanisms;
    std::string auth_user, auth_password;
    // Close the connection after this many octets of DATA payload.
    std::size_t close_after_data_bytes = std::numeric_limits<std::size_t>::max();
    // Longest command line accepted; longer: "500 5.5.2 line too long".
    std::size_t max_line = 64 * 1024;
  };

  // What one client transaction sent up to the final "." (recorded
  // whatever the reply to it, so refusals after DATA can be checked too).
  struct Message {
    std::string mail_from;               // the MAIL FROM line after "MAIL FROM:", as sent (params included)
    std::vector<std::string> rcpt_to;    // each RCPT TO argument (params included) whose reply was 2xx
    std::string body;                    // payload, dot-unstuffed, CRLF kept, without the final "." (or the BDAT chunks)
    std::string reply;                   // the reply sent after the "."
    bool tls = false;                    // received over TLS
    std::string auth_user;               // empty unless AUTH succeeded
  };

  ScriptedSmtpServer();  // default Options
  explicit ScriptedSmtpServer(Options options);
  ~ScriptedSmtpServer();
  ScriptedSmtpServer(const ScriptedSmtpServer&) = delete;
  ScriptedSmtpServer& operator=(const ScriptedSmtpServer&) = delete;

  // Scripts the answer to `verb` (upper case): "GREETING", "EHLO", "HELO",
  // "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA" (the answer to DATA itself),
  // "." (the answer after the message), "RSET", "NOOP", "QUIT", or any
  // other verb. A sequence is used one per command, its last repeated.
  // Takes effect for commands received after the call.
  void on(const std::string& verb, Action action);
  void on(const std::string& verb, std::vector<Action> sequence);
  // The answer to RCPT TO for one address (matched case-insensitively on
  // the address inside <>), taking precedence over on("RCPT", ...).
  void on_rcpt(const std::string& address, Action action);

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // Every command line received (without CRLF), across connections, in
  // arrival order; AUTH payload lines appear as "<auth data>".
  std::vector<std::string> commands() const;
  // The most actions with a delay that were waiting at the same time (on
  // different connections): 1 when the client asked one after another.
  int most_concurrent_delays() const { return most_delays_; }
  std::vector<Message> messages() const;
  int connections() const { return connections_.load(); }
  // Octets of DATA payload received so far (also of unfinished messages).
  std::size_t data_bytes() const { return data_bytes_.load(); }
  // Waits until `n` commands (messages) were received or `limit` passed;
  // true if so.
  bool wait_for_commands(std::size_t n, std::chrono::milliseconds limit) const;
  bool wait_for_messages(std::size_t n, std::chrono::milliseconds limit) const;

 private:
  class Session;
  void accept_loop();
  Action scripted(const std::string& verb, const std::string& rcpt_address);
  void record_command(const std::string& line);
  void record_message(Message m);

  Options options_;
  int listener_ = -1;
  int port_ = 0;
  int wake_[2] = {-1, -1};  // a pipe whose closing wakes every blocked poll
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> delays_{0}, most_delays_{0};
  std::atomic<std::size_t> data_bytes_{0};
  mutable std::mutex mu_;
  mutable std::condition_variable recorded_;  // a command or message was recorded
  std::map<std::string, std::vector<Action>> script_;
  std::map<std::string, std::size_t> used_;  // verb -> commands answered so far
  std::map<std::string, Action> rcpt_script_;
  std::vector<std::string> commands_;
  std::vector<Message> messages_;
  std::vector<std::thread> sessions_;
  std::vector<int> session_fds_;
  std::thread acceptor_;
  std::shared_ptr<void> tls_ctx_;  // SSL_CTX, when TLS is configured
};

}  // namespace ndrlink::test
