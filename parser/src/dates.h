// RFC 5322 date-time -> ISO 8601 UTC ("2014-06-19T04:06:00Z").
#pragma once

#include <string>
#include <string_view>

namespace ndrlink::parser {

// Empty when `value` is not a recognisable date. Accepts the RFC 5322 form
// with or without day name and seconds, numeric or common named zones.
std::string rfc5322_to_iso8601(std::string_view value);

}  // namespace ndrlink::parser
