#include "family.h"

#include <array>

namespace ndrlink::parser {
namespace family {
extern const Family kGenericFamily;
}  // namespace family

std::span<const Family> families() {
  // Specific formats first; the generic scan last.
  static const std::array kAll = {
      family::kGenericFamily,
  };
  return kAll;
}

}  // namespace ndrlink::parser
