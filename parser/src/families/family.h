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

}  // namespace ndrlink::parser
