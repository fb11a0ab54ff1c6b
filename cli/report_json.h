// The report as one JSON document (docs/report.md lists every field); the
// CSV format is a flattening of it.
#pragma once

#include <nlohmann/json.hpp>

#include "report_model.h"

namespace ndrlink::cli {

nlohmann::ordered_json report_json(const ReportDocument& doc);

}  // namespace ndrlink::cli
