#include "classifier.h"

#include "ndrlink/parser/parser.h"

#include <algorithm>
#include <array>

#include "reason_phrases.h"
#include "text.h"

namespace ndrlink::parser {
namespace {

// Reasons a status code or first guess may name while the text still knows
// better: the classifier keeps looking when it has one of these.
constexpr std::string_view kRetryable[] = {"undefined", "onhold",       "systemerror", "securityerror", "expired",
                                           "suspend",   "networkerror", "hostunknown", "userunknown"};
bool retryable(std::string_view reason) {
  return reason.empty() || std::find(std::begin(kRetryable), std::end(kRetryable), reason) != std::end(kRetryable);
}

// Which reasons' phrases one (lower-cased) diagnostic contains. Each
// reason's table is scanned at most once however often the passes ask.
class PhraseHits {
 public:
  explicit PhraseHits(std::string_view lowered) : lowered_(lowered), bigrams_(lowered) {}
  std::string_view text() const { return lowered_; }
  bool says(std::string_view reason) {
    for (std::size_t i = 0; i < used_; ++i)
      if (seen_[i].first == reason) return seen_[i].second;
    bool hit = false;
    for (auto p : phrases_for(reason))
      if (bigrams_.may_match(p) && (hit = text::matches(lowered_, p))) break;
    if (used_ < seen_.size()) seen_[used_++] = {reason, hit};
    return hit;
  }

