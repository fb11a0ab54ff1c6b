// What the heuristics look at: the decoded MIME message plus the pieces
// every family needs (subject, sender, human-readable text, the
// delivery-status part, the returned message's headers), computed once.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fields.h"
#include "mime.h"

namespace ndrlink::parser {

struct Evidence {
  const MimeMessage& mime;
  std::string subject;        // RFC 2047-decoded Subject
  std::string from;           // decoded From value
  std::string from_address;   // address in From, lower case
  // Human-readable text of the report: the text/* parts that are not inside
  // an attached message, in order, HTML reduced to text. For a
  // single-part bounce this includes the quoted original message.
  std::string text;
  const MimePart* delivery_status = nullptr;  // message/(global-)delivery-status
  const MimePart* feedback_report = nullptr;  // message/feedback-report
  // Header block of the returned original message, from a message/rfc822
  // or text/rfc822-headers part, or from headers quoted in the text.
  Fields returned_headers;
  bool has_returned_message = false;

  // Where the bounce prose ends in `text` (see family::prose), computed on
  // first use: several families ask for it.
  mutable std::optional<std::size_t> prose_end;

  explicit Evidence(const MimeMessage& m) : mime(m) {}
  std::string_view header(std::string_view name) const { return mime.headers.get(name); }
};

Evidence build_evidence(const MimeMessage& mime);

}  // namespace ndrlink::parser
