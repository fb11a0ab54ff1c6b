#include "smtp_client.h"

#include <openssl/evp.h>

#include <boost/asio/buffer.hpp>

#include "smtp_data.h"

namespace ndrlink::smtp {
namespace asio = boost::asio;

namespace {

std::string base64(std::string_view raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

SmtpError::Kind kind_of(net::NetError::Kind k) {
  switch (k) {
    case net::NetError::Kind::connect: return SmtpError::Kind::connect;
    case net::NetError::Kind::timeout: return SmtpError::Kind::timeout;
    case net::NetError::Kind::tls: return SmtpError::Kind::tls;
    case net::NetError::Kind::closed:
    case net::NetError::Kind::io: break;
  }
  return SmtpError::Kind::closed;
}

// Data goes out in blocks, each bounded by the data-block timeout.
constexpr std::size_t kDataBlock = 64 * 1024;

}  // namespace

const char* kind_name(SmtpError::Kind kind) {
  switch (kind) {
    case SmtpError::Kind::connect: return "connect";
    case SmtpError::Kind::timeout: return "timeout";
    case SmtpError::Kind::tls: return "tls";
    case SmtpError::Kind::protocol: return "protocol";
    case SmtpError::Kind::closed: return "closed";
  }
  return "unknown";
}

std::optional<StartTlsMode> parse_starttls_mode(std::string_view text) {
  if (text == "none" || text == "no") return StartTlsMode::none;
  if (text == "opportunistic") return StartTlsMode::opportunistic;
  if (text == "required") return StartTlsMode::required;
  return std::nullopt;
}

SmtpTimeouts SmtpTimeouts::all(Duration d) {
  SmtpTimeouts t;
  t.connect = t.greeting = t.command = t.tls_handshake = t.mail = t.rcpt = t.data_init = t.data_block = t.data_end = d;
  return t;
}

namespace {
std::shared_ptr<asio::ssl::context> client_context(const SmtpClientOptions& o) {
  try {
    // Plaintext sessions never verify anything: no CA store to load.
    if (o.starttls == StartTlsMode::none) return net::make_client_tls_context({"", false});
    return net::make_client_tls_context(o.tls);
  } catch (const net::NetError& e) {
    throw SmtpError(SmtpError::Kind::tls, e.what());
  }
}
}  // namespace

SmtpClient::SmtpClient(asio::any_io_executor ex, SmtpClientOptions options)
    : options_(std::move(options)), tls_(client_context(options_)), stream_(ex, tls_), reader_(options_.limits) {}

std::string SmtpClient::where() const { return host_ + ":" + std::to_string(port_); }

void SmtpClient::fail(const net::NetError& e, const std::string& prefix) const {
  throw SmtpError(kind_of(e.kind()), prefix + e.what());
}

void SmtpClient::close() { stream_.close(); }

asio::awaitable<void> SmtpClient::connect(std::string_view host, std::uint16_t port) {
  host_ = std::string(host);
  port_ = port;
  try {
    co_await stream_.connect(host_, port_, options_.timeouts.connect);
  } catch (const net::NetError& e) {
    fail(e, "");
  }
}

asio::awaitable<void> SmtpClient::send(std::string_view bytes, Duration timeout, const char* step) {
  try {
    co_await stream_.write(bytes, timeout);
  } catch (const net::NetError& e) {
    fail(e, where() + ": " + step + ": ");
  }
}

asio::awaitable<SmtpReply> SmtpClient::read_reply(Duration timeout, const char* step) {
  while (true) {
    try {
      if (!pending_.empty()) pending_.erase(0, reader_.feed(pending_));
    } catch (const SmtpProtocolError& e) {
      throw SmtpError(SmtpError::Kind::protocol, where() + ": " + step + ": " + e.what());
    }
    if (reader_.ready()) co_return reader_.take();
    std::size_t n = 0;
    try {
      n = co_await stream_.read_some(asio::buffer(buffer_), timeout, step);
    } catch (const net::NetError& e) {
      fail(e, where() + ": ");
    }
    pending_.assign(buffer_.data(), n);
  }
}

asio::awaitable<SmtpReply> SmtpClient::exchange(std::string_view line, Duration timeout, const char* step) {
  // A CR or LF inside an argument would smuggle a second command.
  if (line.find_first_of("\r\n") != std::string_view::npos)
    throw SmtpError(SmtpError::Kind::protocol, where() + ": " + step + ": refusing to send a line containing CR or LF");
  std::string wire(line);
  wire += "\r\n";
  co_await send(wire, timeout, step);
  co_return co_await read_reply(timeout, step);
}

asio::awaitable<SmtpReply> SmtpClient::greeting() { co_return co_await read_reply(options_.timeouts.greeting, "greeting"); }

asio::awaitable<SmtpReply> SmtpClient::ehlo() {
  std::string line = "EHLO " + options_.helo_name;
  SmtpReply reply = co_await exchange(line, options_.timeouts.command, "EHLO");
  extensions_ = parse_ehlo(reply);
  if (reply.permanent()) {
    line = "HELO " + options_.helo_name;
    reply = co_await exchange(line, options_.timeouts.command, "HELO");
  }
  last_ehlo_ = reply;
  co_return reply;
}

asio::awaitable<bool> SmtpClient::starttls() {
  if (options_.starttls == StartTlsMode::none || stream_.encrypted()) co_return stream_.encrypted();
  const bool required = options_.starttls == StartTlsMode::required;
  if (!extensions_.starttls) {
    if (required)
      throw SmtpError(SmtpError::Kind::tls, where() + ": STARTTLS required, but the server does not offer it");
    co_return false;
  }
  const SmtpReply reply = co_await exchange("STARTTLS", options_.timeouts.command, "STARTTLS");
  if (reply.code != 220) {
    if (required) throw SmtpError(SmtpError::Kind::tls, where() + ": STARTTLS refused: " + reply.summary());
    co_return false;
  }
  // Anything after the 220 was sent in plaintext and must not be read as
  // if it came over TLS (CVE-2011-0411).
  if (!pending_.empty() || !reader_.idle())
    throw SmtpError(SmtpError::Kind::protocol,
                    where() + ": STARTTLS: the server sent data before the TLS handshake (STARTTLS injection?)");
  const std::string name = options_.tls_name.empty() ? host_ : options_.tls_name;
  try {
    co_await stream_.start_tls(name, options_.timeouts.tls_handshake);
  } catch (const net::NetError& e) {
    fail(e, where() + ": STARTTLS: ");
  }
  extensions_ = EhloExtensions{};
  const SmtpReply again = co_await ehlo();
  if (!again.positive())
    throw SmtpError(SmtpError::Kind::protocol, where() + ": EHLO after STARTTLS: " + again.summary());
  co_return true;
}

asio::awaitable<SmtpReply> SmtpClient::open(std::string_view host, std::uint16_t port) {
  co_await connect(host, port);
  SmtpReply hello = co_await greeting();
  if (!hello.positive()) co_return hello;
  SmtpReply reply = co_await ehlo();
  if (!reply.positive()) co_return reply;
  co_await starttls();
  co_return last_ehlo_;
}

asio::awaitable<SmtpReply> SmtpClient::auth(std::string_view user, std::string_view password,
                                            AuthMechanism mechanism) {
  const bool plain = extensions_.auth.count("PLAIN") > 0, login = extensions_.auth.count("LOGIN") > 0;
  if (mechanism == AuthMechanism::automatic)
    mechanism = plain ? AuthMechanism::plain : login ? AuthMechanism::login : AuthMechanism::automatic;
  if (mechanism == AuthMechanism::automatic || (mechanism == AuthMechanism::plain && !plain) ||
      (mechanism == AuthMechanism::login && !login))
    throw SmtpError(SmtpError::Kind::protocol,
                    where() + ": AUTH: the server does not offer " +
                        (mechanism == AuthMechanism::plain   ? std::string("PLAIN")
                         : mechanism == AuthMechanism::login ? std::string("LOGIN")
                                                             : std::string("PLAIN or LOGIN")));
  if (mechanism == AuthMechanism::login) co_return co_await auth_login(user, password);
  std::string token;
  token += '\0';
  token += user;
  token += '\0';
  token += password;
  const std::string line = "AUTH PLAIN " + base64(token);
  co_return co_await exchange(line, options_.timeouts.command, "AUTH");
}

asio::awaitable<SmtpReply> SmtpClient::auth_login(std::string_view user, std::string_view password) {
  SmtpReply reply = co_await exchange("AUTH LOGIN", options_.timeouts.command, "AUTH");
  if (reply.code != 334) co_return reply;
  std::string line = base64(user);
  reply = co_await exchange(line, options_.timeouts.command, "AUTH");
  if (reply.code != 334) co_return reply;
  line = base64(password);
  co_return co_await exchange(line, options_.timeouts.command, "AUTH");
}

namespace {
std::string path_line(const char* verb, std::string_view path, std::string_view params) {
  std::string line = std::string(verb) + "<" + std::string(path) + ">";
  if (!params.empty()) line += " " + std::string(params);
  return line;
}
}  // namespace

asio::awaitable<SmtpReply> SmtpClient::mail_from(std::string_view reverse_path, std::string_view params) {
  co_return co_await exchange(path_line("MAIL FROM:", reverse_path, params), options_.timeouts.mail, "MAIL");
}

asio::awaitable<SmtpReply> SmtpClient::rcpt_to(std::string_view forward_path, std::string_view params) {
  co_return co_await exchange(path_line("RCPT TO:", forward_path, params), options_.timeouts.rcpt, "RCPT");
}

asio::awaitable<std::pair<SmtpReply, SmtpReply>> SmtpClient::mail_rcpt(std::string_view reverse_path,
                                                                       std::string_view mail_params,
                                                                       std::string_view forward_path,
                                                                       std::string_view rcpt_params) {
  if (!extensions_.pipelining) {
    const SmtpReply mail = co_await mail_from(reverse_path, mail_params);
    if (!mail.positive()) co_return std::pair{mail, SmtpReply{}};
    co_return std::pair{mail, co_await rcpt_to(forward_path, rcpt_params)};
  }
  const std::string mail_line = path_line("MAIL FROM:", reverse_path, mail_params);
  const std::string rcpt_line = path_line("RCPT TO:", forward_path, rcpt_params);
  for (const auto& line : {mail_line, rcpt_line})
    if (line.find_first_of("\r\n") != std::string::npos)
      throw SmtpError(SmtpError::Kind::protocol, where() + ": MAIL: refusing to send a line containing CR or LF");
  // RFC 2920: one write, then the replies in order.
  co_await send(mail_line + "\r\n" + rcpt_line + "\r\n", options_.timeouts.mail, "MAIL");
  SmtpReply mail = co_await read_reply(options_.timeouts.mail, "MAIL");
  SmtpReply rcpt = co_await read_reply(options_.timeouts.rcpt, "RCPT");
  co_return std::pair{std::move(mail), std::move(rcpt)};
}

asio::awaitable<SmtpReply> SmtpClient::data(std::string_view message) {
  const std::string_view no_head;
  co_return co_await data(no_head, message);
}

asio::awaitable<SmtpReply> SmtpClient::data(std::string_view head, std::string_view message) {
  message_written_ = false;
  if (extensions_.chunking) {
    // BDAT needs the size first: the encoded size, counted block by block
    // unless the message is in canonical form already (the usual case).
    LineEncoder encoder(false);
    std::size_t size = head.size() + message.size();
    if (!is_crlf_lines(head) || !is_crlf_lines(message)) {
      size = 0;
      std::string scratch;
      for (const std::string_view part : {head, message}) {
        for (std::size_t at = 0; at < part.size(); at += kDataBlock) {
          scratch.clear();
          encoder.feed(part.substr(at, kDataBlock), scratch);
          size += scratch.size();
        }
      }
      scratch.clear();
      encoder.finish(scratch);
      size += scratch.size();
      encoder = LineEncoder(false);
    }
    std::string command = "BDAT " + std::to_string(size) + " LAST\r\n";
    co_return co_await send_message(std::move(command), head, message, encoder, "BDAT");
  }
  const SmtpReply go = co_await exchange("DATA", options_.timeouts.data_init, "DATA");
  if (go.code != 354) {
    if (go.code < 400)
      throw SmtpError(SmtpError::Kind::protocol, where() + ": DATA: unexpected reply " + go.summary());
    co_return go;
  }
  LineEncoder stuffer(true);
  std::string none;
  co_return co_await send_message(std::move(none), head, message, stuffer, "DATA");
}

asio::awaitable<SmtpReply> SmtpClient::send_message(std::string command, std::string_view head,
                                                    std::string_view message, LineEncoder& encoder,
                                                    const char* step) {
  // The command goes in the first block: one segment for a small message.
  std::string block = std::move(command);
  for (const std::string_view part : {head, message}) {
    for (std::size_t at = 0; at < part.size(); at += kDataBlock) {
      encoder.feed(part.substr(at, kDataBlock), block);
      if (block.size() >= kDataBlock) {
        co_await send(block, options_.timeouts.data_block, step);
        block.clear();
      }
    }
  }
  encoder.finish(block);
  if (!block.empty()) co_await send(block, options_.timeouts.data_block, step);
  message_written_ = true;
  const std::string what = std::string("end of ") + step;
  SmtpReply reply = co_await read_reply(options_.timeouts.data_end, what.c_str());
  if (reply.code < 200 || (reply.code >= 300 && reply.code < 400))
    throw SmtpError(SmtpError::Kind::protocol, where() + ": " + what + ": unexpected reply " + reply.summary());
  co_return reply;
}

asio::awaitable<SmtpReply> SmtpClient::rset() { co_return co_await exchange("RSET", options_.timeouts.command, "RSET"); }

asio::awaitable<SmtpReply> SmtpClient::noop() { co_return co_await exchange("NOOP", options_.timeouts.command, "NOOP"); }

asio::awaitable<SmtpReply> SmtpClient::quit() {
  const SmtpReply reply = co_await exchange("QUIT", options_.timeouts.command, "QUIT");
  close();
  co_return reply;
}

asio::awaitable<SmtpReply> SmtpClient::command(std::string_view line, Duration timeout) {
  co_return co_await exchange(line, timeout, "command");
}

}  // namespace ndrlink::smtp
