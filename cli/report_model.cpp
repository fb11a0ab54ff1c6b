#include "report_model.h"

#include <cmath>
#include <cstdio>

namespace ndrlink::cli {

std::optional<double> ratio(std::int64_t part, std::int64_t whole) {
  if (whole <= 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

std::string percent(std::optional<double> r) {
  if (!r) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", std::round(*r * 1000.0) / 10.0);
  return buf;
}

std::string signed_count(std::int64_t delta) {
  return delta > 0 ? "+" + std::to_string(delta) : std::to_string(delta);
}

std::string duration_text(std::int64_t s) {
  char buf[48];
  if (s < 60) std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%lldm %02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  else if (s < 86400)
    std::snprintf(buf, sizeof buf, "%lldh %02lldm", static_cast<long long>(s / 3600), static_cast<long long>(s % 3600 / 60));
  else
    std::snprintf(buf, sizeof buf, "%lldd %02lldh", static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600));
  return buf;
}

std::vector<const storage::DomainRow*> shown_domains(const ReportDocument& doc) {
  std::vector<const storage::DomainRow*> out;
  for (const auto& d : doc.data.domains) {
    if (doc.domain_limit > 0 && static_cast<int>(out.size()) >= doc.domain_limit) break;
    out.push_back(&d);
  }
  return out;
}

std::vector<const storage::DomainRow*> catch_all_domains(const ReportDocument& doc) {
  std::vector<const storage::DomainRow*> out;
  for (const auto& d : doc.data.domains)
    if (storage::looks_like_catch_all(d, doc.rule)) out.push_back(&d);
  return out;
}

}  // namespace ndrlink::cli
