// PowerMTA DSNs: each per-recipient group carries PowerMTA's own verdict,
// "X-PowerMTA-BounceCategory: bad-mailbox", more reliable than the remote
// text. The category becomes the recipient's reason.
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

std::string_view reason_of_category(std::string_view category) {
  struct Entry { std::string_view category, reason; };
  static constexpr Entry table[] = {
      {"bad-domain", "hostunknown"},         {"bad-mailbox", "userunknown"},   {"inactive-mailbox", "suspend"},
      {"message-expired", "expired"},        {"no-answer-from-host", "networkerror"},
      {"policy-related", "policyviolation"}, {"quota-issues", "mailboxfull"},  {"routing-errors", "systemerror"},
      {"spam-related", "spamdetected"},      {"content-related", "contenterror"},
      {"invalid-sender", "rejected"},        {"protocol-errors", "systemerror"},
  };
  for (const auto& e : table)
    if (text::iequals(category, e.category)) return e.reason;
  return {};  // "other", "unknown": let the classifier decide
}

bool parse_powermta(const Evidence& ev, Report& report) {
  if (report.kind != Kind::dsn || !ev.delivery_status ||
      !text::icontains(ev.delivery_status->body, "X-PowerMTA-BounceCategory"))
    return false;
  // Groups with a Final-Recipient are the recipients, in report order.
  std::size_t i = 0;
  for (const auto& group : parse_field_groups(ev.delivery_status->body)) {
    if (!group.has("Final-Recipient")) continue;
    if (i >= report.recipients.size()) break;
    auto& r = report.recipients[i++];
    const auto reason = reason_of_category(text::trim(group.get("X-PowerMTA-BounceCategory")));
    if (!reason.empty() && r.action != "delivered") r.reason = std::string(reason);
  }
  return true;
}

}  // namespace

extern const Family kPowerMtaFamily{"powermta", parse_powermta};

}  // namespace ndrlink::parser::family
