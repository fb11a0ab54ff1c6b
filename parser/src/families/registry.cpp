#include "family.h"

#include <array>

namespace ndrlink::parser {
namespace family {
// Classic MTAs and appliances.
extern const Family kDragonFlyFamily;
// Providers and hosted services.
extern const Family kGoogleGroupsFamily;
extern const Family kGmailFamily;
extern const Family kGSuiteFamily;
extern const Family kGenericFamily;
}  // namespace family

std::span<const Family> families() {
  // Specific formats first; the generic scan last.
  static const std::array kAll = {
      // -- classic MTAs and appliances
      family::kDragonFlyFamily,
      // -- providers and hosted services
      family::kGoogleGroupsFamily,
      family::kGmailFamily,
      family::kGSuiteFamily,
      family::kGenericFamily,
  };
  return kAll;
}

}  // namespace ndrlink::parser
