// One client mail transaction (MAIL .. DATA) relayed upstream: each RCPT
// goes to the upstream at once, so the client gets the upstream's real
// reply. With VERP by recipient each recipient gets its own upstream
// transaction whose MAIL FROM is its VERP address (a reserved acceptance
// id's token); by message, or without VERP, recipients of one upstream
// share one transaction, tagged with its first recipient's token (MAIL
// FROM is that token's VERP address by message, else the client's
// sender). DATA sends the message to every upstream transaction that
// accepted someone, all at once. Tagging and the replies' rules:
// docs/relay.md.
//
// Recording: a 4xx/5xx RCPT reply is recorded as a refusal at once. The
// 2xx replies are kept until the client's message is complete, then
// written with its Message-ID in one store write (group-committed with
// other sessions'), committed before anything goes upstream. When the
// message never goes out (DATA refused, an upstream failure, RSET, QUIT or
// a disconnect before the final ".") they are recorded marked not sent,
// so never presumed delivered.
//
// Contract: nothing goes out unrecorded (when the acceptances cannot be
// written, no DATA goes upstream and DATA answers 4xx); nothing is
// recorded as accepted that an upstream did not accept; an upstream
// failure gives the client a 4xx, never a 2xx.
#pragma once

#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "relay_command.h"
#include "relay_upstream.h"

namespace ndrlink::daemon::relay {

// An upstream's reply passed to the client as the relay's own: a 421 (the
// upstream closing its channel, RFC 5321 3.8) becomes 451 with the
// upstream's text, since the client's channel to the relay stays open.
smtp::SmtpReply as_client_reply(smtp::SmtpReply reply);
// A reply made by the relay itself.
smtp::SmtpReply local_reply(int code, std::string enhanced, std::string text);
// The reply on the wire: every line "NNN-" / "NNN " with the enhanced
// status repeated, CRLF ends.
std::string wire(const smtp::SmtpReply& reply);

class RelayTransaction {
 public:
  RelayTransaction(RelayContext& ctx, Upstreams& upstreams, std::string session)
      : ctx_(ctx), upstreams_(upstreams), session_(std::move(session)) {}

  // MAIL FROM was valid: a new transaction with this sender and params.
  void begin(const Command& mail);
  bool open() const { return open_; }
  std::size_t accepted() const;
  std::size_t attempted() const { return attempted_; }
  // Whether RCPTs the client pipelined may be asked upstream at once: each
  // in its own upstream transaction (VERP by recipient, and XVERP neither
  // on an open leg nor, before one, on the last upstream connection).
  bool rcpts_in_parallel() const;

  // The reply to the client's RCPT TO.
  boost::asio::awaitable<smtp::SmtpReply> rcpt(const Command& rcpt);
  // Sends `message` (CRLF, unstuffed) upstream; the reply to the final ".".
  boost::asio::awaitable<smtp::SmtpReply> data(const std::string& message);
  // Ends the transaction without a message; `why` goes on the
  // acceptances' "not sent" mark.
  boost::asio::awaitable<void> abandon(const std::string& why);

 private:
  // What one upstream transaction's DATA came to.
  struct Sent {
    smtp::SmtpReply reply;  // to the end of the message, or to DATA when it refused
    bool failed = false;    // a transport failure or a reply out of protocol (the leg's failure says what)
    // Failed after the whole message was written, while waiting for the
    // verdict: the upstream may have taken it (RFC 5321 4.1.1.4).
    bool maybe_taken = false;
  };
  // One upstream transaction.
  struct Leg {
    Connection client;
    // The first recipient's VERP token: the return path with VERP, the
    // X-Ndrlink-Id, the ENVID, and every acceptance's copy_token.
    std::string token;
    std::string envid;
    // The upstream makes each recipient's VERP address (XVERP): the leg
    // takes every recipient for its host, as without VERP.
    bool xverp = false;
    std::vector<storage::NewAcceptance> accepted;  // written with the message (or not sent); ids in reserved_id
    std::string failure;  // a transport failure: the connection is gone
    Sent sent;
  };

  bool holds_connection() const;  // some leg has an upstream connection
  // Why `client`'s server cannot take the envelope with `rcpt`: a non-ASCII
  // address without SMTPUTF8 there (RFC 6531 3.4); nullopt when it can.
  std::optional<smtp::SmtpReply> envelope_refusal(const smtp::SmtpClient& client, const std::string& rcpt) const;
  // Why it cannot take the message (`eight_bit`: it has a byte >= 0x80)
  // as it is: declared SMTPUTF8 without SMTPUTF8 there, or declared
  // BODY=8BITMIME without 8BITMIME there (RFC 6152 3: the relay does not
  // convert, it refuses); nullopt when it can.
  std::optional<smtp::SmtpReply> content_refusal(const smtp::SmtpClient& client, bool eight_bit) const;
  std::string mail_params(const smtp::SmtpClient& client, const std::string& envid) const;
  std::string rcpt_params(const smtp::SmtpClient& client, const Command& rcpt) const;
  // A new upstream transaction whose first recipient is `rcpt` (MAIL and
  // RCPT pipelined when offered): its RCPT reply in `rcpt_reply`; nullptr
  // and `refusal` when MAIL was refused.
  boost::asio::awaitable<Leg*> open_leg(const std::vector<smtp::MxHost>& hosts, const Recorded& reserved,
                                        const Command& rcpt, smtp::SmtpReply& refusal, smtp::SmtpReply& rcpt_reply);
  boost::asio::awaitable<void> record_refusal(const std::string& rcpt, const smtp::SmtpReply& reply,
                                              const std::string& mx_host, const char* stage);
  boost::asio::awaitable<void> end_leg(Leg& leg);  // RSET and park, or close
  // The leg's acceptances to write (with `why`: marked never sent).
  static RelayWrite write_of(const Leg& leg, const std::string& why = {});
  // Writes `writes`; logs and counts what failed. True for each written.
  boost::asio::awaitable<std::vector<bool>> record(std::vector<RelayWrite> writes, const char* what);
  boost::asio::awaitable<void> record_writes(std::vector<RelayWrite> writes);  // record(), results only logged
  // Marks a written leg's acceptances not sent (its message was refused or
  // lost after the records were committed).
  boost::asio::awaitable<void> mark_not_sent(Leg& leg, int code, const std::string& enhanced,
                                             const std::string& text);
  // The message on `leg` (BDAT, or DATA and the final "."): leg.sent.
  // Never throws.
  boost::asio::awaitable<void> send(Leg& leg, const std::string& message, const std::string& added_id);
  // A copy refused at DATA (leg.sent.reply), by the upstream or here
  // (content_refusal), its acceptances marked already: a refusal recorded
  // per recipient, the upstream transaction reset.
  boost::asio::awaitable<void> refused_at_data(Leg& leg);
  // After DATA: parks the connection of an accepted copy; marks a refused
  // or failed one not sent (and records the refusal).
  boost::asio::awaitable<void> settle(Leg& leg, const std::string& message_id);

  RelayContext& ctx_;
  Upstreams& upstreams_;
  std::string session_;
  bool open_ = false;
  std::string sender_;
  Command mail_;
  std::size_t attempted_ = 0;
  std::vector<std::unique_ptr<Leg>> legs_;
  std::size_t opening_ = 0;  // open_leg() calls in flight (pipelined RCPTs)
  std::size_t asking_ = 0;   // rcpt() calls in flight (pipelined RCPTs asked at once)
};

}  // namespace ndrlink::daemon::relay
