// One SMTP client session (RFC 5321) over a NetStream: connect, greeting,
// EHLO (HELO fallback), STARTTLS, AUTH, MAIL, RCPT, DATA, RSET, QUIT.
//
// Contract: every command returns the server's reply, whatever its code
// (deciding what a 452 or 550 means is the caller's business). Transport
// failures and protocol violations throw SmtpError, whose message is one
// line naming the host and the step ("mx.example:25: RCPT: timed out after
// 300 s"). After an SmtpError the session is unusable: close() it. A
// command argument containing CR or LF is refused (SmtpError(protocol))
// before anything is sent.
// Passwords and AUTH payloads never reach a log or an error message.
// One SmtpClient serves one connection: connect() it once.
// Coroutines on one executor; not thread-safe; one command at a time.
// (Arguments are string_views: the caller keeps the bytes alive until the
// co_await returns. GCC 12 mishandles temporaries with destructors inside
// co_await expressions, so pass named variables.)
#pragma once

#include <utility>  // before Asio (Boost 1.74)

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "net_stream.h"
#include "smtp_data.h"
#include "smtp_reply.h"

namespace ndrlink::smtp {

class SmtpError : public std::runtime_error {
 public:
  // connect: resolving/connecting failed; timeout: a deadline passed;
  // tls: STARTTLS unavailable when required, refused, or the handshake or
  // certificate verification failed; protocol: malformed reply (or a
  // STARTTLS injection); closed: the server closed the connection.
  enum class Kind { connect, timeout, tls, protocol, closed };
  SmtpError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};
const char* kind_name(SmtpError::Kind kind);  // "connect", "timeout", ...

enum class StartTlsMode {
  none,           // never (plaintext)
  opportunistic,  // when the server offers it; a failed handshake is still an error
  required,       // the server must offer it and the handshake must succeed
};
// "none"/"no", "opportunistic", "required"; nullopt otherwise.
std::optional<StartTlsMode> parse_starttls_mode(std::string_view text);

// RFC 5321 4.5.3.2 timeouts (defaults), each bounding one wait for the
// server. Tests use short ones.
struct SmtpTimeouts {
  using Duration = std::chrono::steady_clock::duration;
  Duration connect = std::chrono::seconds(60);     // TCP connect (all addresses)
  Duration greeting = std::chrono::minutes(5);     // initial 220
  Duration command = std::chrono::minutes(5);      // EHLO, HELO, STARTTLS, AUTH, RSET, NOOP, QUIT
  Duration tls_handshake = std::chrono::minutes(2);
  Duration mail = std::chrono::minutes(5);
  Duration rcpt = std::chrono::minutes(5);
  Duration data_init = std::chrono::minutes(2);    // the reply to DATA (354)
  Duration data_block = std::chrono::minutes(3);   // each write of the message
  Duration data_end = std::chrono::minutes(10);    // the reply after the final "."
  // Every timeout set to `d`.
  static SmtpTimeouts all(Duration d);
};

struct SmtpClientOptions {
  std::string helo_name = "localhost";  // our name in EHLO/HELO (a FQDN in real use)
  StartTlsMode starttls = StartTlsMode::opportunistic;
  net::TlsClientSettings tls;  // CA file; verify=false for tests only
  // Name the certificate must carry; empty: the host given to connect().
  std::string tls_name;
  SmtpTimeouts timeouts;
  ReplyLimits limits;
};

enum class AuthMechanism { automatic, plain, login };  // automatic: PLAIN if offered, else LOGIN

class SmtpClient {
 public:
  using Duration = SmtpTimeouts::Duration;

  SmtpClient(boost::asio::any_io_executor ex, SmtpClientOptions options);

