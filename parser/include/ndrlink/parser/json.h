// Serialisation of a Report as DESIGN.md's JSON Lines contract: one object
// per recipient result in message order; kinds none / unparsable give one
// object without a recipient.
#pragma once

#include <string>
#include <string_view>

#include "ndrlink/parser/report.h"

namespace ndrlink::parser {

// Appends the JSON lines (each ending in '\n') for `report` read from `file`.
void append_json_lines(const Report& report, std::string_view file, std::string& out);

// Appends a human-readable summary, one line per recipient.
void append_text_lines(const Report& report, std::string_view file, std::string& out);

}  // namespace ndrlink::parser
