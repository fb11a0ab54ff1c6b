#include "relay_session.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "await_all.h"

namespace ndrlink::daemon::relay {
namespace asio = boost::asio;
using asio::ip::tcp;

RelaySession::RelaySession(RelayContext& ctx, tcp::socket socket, std::function<void()> on_end)
    : ctx_(ctx),
      id_("s" + std::to_string(++ctx.next_session)),
      stream_(std::move(socket), *ctx.client_tls),
      deadline_(ctx.io),
      on_end_(std::move(on_end)),
      framer_(ctx.config.max_line_length),
      upstreams_(ctx, id_),
      txn_(ctx, upstreams_, id_) {
  boost::system::error_code ec;
  const auto ep = stream_.next_layer().remote_endpoint(ec);
  peer_ = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
}

void RelaySession::start() {
  auto self = shared_from_this();
  asio::co_spawn(ctx_.io, run(), [self](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("relay {}: session failed: {}", self->id_, ex.what());
    }
  });
}

void RelaySession::shutdown() {
  if (reading_) {
    boost::system::error_code ec;
    stream_.next_layer().cancel(ec);
  }
}

void RelaySession::arm() { arm_until(std::chrono::steady_clock::now() + ctx_.config.client_timeout); }

void RelaySession::arm_until(std::chrono::steady_clock::time_point deadline) {
  deadline_.expires_at(deadline);
  deadline_.async_wait([self = weak_from_this()](boost::system::error_code ec) {
    auto s = self.lock();
    if (ec || !s) return;
    s->end_ = End::timeout;
    boost::system::error_code ignored;
    s->stream_.next_layer().cancel(ignored);
  });
}

void RelaySession::disarm() { deadline_.cancel(); }

asio::awaitable<void> RelaySession::flush() {
  if (out_.empty() || end_ == End::error || end_ == End::eof) co_return;
  const std::string bytes = std::move(out_);
  out_.clear();
  boost::system::error_code ec;
  arm();
  if (tls_) co_await asio::async_write(stream_, asio::buffer(bytes), asio::redirect_error(asio::use_awaitable, ec));
  else co_await asio::async_write(stream_.next_layer(), asio::buffer(bytes), asio::redirect_error(asio::use_awaitable, ec));
  disarm();
  if (ec && end_ == End::none) end_ = End::error;
}

asio::awaitable<std::optional<InputLine>> RelaySession::next_line() {
  // The whole line must come within the client timeout, however it is cut
  // up: a client sending a byte now and then cannot hold the session (as
  // Postfix's smtpd_per_record_deadline).
  std::optional<std::chrono::steady_clock::time_point> line_deadline;
  while (!framer_.has_line()) {
    co_await flush();
    if (end_ != End::none) co_return std::nullopt;
    if (ctx_.stopping) {
      end_ = End::shutdown;
      co_return std::nullopt;
    }
    boost::system::error_code ec;
    std::size_t n = 0;
    reading_ = true;
    if (!line_deadline) line_deadline = std::chrono::steady_clock::now() + ctx_.config.client_timeout;
    arm_until(*line_deadline);
    if (tls_) n = co_await stream_.async_read_some(asio::buffer(buffer_), asio::redirect_error(asio::use_awaitable, ec));
    else n = co_await stream_.next_layer().async_read_some(asio::buffer(buffer_), asio::redirect_error(asio::use_awaitable, ec));
    disarm();
    reading_ = false;
    if (ec) {
      if (end_ == End::none) end_ = ctx_.stopping ? End::shutdown : ec == asio::error::eof ? End::eof : End::error;
      if (ec == asio::error::operation_aborted && end_ == End::error) end_ = End::shutdown;
      co_return std::nullopt;
    }
    framer_.feed(std::string_view(buffer_.data(), n));
  }
  co_return framer_.next();
}

asio::awaitable<void> RelaySession::run() {
  auto self = shared_from_this();
  spdlog::debug("relay {}: connection from {}", id_, peer_);
  try {
    co_await serve();
  } catch (const std::exception& e) {
    spdlog::error("relay {}: {}", id_, e.what());
  }
  if (txn_.open()) {
    const char* why = end_ == End::timeout    ? "client timed out before the end of DATA"
                      : end_ == End::shutdown ? "relay shut down before the end of DATA"
                                              : "client disconnected before the end of DATA";
    const std::string reason = why;
    co_await txn_.abandon(reason);
  }
  if (end_ == End::timeout || end_ == End::shutdown) {
    out_.clear();
    reply(421, end_ == End::timeout ? "4.4.2" : "4.3.2",
          ctx_.hostname + (end_ == End::timeout ? " Timeout, closing connection" : " Service shutting down, closing connection"));
    end_ = End::none;  // let flush write it
    co_await flush();
  }
  boost::system::error_code ec;
  stream_.next_layer().shutdown(tcp::socket::shutdown_both, ec);
  stream_.next_layer().close(ec);
  spdlog::debug("relay {}: closed", id_);
  if (on_end_) on_end_();
}

