// One ingest-socket request line -> the fields of `ndrlink record`. Kept
// apart from the socket (no Asio) so the fuzz target needs nothing else.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "ndrlink/correlator/acceptance_input.h"

namespace ndrlink::daemon {

// The fields of a JSON object line (string or integer values; null
// ignored), or the error text for the client.
std::variant<correlator::Fields, std::string> parse_request(std::string_view line);

}  // namespace ndrlink::daemon
