// What every report format renders: the store's figures plus the period's
// labels, and the derived numbers (rates, changes, catch-all flags) that
// all formats must agree on.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ndrlink/storage/report.h"

namespace ndrlink::cli {

struct PeriodLabel {
  std::string label;  // "2026-03-29" for a day, else "SINCE .. UNTIL"
  double hours = 0;   // length: 23 or 25 on a DST day
};

struct ReportDocument {
  storage::ReportData data;
  PeriodLabel current, previous;
  std::string time_zone = "UTC";
  std::string generated_at;       // ISO 8601 UTC
  storage::CatchAllRule rule;
  int domain_limit = 20;          // domain rows shown; 0 = all
};

// part / whole, nullopt when whole is 0.
std::optional<double> ratio(std::int64_t part, std::int64_t whole);
// "25.0%" or "-" (rounded to one decimal).
std::string percent(std::optional<double> r);
// "+3", "-2", "0".
std::string signed_count(std::int64_t delta);
// "4h 05m", "2d 03h", "45s".
std::string duration_text(std::int64_t seconds);

// The domains to show (first domain_limit, most accepted first) and the
// ones flagged as catch-alls (all of them).
std::vector<const storage::DomainRow*> shown_domains(const ReportDocument& doc);
std::vector<const storage::DomainRow*> catch_all_domains(const ReportDocument& doc);

// Renderers: one file each.
void render_text(const ReportDocument& doc, std::ostream& out);  // report_text.cpp
void render_json(const ReportDocument& doc, std::ostream& out);  // report_json.cpp
void render_csv(const ReportDocument& doc, std::ostream& out);   // report_csv.cpp
void render_html(const ReportDocument& doc, std::ostream& out);  // report_html.cpp

}  // namespace ndrlink::cli