asio::awaitable<void> RelaySession::serve() {
  if (ctx_.stopping) {
    end_ = End::shutdown;
    co_return;
  }
  reply(220, "", ctx_.hostname + " ESMTP ndrlink relay");
  while (true) {
    auto line = co_await next_line();
    if (!line) co_return;
    if (line->too_long) {
      reply(500, "5.5.2", "Line too long");
      continue;
    }
    auto parsed = parse_command(line->text);
    if (auto* error = std::get_if<CommandError>(&parsed)) {
      reply(error->code, error->enhanced.c_str(), error->text);
      continue;
    }
    if (!co_await command(std::get<Command>(parsed))) co_return;
    if (ctx_.stopping && !txn_.open()) {
      co_await flush();  // the reply to the command that finished (a DATA's 250) goes out before the 421
      if (end_ == End::none) end_ = End::shutdown;
      co_return;
    }
  }
}

asio::awaitable<bool> RelaySession::command(const Command& cmd) {
  switch (cmd.verb) {
    case Verb::ehlo:
    case Verb::helo:
      co_await ehlo(cmd);
      break;
    case Verb::mail:
      co_await mail(cmd);
      break;
    case Verb::rcpt: {
      if (auto refused = local_rcpt_reply(cmd, 0)) {
        reply(*refused);
      } else {
        co_await flush();  // pipelined replies go out while the upstream is asked
        auto batch = pipelined_rcpts(cmd);
        if (batch.size() == 1) {
          const auto r = co_await txn_.rcpt(cmd);
          reply(r);
        } else {  // each its own upstream transaction: all at once, replies in order
          std::vector<smtp::SmtpReply> replies(batch.size());
          std::vector<asio::awaitable<void>> tasks;
          for (std::size_t i = 0; i < batch.size(); ++i) tasks.push_back(rcpt_into(batch[i], replies[i]));
          co_await await_all(std::move(tasks));
          for (const auto& r : replies) reply(r);
        }
      }
      break;
    }
    case Verb::data:
      co_await data();
      break;
    case Verb::rset:
      if (txn_.open()) {
        const std::string why = "client sent RSET before DATA";
        co_await txn_.abandon(why);
      }
      reply(250, "2.0.0", "Ok");
      break;
    case Verb::noop:
      reply(250, "2.0.0", "Ok");
      break;
    case Verb::vrfy:
      reply(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery");
      break;
    case Verb::expn:
      reply(502, "5.5.1", "EXPN not available");
      break;
    case Verb::help:
      reply(214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP STARTTLS");
      break;
    case Verb::starttls:
      co_return co_await starttls();
    case Verb::quit:
      if (txn_.open()) {
        const std::string why = "client sent QUIT before DATA";
        co_await txn_.abandon(why);
      }
      reply(221, "2.0.0", "Bye");
      co_await flush();
      co_return false;
    case Verb::not_implemented:
      reply(502, "5.5.1", "Command not implemented");
      break;
  }
  co_return true;
}

asio::awaitable<void> RelaySession::ehlo(const Command& cmd) {
  if (txn_.open()) {
    const std::string why = "client sent " + cmd.name + " before DATA";
    co_await txn_.abandon(why);
  }
  greeted_ = true;
  esmtp_ = cmd.verb == Verb::ehlo;
  if (!esmtp_) {
    reply(250, "", ctx_.hostname);
    co_return;
  }
  smtp::SmtpReply r;
  r.code = 250;
  r.lines = {ctx_.hostname, "PIPELINING", "SIZE " + std::to_string(ctx_.config.max_message_size), "8BITMIME",
             "SMTPUTF8", "DSN", "ENHANCEDSTATUSCODES"};
  if (ctx_.offer_starttls && !tls_) r.lines.push_back("STARTTLS");
  r.lines.push_back("HELP");
  reply(r);
}

asio::awaitable<void> RelaySession::mail(const Command& cmd) {
  if (!greeted_) {
    reply(503, "5.5.1", "Error: send EHLO or HELO first");
  } else if (txn_.open()) {
    reply(503, "5.5.1", "Error: nested MAIL command");
  } else if (!esmtp_ && !cmd.params.empty()) {
    reply(555, "5.5.4", "MAIL FROM parameters need EHLO");
  } else if (auto bad = check_mail_params(cmd)) {
    reply(bad->code, bad->enhanced.c_str(), bad->text);
  } else if (const auto* size = cmd.param("SIZE");
             size && (size->value.size() > 19 || std::stoull(size->value) > ctx_.config.max_message_size)) {
    reply(552, "5.3.4", "Message size exceeds fixed limit");
  } else {
    txn_.begin(cmd);
    reply(250, "2.1.0", "Ok");
  }
  co_return;
}

std::optional<smtp::SmtpReply> RelaySession::local_rcpt_reply(const Command& rcpt, std::size_t ahead) const {
  if (!txn_.open()) return local_reply(503, "5.5.1", "Error: need MAIL command");
  if (auto bad = check_rcpt_params(rcpt)) return local_reply(bad->code, bad->enhanced, bad->text);
  if (!esmtp_ && !rcpt.params.empty()) return local_reply(555, "5.5.4", "RCPT TO parameters need EHLO");
  if (txn_.attempted() + ahead >= ctx_.config.max_recipients)
    return local_reply(452, "4.5.3", "Error: too many recipients");
  return std::nullopt;
}

std::vector<Command> RelaySession::pipelined_rcpts(const Command& first) {
  std::vector<Command> batch{first};
  // Recipients that share an upstream transaction are asked one after another.
  if (!txn_.rcpts_in_parallel()) return batch;
  while (const InputLine* line = framer_.peek()) {
    if (line->too_long) break;
    auto parsed = parse_command(line->text);
    auto* next = std::get_if<Command>(&parsed);
    if (!next || next->verb != Verb::rcpt || local_rcpt_reply(*next, batch.size()))
      break;  // answered on its own, in order, by the loop
    batch.push_back(std::move(*next));
    framer_.next();
  }
  return batch;
}

asio::awaitable<void> RelaySession::rcpt_into(const Command& cmd, smtp::SmtpReply& out) {
  out = co_await txn_.rcpt(cmd);
}

asio::awaitable<void> RelaySession::data() {
  if (!txn_.open()) {
    reply(503, "5.5.1", "Error: need MAIL command");
    co_return;
  }
  if (txn_.accepted() == 0) {
    if (txn_.attempted() == 0) reply(503, "5.5.1", "Error: need RCPT command");
    else reply(554, "5.5.1", "Error: no valid recipients");
    co_return;
  }
  reply(354, "", "End data with <CR><LF>.<CR><LF>");
  DataCollector collector(ctx_.config.max_message_size);
  while (true) {
    auto line = co_await next_line();
    if (!line) co_return;  // run() abandons the transaction
    if (collector.add(*line)) break;
  }
  if (collector.too_big() || collector.line_too_long()) {
    const bool big = collector.too_big();
    const std::string why = big ? "message larger than relay.max_message_size" : "message line too long";
    co_await txn_.abandon(why);
    if (big) reply(552, "5.3.4", "Message size exceeds fixed limit");
    else reply(500, "5.5.2", "Line too long");
    co_return;
  }
  const std::string message = collector.take();
  const auto r = co_await txn_.data(message);
  reply(r);
}

asio::awaitable<bool> RelaySession::starttls() {
  if (!ctx_.offer_starttls) {
    reply(502, "5.5.1", "STARTTLS not available");
    co_return true;
  }
  if (tls_) {
    reply(503, "5.5.1", "TLS already active");
    co_return true;
  }
  // Anything the client sent after STARTTLS before the handshake would be
  // taken as sent over TLS (RFC 3207 5, CVE-2011-0411): dropped.
  framer_.clear();
  reply(220, "2.0.0", "Ready to start TLS");
  co_await flush();
  if (end_ != End::none) co_return false;
  boost::system::error_code ec;
  arm();
  co_await stream_.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
  disarm();
  if (ec) {
    spdlog::warn("relay {}: TLS handshake with {} failed: {}", id_, peer_, ec.message());
    end_ = End::error;
    co_return false;
  }
  tls_ = true;
  greeted_ = esmtp_ = false;  // RFC 3207 4.2: start over with EHLO
  if (txn_.open()) {
    const std::string why = "client started TLS before DATA";
    co_await txn_.abandon(why);
  }
  co_return true;
}

}  // namespace ndrlink::daemon::relay
