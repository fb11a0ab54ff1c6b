// Identity extraction: what links a report back to the mail it is about.
#pragma once

#include <string>
#include <string_view>

#include "evidence.h"
#include "ndrlink/parser/report.h"

namespace ndrlink::parser {

// Fills report.original_message_id, verp_token and ndrlink_id (envid comes
// from the delivery-status part). Sources, strongest first:
//  - Message-ID / X-Ndrlink-Id of the returned message (message/rfc822,
//    text/rfc822-headers, or headers quoted in the bounce text);
//  - In-Reply-To, then the last References entry, of the report itself;
//  - VERP token: local part "<prefix>TOKEN@" of Delivered-To,
//    X-Original-To or To of the report; or, in the same place, the
//    recipient an XVERP return path names ("<prefix>user=example.com@").
void extract_identity(const Evidence& ev, std::string_view verp_prefix, Report& report);

// The VERP token in `address` for `prefix` ("bounces+"), or empty.
std::string verp_token_of(std::string_view address, std::string_view prefix);

// The recipient in an XVERP return path: for prefix "bounces+",
// "bounces+user=example.com@verp.example" -> "user@example.com" (Postfix's
// XVERP=+=, the relay's relay.xverp); empty when `address` is not one.
std::string xverp_recipient_of(std::string_view address, std::string_view prefix);

// The first "<...@...>" message id in a header value, or empty.
std::string first_message_id(std::string_view value);

}  // namespace ndrlink::parser
