// ndrlink probe ADDR: ask the address's MX whether it takes mail for ADDR
// (EHLO, STARTTLS, MAIL FROM, RCPT TO, QUIT), explain the reply, and with
// --send deliver a short test message whose acceptance is recorded so that
// its outcome gets resolved. See docs/cli.md and docs/probe.md.
#include <utility>  // before Asio (Boost 1.74)

#include <unistd.h>

#include <openssl/rand.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "context.h"
#include "probe_verdict.h"
#include "smtp_client.h"
#include "smtp_data.h"
#include "smtp_mx.h"
#include "smtp_records.h"

namespace ndrlink::cli {
namespace {
namespace asio = boost::asio;

struct ProbeArgs {
  std::string address, mx, from, helo, starttls = "opportunistic", tls_ca, format = "text";
  double timeout = 60;
  bool send = false;
};

struct ProbeResult {
  std::string address, mx_host;
  std::uint16_t port = 0;
  bool tls = false;
  std::vector<std::string> ehlo;
  std::optional<smtp::SmtpReply> mail_reply, rcpt_reply, data_reply;
  Verdict verdict = Verdict::error;
  std::string meaning, error;
  std::vector<std::string> attempts;  // hosts that failed before (or instead of) an answer
  std::optional<std::int64_t> acceptance_id;
  std::string message_id;
};

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) throw std::runtime_error("no random bytes");
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (auto b : raw) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

std::string default_helo() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

std::string rfc5322_date(correlator::TimePoint t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

// The --send test message: plain text, identified three ways (Message-ID,
// X-Ndrlink-Id, and the ENVID of the envelope) so a bounce links back.
std::string test_message(const ProbeArgs& a, const std::string& from, const std::string& message_id,
                         const std::string& token, correlator::TimePoint now) {
  std::string m;
  m += "From: " + (from.empty() ? "MAILER-DAEMON@" + a.helo : from) + "\r\n";
  m += "To: " + a.address + "\r\n";
  m += "Subject: ndrlink delivery test\r\n";
  m += "Date: " + rfc5322_date(now) + "\r\n";
  m += "Message-ID: " + message_id + "\r\n";
  m += "X-Ndrlink-Id: " + token + "\r\n";
  m += "Auto-Submitted: auto-generated\r\n";
  m += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n";
  m += "This is a delivery test sent by `ndrlink probe --send` from " + a.helo + ".\r\n";
  m += "It checks that mail to " + a.address + " arrives; no reply is needed.\r\n";
  return m;
}

// Records the accepted recipient (source "probe") and gives it its token.
storage::RecordOutcome record(storage::Store& store, const correlator::VerpSigner& signer,
                              const storage::NewAcceptance& a) {
  storage::Transaction tx(store);
  const auto outcome = store.record_acceptance(a, [&](std::int64_t id) { return signer.token_for(id); });
  tx.commit();
  return outcome;
}

// A message refused at DATA will never be delivered: the acceptance is
// marked (data_reply_*, bounced with the reason the parser's classifier
// gives the reply, so the sweeper never presumes it delivered) and the
// refusal is counted for the report, in one transaction — as the relay does.
void mark_data_refused(storage::Store& store, std::int64_t id, const storage::NewAcceptance& a,
                       const smtp::SmtpReply& reply, correlator::TimePoint now) {
  storage::Transaction tx(store);
  auto n = smtp::not_sent_mark(reply.code, reply.enhanced, reply.text(), correlator::to_iso(now));
  n.acceptance_id = id;
  store.mark_not_sent(n);
  auto refusal = smtp::refusal_from_reply(reply, a.recipient, a.sender, a.mx_host, "data", "probe");
  refusal.refused_at = n.at;
  store.record_refusal(refusal);
  tx.commit();
}

class Probe {
 public:
  Probe(const ProbeArgs& args, smtp::SmtpClientOptions options, ProbeResult& result)
      : args_(args), options_(std::move(options)), r_(result) {}

  asio::awaitable<void> run(std::vector<smtp::MxHost> hosts) {
    for (const auto& host : hosts) {
      if (co_await try_host(host)) co_return;
    }
    r_.verdict = r_.verdict == Verdict::temporary ? Verdict::temporary : Verdict::error;
    r_.error = r_.attempts.empty() ? "no host to try" : r_.attempts.back();
    r_.meaning = "the probe could not ask the question: no MX host completed the session up to RCPT.";
  }

 private:
  // True when this host answered the RCPT question (or failed after it).
  asio::awaitable<bool> try_host(const smtp::MxHost& host) {
    const auto executor = co_await asio::this_coro::executor;
    smtp::SmtpClient client(executor, options_);
    const std::string where = host.host + ":" + std::to_string(host.port);
    try {
      const auto hello = co_await client.open(host.host, host.port);
      if (!hello.positive()) {
        r_.attempts.push_back(where + ": " + hello.summary());
        if (hello.transient()) r_.verdict = Verdict::temporary;
        co_await quit(client);
        co_return false;
      }
      r_.mx_host = host.host;
      r_.port = host.port;
      r_.tls = client.encrypted();
      r_.ehlo = client.extensions().list();
      co_await transaction(client);
      co_await quit(client);
      co_return true;
    } catch (const smtp::SmtpError& e) {
      if (r_.rcpt_reply) {  // failed after the answer, during DATA: keep the answer
        r_.error = e.what();
        if (r_.acceptance_id && !r_.data_reply) {
          r_.verdict = Verdict::error;
          r_.meaning = "the recipient was accepted, but the connection failed during DATA: the message may or may "
                       "not have been accepted; acceptance " + std::to_string(*r_.acceptance_id) +
                       " stays pending until a bounce or the grace period resolves it.";
        }
        co_return true;
      }
      r_.attempts.push_back(e.what());
      r_.mx_host.clear();
      r_.mail_reply.reset();
      co_return false;
    }
  }

  asio::awaitable<void> transaction(smtp::SmtpClient& client) {
    const bool dsn = args_.send && client.extensions().dsn;
    const std::string envid = dsn ? "ndrlink-probe-" + random_hex(8) : "";
    std::string mail_params = dsn ? "RET=HDRS ENVID=" + smtp::xtext_encode(envid) : "";
    r_.mail_reply = co_await client.mail_from(args_.from, mail_params);
    if (!r_.mail_reply->positive()) {
      r_.verdict = r_.mail_reply->transient() ? Verdict::temporary : Verdict::error;
      r_.meaning = "the server refused the sender (MAIL FROM) before the address could be tested; try another --from.";
      co_return;
    }
    const std::string rcpt_params = dsn ? "NOTIFY=FAILURE,DELAY ORCPT=rfc822;" + smtp::xtext_encode(args_.address) : "";
    r_.rcpt_reply = co_await client.rcpt_to(args_.address, rcpt_params);
    r_.verdict = rcpt_verdict(*r_.rcpt_reply);
    r_.meaning = rcpt_meaning(*r_.rcpt_reply);
    if (!args_.send) co_return;
    if (r_.rcpt_reply->positive()) {
      co_await send(client, envid);
    } else if (r_.rcpt_reply->code >= 400 && r_.rcpt_reply->code <= 599) {
      // --send records what happened: a refusal counts in the report.
      auto store = open_store();
      auto refusal = smtp::refusal_from_reply(*r_.rcpt_reply, args_.address, args_.from, r_.mx_host, "rcpt", "probe");
      refusal.refused_at = correlator::to_iso(cli_clock()());
      store->record_refusal(refusal);
    }
  }

  asio::awaitable<void> send(smtp::SmtpClient& client, const std::string& envid) {
    const auto now = cli_clock()();
    auto store = open_store();
    const auto signer = load_signer(true);
    r_.message_id = "<" + random_hex(12) + ".probe@" + args_.helo + ">";
    auto a = smtp::acceptance_from_reply(*r_.rcpt_reply, args_.address, args_.from, r_.mx_host, "probe");
    a.message_id = r_.message_id;
    a.envid = envid;
    a.accepted_at = correlator::to_iso(now);
    // Recorded before DATA: a failure from here on still leaves the record.
    const auto outcome = record(*store, *signer, a);
    r_.acceptance_id = outcome.id;
    const std::string message = test_message(args_, args_.from, r_.message_id, signer->token_for(outcome.id), now);
    r_.data_reply = co_await client.data(message);
    if (r_.data_reply->positive()) {
      r_.meaning += " The test message was accepted and recorded as acceptance " + std::to_string(outcome.id) +
                    "; a bounce or DSN resolves it, or it is presumed delivered after the grace period.";
      co_return;
    }
    mark_data_refused(*store, outcome.id, a, *r_.data_reply, now);
    r_.verdict = r_.data_reply->transient() ? Verdict::temporary : Verdict::refused;
    r_.meaning = "the recipient was accepted at RCPT time but the message was refused at DATA (" +
                 r_.data_reply->summary() + "); acceptance " + std::to_string(outcome.id) + " is marked bounced.";
  }

  static asio::awaitable<void> quit(smtp::SmtpClient& client) {
    try {
      co_await client.quit();
    } catch (const smtp::SmtpError&) {
      // The answer is in hand; a server that drops QUIT changes nothing.
    }
    client.close();
  }

  const ProbeArgs& args_;
  smtp::SmtpClientOptions options_;
  ProbeResult& r_;
};

nlohmann::ordered_json reply_json(const std::optional<smtp::SmtpReply>& r) {
  if (!r) return nullptr;
  return {{"code", r->code}, {"enhanced", r->enhanced.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(r->enhanced)},
          {"text", r->text()}};
}

void print(const ProbeResult& r, const std::string& format) {
  if (format == "json") {
    nlohmann::ordered_json j;
    j["address"] = r.address;
    j["mx"] = r.mx_host.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(r.mx_host);
    j["port"] = r.mx_host.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(r.port);
    j["tls"] = r.tls;
    j["ehlo_extensions"] = r.ehlo;
    j["mail_reply"] = reply_json(r.mail_reply);
    j["rcpt_reply"] = reply_json(r.rcpt_reply);
    if (r.data_reply) j["data_reply"] = reply_json(r.data_reply);
    j["meaning"] = r.meaning;
    j["verdict"] = verdict_name(r.verdict);
    if (r.acceptance_id) j["acceptance_id"] = *r.acceptance_id;
    if (!r.message_id.empty()) j["message_id"] = r.message_id;
    if (!r.error.empty()) j["error"] = r.error;
    if (!r.attempts.empty()) j["attempts"] = r.attempts;
    std::cout << j.dump() << '\n';
    return;
  }
  auto line = [](const char* key, const std::string& value) {
    std::cout << key << std::string(12 - std::string(key).size(), ' ') << value << '\n';
  };
  line("address:", r.address);
  for (const auto& a : r.attempts) line("failed:", a);
  if (!r.mx_host.empty()) line("mx:", r.mx_host + ":" + std::to_string(r.port) + (r.tls ? " (TLS)" : " (plaintext)"));
  if (!r.ehlo.empty()) {
    std::string list;
    for (const auto& e : r.ehlo) list += (list.empty() ? "" : ", ") + e;
    line("ehlo:", list);
  }
  if (r.mail_reply) line("mail from:", r.mail_reply->summary());
  if (r.rcpt_reply) line("rcpt to:", r.rcpt_reply->summary());
  if (r.data_reply) line("data:", r.data_reply->summary());
  if (r.acceptance_id) line("recorded:", "acceptance " + std::to_string(*r.acceptance_id) + " " + r.message_id);
  if (!r.error.empty() && (r.attempts.empty() || r.attempts.back() != r.error)) line("error:", r.error);
  line("verdict:", verdict_name(r.verdict));
  line("meaning:", r.meaning);
}

int run_probe(ProbeArgs args) {
  ProbeResult result;
  result.address = args.address;
  const std::string domain = smtp::domain_of(args.address);
  if (domain.empty() || args.address.find_first_of("<> \t\r\n") != std::string::npos) {
    std::cerr << "ndrlink probe: not an address: " << args.address << '\n';
    return 2;
  }
  const auto mode = smtp::parse_starttls_mode(args.starttls);
  if (!mode) {
    std::cerr << "ndrlink probe: --starttls must be no, opportunistic or required\n";
    return 2;
  }
  if (args.helo.empty()) args.helo = default_helo();
  // The null sender <> is what address verifiers use, and many servers
  // treat it specially (no callouts, stricter limits, "<> not allowed"),
  // so by default the probe looks like ordinary mail from this host's
  // postmaster (RFC 5321 4.5.1: it must exist). --from '<>' gives <>.
  if (args.from.empty()) args.from = "postmaster@" + args.helo;
  if (args.from == "<>") args.from.clear();

  smtp::SmtpClientOptions options;
  options.helo_name = args.helo;
  options.starttls = *mode;
  options.tls.ca_file = args.tls_ca;
  options.timeouts = smtp::SmtpTimeouts::all(std::chrono::milliseconds(static_cast<long>(args.timeout * 1000)));

  std::vector<smtp::MxHost> hosts;
  try {
    if (!args.mx.empty())
      hosts.push_back(smtp::parse_host_port(args.mx));
    else
      hosts = smtp::DnsMxResolver().resolve(domain);
  } catch (const smtp::MxError& e) {
    result.error = e.what();
    const bool no_mail = e.kind() == smtp::MxError::Kind::no_mail || e.kind() == smtp::MxError::Kind::no_domain;
    result.verdict = no_mail ? Verdict::refused : Verdict::error;
    result.meaning = no_mail ? "refused: the domain takes no mail (" + std::string(e.what()) + ")."
                             : "the probe could not find the domain's mail servers.";
    print(result, args.format);
    return exit_status(result.verdict);
  }
  try {
    asio::io_context io;
    Probe probe(args, options, result);
    std::exception_ptr failure;
    asio::co_spawn(io, probe.run(hosts), [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure) std::rethrow_exception(failure);
  } catch (const std::exception& e) {  // the store, the TLS setup: the probe itself failed
    result.error = e.what();
    result.verdict = Verdict::error;
    if (result.meaning.empty()) result.meaning = "the probe failed: " + std::string(e.what());
  }
  print(result, args.format);
  return exit_status(result.verdict);
}

}  // namespace

void add_probe_command(CLI::App& app, Action& run) {
  auto args = std::make_shared<ProbeArgs>();
  auto* cmd = app.add_subcommand("probe", "Ask an address's mail server whether it accepts the address (RCPT TO)");
  cmd->add_option("address", args->address, "The address to probe")->required();
  cmd->add_option("--mx", args->mx, "Ask this host[:port] instead of the domain's MX hosts");
  cmd->add_option("--from", args->from, "MAIL FROM address (default postmaster@<helo name>; '<>' for the null sender)");
  cmd->add_option("--helo", args->helo, "Name to give in EHLO (default: this host's name)");
  cmd->add_option("--starttls", args->starttls, "no | opportunistic | required (default opportunistic)")
      ->check(CLI::IsMember({"no", "none", "opportunistic", "required"}));
  cmd->add_option("--tls-ca", args->tls_ca, "CA certificates (PEM) to verify the server with (default: system store)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--timeout", args->timeout, "Seconds to wait for each reply (default 60)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--send", args->send, "Send a short test message and record the acceptance (needs the store)");
  cmd->add_option("--format", args->format, "text | json")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([&run, args] { run = [args] { return run_probe(*args); }; });
}

}  // namespace ndrlink::cli
