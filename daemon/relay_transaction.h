// One client mail transaction (MAIL .. DATA) relayed upstream: each RCPT
// goes to the upstream at once, so the client gets the upstream's real
// reply, which is recorded (2xx: an acceptance under a reserved id; 4xx/5xx:
// a refusal). With VERP each recipient gets its own upstream transaction
// whose MAIL FROM is its VERP address; without, recipients of one upstream
// share one transaction with the client's sender. DATA sends the message
// to every upstream transaction that accepted someone, all at once.
// Tagging and the replies' rules: docs/relay.md.
//
// Contract: nothing is recorded as accepted that an upstream did not
// accept; an acceptance whose message did not go out (DATA refused, an
// upstream failure, RSET, QUIT or a disconnect before the final ".") is
// marked not sent, so it is never presumed delivered. An upstream failure
// gives the client a 4xx, never a 2xx.
#pragma once

#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <vector>

#include "relay_command.h"
#include "relay_upstream.h"

namespace ndrlink::daemon::relay {

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

  // The reply to the client's RCPT TO.
  boost::asio::awaitable<smtp::SmtpReply> rcpt(const Command& rcpt);
  // Sends `message` (CRLF, unstuffed) upstream; the reply to the final ".".
  boost::asio::awaitable<smtp::SmtpReply> data(const std::string& message);
  // Ends the transaction without a message; `why` goes on the
  // acceptances' "not sent" mark.
  boost::asio::awaitable<void> abandon(const std::string& why);

 private:
  struct Recipient {
    std::string address;
    std::int64_t acceptance_id = 0;
    std::string token;
  };
  // One upstream transaction.
  struct Leg {
    std::unique_ptr<smtp::SmtpClient> client;
    std::string envid;
    std::vector<Recipient> accepted;
    std::string failure;  // a transport failure: the connection is gone
  };

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
  boost::asio::awaitable<void> mark_not_sent(Leg& leg, int code, const std::string& enhanced,
                                             const std::string& text);
  // What one leg's DATA came to: `failed` is a transport failure (then
  // `reply` is empty).
  struct Sent {
    smtp::SmtpReply reply;
    bool failed = false;
  };
  // Sends the message on `leg`; records a refusal or failure (not the
  // Message-ID: data() writes that once for all legs). Never throws.
  boost::asio::awaitable<void> send(Leg& leg, const std::string& message, const std::string& added_id,
                                    const std::string& message_id, Sent& out);

  RelayContext& ctx_;
  Upstreams& upstreams_;
  std::string session_;
  bool open_ = false;
  std::string sender_;
  Command mail_;
  std::size_t attempted_ = 0;
  std::vector<std::unique_ptr<Leg>> legs_;
};

}  // namespace ndrlink::daemon::relay