  // Resolves and connects to host:port (each address in turn).
  boost::asio::awaitable<void> connect(std::string_view host, std::uint16_t port);
  // The server's greeting (220 normally; a 554 or 421 is returned too).
  boost::asio::awaitable<SmtpReply> greeting();
  // EHLO helo_name; on a 5xx reply (a server without ESMTP) HELO instead,
  // whose reply is then returned. extensions() holds what a 250 EHLO
  // advertised (nothing after HELO).
  boost::asio::awaitable<SmtpReply> ehlo();
  // Applies options.starttls after ehlo(): sends STARTTLS when offered (or
  // throws SmtpError(tls) when required and not offered or refused), does
  // the verified handshake and sends EHLO again (RFC 3207 4.2: the server
  // forgets what it said). Returns true when the session is now encrypted.
  // A 4xx/5xx to STARTTLS in opportunistic mode leaves the session in
  // plaintext (false).
  boost::asio::awaitable<bool> starttls();
  // connect + greeting + ehlo + starttls. Returns the greeting when it is
  // not 2xx (the session is then over: send quit() or close()), else the
  // last EHLO/HELO reply.
  boost::asio::awaitable<SmtpReply> open(std::string_view host, std::uint16_t port);
  // AUTH with `mechanism` (must be advertised, else SmtpError(protocol)).
  // Returns the final reply (235 on success, 535 ...).
  boost::asio::awaitable<SmtpReply> auth(std::string_view user, std::string_view password,
                                         AuthMechanism mechanism = AuthMechanism::automatic);
  // MAIL FROM:<reverse_path> [params]: `reverse_path` without angle
  // brackets, empty for the null sender <>; `params` the raw ESMTP
  // parameters ("SIZE=1234 RET=HDRS ENVID=x"), empty for none.
  boost::asio::awaitable<SmtpReply> mail_from(std::string_view reverse_path, std::string_view params = {});
  // RCPT TO:<forward_path> [params] (same conventions).
  boost::asio::awaitable<SmtpReply> rcpt_to(std::string_view forward_path, std::string_view params = {});
  // MAIL FROM then RCPT TO (same conventions): both in one write when the
  // server offers PIPELINING (RFC 2920), one round trip instead of two.
  // Returns both replies; when MAIL is refused the RCPT reply is not
  // meaningful (without PIPELINING RCPT is then not sent: code 0).
  boost::asio::awaitable<std::pair<SmtpReply, SmtpReply>> mail_rcpt(std::string_view reverse_path,
                                                                    std::string_view mail_params,
                                                                    std::string_view forward_path,
                                                                    std::string_view rcpt_params);
  // Sends the transaction's message (after MAIL and an accepted RCPT) and
  // returns the server's verdict: 2xx taken, 4xx/5xx refused (then maybe
  // the reply to DATA itself: the message was not sent). Line ends are
  // made CRLF. With CHUNKING (RFC 3030) the message goes as one
  // "BDAT <n> LAST" chunk in the same write as the command, not
  // dot-stuffed: one round trip; otherwise DATA, and after 354 the
  // dot-stuffed message with its final "." in one write (a server then
  // wakes once for it). Any other reply (a 2xx/3xx to DATA other than 354,
  // a 1xx/3xx at the end) throws SmtpError(protocol): the session's state
  // is unknown.
  boost::asio::awaitable<SmtpReply> data(std::string_view message);
  // data() of `head` (header lines to put on top, CRLF-terminated) and
  // `message`, sent as one message without ever concatenating them: the
  // message goes out in blocks encoded one at a time, so sending it costs
  // a block's memory, not a copy (one message to many upstreams at once).
  boost::asio::awaitable<SmtpReply> data(std::string_view head, std::string_view message);
  boost::asio::awaitable<SmtpReply> rset();
  boost::asio::awaitable<SmtpReply> noop();
  // QUIT, then closes the connection.
  boost::asio::awaitable<SmtpReply> quit();
  // Any other command line (without CRLF), waiting `timeout` for its reply.
  boost::asio::awaitable<SmtpReply> command(std::string_view line, Duration timeout);

  // Closes the connection at once (no QUIT). Idempotent.
  void close();
  bool is_open() const { return stream_.is_open(); }
  // After data() threw: whether the whole message, its end included, had
  // been written, so the server may have taken it although no reply came
  // (RFC 5321 4.1.1.4).
  bool message_written() const { return message_written_; }
  bool encrypted() const { return stream_.encrypted(); }
  const EhloExtensions& extensions() const { return extensions_; }
  const std::string& host() const { return host_; }
  std::uint16_t port() const { return port_; }
  const SmtpClientOptions& options() const { return options_; }

 private:
  boost::asio::awaitable<void> send(std::string_view bytes, Duration timeout, const char* step);
  boost::asio::awaitable<SmtpReply> read_reply(Duration timeout, const char* step);
  boost::asio::awaitable<SmtpReply> exchange(std::string_view line, Duration timeout, const char* step);
  // Writes `command`, then `head` and `message` through `encoder`, in
  // writes of about a data block (each bounded by the data-block timeout),
  // then reads the reply to the end of the message.
  boost::asio::awaitable<SmtpReply> send_message(std::string command, std::string_view head, std::string_view message,
                                                 LineEncoder& encoder, const char* step);
  boost::asio::awaitable<SmtpReply> auth_login(std::string_view user, std::string_view password);
  [[noreturn]] void fail(const net::NetError& e, const std::string& prefix) const;
  std::string where() const;  // "host:port"

  SmtpClientOptions options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  net::NetStream stream_;
  ReplyReader reader_;
  std::string pending_;  // received, not yet framed
  std::array<char, 16 * 1024> buffer_{};
  EhloExtensions extensions_;
  bool message_written_ = false;
  SmtpReply last_ehlo_;
  std::string host_;
  std::uint16_t port_ = 0;
};

}  // namespace ndrlink::smtp
