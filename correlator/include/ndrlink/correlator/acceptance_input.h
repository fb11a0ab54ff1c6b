// Validation of acceptance records from outside (CLI flags, import files,
// the ingest socket): named text fields in, a NewAcceptance or a one-line
// error out. One definition of the field names for every entry point.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ndrlink/correlator/clock.h"
#include "ndrlink/storage/records.h"

namespace ndrlink::correlator {

// Field names (aliases in brackets): rcpt [recipient], code [reply_code],
// text [reply_text], status [enhanced_status], mx [mx_host], sender,
// message_id [message-id], envid, at [accepted_at], state, source.
// rcpt and code are required; code must be 2xx; `at` defaults to `now`.
using Fields = std::vector<std::pair<std::string, std::string>>;
std::variant<storage::NewAcceptance, std::string> acceptance_from_fields(const Fields& fields, TimePoint now,
                                                                         std::string_view source);

// "<id@host>" for "id@host" or "<id@host>"; empty stays empty.
std::string normalise_message_id(std::string_view id);

}  // namespace ndrlink::correlator
