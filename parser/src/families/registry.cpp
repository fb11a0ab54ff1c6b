#include "family.h"

#include <array>

namespace ndrlink::parser {
namespace family {
// Classic MTAs and appliances.
extern const Family kPostfixFamily;
extern const Family kSendmailFamily;
extern const Family kV5SendmailFamily;
extern const Family kMessagingServerFamily;
// Providers and hosted services.
extern const Family kGenericFamily;
}  // namespace family

std::span<const Family> families() {
  // Specific formats first; the generic scan last.
  static const std::array kAll = {
      // -- classic MTAs and appliances
      family::kPostfixFamily,
      family::kSendmailFamily,
      family::kV5SendmailFamily,
      family::kMessagingServerFamily,
      // -- providers and hosted services
      family::kGenericFamily,
  };
  return kAll;
}

}  // namespace ndrlink::parser
