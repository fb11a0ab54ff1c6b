#include "family.h"

#include <array>

namespace ndrlink::parser {
namespace family {
// Classic MTAs and appliances.
extern const Family kDragonFlyFamily;
extern const Family kGmxFamily;
extern const Family kEinsUndEinsFamily;
// Providers and hosted services.
extern const Family kGoogleGroupsFamily;
extern const Family kGmailFamily;
extern const Family kGSuiteFamily;
extern const Family kBigfootFamily;
extern const Family kGenericFamily;
}  // namespace family

std::span<const Family> families() {
  // Specific formats first; the generic scan last.
  static const std::array kAll = {
      // -- classic MTAs and appliances
      family::kDragonFlyFamily,
      family::kGmxFamily,          // United Internet formats look like Exim's: before it
      family::kEinsUndEinsFamily,
      // -- providers and hosted services
      family::kGoogleGroupsFamily,
      family::kGmailFamily,
      family::kGSuiteFamily,
      family::kBigfootFamily,
      family::kGenericFamily,
  };
  return kAll;
}

}  // namespace ndrlink::parser
