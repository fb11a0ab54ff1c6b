// RFC 5322 style field blocks ("Name: value" lines with folding), for the
// places mimetic returns raw: message/delivery-status bodies,
// text/rfc822-headers bodies, and headers quoted inside bounce text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ndrlink::parser {

struct Field {
  std::string name;   // as written
  std::string value;  // unfolded, trimmed, not RFC 2047-decoded
};

class Fields {
 public:
  Fields() = default;
  explicit Fields(std::vector<Field> fields) : fields_(std::move(fields)) {}

  // First value of `name` (case-insensitive), or empty.
  std::string_view get(std::string_view name) const;
  bool has(std::string_view name) const;
  std::vector<std::string_view> all(std::string_view name) const;
  const std::vector<Field>& list() const { return fields_; }
  std::vector<Field>& list() { return fields_; }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

// Parses one block of fields from the start of `in`; stops at the first
// empty line or at the first line that is neither a field nor a
// continuation. `consumed`, if given, receives the bytes read including the
// terminating empty line. Lines longer than `max_line` are cut.
Fields parse_fields(std::string_view in, std::size_t* consumed = nullptr, std::size_t max_line = 64 * 1024);

// Splits a delivery-status body into its field groups (separated by blank
// lines): the first is per-message, the rest per-recipient.
std::vector<Fields> parse_field_groups(std::string_view in);

}  // namespace ndrlink::parser
