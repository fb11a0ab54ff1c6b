// NTT DOCOMO (mfsmax.docomo.ne.jp) answers "550 Unknown user" both for a
// missing address at RCPT and for a message its filters refuse at DATA;
// which command it answered tells them apart.
#include "common.h"
#include "family.h"
#include "../classifier.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr PhraseReason kTexts[] = {
    {"552 too much mail data", "mailboxfull"},
    {"552 too many recipients", "toomanyconn"},
    {"503 bad sequence of commands", "syntaxerror"},
    {"504 command parameter not implemented", "syntaxerror"},
};

std::string_view reason_for(const Evidence& ev, const RecipientResult& r) {
  if (!received_by(r, {"mfsmax.docomo.ne.jp"})) return {};
  if (r.status == "5.1.1") return "userunknown";
  if (r.status == "5.2.0") return "filtered";
  if (const auto reason = reason_of_phrases(text::lower(r.diagnostic), kTexts); !reason.empty()) return reason;
  if (r.status != "5.0.0") return {};
  const auto command = detect_command(r.diagnostic + "\n" + std::string(prose(ev)));
  if (command == "RCPT") return "userunknown";
  if (command == "DATA") return "rejected";
  return {};
}

}  // namespace

extern const ProviderRule kNttDocomoRule{"nttdocomo", reason_for};

}  // namespace ndrlink::parser::family
