#include "family.h"

#include <array>

#include "common.h"

namespace ndrlink::parser {
namespace family {
// Classic MTAs and appliances.
extern const Family kDragonFlyFamily;
extern const Family kGmxFamily;
extern const Family kEinsUndEinsFamily;
extern const Family kEximFamily;
extern const Family kQmailFamily;
extern const Family kIMailServerFamily;
extern const Family kPostfixFamily;
extern const Family kSendmailFamily;
extern const Family kV5SendmailFamily;
extern const Family kMessagingServerFamily;
extern const Family kPowerMtaFamily;
extern const Family kNotesFamily;
extern const Family kDominoFamily;
extern const Family kExchange2003Family;
extern const Family kInterScanFamily;
extern const Family kX2Family;
extern const Family kApacheJamesFamily;
// Providers and hosted services.
extern const Family kGoogleGroupsFamily;
extern const Family kGmailFamily;
extern const Family kGSuiteFamily;
extern const Family kMessageLabsFamily;
extern const Family kKddiFamily;
extern const Family kEzwebFamily;
extern const Family kVerizonFamily;
extern const Family kYahooFamily;
extern const Family kZohoFamily;
extern const Family kGenericFamily;
// Receiving providers' rules.
extern const ProviderRule kFrancePttRule;
extern const ProviderRule kFacebookRule;
extern const ProviderRule kGoDaddyRule;
extern const ProviderRule kTencentRule;
extern const ProviderRule kNttDocomoRule;
extern const ProviderRule kMimecastRule;
extern const ProviderRule kMicrosoftRule;
extern const ProviderRule kYahooIncRule;
extern const ProviderRule kAolRule;
extern const ProviderRule kKddiRule;
}  // namespace family

std::span<const Family> families() {
  // Specific formats first; the generic scan last.
  static const std::array kAll = {
      // -- classic MTAs and appliances
      family::kDragonFlyFamily,
      family::kGmxFamily,          // United Internet formats look like Exim's: before it
      family::kEinsUndEinsFamily,
      family::kEximFamily,
      family::kQmailFamily,
      family::kIMailServerFamily,
      family::kPostfixFamily,
      family::kSendmailFamily,
      family::kV5SendmailFamily,
      family::kMessagingServerFamily,
      family::kPowerMtaFamily,
      family::kNotesFamily,
      family::kDominoFamily,
      family::kExchange2003Family,
      family::kInterScanFamily,
      family::kX2Family,
      // -- providers and hosted services
      family::kGoogleGroupsFamily,
      family::kGmailFamily,
      family::kGSuiteFamily,
      family::kMessageLabsFamily,
      family::kKddiFamily,
      family::kEzwebFamily,
      family::kVerizonFamily,
      family::kApacheJamesFamily,  // after Verizon: vtext.com runs James
      family::kYahooFamily,
      family::kZohoFamily,
      family::kGenericFamily,
  };
  return kAll;
}

std::span<const ProviderRule> provider_rules() {
  static const std::array kAll = {
      family::kFrancePttRule,
      family::kFacebookRule,
      family::kGoDaddyRule,
      family::kTencentRule,
      family::kNttDocomoRule,
      family::kMimecastRule,
      family::kMicrosoftRule,
      family::kYahooIncRule,
      family::kAolRule,
      family::kKddiRule,
  };
  return kAll;
}

void refine_by_provider(const Evidence& evidence, RecipientResult& r) {
  if (r.action == "delivered" || r.reason == "delivered") return;
  for (const auto& rule : provider_rules()) {
    const auto reason = rule.reason_for(evidence, r);
    if (reason.empty()) continue;
    r.reason = std::string(reason);
    return;
  }
}

}  // namespace ndrlink::parser
