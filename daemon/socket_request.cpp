#include "socket_request.h"

#include <nlohmann/json.hpp>

namespace ndrlink::daemon {

std::variant<correlator::Fields, std::string> parse_request(std::string_view line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded()) return std::string("malformed JSON");
  if (!j.is_object()) return std::string("expected a JSON object");
  correlator::Fields fields;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it->is_string()) fields.emplace_back(it.key(), it->get<std::string>());
    else if (it->is_number_integer()) fields.emplace_back(it.key(), std::to_string(it->get<long long>()));
    else if (!it->is_null()) return "field " + it.key() + ": expected a string or an integer";
  }
  return fields;
}

}  // namespace ndrlink::daemon
