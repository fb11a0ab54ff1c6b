// HTML: one self-contained file for a mail client or a browser. Inline CSS,
// inline SVG bar charts, no external assets, no JavaScript. Every element
// is closed, so the file is also well-formed XML.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "report_model.h"

namespace ndrlink::cli {
namespace {

std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string num(std::int64_t v) { return std::to_string(v); }

struct Bar {
  std::string label;
  std::int64_t value = 0;
  const char* color = "#4e79a7";
};

// A horizontal bar chart: one labelled bar per entry, scaled to the largest.
std::string bar_chart(const std::string& title, const std::vector<Bar>& bars) {
  const int label_w = 170, bar_w = 330, row_h = 22, width = label_w + bar_w + 70;
  const int height = static_cast<int>(bars.size()) * row_h + 8;
  std::int64_t max = 1;
  for (const auto& b : bars) max = std::max(max, b.value);
  std::ostringstream s;
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" << width << "\" height=\"" << height
    << "\" viewBox=\"0 0 " << width << ' ' << height << "\" role=\"img\" aria-label=\"" << esc(title) << "\">"
    << "<title>" << esc(title) << "</title>";
  int y = 4;
  for (const auto& b : bars) {
    const int w = b.value > 0 ? std::max(1, static_cast<int>(bar_w * b.value / max)) : 0;
    s << "<text x=\"" << label_w - 6 << "\" y=\"" << y + 15 << "\" text-anchor=\"end\" font-size=\"12\" "
      << "font-family=\"sans-serif\">" << esc(b.label) << "</text>"
      << "<rect x=\"" << label_w << "\" y=\"" << y + 3 << "\" width=\"" << w << "\" height=\"16\" fill=\"" << b.color
      << "\"></rect>"
      << "<text x=\"" << label_w + w + 5 << "\" y=\"" << y + 15 << "\" font-size=\"12\" font-family=\"sans-serif\">"
      << b.value << "</text>";
    y += row_h;
  }
  s << "</svg>";
  return s.str();
}

std::string cells(const std::vector<std::string>& values, const char* tag = "td") {
  std::string s = "<tr>";
  for (std::size_t i = 0; i < values.size(); ++i)
    s += std::string("<") + tag + (i ? " class=\"n\"" : "") + ">" + esc(values[i]) + "</" + tag + ">";
  return s + "</tr>";
}

constexpr const char* kStyle =
    "body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222;max-width:860px;margin:16px}"
    "h1{font-size:20px}h2{font-size:16px;margin-top:24px;border-bottom:1px solid #ccc}"
    "table{border-collapse:collapse;font-size:13px}td,th{padding:3px 8px;border-bottom:1px solid #eee;"
    "text-align:left}td.n,th.n{text-align:right}tr.flag td{background:#fdecea}.note{color:#666;font-size:12px}";

void outcome_section(std::ostream& o, const ReportDocument& doc) {
  const auto& n = doc.data.current.totals;
  const auto& b = doc.data.previous.totals;
  o << "<h2>What became of the acceptances</h2>"
    << bar_chart("Outcomes of the period's acceptances",
                 {{"bounced hard", n.bounced_hard, "#c0392b"},
                  {"bounced soft", n.bounced_soft(), "#e67e22"},
                  {"delivered", n.delivered, "#27ae60"},
                  {"presumed delivered", n.presumed_delivered, "#7dcea0"},
                  {"pending", n.pending, "#95a5a6"},
                  {"delayed", n.delayed, "#f1c40f"}});
  o << "<table id=\"outcomes\">" << cells({"outcome", "count", "share", "previous", "change"}, "th");
  auto row = [&](const char* name, std::int64_t now, std::int64_t before) {
    o << cells({name, num(now), percent(ratio(now, n.accepted)), num(before), signed_count(now - before)});
  };
  row("accepted", n.accepted, b.accepted);
  row("bounced", n.bounced, b.bounced);
  row("bounced hard", n.bounced_hard, b.bounced_hard);
  row("bounced soft", n.bounced_soft(), b.bounced_soft());
  row("delivered", n.delivered, b.delivered);
  row("presumed delivered", n.presumed_delivered, b.presumed_delivered);
  row("pending", n.pending, b.pending);
  row("delayed", n.delayed, b.delayed);
  o << "</table>";
  o << "<h2>By reply code</h2><table id=\"codes\">"
    << cells({"reply code", "accepted", "bounced", "bounce rate", "delivered", "presumed", "open"}, "th");
  for (const auto& c : doc.data.current.by_code) {
    const auto& x = c.outcome;
    o << cells({std::to_string(c.reply_code), num(x.accepted), num(x.bounced), percent(ratio(x.bounced, x.accepted)),
                num(x.delivered), num(x.presumed_delivered), num(x.pending + x.delayed)});
  }
  o << "</table><h2>Refused</h2><table id=\"refused\">" << cells({"reply code", "refused"}, "th");
  for (const auto& r : doc.data.current.refused_by_code) o << cells({std::to_string(r.reply_code), num(r.count)});
  o << cells({"total", num(doc.data.current.refused)}) << "</table>";
}

void reason_section(std::ostream& o, const ReportDocument& doc) {
  o << "<h2>Top bounce reasons</h2>";
  if (doc.data.reasons.empty()) {
    o << "<p>No bounces.</p>";
    return;
  }
  std::vector<Bar> bars;
  for (const auto& r : doc.data.reasons) bars.push_back({r.reason, r.bounced, "#c0392b"});
  o << bar_chart("Top bounce reasons", bars);
  const auto& d = doc.data.bounce_delay;
  if (d.count > 0)
    o << "<p>Acceptance to bounce: median " << esc(duration_text(d.p50_seconds)) << ", 90% within "
      << esc(duration_text(d.p90_seconds)) << " (" << d.count << " bounces).</p>";
}

void domain_section(std::ostream& o, const ReportDocument& doc) {
  const auto shown = shown_domains(doc);
  o << "<h2>Domains (" << shown.size() << " of " << doc.data.domains.size() << ")</h2><table id=\"domains\">"
    << cells({"domain", "accepted", "252 share", "bounced", "hard", "rate 250", "rate 252", "catch-all"}, "th");
  for (const auto* d : shown) {
    const bool flag = storage::looks_like_catch_all(*d, doc.rule);
    std::string row = cells({d->domain, num(d->outcome.accepted), percent(ratio(d->accepted_252, d->outcome.accepted)),
                             num(d->outcome.bounced), num(d->outcome.bounced_hard),
                             percent(ratio(d->bounced_250, d->accepted_250)),
                             percent(ratio(d->bounced_252, d->accepted_252)), flag ? "yes" : ""});
    if (flag) row.replace(0, 4, "<tr class=\"flag\">");
    o << row;
  }
  o << "</table><p class=\"note\">Catch-all / backup MX: at least " << doc.rule.min_accepted << " accepted, at least "
    << doc.rule.min_bounced << " bounced, bounce rate at least " << doc.rule.min_bounce_rate * 100
    << "% and at least " << doc.rule.min_hard_share * 100 << "% of the bounces hard. Flagged: "
    << catch_all_domains(doc).size() << ".</p>";
}

void report_section(std::ostream& o, const ReportDocument& doc) {
  const auto& a = doc.data.current.activity;
  const auto& b = doc.data.previous.activity;
  o << "<h2>Reports received</h2><table id=\"reports\">" << cells({"", "count", "previous", "change"}, "th");
  auto row = [&](const char* name, std::int64_t now, std::int64_t before) {
    o << cells({name, num(now), num(before), signed_count(now - before)});
  };
  row("messages", a.reports, b.reports);
  row("unmatched results", a.unmatched_results, b.unmatched_results);
  row("complaints (ARF)", a.complaints, b.complaints);
  row("suspicious (forged?)", a.suspicious, b.suspicious);
  o << "</table>";
  if (!doc.data.unmatched.empty()) {
    o << "<h2>Unmatched</h2><table id=\"unmatched\">" << cells({"received", "kind", "recipient", "reason"}, "th");
    for (const auto& u : doc.data.unmatched)
      o << cells({u.received_at, u.kind, u.recipient, u.suspicious.empty() ? u.reason : "suspicious: " + u.suspicious});
    o << "</table>";
  }
}

}  // namespace

void render_html(const ReportDocument& doc, std::ostream& o) {
  const auto& p = doc.data.current.period;
  const std::string title = "ndrlink report for " + doc.current.label;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>" << esc(title)
    << "</title><style>" << kStyle << "</style></head><body>";
  o << "<h1>" << esc(title) << "</h1><p>" << esc(doc.time_zone) << ", " << doc.current.hours << " h: accepted from "
    << esc(p.since) << " until " << esc(p.until) << ". Compared with " << esc(doc.previous.label) << ". Generated "
    << esc(doc.generated_at) << ".</p>";
  if (doc.data.current.totals.accepted == 0) o << "<p><strong>No acceptances were recorded in this period.</strong></p>";
  outcome_section(o, doc);
  reason_section(o, doc);
  domain_section(o, doc);
  report_section(o, doc);
  o << "</body></html>\n";
}

}  // namespace ndrlink::cli
