// The relay's edits of a message (no I/O): its Message-ID, one added when
// the client's message has none (as MTAs do), and the X-Ndrlink-Id tag.
// Messages have CRLF line ends (DataCollector's output).
#pragma once

#include <string>
#include <string_view>

namespace ndrlink::daemon::relay {

// The "<...>" of the first Message-ID header in the header block (folded
// or not, any case), or empty when there is none or it has no <...>.
std::string find_message_id(std::string_view message);

// A new unique "<time.random@hostname>".
std::string make_message_id(std::string_view hostname);

// The header lines the relay puts on top of the message it sends upstream:
// "Message-ID: <id>" when `added_message_id` is set, "X-Ndrlink-Id: token"
// when `ndrlink_id` is set.
std::string top_headers(std::string_view added_message_id, std::string_view ndrlink_id);

}  // namespace ndrlink::daemon::relay
