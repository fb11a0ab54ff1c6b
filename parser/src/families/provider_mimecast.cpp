// Mimecast (*.mimecast.com): the reply code plus a fixed phrase from
// Mimecast's published SMTP error code list names the cause.
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

struct CodePhrase { std::string_view reply, phrase, reason; };
constexpr CodePhrase kTable[] = {
    {"421", "sender address blocked", "blocked"},
    {"451", "recipient temporarily unavailable", "blocked"},
    {"451", "ip temporarily blacklisted", "blocked"},
    {"451", "internal resources are temporarily unavailable", "blocked"},
    {"550", "local ct ip reputation - (reject)", "blocked"},
    {"550", "spf sender invalid - envelope rejected", "blocked"},
    {"550", "dkim sender invalid - envelope rejected", "blocked"},
    {"550", "dmarc sender invalid - envelope rejected", "blocked"},
    {"554", "maximum email size exceeded", "mesgtoobig"},
    {"554", "mail loop detected", "networkerror"},
    {"451", "open relay not allowed", "norelaying"},
    {"451", "account inbounds disabled", "notaccept"},
    {"451", "account outbounds disabled", "onhold"},
    {"451", "hostname is not authorized", "onhold"},
    {"550", "journal message past expiration", "onhold"},
    {"550", "anti-spoofing policy - inbound not allowed", "policyviolation"},
    {"550", "rejected by header-based anti-spoofing policy", "policyviolation"},
    {"550", "message bounced due to content examination policy", "policyviolation"},
    {"554", "host network not allowed", "policyviolation"},
    {"550", "administrative prohibition envelope blocked", "rejected"},
    {"550", "envelope blocked", "rejected"},
    {"550", "rejected by header-based manually blocked senders", "rejected"},
    {"550", "rejected by header-based blocked senders", "rejected"},
    {"550", "envelope rejected - block policy for envelope from address", "rejected"},
    {"535", "incorrect authentication data", "securityerror"},
    {"550", "submitter failed to disabled", "securityerror"},
    {"553", "this route requires encryption (tls)", "securityerror"},
    {"553", "this route requires tls version 1.2 or greater", "securityerror"},
    {"553", "this route requires high-strength ciphers", "securityerror"},
    {"554", "configuration is invalid for this certificate", "securityerror"},
    {"451", "unable to process connection at this time", "systemerror"},
    {"451", "message ended early", "systemerror"},
    {"451", "unable to process command", "systemerror"},
    {"451", "unable to process an email at this time", "systemerror"},
    {"451", "account service is temporarily unavailable", "toomanyconn"},
    {"452", "too many recipients", "toomanyconn"},
    {"550", "exceeding outbound thread limit", "toomanyconn"},
    {"501", "invalid address", "userunknown"},
    {"503", "user unknown", "userunknown"},
    {"550", "invalid recipient", "userunknown"},
    {"554", "email rejected due to security policies", "virusdetected"},
};

std::string_view reason_for(const Evidence&, const RecipientResult& r) {
  if (r.reply_code.empty() || !received_by(r, {"mimecast.com"})) return {};
  const auto lowered = text::lower(r.diagnostic);
  for (const auto& e : kTable)
    if (e.reply == r.reply_code && lowered.find(e.phrase) != std::string::npos) return e.reason;
  return {};
}

}  // namespace

extern const ProviderRule kMimecastRule{"mimecast", reason_for};

}  // namespace ndrlink::parser::family
