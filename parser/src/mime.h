// The MIME adapter: the only code that includes mimetic. It turns raw bytes
// into a flat, owned list of parts so nothing of mimetic leaks out, and it
// guards mimetic against the input it cannot survive (see
// ../shared/notes/dependencies.md): size and depth limits, long lines,
// exceptions, and its base64 decoder (bodies are decoded here instead).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fields.h"

namespace ndrlink::parser {

struct MimePart {
  Fields headers;
  std::string type;       // lower-case "type/subtype"; text/plain when absent
  std::string charset;    // lower-case charset parameter, may be empty
  std::string body;       // transfer-decoded; text/* converted to UTF-8
  int depth = 0;          // 0 = the top-level entity
  bool in_attached_message = false;  // inside a message/rfc822 part
};

struct MimeMessage {
  Fields headers;               // top-level header fields
  std::vector<MimePart> parts;  // leaves in document order (multiparts omitted)
  // Header blocks of attached message/rfc822 entities, outermost first.
  std::vector<Fields> attached_headers;
  std::string error;            // non-empty when the MIME structure was refused
};

struct MimeLimits {
  int max_depth = 50;
  std::size_t max_line_bytes = 64 * 1024;
};

// Never throws. On refusal (too deep, mimetic exception) `error` is set and
// `parts` holds the whole body as one text/plain part so heuristics can
// still look at it.
MimeMessage read_mime(std::string_view raw, const MimeLimits& limits);

}  // namespace ndrlink::parser
