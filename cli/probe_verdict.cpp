#include "probe_verdict.h"

namespace ndrlink::cli {
namespace {

// "5.1.1" -> "1.1" (subject.detail), empty without a status.
std::string subject_detail(const smtp::SmtpReply& r) { return r.enhanced.size() > 2 ? r.enhanced.substr(2) : ""; }

std::string subject(const smtp::SmtpReply& r) {
  const auto sd = subject_detail(r);
  return sd.substr(0, sd.find('.'));
}

}  // namespace

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::accepted: return "accepted";
    case Verdict::accepted_unverified: return "accepted_unverified";
    case Verdict::temporary: return "temporary";
    case Verdict::refused: return "refused";
    case Verdict::error: return "error";
  }
  return "error";
}

int exit_status(Verdict v) {
  switch (v) {
    case Verdict::accepted:
    case Verdict::accepted_unverified: return 0;
    case Verdict::refused: return 1;
    case Verdict::temporary:
    case Verdict::error: return 2;
  }
  return 2;
}

Verdict rcpt_verdict(const smtp::SmtpReply& rcpt) {
  if (rcpt.code == 250 || rcpt.code == 251) return Verdict::accepted;
  if (rcpt.positive()) return Verdict::accepted_unverified;
  if (rcpt.transient()) return Verdict::temporary;
  if (rcpt.permanent()) return Verdict::refused;
  return Verdict::error;  // 3xx to RCPT: the server is confused
}

std::string rcpt_meaning(const smtp::SmtpReply& r) {
  const std::string sd = subject_detail(r), subj = subject(r);
  if (r.code == 250)
    return "accepted: the server takes mail for this address. It may still bounce later if this server is a "
           "catch-all or a backup MX that does not know the real mailboxes.";
  if (r.code == 251)
    return "accepted, not local: the server will forward the mail elsewhere; the next hop may still bounce it.";
  if (r.code == 252)
    return "cannot verify, will attempt: the server did not check the mailbox. The outcome will arrive as a bounce "
           "or not at all (--send records it so that ndrlink resolves it).";
  if (r.positive()) return "accepted (an unusual 2xx code): treat it as unverified.";
  if (r.transient()) {
    if (sd == "2.2") return "temporary: the mailbox is full; delivery may work later.";
    if (subj == "7")
      return "temporary, by policy: often greylisting (retry after a few minutes) or a rate limit; try again later.";
    if (subj == "4") return "temporary: a network or routing problem at the server; try again later.";
    return "temporary: the server cannot decide now (greylisting, load, a local problem); try again later.";
  }
  if (r.permanent()) {
    if (sd == "1.1")
      return "refused: mailbox unknown, the address does not exist.";
    if (sd == "1.2") return "refused: the destination domain or system is unknown to this server.";
    if (sd == "1.0" || sd == "1.3") return "refused: the address is malformed for this server.";
    if (sd == "1.6") return "refused: the mailbox has moved (the reply may name the new address).";
    if (sd == "2.1") return "refused: the mailbox is disabled.";
    if (sd == "2.2") return "refused: the mailbox is full (over quota).";
    if (sd == "7.1" || sd == "7.0" || subj == "7")
      return "refused by policy: the server does not take this mail from you (sender, client address, relaying "
             "denied or spam policy); this says nothing certain about the mailbox.";
    if (subj == "4") return "refused: a routing problem (no route, loop, or relaying denied).";
    if (subj == "5") return "refused: an SMTP protocol error (the probe's command was not acceptable).";
    if (subj == "3") return "refused: a problem of the receiving system.";
    switch (r.code) {
      case 550: return "refused: mailbox unavailable (unknown user, or refused by policy: the text tells which).";
      case 551: return "refused: user not local; the server will not forward (the text may name the right address).";
      case 552: return "refused: the mailbox is over its storage allocation.";
      case 553: return "refused: mailbox name not allowed (bad syntax, or relaying denied).";
      case 554: return "refused: transaction failed (often a policy decision).";
      default: return "refused: the server will not take mail for this address.";
    }
  }
  return "unexpected reply to RCPT: the server does not follow RFC 5321.";
}

}  // namespace ndrlink::cli
