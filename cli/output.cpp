#include "output.h"

#include <algorithm>

#include "table_cells.h"

namespace ndrlink::cli {

void print_rows(const std::vector<Row>& rows, const std::string& format, std::ostream& out) {
  if (format == "json") {
    for (const auto& r : rows) out << r.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    return;
  }
  if (rows.empty()) {
    if (format == "table") out << "(no rows)\n";
    return;
  }
  // Columns: every key of every row, in first-seen order (rows may differ:
  // a duplicate message has fewer fields than a linked one).
  std::vector<std::string> keys;
  for (const auto& r : rows)
    for (const auto& [k, v] : r.items())
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  if (format == "csv") {
    for (std::size_t i = 0; i < keys.size(); ++i) out << (i ? "," : "") << csv_field(keys[i]);
    out << "\r\n";
    for (const auto& r : rows) {
      for (std::size_t i = 0; i < keys.size(); ++i) out << (i ? "," : "") << csv_field(cell_text(r.value(keys[i], Row())));
      out << "\r\n";
    }
    return;
  }
  std::vector<std::size_t> width(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    width[i] = keys[i].size();
    for (const auto& r : rows) width[i] = std::max(width[i], std::min<std::size_t>(cell_text(r.value(keys[i], Row())).size(), 60));
  }
  auto line = [&](auto get) {
    std::string s;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      std::string c = get(i);
      if (c.size() > 60) c = c.substr(0, 57) + "...";
      s += c;
      if (i + 1 < keys.size()) s += std::string(width[i] - c.size() + 2, ' ');
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out << s << '\n';
  };
  line([&](std::size_t i) { return keys[i]; });
  for (const auto& r : rows) line([&](std::size_t i) { return cell_text(r.value(keys[i], Row())); });
}

}  // namespace ndrlink::cli
