// Facebook's inbound servers answer with a response code such as "RCP-P2"
// (documented at postmaster.facebook.com/response_codes) naming the cause.
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

struct CodeReason { std::string_view code, reason; };
constexpr CodeReason kCodes[] = {
    {"rcp-p1", "userunknown"},   {"int-p1", "userunknown"},   {"int-p3", "userunknown"},
    {"int-p4", "userunknown"},   {"rcp-p2", "filtered"},      {"rcp-p3", "filtered"},
    {"pol-p1", "blocked"},       {"pol-p2", "blocked"},       {"msg-p1", "mesgtoobig"},
    {"int-p2", "mesgtoobig"},    {"msg-p2", "contenterror"},  {"msg-p3", "contenterror"},
    {"pol-p6", "contenterror"},  {"pol-p7", "contenterror"},  {"pol-p3", "notaccept"},
    {"pol-p4", "notaccept"},     {"pol-t1", "notaccept"},     {"pol-t2", "notaccept"},
    {"pol-t3", "notaccept"},     {"dns-p1", "rejected"},      {"dns-p2", "rejected"},
    {"dns-t1", "rejected"},      {"dns-p3", "rejected"},      {"dns-t2", "rejected"},
    {"con-t1", "systemerror"},   {"rcp-t1", "systemerror"},   {"con-t2", "toomanyconn"},
    {"con-t3", "toomanyconn"},   {"pol-p5", "virusdetected"}, {"rcp-t4", "suspend"},
};

std::string_view reason_for(const Evidence&, const RecipientResult& r) {
  if (!received_by(r, {"facebook.com"}) && !text::icontains(r.diagnostic, "postmaster.facebook.com")) return {};
  const auto lowered = text::lower(r.diagnostic);
  for (const auto& c : kCodes) {
    const auto at = lowered.find(c.code);
    if (at == std::string::npos) continue;
    const auto end = at + c.code.size();
    if ((at == 0 || lowered[at - 1] == ' ') && (end == lowered.size() || lowered[end] == ' ')) return c.reason;
  }
  return {};
}

}  // namespace

extern const ProviderRule kFacebookRule{"facebook", reason_for};

}  // namespace ndrlink::parser::family
