// Tencent QQ mail (mx*.qq.com): short English replies documented in QQ
// mail's help page 20022 ("Ip frequency limited", "Mail content denied").
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr PhraseReason kTexts[] = {
    {"dmarc check failed", "blocked"},
    {"spf check failed", "blocked"},
    {"suspected spam ip", "blocked"},
    {"mail is rejected by recipients", "filtered"},
    {"message too large", "mesgtoobig"},
    {"mail content denied", "spamdetected"},
    {"spam is embedded in the email", "spamdetected"},
    {"suspected spam", "spamdetected"},
    {"bad address syntax", "syntaxerror"},
    {"connection denied", "toomanyconn"},
    {"connection frequency limited", "toomanyconn"},
    {"domain frequency limited", "toomanyconn"},
    {"ip frequency limited", "toomanyconn"},
    {"sender frequency limited", "toomanyconn"},
    {"mailbox unavailable or access denied", "toomanyconn"},
    {"mailbox not found", "userunknown"},
};

std::string_view reason_for(const Evidence&, const RecipientResult& r) {
  if (!received_by(r, {"qq.com"})) return {};
  return reason_of_phrases(text::lower(r.diagnostic), kTexts);
}

}  // namespace

extern const ProviderRule kTencentRule{"tencent", reason_for};

}  // namespace ndrlink::parser::family
