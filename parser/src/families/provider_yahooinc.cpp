// Yahoo Inc. inbound servers (*.yahoodns.net, yahoo.com): replies with a
// bracketed code ("[TS03]", "[BL21]") from Yahoo's postmaster help, or
// "delivery error: dd <text>" naming the mailbox's state.
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr PhraseReason kTexts[] = {
    {"dd this user doesn't have a ", "userunknown"},
    {"dd this account has been disabled or discontinued", "suspend"},
    {"dd mailbox is full", "mailboxfull"},
    {"[bl21]", "blocked"},
    {"[bl22]", "blocked"},
    {"[bl23]", "blocked"},
    {"[ts03]", "blocked"},
    {"[ts01]", "speeding"},
    {"[ts02]", "speeding"},
    {"[ts04]", "speeding"},
    {"headers are not rfc compliant", "notcompliantrfc"},
    {"this mail has been blocked because the sender is unauthenticated", "authfailure"},
};

std::string_view reason_for(const Evidence&, const RecipientResult& r) {
  if (!received_by(r, {"yahoodns.net", "yahoo.com"})) return {};
  return reason_of_phrases(text::lower(r.diagnostic), kTexts);
}

}  // namespace

extern const ProviderRule kYahooIncRule{"yahooinc", reason_for};

}  // namespace ndrlink::parser::family
