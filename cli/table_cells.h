// Table and CSV cells, shared by the query output and the report's CSV.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace ndrlink::cli {

// A JSON value as a table cell: null empty, strings unquoted, booleans as
// true/false, numbers as JSON writes them.
inline std::string cell_text(const nlohmann::ordered_json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line
// break, quotes doubled.
inline std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

}  // namespace ndrlink::cli
