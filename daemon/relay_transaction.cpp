#include "relay_transaction.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>

#include "await_all.h"
#include "ndrlink/correlator/clock.h"
#include "relay_message.h"
#include "smtp_data.h"
#include "smtp_records.h"

namespace ndrlink::daemon::relay {
namespace asio = boost::asio;

namespace {

bool has_non_ascii(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

smtp::SmtpReply as_client_reply(smtp::SmtpReply reply) {
  if (reply.code == 421) reply.code = 451;
  return reply;
}

smtp::SmtpReply local_reply(int code, std::string enhanced, std::string text) {
  smtp::SmtpReply r;
  r.code = code;
  r.enhanced = std::move(enhanced);
  r.lines.push_back(std::move(text));
  return r;
}

std::string wire(const smtp::SmtpReply& reply) {
  std::string out;
  const std::string code = std::to_string(reply.code);
  for (std::size_t i = 0; i < reply.lines.size(); ++i) {
    out += code;
    out += i + 1 == reply.lines.size() ? ' ' : '-';
    if (!reply.enhanced.empty()) out += reply.enhanced + " ";
    out += reply.lines[i];
    out += "\r\n";
  }
  if (reply.lines.empty()) out = code + (reply.enhanced.empty() ? "" : " " + reply.enhanced) + "\r\n";
  return out;
}

void RelayTransaction::begin(const Command& mail) {
  open_ = true;
  mail_ = mail;
  sender_ = mail.path;
  attempted_ = 0;
  legs_.clear();
}

std::optional<smtp::SmtpReply> RelayTransaction::envelope_refusal(const smtp::SmtpClient& client,
                                                                  const std::string& rcpt) const {
  if (client.extensions().smtputf8) return std::nullopt;
  // With VERP the sender upstream is the (ASCII) VERP address.
  if (!has_non_ascii(rcpt) && (ctx_.config.verp || !has_non_ascii(sender_))) return std::nullopt;
  return local_reply(553, "5.6.7", client.host() + " does not accept non-ASCII addresses (no SMTPUTF8)");
}

std::optional<smtp::SmtpReply> RelayTransaction::content_refusal(const smtp::SmtpClient& client,
                                                                 bool eight_bit) const {
  const auto& ext = client.extensions();
  // A message declared SMTPUTF8 may carry UTF-8 in any header, a MIME
  // part's included (RFC 6531 3.2): any 8-bit byte counts.
  if (eight_bit && mail_.param("SMTPUTF8") && !ext.smtputf8)
    return local_reply(550, "5.6.9", client.host() + " does not accept UTF-8 headers (no SMTPUTF8)");
  const auto* body = mail_.param("BODY");
  if (eight_bit && body && upper(body->value) == "8BITMIME" && !ext.eightbitmime)
    return local_reply(554, "5.6.3", client.host() + " does not accept 8-bit data (no 8BITMIME); not converted");
  return std::nullopt;
}

bool RelayTransaction::rcpts_in_parallel() const {
  if (!ctx_.config.transaction_per_recipient()) return false;
  if (ctx_.xverp_param.empty()) return true;
  if (legs_.empty()) return !ctx_.xverp_last_offered;
  return std::none_of(legs_.begin(), legs_.end(), [](const auto& l) { return l->xverp; });
}

bool RelayTransaction::holds_connection() const {
  return std::any_of(legs_.begin(), legs_.end(), [](const auto& l) { return l->client != nullptr; });
}

std::size_t RelayTransaction::accepted() const {
  std::size_t n = 0;
  for (const auto& l : legs_) n += l->accepted.size();
  return n;
}

std::string RelayTransaction::mail_params(const smtp::SmtpClient& client, const std::string& envid) const {
  const auto& ext = client.extensions();
  std::string out;
  const auto add = [&](const std::string& p) { out += (out.empty() ? "" : " ") + p; };
  if (const auto* size = mail_.param("SIZE"); size && ext.size) add("SIZE=" + size->value);
  if (const auto* body = mail_.param("BODY"); body && ext.eightbitmime) add("BODY=" + upper(body->value));
  if (mail_.param("SMTPUTF8") && ext.smtputf8) add("SMTPUTF8");
  if (ext.dsn) {
    const auto* ret = mail_.param("RET");
    if (ret) add("RET=" + upper(ret->value));
    else if (!envid.empty()) add("RET=HDRS");
    if (!envid.empty()) add("ENVID=" + smtp::xtext_encode(envid));
    else if (const auto* e = mail_.param("ENVID")) add("ENVID=" + e->value);
  }
  return out;
}

std::string RelayTransaction::rcpt_params(const smtp::SmtpClient& client, const Command& rcpt) const {
  if (!client.extensions().dsn) return {};
  std::string out;
  if (const auto* notify = rcpt.param("NOTIFY")) out = "NOTIFY=" + upper(notify->value);
  else if (ctx_.config.envid) out = "NOTIFY=FAILURE,DELAY";
  // ORCPT puts the address the client gave in the DSN's Original-Recipient,
  // which links the bounce when the final recipient was rewritten (an
  // alias, a forward). A UTF-8 address would need utf-8-addr (RFC 6533).
  if (const auto* orcpt = rcpt.param("ORCPT")) out += (out.empty() ? "" : " ") + ("ORCPT=" + orcpt->value);
  else if (ctx_.config.envid && !has_non_ascii(rcpt.path))
    out += (out.empty() ? "" : " ") + ("ORCPT=rfc822;" + smtp::xtext_encode(rcpt.path));
  return out;
}

asio::awaitable<void> RelayTransaction::record_refusal(const std::string& rcpt, const smtp::SmtpReply& reply,
                                                       const std::string& mx_host, const char* stage) {
  const auto r = smtp::refusal_from_reply(reply, rcpt, sender_, mx_host, stage, "relay");
  try {
    const auto id = co_await ctx_.recorder.refused(r);
    spdlog::info("relay {}: {} <{}>: {} -> refusal {} ({})", session_, upper(stage), rcpt, reply.summary(), id,
                 mx_host.empty() ? "relay" : mx_host);
  } catch (const std::exception& e) {
    ++ctx_.stats.errors;
    spdlog::error("relay {}: {} <{}>: {}: refusal not recorded: {}", session_, upper(stage), rcpt, reply.summary(),
                  e.what());
  }
}

asio::awaitable<void> RelayTransaction::end_leg(Leg& leg) {
  if (!leg.client) co_return;
  if (leg.failure.empty() && leg.client->is_open()) {
    try {
      const auto r = co_await leg.client->rset();
      if (r.positive()) {
        upstreams_.park(std::move(leg.client));
        co_return;
      }
    } catch (const smtp::SmtpError& e) {
      spdlog::debug("relay {}: upstream RSET: {}", session_, e.what());
    }
  }
  leg.client->close();
  leg.client.reset();
}

asio::awaitable<void> RelayTransaction::mark_not_sent(Leg& leg, int code, const std::string& enhanced,
                                                      const std::string& text) {
  std::vector<std::int64_t> ids;
  for (const auto& r : leg.accepted) ids.push_back(r.reserved_id);
  if (ids.empty()) co_return;
  try {
    const int n = co_await ctx_.recorder.not_sent(ids, code, enhanced, text);
    spdlog::info("relay {}: {} acceptance(s) from {} marked not sent: {}{}", session_, n, ids.front(),
                 code ? std::to_string(code) + " " : std::string(), text);
  } catch (const std::exception& e) {
    ++ctx_.stats.errors;
    spdlog::error("relay {}: acceptance(s) from {} not marked not sent ({}): {}; retrying every {} s", session_,
                  ids.front(), text, e.what(), RelayRecorder::kRetryMark.count());
    ctx_.recorder.retry_not_sent(std::move(ids), code, enhanced, text);
  }
}

asio::awaitable<RelayTransaction::Leg*> RelayTransaction::open_leg(const std::vector<smtp::MxHost>& hosts,
                                                                   const Recorded& reserved, const Command& rcpt,
                                                                   smtp::SmtpReply& refusal,
                                                                   smtp::SmtpReply& rcpt_reply) {
  auto leg = std::make_unique<Leg>();
  leg->token = reserved.verp_token;
  smtp::SmtpReply mail;
  // Waiting for a free slot is for a transaction that holds no other
  // upstream connection and opens no other (pipelined RCPTs), checked
  // each time it would wait: two holding ones could wait for each other.
  ++opening_;
  struct Opened {
    std::size_t& n;
    ~Opened() { --n; }
  } opened{opening_};
  const std::function<bool()> may_wait = [this] { return !holds_connection() && opening_ == 1; };
  // A kept connection may have been closed by the server meanwhile: then
  // once more on a new one.
  for (bool fresh : {false, true}) {
    bool reused = false;
    leg->client.reset();  // a stale one gives its slot back first
    leg->client = co_await upstreams_.connect(hosts, reused, may_wait, fresh);
    if (auto why = envelope_refusal(*leg->client, rcpt.path)) {  // nothing sent: the connection stays good
      upstreams_.park(std::move(leg->client));
      refusal = *why;
      co_return nullptr;
    }
    leg->envid = ctx_.config.envid && leg->client->extensions().dsn ? leg->token : std::string();
    leg->xverp = !ctx_.xverp_param.empty() && leg->client->extensions().has("XVERP");
    ctx_.xverp_last_offered = leg->xverp;
    const std::string from = leg->xverp         ? ctx_.xverp_sender
                             : ctx_.config.verp ? ctx_.verp_prefix + leg->token + "@" + ctx_.verp_domain
                                                : sender_;
    std::string params = mail_params(*leg->client, leg->envid);
    if (leg->xverp) params += (params.empty() ? "" : " ") + ctx_.xverp_param;
    const std::string to_params = rcpt_params(*leg->client, rcpt);
    bool stale = false;
    try {
      // MAIL and the first RCPT in one round trip when pipelined.
      std::tie(mail, rcpt_reply) = co_await leg->client->mail_rcpt(from, params, rcpt.path, to_params);
      // A 421 there is the upstream's idle timeout, sent while it was kept.
      if (reused && mail.code == 421) {
        spdlog::debug("relay {}: kept upstream connection was closed ({}), opening another", session_, mail.summary());
        stale = true;
      }
    } catch (const smtp::SmtpError& e) {
      if (!reused) throw;
      spdlog::debug("relay {}: kept upstream connection is gone ({}), opening another", session_, e.what());
      stale = true;
    }
    if (!stale) break;
    leg->client->close();
    if (fresh)  // a kept one handed over after a wait was gone as well
      throw smtp::SmtpError(smtp::SmtpError::Kind::closed,
                            leg->client->host() + ": upstream connections closed before MAIL, twice");
  }
  if (!mail.positive()) {
    refusal = mail;
    co_await end_leg(*leg);
    co_return nullptr;
  }
  legs_.push_back(std::move(leg));
  co_return legs_.back().get();
}

asio::awaitable<smtp::SmtpReply> RelayTransaction::rcpt(const Command& cmd) {
  ++attempted_;
  ++asking_;
  struct Asked {
    std::size_t& n;
    ~Asked() { --n; }
  } asked{asking_};
  const std::string address = cmd.path;
  const std::string domain = smtp::domain_of(address);
  if (domain.empty()) co_return local_reply(550, "5.1.1", "<" + address + ">: no local delivery on this relay");
  // An address literal would make the relay connect wherever a client
  // says, internal hosts included: only when configured (DNS MX routing;
  // a smarthost or a static map decides the host itself).
  if (domain.front() == '[' && ctx_.resolver_blocks && !ctx_.config.address_literals) {
    const auto reply = local_reply(550, "5.7.1", "<" + address + ">: address literals are not relayed here");
    const std::string none;
    co_await record_refusal(address, reply, none, "rcpt");
    co_return reply;
  }
  Recorded reserved;
  try {
    reserved = co_await ctx_.recorder.reserve();
  } catch (const std::exception& e) {
    ++ctx_.stats.errors;
    spdlog::error("relay {}: RCPT <{}>: cannot reserve an acceptance id: {}", session_, address, e.what());
    co_return local_reply(451, "4.3.0", "Local error: cannot record, try again later");
  }
  std::vector<smtp::MxHost> hosts;
  std::optional<smtp::MxError> route_error;
  try {
    hosts = co_await upstreams_.route(domain);
  } catch (const smtp::MxError& e) {
    route_error = e;
  }
  if (route_error) {
    using K = smtp::MxError::Kind;
    spdlog::warn("relay {}: RCPT <{}>: {}", session_, address, route_error->what());
    if (route_error->kind() == K::temporary || route_error->kind() == K::unknown)
      co_return local_reply(451, "4.4.3", "Cannot route to " + domain + ", try again later");
    const auto reply = route_error->kind() == K::no_mail
                           ? local_reply(556, "5.1.10", domain + " accepts no mail (null MX)")
                           : local_reply(550, "5.1.2", "Domain " + domain + " not found");
    const std::string none;
    co_await record_refusal(address, reply, none, "rcpt");
    co_return reply;
  }
  if ((has_non_ascii(address) || has_non_ascii(sender_)) && !mail_.param("SMTPUTF8"))
    co_return local_reply(553, "5.6.7", "Non-ASCII address needs SMTPUTF8");
  // The leg: a new upstream transaction per recipient with VERP by
  // recipient (unless the upstream makes the VERP addresses: XVERP), else
  // the open one to the domain's first host, or the one an earlier
  // recipient of the domain reached (a backup MX after a failover). An
  // XVERP leg is joined only by a recipient asked alone: RCPTs asked at
  // once (a guess that the upstream has no XVERP) must not share a
  // connection, nor join a leg whose first recipient may yet be refused.
  Leg* leg = nullptr;
  const auto serves_domain = [&](const Leg& l) {
    return std::any_of(l.accepted.begin(), l.accepted.end(),
                       [&](const storage::NewAcceptance& a) { return smtp::domain_of(a.recipient) == domain; });
  };
  const bool shared = !ctx_.config.transaction_per_recipient();
  for (auto& l : legs_)
    if ((shared || (l->xverp && asking_ == 1)) && l->failure.empty() && l->client &&
        ((l->client->host() == hosts.front().host && l->client->port() == hosts.front().port) || serves_domain(*l)))
      leg = l.get();
  smtp::SmtpReply reply;
  std::string mx_host = hosts.front().host;
  std::optional<smtp::SmtpReply> refusal;  // before RCPT: greeting, AUTH or MAIL FROM refused
  std::optional<smtp::SmtpError> failure;
  try {
    if (!leg) {
      smtp::SmtpReply mail_refusal;
      leg = co_await open_leg(hosts, reserved, cmd, mail_refusal, reply);
      if (!leg) refusal = mail_refusal;
      else mx_host = leg->client->host();
    } else {
      mx_host = leg->client->host();
      if (auto why = envelope_refusal(*leg->client, address)) {
        refusal = *why;
      } else {
        const std::string params = rcpt_params(*leg->client, cmd);
        reply = co_await leg->client->rcpt_to(address, params);
      }
    }
  } catch (const Unavailable& u) {
    refusal = u.reply;
  } catch (const AtCapacity& busy) {
    spdlog::warn("relay {}: RCPT <{}>: {} upstream connections to {} already (relay.upstream_max_per_host)", session_,
                 address, ctx_.config.upstream_max_per_host, busy.host);
    // Holding other connections: the client sends the rest in another
    // transaction (RFC 5321 4.5.3.1.10); else it tries again later.
    co_return !busy.waited ? local_reply(452, "4.5.3", "Too many upstream connections to " + busy.host +
                                                      " at once, send the other recipients in another transaction")
                      : local_reply(451, "4.4.5", "Too many upstream connections to " + busy.host + ", try again later");
  } catch (const smtp::SmtpError& e) {
    failure = e;
  }
  if (refusal) {
    co_await record_refusal(address, *refusal, mx_host, "rcpt");
    co_return as_client_reply(*refusal);
  }
  if (failure) {
    ++ctx_.stats.errors;
    spdlog::warn("relay {}: RCPT <{}>: upstream failed: {}", session_, address, failure->what());
    if (leg) {
      leg->failure = failure->what();
      leg->client->close();
    }
    co_return local_reply(451, "4.4.1", "Upstream " + mx_host + " unavailable (" + smtp::kind_name(failure->kind()) +
                                            "), try again later");
  }
  if (!reply.positive()) {
    co_await record_refusal(address, reply, mx_host, "rcpt");
    if (reply.code == 421) {  // the upstream closes the connection: its other recipients wait for DATA in vain
      leg->failure = "upstream closed the connection: " + reply.summary();
      leg->client->close();
    }
    // The transaction's tag (return path, ENVID, header) is its first
    // recipient's token, whose acceptance a refused one never gets: the
    // next recipient starts a new transaction under its own.
    if (leg->accepted.empty()) {
      co_await end_leg(*leg);
      std::erase_if(legs_, [leg](const auto& l) { return l.get() == leg; });
    }
    co_return as_client_reply(reply);
  }
  auto a = smtp::acceptance_from_reply(reply, address, sender_, mx_host, "relay");
  a.envid = leg->envid;
  a.copy_token = leg->token;
  a.reserved_id = reserved.id;
  a.accepted_at = correlator::to_iso(ctx_.clock());
  leg->accepted.push_back(std::move(a));
  spdlog::info("relay {}: RCPT <{}>: {} -> acceptance {} ({})", session_, address, reply.summary(), reserved.id,
               mx_host);
  co_return reply;
}

RelayWrite RelayTransaction::write_of(const Leg& leg, const std::string& why) {
  RelayWrite w;
  for (const auto& r : leg.accepted) w.acceptances.push_back(r);
  if (!why.empty()) {
    w.not_sent = true;
    w.text = why;
  }
  return w;
}

asio::awaitable<std::vector<bool>> RelayTransaction::record(std::vector<RelayWrite> writes, const char* what) {
  std::vector<std::int64_t> first;
  for (const auto& w : writes)
    first.push_back(w.acceptances.empty() ? 0 : w.acceptances.front().reserved_id);
  const auto results = co_await ctx_.recorder.write(std::move(writes));
  std::vector<bool> ok;
  for (std::size_t i = 0; i < results.size(); ++i) {
    ok.push_back(!results[i].error);
    if (!results[i].error) {
      ctx_.stats.acceptances += results[i].recorded.size();
      continue;
    }
    ++ctx_.stats.errors;
    try {
      std::rethrow_exception(results[i].error);
    } catch (const std::exception& e) {
      spdlog::error("relay {}: acceptance(s) from {}: {} not written: {}", session_, first[i], what, e.what());
    }
  }
  co_return ok;
}

asio::awaitable<void> RelayTransaction::send(Leg& leg, const std::string& message, const std::string& added_id) {
  auto& out = leg.sent;
  try {
    const std::string tag = ctx_.config.header ? leg.token : std::string();
    const std::string head = top_headers(added_id, tag);
    out.reply = co_await leg.client->data(head, message);  // the copies share `message`
  } catch (const smtp::SmtpError& e) {
    leg.failure = e.what();  // a transport failure or a reply out of protocol
    out.maybe_taken = leg.client->message_written();
  }
  out.failed = !leg.failure.empty();
}

asio::awaitable<void> RelayTransaction::settle(Leg& leg, const std::string& message_id) {
  if (leg.sent.failed) {
    ++ctx_.stats.errors;
    leg.client->close();
    // After the whole message, the upstream may have taken it (RFC 5321
    // 4.1.1.4): the client retries all the same, as Postfix's client defers
    // ("message may be sent more than once"); the mark says so.
    const std::string why = (leg.sent.maybe_taken ? "upstream failed after the whole message was sent (it may have "
                                                    "been taken, and then arrives twice): "
                                                  : "upstream failed during DATA: ") +
                            leg.failure,
                      none;
    spdlog::warn("relay {}: DATA {}: {}", session_, message_id, why);
    co_await mark_not_sent(leg, 0, none, why);
    co_return;
  }
  const auto& reply = leg.sent.reply;
  if (reply.positive()) {
    spdlog::info("relay {}: DATA {} to {}: {} (acceptance(s) from {})", session_, message_id, leg.client->host(),
                 reply.summary(), leg.accepted.front().reserved_id);
    upstreams_.park(std::move(leg.client));
    co_return;
  }
  co_await mark_not_sent(leg, reply.code, reply.enhanced, reply.text());
  co_await refused_at_data(leg);
}

asio::awaitable<void> RelayTransaction::refused_at_data(Leg& leg) {
  for (const auto& r : leg.accepted)
    co_await record_refusal(r.recipient, leg.sent.reply, leg.client->host(), "data");
  co_await end_leg(leg);  // RSET: the upstream transaction had MAIL and RCPT
}

asio::awaitable<smtp::SmtpReply> RelayTransaction::data(const std::string& message) {
  std::string message_id = find_message_id(message);
  std::string added;
  if (message_id.empty()) message_id = added = make_message_id(ctx_.hostname);
  bool failed = false;
  // One store write (group-committed with other sessions'): the acceptances
  // of every upstream transaction about to get the message, with its
  // Message-ID, and, marked not sent, those of transactions that failed
  // before DATA or whose upstream cannot take the message as it is.
  // Nothing goes upstream before it is committed.
  std::vector<Leg*> ready, cannot_take;  // cannot_take: the upstream cannot take the message as it is
  std::vector<RelayWrite> writes, unsent;  // the ready legs' first: `recorded` below is indexed like `ready`
  std::vector<asio::awaitable<void>> tasks;
  // Scanned (up to max_message_size) only when some upstream lacks an
  // extension 8-bit data may need.
  const bool eight_bit = std::any_of(legs_.begin(), legs_.end(),
                                     [](const auto& l) {
                                       return l->client && (!l->client->extensions().eightbitmime ||
                                                            !l->client->extensions().smtputf8);
                                     }) &&
                         has_non_ascii(message);
  for (auto& leg : legs_) {
    if (leg->accepted.empty()) {
      tasks.push_back(end_leg(*leg));
    } else if (!leg->failure.empty()) {
      failed = true;
      unsent.push_back(write_of(*leg, "upstream failed before DATA: " + leg->failure));
    } else if (auto why = content_refusal(*leg->client, eight_bit)) {
      // Refused here, in the same write: never sent, with the refusal.
      spdlog::info("relay {}: DATA {} not sent to {}: {} (acceptance(s) from {})", session_, message_id,
                   leg->client->host(), why->summary(), leg->accepted.front().reserved_id);
      leg->sent.reply = *why;
      cannot_take.push_back(leg.get());
      unsent.push_back(write_of(*leg, why->text()));
      unsent.back().code = why->code;
      unsent.back().enhanced = why->enhanced;
    } else {
      ready.push_back(leg.get());
      writes.push_back(write_of(*leg));
      writes.back().message_id = message_id;
    }
  }
  writes.insert(writes.end(), std::make_move_iterator(unsent.begin()), std::make_move_iterator(unsent.end()));
  const auto recorded = co_await record(std::move(writes), "acceptances");
  std::vector<Leg*> copies;  // recorded: the message goes out
  writes.clear();
  for (auto* leg : cannot_take) tasks.push_back(refused_at_data(*leg));
  for (std::size_t i = 0; i < ready.size(); ++i) {
    Leg& leg = *ready[i];
    if (i < recorded.size() && recorded[i]) {
      copies.push_back(&leg);
      tasks.push_back(send(leg, message, added));
    } else {  // nothing unrecorded goes out
      failed = true;
      writes.push_back(write_of(leg, "not sent: its acceptances could not be recorded"));
      tasks.push_back(end_leg(leg));
    }
  }
  tasks.push_back(record_writes(std::move(writes)));
  // All copies at once: with VERP, one after another their round trips
  // would add up.
  co_await await_all(std::move(tasks));
  std::optional<smtp::SmtpReply> ok, refused, deferred;  // deferred: a 4xx, its recipients wait for a retry
  if (!cannot_take.empty()) refused = cannot_take.front()->sent.reply;
  for (auto* leg : copies) {
    co_await settle(*leg, message_id);
    const auto& reply = leg->sent.reply;
    if (leg->sent.failed) failed = true;
    else if (reply.positive()) ok = reply;
    else if (reply.transient() && !deferred) deferred = reply;
    else if (reply.permanent() && !refused) refused = reply;
  }
  // A 250 would stand for the deferred copy too, and nobody would retry it;
  // a 5xx would make the client bounce it.
  if (ok && deferred) failed = true;
  const std::size_t sent = copies.size();
  legs_.clear();
  open_ = false;
  if (failed) {
    // An upstream failure (or acceptances that could not be recorded)
    // left some accepted recipients without the message: the client must
    // retry — duplicates of the copies that did go out are the lesser harm
    // than a silent loss.
    co_return local_reply(451, "4.4.2", "Upstream failed for some recipients, try again later");
  }
  if (ok) {
    // Some or all accepted: 250 (RFC 5321 has no per-recipient DATA reply
    // outside LMTP); copies refused by an upstream are recorded as such.
    if (sent == 1) co_return *ok;
    co_return local_reply(250, "2.0.0", "Ok: " + message_id + " relayed in " + std::to_string(sent) +
                                            " upstream transaction(s)");
  }
  if (deferred) co_return as_client_reply(*deferred);
  if (refused) co_return *refused;
  co_return local_reply(451, "4.4.2", "Upstream failed during DATA, try again later");
}

asio::awaitable<void> RelayTransaction::record_writes(std::vector<RelayWrite> writes) {
  co_await record(std::move(writes), "Message-ID or not sent");
}

asio::awaitable<void> RelayTransaction::abandon(const std::string& why) {
  std::vector<RelayWrite> writes;
  for (const auto& leg : legs_)
    if (!leg->accepted.empty()) writes.push_back(write_of(*leg, why));
  const auto n = writes.size();
  co_await record(std::move(writes), "not sent");
  if (n) spdlog::info("relay {}: {} upstream transaction(s) recorded not sent: {}", session_, n, why);
  for (auto& leg : legs_) co_await end_leg(*leg);
  legs_.clear();
  open_ = false;
}

}  // namespace ndrlink::daemon::relay
