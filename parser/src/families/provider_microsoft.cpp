// Exchange Online / Microsoft 365 (*.protection.outlook.com): an enhanced
// status code (often in a documented range, 5.7.606-649) together with a
// fixed phrase names the cause.
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

// `prefix` "5.7." with a range [low, high] of the last number, or an exact
// code with low == high == 0.
struct StatusPhrase { std::string_view prefix; int low, high; std::string_view phrase, reason; };
constexpr StatusPhrase kTable[] = {
    {"5.7.", 606, 649, "access denied, banned sending ip", "blocked"},
    {"4.7.", 500, 699, "access denied, please try again later", "blocked"},
    {"5.7.25", 0, 0, "must have a reverse dns record", "requireptr"},
    {"5.7.506", 0, 0, "access denied, bad helo", "blocked"},
    {"5.7.507", 0, 0, "access denied, rejected by recipient", "blocked"},
    {"5.7.511", 0, 0, "access denied, banned sender", "blocked"},
    {"5.7.513", 0, 0, "using customer block list", "blocked"},
    {"5.7.1", 0, 0, "part of their network is on our block list", "blocked"},
    {"5.7.509", 0, 0, "does not pass dmarc verification", "authfailure"},
    {"4.7.650", 0, 0, "has been temporarily rate limited due to ip reputation", "badreputation"},
    {"5.7.504", 0, 0, "recipient address rejected: access denied", "suspend"},
    {"5.7.505", 0, 0, "access denied, banned recipient", "suspend"},
    {"5.2.1", 0, 0, "mailbox cannot be accessed", "suspend"},
    {"5.2.2", 0, 0, "mailbox full", "mailboxfull"},
    {"5.2.3", 0, 0, "message too large for this recipient", "exceedlimit"},
    {"5.7.", 501, 503, "access denied, spam abuse detected", "rejected"},
    {"5.7.", 501, 503, "access denied, banned sender", "rejected"},
    {"5.1.8", 0, 0, "access denied, bad outbound sender", "rejected"},
    {"5.7.750", 0, 0, "client blocked from sending from unregistered domains", "rejected"},
    {"5.7.", 700, 749, "access denied, tenant has exceeded threshold", "toomanyconn"},
    {"5.7.", 700, 749, "access denied, traffic not accepted from this ip", "toomanyconn"},
    {"5.7.508", 0, 0, "has exceeded permitted limits within", "toomanyconn"},
    {"5.7.", 900, 999, "delivery not authorized, message refused", "policyviolation"},
    {"5.1.1", 0, 0, "resolver.adr.exrecipnotfound", "userunknown"},
    {"5.1.10", 0, 0, "recipient not found", "userunknown"},
    {"5.4.1", 0, 0, "recipient address rejected: access denied", "userunknown"},
};

bool status_fits(std::string_view status, const StatusPhrase& e) {
  if (e.low == 0 && e.high == 0) return status == e.prefix;
  if (!status.starts_with(e.prefix)) return false;
  int last = 0;
  for (char c : status.substr(e.prefix.size())) {
    if (c < '0' || c > '9' || last > 9999) return false;
    last = last * 10 + (c - '0');
  }
  return last >= e.low && last <= e.high;
}

std::string_view reason_for(const Evidence&, const RecipientResult& r) {
  if (r.status.empty() || !received_by(r, {"protection.outlook.com", "prod.outlook.com"})) return {};
  const auto lowered = text::lower(r.diagnostic);
  for (const auto& e : kTable)
    if (status_fits(r.status, e) && lowered.find(e.phrase) != std::string::npos) return e.reason;
  return {};
}

}  // namespace

extern const ProviderRule kMicrosoftRule{"microsoft", reason_for};

}  // namespace ndrlink::parser::family
