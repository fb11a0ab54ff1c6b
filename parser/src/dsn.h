// RFC 3464 / RFC 6533 delivery-status fields -> Report fields.
#pragma once

#include <string_view>

#include "ndrlink/parser/report.h"

namespace ndrlink::parser {

// Reads a message/delivery-status (or global-delivery-status) body:
// per-message fields into `report`, one RecipientResult per recipient
// group, in order. Tolerates missing blank lines between groups. Returns
// the number of recipients added.
std::size_t read_delivery_status(std::string_view body, Report& report);

// "rfc822; user@example.jp" -> "user@example.jp"; "dns; mx.example" ->
// "mx.example". Returns the value after the type; `type` receives it.
std::string strip_type(std::string_view value, std::string* type = nullptr);

}  // namespace ndrlink::parser
