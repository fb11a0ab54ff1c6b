// qmail and its descendants (netqmail, notqmail, qmail-ldap, indimail):
// "Hi. This is the qmail-send program at ..." then, per recipient, a line
// "<address>:" and the error lines up to the next blank line. The phrases
// come from qmail-remote.c, qmail-local.c and the qmail-ldap patch
// (Sisimai's lhost/Qmail module is the reference).
#include <vector>

#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr std::string_view kQmailMarkers[] = {
    "this is the qmail-send program",
    "i'm afraid i wasn't able to deliver your message to the following addresses",
    "this is the machine-generated message from mail service",
    "i'm afraid i wasn't able to deliver the following message",
};

struct Phrases {
  std::string_view reason;
  std::initializer_list<std::string_view> texts;
};

// qmail-remote's own session errors: they name the failed command.
const Phrases kSessionErrors[] = {
    {"blocked", {"but my name was rejected", "but greeting failed"}},
    {"rejected", {"but sender was rejected"}},
};

// qmail's and qmail-ldap's own error texts, most specific first.
const Phrases kOwnErrors[] = {
    {"userunknown", {"no mailbox here by that name"}},
    {"suspend", {"mailaddress is administrative disabled"}},
    {"mailboxfull", {"disk quota exceeded"}},
    {"mesgtoobig", {"message size exceeds fixed maximum message size:"}},
    {"exceedlimit", {"the message exeeded the maximum size the user accepts"}},
    {"notaccept", {"sorry, i couldn't find a mail exchanger or ip address"}},
    {"hostunknown", {"sorry, i couldn't find any host "}},
    {"networkerror",
     {"sorry, i wasn't able to establish an smtp connection",
      "sorry. although i'm listed as a best-preference mx or a for that host"}},
    {"systemerror",
     {"automatic homedir creator crashed", "illegal value in ldap attribute", "ldap attribute is not given but mandatory",
      "timeout while performing search on ldap server", "too many results returned but needs to be unique",
      "error while executing qmail-forward", "error in automatic homedir creation", "temporary failure in ldap lookup",
      "unable to contact ldap server", "unable to login into ldap server", "bad interpreter: no such file or directory",
      "system error", "unable to"}},
};

constexpr std::string_view kQueueTooLong = "this message has been in the queue too long";

std::string_view first_match(std::string_view lowered, std::span<const Phrases> table) {
  for (const auto& p : table)
    for (auto t : p.texts)
      if (lowered.find(t) != std::string_view::npos) return p.reason;
  return {};
}

// The reason qmail's own wording decides; empty when the remote reply must.
std::string qmail_reason(std::string_view diagnostic) {
  const std::string lowered = text::lower(diagnostic);
  if (auto r = first_match(lowered, kSessionErrors); !r.empty()) return std::string(r);
  // A refused recipient that later expired: the remote reply decides.
  if (lowered.find("does not like recipient") != std::string::npos && lowered.find(kQueueTooLong) != std::string::npos)
    return {};
  if (auto r = first_match(lowered, kOwnErrors); !r.empty()) return std::string(r);
  if (lowered.find(kQueueTooLong) != std::string::npos) return "expired";
  return {};
}

bool qmail_format(const Evidence& ev) {
  const auto head = std::string_view(ev.text).substr(0, 4096);
  for (auto m : kQmailMarkers)
    if (text::icontains(head, m)) return true;
  return false;
}

// "<address>:" alone on a line (some variants put text after the colon).
std::string block_address(std::string_view line) {
  if (!line.starts_with('<')) return {};
  const auto close = line.find(">:");
  if (close == std::string_view::npos) return {};
  const auto addr = text::clean_address(line.substr(0, close + 1));
  return text::is_address(addr) ? addr : std::string{};
}

bool parse_qmail(const Evidence& ev, Report& report) {
  if (!qmail_format(ev) || report.kind == Kind::dsn) return false;
  const auto ls = text::lines(prose(ev));
  RecipientResult* cur = nullptr;
  for (std::size_t i = 0; i < ls.size() && report.recipients.size() < 500; ++i) {
    const auto t = text::trim(ls[i]);
    if (t.starts_with("--- ")) break;  // "--- Enclosed is a copy of the message."
    if (auto addr = block_address(t); !addr.empty()) {
      cur = &recipient_for(report, addr);
      cur->action = "failed";
      const auto rest = t.substr(t.find(">:") + 2);
      append_diagnostic(cur->diagnostic, rest);
      continue;
    }
    if (t.empty()) {
      if (cur && !cur->diagnostic.empty()) cur = nullptr;
      continue;
    }
    if (cur) append_diagnostic(cur->diagnostic, t);
  }
  for (auto& r : report.recipients)
    if (r.reason.empty()) r.reason = qmail_reason(r.diagnostic);
  return !report.recipients.empty();
}

}  // namespace

extern const Family kQmailFamily{"qmail", parse_qmail};

}  // namespace ndrlink::parser::family
