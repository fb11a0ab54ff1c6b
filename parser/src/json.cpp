#include "ndrlink/parser/json.h"

#include <nlohmann/json.hpp>

namespace ndrlink::parser {
namespace {

nlohmann::ordered_json str_or_null(const std::string& s) {
  return s.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s);
}

void append_line(const nlohmann::ordered_json& j, std::string& out) {
  out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out.push_back('\n');
}

nlohmann::ordered_json line_for(const Report& report, std::string_view file, const RecipientResult* r) {
  nlohmann::ordered_json j;
  j["file"] = std::string(file);
  j["kind"] = std::string(to_string(report.kind));
  j["recipient"] = r ? str_or_null(r->recipient) : nullptr;
  j["original_recipient"] = r ? str_or_null(r->original_recipient) : nullptr;
  j["action"] = r ? str_or_null(r->action) : nullptr;
  j["status"] = r ? str_or_null(r->status) : nullptr;
  j["reply_code"] = r ? str_or_null(r->reply_code) : nullptr;
  j["reason"] = r ? str_or_null(r->reason) : nullptr;
  j["hard"] = r ? r->hard : false;
  j["diagnostic"] = r ? str_or_null(r->diagnostic) : nullptr;
  j["reporting_mta"] = str_or_null(report.reporting_mta);
  j["remote_mta"] = r ? str_or_null(r->remote_mta) : nullptr;
  j["original_message_id"] = str_or_null(report.original_message_id);
  j["envid"] = str_or_null(report.envid);
  j["verp_token"] = str_or_null(report.verp_token);
  j["arrival_date"] = str_or_null(report.arrival_date);
  j["feedback_type"] = r ? str_or_null(r->feedback_type) : nullptr;
  j["ndrlink_id"] = str_or_null(report.ndrlink_id);
  j["verp_recipient"] = str_or_null(report.verp_recipient);  // after DESIGN.md's fields, as ndrlink_id
  if (!report.error.empty()) j["error"] = report.error;
  return j;
}

}  // namespace

void append_json_lines(const Report& report, std::string_view file, std::string& out) {
  if (report.recipients.empty()) {
    append_line(line_for(report, file, nullptr), out);
    return;
  }
  for (const auto& r : report.recipients) append_line(line_for(report, file, &r), out);
}

void append_text_lines(const Report& report, std::string_view file, std::string& out) {
  auto field = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
  if (report.recipients.empty()) {
    out += std::string(file) + ": " + std::string(to_string(report.kind));
    if (!report.error.empty()) out += " (" + report.error + ")";
    out += '\n';
    return;
  }
  for (const auto& r : report.recipients) {
    out += std::string(file) + ": " + std::string(to_string(report.kind)) + " " + field(r.recipient) + " " +
           field(r.action) + " " + field(r.status) + " " + field(r.reason) + (r.hard ? " hard" : " soft");
    if (!r.diagnostic.empty()) out += " \"" + r.diagnostic.substr(0, 200) + "\"";
    out += '\n';
  }
}

}  // namespace ndrlink::parser
