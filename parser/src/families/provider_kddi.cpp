// KDDI au (*.ezweb.ne.jp, msmx.au.com): "550 <addr>: User unknown" refuses
// a recipient that does not exist, while "550 : User unknown" (no address)
// is what au's filter answers for a sender the recipient has blocked.
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr PhraseReason kTexts[] = {
    {"550 : user unknown", "filtered"},
    {">: user unknown", "userunknown"},
};

std::string_view reason_for(const Evidence&, const RecipientResult& r) {
  if (!received_by(r, {"ezweb.ne.jp", "msmx.au.com"})) return {};
  return reason_of_phrases(text::lower(r.diagnostic), kTexts);
}

}  // namespace

extern const ProviderRule kKddiRule{"kddi", reason_for};

}  // namespace ndrlink::parser::family
