// Finding RFC 3463 enhanced status codes and RFC 5321 reply codes in
// free text (Diagnostic-Code values, bounce prose).
#pragma once

#include <string>
#include <string_view>

namespace ndrlink::parser::status {

// First X.Y.Z with X in {2,4,5}, Y 0..7 and Z up to 3 digits, not part of a
// longer dotted number (an IP address or version). Empty if none.
std::string find_enhanced(std::string_view text);

// First SMTP reply code: three digits [245][0-5][0-9] standing alone at the
// start of the text or after "said:", "(#", a quote, or similar. Empty if
// none. Digits inside IP addresses, dates and host names are ignored.
std::string find_reply_code(std::string_view text);

// True if `s` is a well-formed X.Y.Z code.
bool is_enhanced(std::string_view s);

// The generic code for a reply code's class when no better one exists:
// "550" -> "5.0.0". Used only where the message's own code is a reply code.
std::string class_of_reply(std::string_view reply_code);

}  // namespace ndrlink::parser::status
