// Parser entry point: raw RFC 5322 bytes in, Report out. Pure: no I/O, no
// globals, thread-safe (each call owns its state). Never throws for bad
// input: a message it cannot read gives Kind::unparsable with an error.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ndrlink/parser/report.h"

namespace ndrlink::parser {

struct ParseOptions {
  // Input beyond this many bytes is ignored and the Report is flagged
  // truncated. Bounce reports put their evidence first, so a cut attachment
  // costs nothing; the limit bounds time and memory.
  std::size_t max_message_bytes = 8 * 1024 * 1024;

  // MIME nesting deeper than this is refused (unparsable): mimetic recurses
  // and a deep tree would overflow the stack.
  int max_mime_depth = 50;

  // Longest header or text line looked at; longer lines are cut.
  std::size_t max_line_bytes = 64 * 1024;

  // VERP envelope pattern: the token is what stands between prefix and '@'
  // in the local part of Delivered-To / X-Original-To / To.
  std::string verp_prefix = "bounces+";
};

Report parse_message(std::string_view raw, const ParseOptions& options = {});

// What one SMTP refusal means, in the terms of a parsed report: the reason
// (DESIGN.md taxonomy) and the hard flag, from the reply code ("554"), its
// enhanced status ("5.7.1", may be empty), its text and the command it
// answered ("RCPT", "DATA"). The relay uses it for DATA refusals.
struct ReplyVerdict {
  std::string reason;
  bool hard = false;
};
ReplyVerdict classify_reply(std::string_view reply_code, std::string_view status, std::string_view text,
                            std::string_view command);

}  // namespace ndrlink::parser
