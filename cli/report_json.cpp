#include "report_json.h"

#include <cmath>

namespace ndrlink::cli {
namespace {

using Json = nlohmann::ordered_json;

// A rate rounded to 4 decimals; null when undefined.
Json rate(std::optional<double> r) {
  if (!r) return Json();
  return std::round(*r * 10000.0) / 10000.0;
}

Json outcome(const storage::OutcomeCounts& o) {
  return Json{{"accepted", o.accepted},
              {"bounced", o.bounced},
              {"bounced_hard", o.bounced_hard},
              {"bounced_soft", o.bounced_soft()},
              {"delivered", o.delivered},
              {"presumed_delivered", o.presumed_delivered},
              {"pending", o.pending},
              {"delayed", o.delayed},
              {"bounce_rate", rate(ratio(o.bounced, o.accepted))}};
}

Json period(const storage::ReportPeriod& p, const PeriodLabel& l) {
  // Whole hours (23, 24, 25) print as integers.
  const Json hours = l.hours == std::floor(l.hours) ? Json(static_cast<std::int64_t>(l.hours)) : Json(l.hours);
  return Json{{"label", l.label}, {"since", p.since}, {"until", p.until}, {"hours", hours}};
}

Json acceptances(const storage::PeriodFigures& f) {
  Json by_code = Json::array();
  for (const auto& c : f.by_code) {
    Json row{{"reply_code", c.reply_code}};
    row.update(outcome(c.outcome));
    by_code.push_back(std::move(row));
  }
  Json refused_by_code = Json::array();
  for (const auto& r : f.refused_by_code) refused_by_code.push_back(Json{{"reply_code", r.reply_code}, {"count", r.count}});
  return Json{{"total", outcome(f.totals)},
              {"refused", f.refused},
              {"refused_recorded", true},
              {"refused_by_code", refused_by_code},
              {"by_code", by_code}};
}

Json activity(const storage::ReportActivity& a) {
  return Json{{"received", a.reports},
              {"unmatched_reports", a.unmatched_reports},
              {"unmatched_results", a.unmatched_results},
              {"complaints", a.complaints},
              {"complaints_linked", a.complaints_linked},
              {"suspicious", a.suspicious}};
}

Json domain(const storage::DomainRow& d, const storage::CatchAllRule& rule) {
  Json row{{"domain", d.domain}};
  row.update(outcome(d.outcome));
  row["accepted_250"] = d.accepted_250;
  row["accepted_251"] = d.accepted_251;
  row["accepted_252"] = d.accepted_252;
  row["share_252"] = rate(ratio(d.accepted_252, d.outcome.accepted));
  row["bounced_250"] = d.bounced_250;
  row["bounced_252"] = d.bounced_252;
  row["bounce_rate_250"] = rate(ratio(d.bounced_250, d.accepted_250));
  row["bounce_rate_252"] = rate(ratio(d.bounced_252, d.accepted_252));
  row["catch_all"] = storage::looks_like_catch_all(d, rule);
  return row;
}

Json counts(const std::vector<storage::KeyCount>& list, const char* key) {
  Json out = Json::array();
  for (const auto& k : list) out.push_back(Json{{key, k.key}, {"count", k.count}});
  return out;
}

Json change(const storage::PeriodFigures& now, const storage::PeriodFigures& before) {
  const auto& n = now.totals;
  const auto& b = before.totals;
  const auto rn = ratio(n.bounced, n.accepted), rb = ratio(b.bounced, b.accepted);
  return Json{{"accepted", n.accepted - b.accepted},
              {"bounced", n.bounced - b.bounced},
              {"bounced_hard", n.bounced_hard - b.bounced_hard},
              {"delivered", n.delivered - b.delivered},
              {"presumed_delivered", n.presumed_delivered - b.presumed_delivered},
              {"pending", n.pending - b.pending},
              {"delayed", n.delayed - b.delayed},
              {"refused", now.refused - before.refused},
              {"bounce_rate", rn && rb ? rate(*rn - *rb) : Json()},
              {"unmatched_results", now.activity.unmatched_results - before.activity.unmatched_results},
              {"complaints", now.activity.complaints - before.activity.complaints},
              {"suspicious", now.activity.suspicious - before.activity.suspicious}};
}

}  // namespace

nlohmann::ordered_json report_json(const ReportDocument& doc) {
  const auto& d = doc.data;
  Json j;
  j["report"] = "ndrlink";
  j["format_version"] = 1;
  j["generated_at"] = doc.generated_at;
  j["time_zone"] = doc.time_zone;
  j["period"] = period(d.current.period, doc.current);
  j["previous_period"] = period(d.previous.period, doc.previous);
  j["acceptances"] = acceptances(d.current);
  Json reasons = Json::array();
  for (const auto& r : d.reasons)
    reasons.push_back(Json{{"reason", r.reason}, {"bounced", r.bounced}, {"hard", r.hard}, {"soft", r.bounced - r.hard}});
  j["bounce_reasons"] = reasons;
  j["bounce_delay"] = Json{{"count", d.bounce_delay.count},
                           {"p50_seconds", d.bounce_delay.p50_seconds},
                           {"p90_seconds", d.bounce_delay.p90_seconds}};
  j["domain_count"] = d.domains.size();
  Json domains = Json::array();
  for (const auto* row : shown_domains(doc)) domains.push_back(domain(*row, doc.rule));
  j["domains"] = domains;
  Json catch_all = Json::array();
  for (const auto* row : catch_all_domains(doc)) catch_all.push_back(domain(*row, doc.rule));
  j["catch_all_domains"] = catch_all;
  j["catch_all_rule"] = Json{{"min_accepted", doc.rule.min_accepted},
                             {"min_bounced", doc.rule.min_bounced},
                             {"min_bounce_rate", doc.rule.min_bounce_rate},
                             {"min_hard_share", doc.rule.min_hard_share}};
  j["reports"] = activity(d.current.activity);
  Json unmatched = Json::array();
  for (const auto& u : d.unmatched) {
    auto opt = [](const std::string& s) { return s.empty() ? Json() : Json(s); };
    unmatched.push_back(Json{{"report_id", u.report_id},
                             {"received_at", u.received_at},
                             {"kind", u.kind},
                             {"recipient", opt(u.recipient)},
                             {"reason", opt(u.reason)},
                             {"suspicious", opt(u.suspicious)}});
  }
  j["unmatched"] = unmatched;
  j["complaint_types"] = counts(d.complaint_types, "feedback_type");
  j["suspicious_reasons"] = counts(d.suspicious_reasons, "why");
  j["previous"] = Json{{"acceptances", acceptances(d.previous)}, {"reports", activity(d.previous.activity)}};
  j["change"] = change(d.current, d.previous);
  return j;
}

void render_json(const ReportDocument& doc, std::ostream& out) {
  out << report_json(doc).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace ndrlink::cli
