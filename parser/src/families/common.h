// Helpers shared by the family heuristics.
#pragma once

#include <string>
#include <string_view>

#include "../evidence.h"
#include "../fields.h"
#include "ndrlink/parser/report.h"

namespace ndrlink::parser::family {

// The recipient entry for `address` (case-insensitive), added if absent.
RecipientResult& recipient_for(Report& report, std::string_view address);

// The bounce prose before the copy of the original message, cut at the
// usual markers ("--- Below this line is a copy of the message.",
// "------ This is a copy of the message", "Original message follows" ...).
std::string_view prose(const Evidence& ev);

// Header fields quoted in the text after a returned-message marker (for
// single-part bounces that inline the original); empty if none.
Fields quoted_headers(std::string_view text);

// True when the report's own headers look like an automated bounce
// (MAILER-DAEMON/postmaster sender, "Undelivered", "failure notice" ...).
bool looks_like_bounce(const Evidence& ev);

// Appends `line` to `diag` with a single space.
void append_diagnostic(std::string& diag, std::string_view line);

}  // namespace ndrlink::parser::family

namespace ndrlink::parser::family {

// Reads delivery-status fields quoted inline in bounce text (a forwarded
// report, or an MTA that writes no MIME parts): from the first
// "Reporting-MTA:"/"Final-Recipient:" line up to the next "--" line.
// Returns the number of recipients added.
std::size_t read_inline_delivery_status(std::string_view text, Report& report);

}  // namespace ndrlink::parser::family
