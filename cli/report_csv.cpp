// CSV: the JSON document flattened to one figure per row (RFC 4180, CRLF):
// section,key,metric,value. docs/report.md lists the sections.
#include "report_json.h"
#include "table_cells.h"

namespace ndrlink::cli {
namespace {

using Json = nlohmann::ordered_json;

class CsvWriter {
 public:
  explicit CsvWriter(std::ostream& out) : out_(out) { row("section", "key", "metric", Json("value")); }
  void row(const std::string& section, const std::string& key, const std::string& metric, const Json& value) {
    out_ << csv_field(section) << ',' << csv_field(key) << ',' << csv_field(metric) << ','
         << csv_field(cell_text(value)) << "\r\n";
  }
  // Every scalar member of `object` but `skip`, one row each.
  void object(const std::string& section, const std::string& key, const Json& object, const std::string& skip = {}) {
    for (const auto& [metric, value] : object.items())
      if (metric != skip && !value.is_structured()) row(section, key, metric, value);
  }
  // Each element of `list` keyed by its `key_field`.
  void list(const std::string& section, const Json& list, const std::string& key_field) {
    for (const auto& e : list) object(section, cell_text(e[key_field]), e, key_field);
  }

 private:
  std::ostream& out_;
};

void acceptances(CsvWriter& w, const std::string& section, const Json& a) {
  w.object(section, "total", a["total"]);
  w.row(section, "refused", "accepted", a["refused"]);
  for (const auto& r : a["refused_by_code"]) w.row(section, "refused_" + cell_text(r["reply_code"]), "count", r["count"]);
  for (const auto& c : a["by_code"]) w.object(section, cell_text(c["reply_code"]), c, "reply_code");
}

}  // namespace

void render_csv(const ReportDocument& doc, std::ostream& out) {
  const Json j = report_json(doc);
  CsvWriter w(out);
  for (const char* k : {"report", "format_version", "generated_at", "time_zone"}) w.row("report", "", k, j[k]);
  w.object("period", "current", j["period"]);
  w.object("period", "previous", j["previous_period"]);
  acceptances(w, "acceptances", j["acceptances"]);
  w.list("bounce_reasons", j["bounce_reasons"], "reason");
  w.object("bounce_delay", "", j["bounce_delay"]);
  w.row("domains", "", "domain_count", j["domain_count"]);
  w.list("domains", j["domains"], "domain");
  w.list("catch_all_domains", j["catch_all_domains"], "domain");
  w.object("catch_all_rule", "", j["catch_all_rule"]);
  w.object("reports", "", j["reports"]);
  int n = 0;
  for (const auto& u : j["unmatched"]) w.object("unmatched", std::to_string(++n), u);
  w.list("complaint_types", j["complaint_types"], "feedback_type");
  w.list("suspicious_reasons", j["suspicious_reasons"], "why");
  acceptances(w, "previous_acceptances", j["previous"]["acceptances"]);
  w.object("previous_reports", "", j["previous"]["reports"]);
  w.object("change", "", j["change"]);
}

}  // namespace ndrlink::cli
