#include "ndrlink/storage/records.h"

namespace ndrlink::storage {

bool is_valid_state(const std::string& state) {
  return state == kPending || state == kDelayed || state == kBounced || state == kDelivered ||
         state == kPresumedDelivered;
}

}  // namespace ndrlink::storage