 private:
  std::string_view lowered_;
  text::Bigrams bigrams_;
  std::array<std::pair<std::string_view, bool>, 48> seen_{};
  std::size_t used_ = 0;
};

// First pass: reasons decided by their status code or their own phrases.
constexpr std::string_view kFirstPass[] = {
    "mailboxfull", "mesgtoobig",     "exceedlimit",   "suspend",       "hasmoved",     "norelaying",
    "authfailure", "userunknown",    "filtered",      "requireptr",    "notcompliantrfc", "badreputation",
    "rejected",    "hostunknown",    "spamdetected",  "speeding",      "toomanyconn",  "blocked"};

// Second pass, when the code is missing or generic: phrases only.
constexpr std::string_view kSecondPass[] = {
    "mailboxfull",   "authfailure",  "badreputation", "speeding",     "virusdetected", "spamdetected",
    "policyviolation", "norelaying", "systemerror",   "networkerror", "suspend",      "contenterror",
    "systemfull",    "notaccept",    "expired",       "securityerror", "mailererror"};

bool before_data(std::string_view command) {
  return command == "CONN" || command == "EHLO" || command == "HELO" || command == "MAIL" || command == "RCPT";
}

bool first_pass_true(std::string_view reason, std::string_view code_reason, PhraseHits& hits,
                     std::string_view command) {
  if (reason == "userunknown") {
    if (code_reason == "suspend") return false;
    if (code_reason == "userunknown") {
      // 5.1.1 with a text that names another cause: the text wins.
      for (auto other : {"norelaying", "blocked", "mailboxfull", "hasmoved", "rejected", "notaccept"})
        if (hits.says(other)) return false;
      return true;
    }
    return command == "RCPT" && hits.says("userunknown");
  }
  if (reason == "filtered") {
    if (code_reason == "suspend") return false;
    if (code_reason == "filtered") return hits.says("userunknown") || hits.says("filtered");
    // A code naming another definite cause (5.7.25 ...) outweighs "address rejected".
    if (!retryable(code_reason)) return hits.says("filtered");
    if (before_data(command)) return false;
    return hits.says("filtered") || hits.says("userunknown");
  }
  // 5.2.3 "message length exceeds administrative limit" is the recipient's limit.
  if (reason == "mesgtoobig" && code_reason == "exceedlimit") return false;
  // Content is only read after DATA: spam phrases before it mean a block.
  if (reason == "spamdetected" && before_data(command)) return code_reason == reason;
  if (reason == "mailboxfull" && code_reason == "systemfull") return false;  // the host's disk, not the mailbox
  if (reason == "spamdetected" && text::matches(hits.text(), "virus detected")) return false;
  if (reason == "speeding" && hits.says("toomanyconn")) return false;  // "connection rate limit"
  if (reason == "hostunknown" &&
      text::matches_any(hits.text(), {"host not found, try again", "name server failure", "temporary failure in name resolution",
                                  "malformed or unexpected name server reply", "host name lookup failure"}))
    return false;  // a temporary DNS failure is a network error, not an unknown host
  return code_reason == reason || hits.says(reason);
}

// Multi-line replies repeat "550-5.7.1 " on every line, splitting phrases.
void drop_reply_prefixes(std::string& lowered, std::string_view reply_code, std::string_view status) {
  if (reply_code.empty() || status.empty() || lowered.size() > 64 * 1024) return;
  for (const char sep : {'-', ' '}) {
    const std::string prefix = std::string(reply_code) + sep + std::string(status) + ' ';
    for (std::size_t at = lowered.find(prefix); at != std::string::npos; at = lowered.find(prefix, at))
      lowered.erase(at, prefix.size());
  }
}

}  // namespace

std::string_view reason_from_text(std::string_view lowered) {
  const text::Bigrams bigrams(lowered);
  for (const auto& entry : reason_phrase_table())
    for (auto p : entry.patterns)
      if (bigrams.may_match(p) && text::matches(lowered, p)) return entry.reason;
  return {};
}

std::string_view reason_from_status(std::string_view status) {
  if (status.size() < 5) return {};
  if (status[0] == '2') return "delivered";
  if (status == "5.2.1") return "filtered";
  if (status == "4.4.1") return "expired";  // no answer from host: still failing when the queue gave up  // a permanent "mailbox disabled" is the recipient's filter
  const std::string_view rest = status.substr(2);  // "Y.Z"
  struct Entry { std::string_view code, reason; };
  static constexpr Entry table[] = {
      {"1.0", "userunknown"},  {"1.1", "userunknown"},   {"1.2", "hostunknown"},   {"1.3", "userunknown"},
      {"1.4", "userunknown"},  {"1.6", "hasmoved"},      {"1.7", "rejected"},      {"1.8", "rejected"},
      {"1.9", "systemerror"},  {"1.10", "notaccept"},    {"2.0", "filtered"},      {"2.1", "filtered"},
      {"2.2", "mailboxfull"},  {"2.3", "exceedlimit"},   {"2.4", "systemerror"},   {"3.0", "systemerror"},
      {"3.1", "systemfull"},   {"3.2", "notaccept"},     {"3.3", "systemerror"},   {"3.4", "mesgtoobig"},
      {"3.5", "systemerror"},  {"4.0", "networkerror"},  {"4.1", "networkerror"},  {"4.2", "networkerror"},
      {"4.3", "systemerror"},  {"4.4", "hostunknown"},   {"4.5", "systemfull"},    {"4.6", "networkerror"},
      {"4.7", "expired"},      {"5.1", "syntaxerror"},   {"5.2", "syntaxerror"},   {"5.4", "syntaxerror"},
      {"5.5", "syntaxerror"},  {"5.6", "syntaxerror"},   {"6.0", "contenterror"},  {"6.1", "contenterror"},
      {"6.2", "contenterror"}, {"6.3", "contenterror"},  {"6.4", "contenterror"},  {"6.5", "contenterror"},
      {"6.6", "contenterror"}, {"6.7", "contenterror"},  {"6.8", "contenterror"},  {"6.9", "contenterror"},
      {"6.10", "contenterror"}, {"7.2", "policyviolation"}, {"7.3", "securityerror"}, {"7.4", "securityerror"},
      {"7.5", "securityerror"}, {"7.6", "securityerror"}, {"7.7", "securityerror"}, {"7.8", "securityerror"},
      {"7.9", "securityerror"}, {"7.10", "securityerror"}, {"7.11", "securityerror"}, {"7.13", "suspend"},
      {"7.14", "securityerror"}, {"7.15", "securityerror"}, {"7.16", "securityerror"}, {"7.17", "hasmoved"},
      {"7.18", "hasmoved"},    {"7.20", "authfailure"},  {"7.21", "authfailure"},  {"7.22", "authfailure"},
      {"7.23", "authfailure"}, {"7.24", "authfailure"},  {"7.25", "requireptr"},   {"7.26", "authfailure"},
      {"7.27", "notaccept"},   {"7.28", "speeding"},
  };
  for (const auto& e : table)
    if (e.code == rest) return e.reason;
  // 4.4.1 with Action: failed is how Postfix reports an expired message.
  return {};
}

std::string detect_command(std::string_view t) {
  struct Cue { std::string_view phrase, command; };
  static constexpr Cue cues[] = {
      {"did not like our rcpt to", "RCPT"}, {"did not like our final data", "DATA"},
      {"did not like our data", "DATA"},   {"did not like our mail from", "MAIL"},
      {"after rcpt command", "RCPT"},      {"after data command", "DATA"},     {"after mail command", "MAIL"},
      {"in reply to rcpt to", "RCPT"},    {"in reply to end of data", "DATA"}, {"in reply to data", "DATA"},
      {"in reply to mail from", "MAIL"},  {"in reply to ehlo", "EHLO"},        {"in reply to helo", "HELO"},
      {"after rcpt to", "RCPT"},          {"after end of data", "DATA"},       {"after data", "DATA"},
      {"after mail from", "MAIL"},        {"after ehlo", "EHLO"},              {"after helo", "HELO"},
      {"after initial connection", "CONN"}, {"in reply to greeting", "CONN"}, {">>> rcpt to", "RCPT"},
      {">>> data", "DATA"},               {">>> mail from", "MAIL"},           {">>> ehlo", "EHLO"},
      {">>> helo", "HELO"},               {"rcpt to response", "RCPT"},        {"data response", "DATA"},
      {"mail from response", "MAIL"},     {"connected but greeting failed", "CONN"}, {"while talking to", ""},
      {"rcpt to:<", "RCPT"},              {"mail from:<", "MAIL"},             {"rcpt to: <", "RCPT"},
      {"response to rcpt", "RCPT"},       {"response to data", "DATA"},       {"response to end of data", "DATA"},
      {"[rcpt_to]", "RCPT"},              {"[mail_from]", "MAIL"},             {"[data]", "DATA"},
      // qmail-remote.c wording
      {"does not like recipient", "RCPT"}, {"but sender was rejected", "MAIL"}, {"but my name was rejected", "HELO"},
      {"but greeting failed", "CONN"},    {"failed on data command", "DATA"}, {"failed after i sent the message", "DATA"},
      {"refused to talk to me", "CONN"},
  };
  const auto lowered = text::lower(t.substr(0, std::min<std::size_t>(t.size(), 16 * 1024)));
  const text::Bigrams bigrams(lowered);
  std::size_t best = std::string::npos;
  std::string_view command;
  for (const auto& c : cues) {
    if (c.command.empty() || !bigrams.may_match(c.phrase)) continue;
    // Only an earlier cue can win: search before the best so far.
    const auto at = std::string_view(lowered).substr(0, best).find(c.phrase);
    if (at != std::string::npos && at < best) {
      best = at;
      command = c.command;
    }
  }
  return std::string(command);
}

std::string classify_reason(const ClassifyInput& in) {
  if (in.action == "delivered" || in.action == "relayed" || in.action == "expanded" ||
      (!in.status.empty() && in.status[0] == '2'))
    return "delivered";
  if (!in.preset.empty() && !retryable(in.preset)) return std::string(in.preset);

  std::string lowered = text::lower(in.diagnostic);
  // Postfix's "(in reply to MAIL FROM command)" names the command, not the cause.
  if (const auto at = lowered.find("(in reply to "); at != std::string::npos)
    lowered.erase(at, lowered.find(')', at) == std::string::npos ? std::string::npos : lowered.find(')', at) + 1 - at);
  drop_reply_prefixes(lowered, in.reply_code, in.status);
  PhraseHits hits(lowered);
  const std::string_view code_reason = reason_from_status(in.status);
  const bool smtp_like = in.diagnostic_type.empty() || in.diagnostic_type == "smtp";

  // A temporary (4.x.x) failure whose first cause is an unknown domain is
  // a DNS problem that may clear (NXDOMAIN while retrying): networkerror.
  if (!in.status.empty() && in.status[0] == '4' && (smtp_like || !in.preset.empty())) {
    for (auto reason : kFirstPass)
      if (reason == in.preset || first_pass_true(reason, code_reason, hits, in.command)) {
        if (reason == "hostunknown") return "networkerror";
        break;
      }
  }
  if (smtp_like || !in.preset.empty()) {
    // A family's retryable first guess still wins over the reasons after it.
    for (auto reason : kFirstPass)
      if (reason == in.preset || first_pass_true(reason, code_reason, hits, in.command)) return std::string(reason);
  }
  if (!in.preset.empty()) return std::string(in.preset);

  // The sender's MTA gave up ("Action: expired", X.4.7 said in words, or a
  // 4.4.1 "no answer from host" on a failed delivery): the message expired.
  if (in.action == "expired" || (code_reason == "expired" && hits.says("expired")) ||
      (in.status == "4.4.1" && in.action == "failed"))
    return "expired";
  std::string_view reason = code_reason;
  if (reason.empty() || retryable(reason) || !smtp_like) {
    std::string_view found;
    const bool x_unix = in.diagnostic_type.rfind("x-unix", 0) == 0;
    for (auto r : kSecondPass)
      if (!(x_unix && r == "systemerror") && hits.says(r)) {  // a local program failed: mailererror
        found = r;
        break;
      }
    if (found.empty()) {
      const std::string_view klass = in.status.size() >= 4 ? in.status.substr(1, 3) : std::string_view{};
      if (klass == ".6.") found = "contenterror";
      else if (klass == ".7.") found = "securityerror";
      // A local delivery agent derives X.2.2 from the errno of the failed
      // write (Postfix mbox_dsn: EDQUOT, EFBIG) while its x-unix text is a
      // generic "input/output error": the status is the better evidence.
      else if (x_unix && code_reason == "mailboxfull") found = code_reason;
      else if (x_unix) found = "mailererror";
      else if (hits.says("syntaxerror")) found = "syntaxerror";
    }
    if (found.empty()) {
      if (in.action == "delayed") found = "expired";
      else if (in.command == "HELO" || in.command == "EHLO" || in.command == "CONN") found = "blocked";
    }
    if (!found.empty()) reason = found;
  }
  if (!reason.empty()) return std::string(reason);
  if (in.action == "delayed") return "expired";
  if (!in.diagnostic.empty()) return "onhold";
  return "undefined";
}

bool is_hard(std::string_view reason, std::string_view status, std::string_view reply_code) {
  if (reason == "userunknown" || reason == "hostunknown" || reason == "hasmoved") return true;
  if (reason == "notaccept") {
    // A null MX / "no MX" without any code is final too; only 4xx is not.
    if (!reply_code.empty()) return reply_code[0] == '5';
    return status.empty() || status[0] == '5';
  }
  return false;
}

bool reason_is_tentative(std::string_view reason) { return retryable(reason); }

ReplyVerdict classify_reply(std::string_view reply_code, std::string_view status, std::string_view text,
                            std::string_view command) {
  ClassifyInput in;
  in.status = status;
  in.reply_code = reply_code;
  in.diagnostic = text;
  in.diagnostic_type = "smtp";
  in.action = "failed";
  in.command = command;
  ReplyVerdict v;
  v.reason = classify_reason(in);
  v.hard = is_hard(v.reason, status, reply_code);
  return v;
}

}  // namespace ndrlink::parser
