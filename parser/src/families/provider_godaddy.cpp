// GoDaddy's inbound servers (*.secureserver.net) end their replies with a
// code such as "IB607" (documented in GoDaddy's bounce-back help page).
#include <cctype>

#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

struct CodeReason { std::string_view code, reason; };
constexpr CodeReason kCodes[] = {
    {"ib101", "expired"},       {"ib103", "blocked"},      {"ib104", "blocked"},      {"ib105", "blocked"},
    {"ib106", "blocked"},       {"ib007", "toomanyconn"},  {"ib108", "requireptr"},   {"ib110", "blocked"},
    {"ib111", "blocked"},       {"ib112", "blocked"},      {"ib113", "blocked"},      {"ib212", "spamdetected"},
    {"ib401", "securityerror"}, {"ib501", "rejected"},     {"ib502", "rejected"},     {"ib504", "speeding"},
    {"ib506", "rejected"},      {"ib508", "rejected"},     {"ib510", "speeding"},     {"ib607", "speeding"},
    {"ib705", "virusdetected"},
};

constexpr PhraseReason kTexts[] = {
    {"www.spamhaus.org/query/bl?ip=", "blocked"}, {"554 rbl reject.", "blocked"},
    {"delivery timeout", "expired"},              {"451 sorry, i wasn't able to establish an smtp connection", "expired"},
    {"account disabled", "suspend"},              {"account storage limit", "mailboxfull"},
    {"account does not exist", "userunknown"},    {"550 recipient not found.", "userunknown"},
};

// The "IBnnn" code standing alone in `lowered`, or empty.
std::string_view ib_code(std::string_view lowered) {
  for (std::size_t at = lowered.find("ib"); at != std::string_view::npos; at = lowered.find("ib", at + 1)) {
    if (at + 5 > lowered.size() || (at > 0 && std::isalnum(static_cast<unsigned char>(lowered[at - 1])))) continue;
    const auto code = lowered.substr(at, 5);
    if (!std::isdigit(static_cast<unsigned char>(code[2])) || !std::isdigit(static_cast<unsigned char>(code[3])) ||
        !std::isdigit(static_cast<unsigned char>(code[4])))
      continue;
    if (at + 5 < lowered.size() && std::isalnum(static_cast<unsigned char>(lowered[at + 5]))) continue;
    return code;
  }
  return {};
}

std::string_view reason_for(const Evidence&, const RecipientResult& r) {
  if (!received_by(r, {"secureserver.net"})) return {};
  const auto lowered = text::lower(r.diagnostic);
  if (const auto code = ib_code(lowered); !code.empty()) {
    for (const auto& c : kCodes)
      if (c.code == code) return c.reason;
    return {};
  }
  return reason_of_phrases(lowered, kTexts);
}

}  // namespace

extern const ProviderRule kGoDaddyRule{"godaddy", reason_for};

}  // namespace ndrlink::parser::family
