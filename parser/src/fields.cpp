#include "fields.h"

#include "text.h"

namespace ndrlink::parser {

std::string_view Fields::get(std::string_view name) const {
  for (const auto& f : fields_)
    if (text::iequals(f.name, name)) return f.value;
  return {};
}

bool Fields::has(std::string_view name) const {
  for (const auto& f : fields_)
    if (text::iequals(f.name, name)) return true;
  return false;
}

std::vector<std::string_view> Fields::all(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& f : fields_)
    if (text::iequals(f.name, name)) out.push_back(f.value);
  return out;
}

namespace {
bool is_field_name_char(char c) { return c > 32 && c < 127 && c != ':'; }
}  // namespace

Fields parse_fields(std::string_view in, std::size_t* consumed, std::size_t max_line) {
  std::vector<Field> out;
  std::size_t pos = 0;
  while (pos < in.size()) {
    std::size_t nl = in.find('\n', pos);
    const std::size_t next = nl == std::string_view::npos ? in.size() : nl + 1;
    std::string_view line = in.substr(pos, (nl == std::string_view::npos ? in.size() : nl) - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > max_line) line = line.substr(0, max_line);
    if (text::trim(line).empty()) {
      pos = next;
      break;
    }
    if ((line[0] == ' ' || line[0] == '\t')) {
      if (out.empty()) break;  // continuation with nothing to continue
      auto& v = out.back().value;
      const auto part = text::trim(line);
      if (v.size() < max_line) {
        if (!v.empty()) v.push_back(' ');
        v.append(part.substr(0, max_line - std::min(max_line, v.size())));
      }
      pos = next;
      continue;
    }
    const std::size_t colon = line.find(':');
    std::size_t name_end = 0;
    while (name_end < line.size() && is_field_name_char(line[name_end])) ++name_end;
    if (colon == std::string_view::npos || colon == 0 || text::trim(line.substr(name_end, colon - name_end)).size() != 0)
      break;  // not a field: the block ends here
    out.push_back(Field{std::string(line.substr(0, name_end)), std::string(text::trim(line.substr(colon + 1)))});
    pos = next;
  }
  if (consumed) *consumed = pos;
  return Fields(std::move(out));
}

std::vector<Fields> parse_field_groups(std::string_view in) {
  std::vector<Fields> groups;
  std::size_t pos = 0;
  while (pos < in.size()) {
    // Skip blank lines between groups.
    while (pos < in.size()) {
      const std::size_t nl = in.find('\n', pos);
      const auto line = in.substr(pos, (nl == std::string_view::npos ? in.size() : nl) - pos);
      if (!text::trim(line).empty()) break;
      pos = nl == std::string_view::npos ? in.size() : nl + 1;
    }
    if (pos >= in.size()) break;
    std::size_t used = 0;
    Fields group = parse_fields(in.substr(pos), &used);
    if (used == 0) {  // a line that is not a field: skip it
      const std::size_t nl = in.find('\n', pos);
      pos = nl == std::string_view::npos ? in.size() : nl + 1;
      continue;
    }
    if (!group.empty()) groups.push_back(std::move(group));
    pos += used;
  }
  return groups;
}

}  // namespace ndrlink::parser
