// AOL's mail servers (*.mx.aol.com, now run by Yahoo Inc.): their own
// relay reports DNS failures in Postfix words; a malformed reply to the MX
// query is how a domain that accepts no mail (null MX) shows up there.
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr PhraseReason kTexts[] = {
    {"host or domain name not found", "hostunknown"},
    {"type=mx: malformed or unexpected name server reply", "notaccept"},
};

// Answered by an AOL host, or reported by AOL's relay for a host it did
// not reach (no Remote-MTA).
bool from_aol(const Evidence& ev, const RecipientResult& r) {
  if (received_by(r, {"aol.com"})) return true;
  return r.remote_mta.empty() && host_within(ev.from_address.substr(ev.from_address.find('@') + 1), {"aol.com"});
}

std::string_view reason_for(const Evidence& ev, const RecipientResult& r) {
  if (!from_aol(ev, r)) return {};
  return reason_of_phrases(text::lower(r.diagnostic), kTexts);
}

}  // namespace

extern const ProviderRule kAolRule{"aol", reason_for};

}  // namespace ndrlink::parser::family
