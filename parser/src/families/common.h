// Helpers shared by the family heuristics.
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

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

// True when `host` is one of `domains` or a subdomain of one (lower case).
bool host_within(std::string_view host, std::initializer_list<std::string_view> domains);

// True when the recipient's bounce came from a host within `domains`: its
// Remote-MTA, the host its diagnostic names ("host mx.example.com[...]"),
// or else the recipient address's own domain.
bool received_by(const RecipientResult& r, std::initializer_list<std::string_view> domains);

// The provider error text to read for `r`: its diagnostic, or the bounce
// prose when the diagnostic is empty or names no `marker` of the provider.
std::string provider_text(const Evidence& ev, const RecipientResult& r, std::string_view marker);

// A phrase of a provider's error text and the reason it means.
struct PhraseReason {
  std::string_view phrase;  // lower case
  std::string_view reason;
};

// The reason of the first entry whose phrase `lowered` contains, or empty.
std::string_view reason_of_phrases(std::string_view lowered, std::span<const PhraseReason> table);

}  // namespace ndrlink::parser::family

namespace ndrlink::parser::family {

// Joins the lines of an error text with single spaces; in a multi-line SMTP
// reply ("550-5.7.26 a", "550-5.7.26 b", "550 5.7.26 c") the code prefix
// repeated on the continuation lines is dropped: "550-5.7.26 a b c".
std::string join_reply_lines(const std::vector<std::string_view>& lines);

}  // namespace ndrlink::parser::family

namespace ndrlink::parser::family {

// Reads delivery-status fields quoted inline in bounce text (a forwarded
// report, or an MTA that writes no MIME parts): from the first
// "Reporting-MTA:"/"Final-Recipient:" line up to the next "--" line.
// Returns the number of recipients added.
std::size_t read_inline_delivery_status(std::string_view text, Report& report);

}  // namespace ndrlink::parser::family
