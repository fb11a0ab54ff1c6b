// Query output: rows as ordered JSON objects rendered as an aligned text
// table, JSON Lines, or CSV (RFC 4180, header row).
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace ndrlink::cli {

using Row = nlohmann::ordered_json;

// `format` is table | json | csv. Table and CSV columns are the union of
// the rows' keys in first-seen order; a missing value is empty.
void print_rows(const std::vector<Row>& rows, const std::string& format, std::ostream& out);

}  // namespace ndrlink::cli
