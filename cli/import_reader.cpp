#include "import_reader.h"

#include <nlohmann/json.hpp>

#include "ndrlink/correlator/acceptance_input.h"

namespace ndrlink::cli {

bool split_csv(const std::string& line, std::vector<std::string>& out) {
  out.clear();
  std::string field;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c != '\r' || i + 1 != line.size()) {
      field += c;
    }
  }
  if (quoted) return false;
  out.push_back(std::move(field));
  return true;
}

ImportReader::ImportReader(std::istream& in, std::string format, correlator::TimePoint now)
    : in_(in), format_(std::move(format)), now_(now) {}

std::vector<ParsedLine> ImportReader::next(std::size_t max) {
  std::vector<ParsedLine> out;
  std::string line;
  while (out.size() < max && std::getline(in_, line)) {
    ++line_no_;
    if (line.empty() || line == "\r") continue;
    if (format_ == "auto") format_ = line.front() == '{' ? "jsonl" : "csv";
    if (format_ == "csv" && header_.empty()) {
      if (split_csv(line, header_)) continue;
      header_.clear();
    }
    out.push_back(parse(line));
    out.back().line_no = line_no_;
  }
  return out;
}

ParsedLine ImportReader::parse(const std::string& line) {
  ParsedLine out;
  correlator::Fields fields;
  if (format_ == "csv") {
    if (!split_csv(line, cells_)) {
      out.error = "unterminated quote";
      return out;
    }
    if (cells_.size() != header_.size()) {
      out.error = "expected " + std::to_string(header_.size()) + " fields, found " + std::to_string(cells_.size());
      return out;
    }
    for (std::size_t i = 0; i < cells_.size(); ++i)
      if (!cells_[i].empty()) fields.emplace_back(header_[i], cells_[i]);
  } else {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      out.error = "not a JSON object";
      return out;
    }
    for (const auto& [k, v] : j.items()) {
      if (v.is_null()) continue;
      if (v.is_string()) {
        fields.emplace_back(k, v.get<std::string>());
      } else if (v.is_number_integer()) {
        fields.emplace_back(k, std::to_string(v.get<long long>()));
      } else {
        out.error = "field values must be strings or integers";
        return out;
      }
    }
  }
  auto parsed = correlator::acceptance_from_fields(fields, now_, "import");
  if (auto* error = std::get_if<std::string>(&parsed)) out.error = std::move(*error);
  else out.acceptance = std::move(std::get<storage::NewAcceptance>(parsed));
  return out;
}

}  // namespace ndrlink::cli
