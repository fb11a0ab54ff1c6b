// A family heuristic understands the bounces of one MTA or provider
// family. Each lives in its own file and is listed in registry.cpp.
#pragma once

#include <span>
#include <string_view>

#include "../evidence.h"
#include "ndrlink/parser/report.h"

namespace ndrlink::parser {

struct Family {
  std::string_view name;
  // Returns false fast when the message is not in this family's format.
  // Otherwise adds recipients to `report` (non-standard bounces) or
  // completes the ones the RFC 3464 reader found (missing diagnostics,
  // family-specific reasons) and returns true. `report.kind` is already
  // dsn when a delivery-status part was read.
  bool (*parse)(const Evidence& evidence, Report& report);
};

// In the order they are tried; the first that returns true wins.
std::span<const Family> families();

// A receiving provider's rule (Sisimai's "rhost" modules): the reason a
// recipient's bounce has when that provider answered, from the provider's
// own error codes and texts; empty when the rule does not know.
struct ProviderRule {
  std::string_view name;
  std::string_view (*reason_for)(const Evidence& evidence, const RecipientResult& recipient);
};

// In the order they are tried.
std::span<const ProviderRule> provider_rules();

// Applies the first provider rule that knows `r`'s reason.
void refine_by_provider(const Evidence& evidence, RecipientResult& r);

}  // namespace ndrlink::parser
