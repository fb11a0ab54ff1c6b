// Phrase tables for the reason classifier: for each reason, lower-case
// patterns ('*' = gap) seen in real diagnostics. Kept apart from the
// decision logic so they can grow with evidence.
#pragma once

#include <span>
#include <string_view>

namespace ndrlink::parser {

struct ReasonPhrases {
  std::string_view reason;
  std::span<const std::string_view> patterns;
};

// In the order they are tried: more specific reasons first.
std::span<const ReasonPhrases> reason_phrase_table();

// Patterns of a single reason (empty span if unknown).
std::span<const std::string_view> phrases_for(std::string_view reason);

}  // namespace ndrlink::parser
