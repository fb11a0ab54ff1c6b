// Plain text for a mail body: at most 80 columns, sections in capitals,
// numbers right-aligned.
#include <cstdarg>
#include <cstdio>

#include "report_model.h"

namespace ndrlink::cli {
namespace {

constexpr std::size_t kWidth = 80;

// Cuts `s` to `n` characters, marking the cut with "~".
std::string fit(const std::string& s, std::size_t n) { return s.size() <= n ? s : s.substr(0, n - 1) + "~"; }

class TextOut {
 public:
  explicit TextOut(std::ostream& out) : out_(out) {}
  void line(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    std::string s = fit(buf, kWidth);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out_ << s << '\n';
  }
  void blank() { out_ << '\n'; }
  void heading(const std::string& title) {
    blank();
    out_ << fit(title, kWidth) << '\n';
  }

 private:
  std::ostream& out_;
};

long long ll(std::int64_t v) { return static_cast<long long>(v); }

void outcomes(TextOut& t, const ReportDocument& doc) {
  const auto& n = doc.data.current.totals;
  const auto& b = doc.data.previous.totals;
  t.heading("ACCEPTANCES BY REPLY CODE           this period   previous   change");
  for (const auto& c : doc.data.current.by_code) {
    std::int64_t before = 0;
    for (const auto& p : doc.data.previous.by_code)
      if (p.reply_code == c.reply_code) before = p.outcome.accepted;
    t.line("  %-32d %11lld %10lld %8s", c.reply_code, ll(c.outcome.accepted), ll(before),
           signed_count(c.outcome.accepted - before).c_str());
  }
  const auto& rn = doc.data.current;
  const auto& rb = doc.data.previous;
  t.line("  %-32s %11lld %10lld %8s", "refused", ll(rn.refused), ll(rb.refused),
         signed_count(rn.refused - rb.refused).c_str());
  for (const auto& r : rn.refused_by_code) {
    std::int64_t before = 0;
    for (const auto& p : rb.refused_by_code)
      if (p.reply_code == r.reply_code) before = p.count;
    t.line("    %-30d %11lld %10lld %8s", r.reply_code, ll(r.count), ll(before), signed_count(r.count - before).c_str());
  }
  t.line("  %-32s %11lld %10lld %8s", "total accepted", ll(n.accepted), ll(b.accepted),
         signed_count(n.accepted - b.accepted).c_str());

  t.heading("WHAT BECAME OF THEM                 count    share   previous   change");
  auto row = [&](const char* name, std::int64_t now, std::int64_t before) {
    t.line("  %-30s %7lld %8s %10lld %8s", name, ll(now), percent(ratio(now, n.accepted)).c_str(), ll(before),
           signed_count(now - before).c_str());
  };
  row("bounced", n.bounced, b.bounced);
  row("  hard (address is bad)", n.bounced_hard, b.bounced_hard);
  row("  soft", n.bounced_soft(), b.bounced_soft());
  row("delivered", n.delivered, b.delivered);
  row("presumed delivered", n.presumed_delivered, b.presumed_delivered);
  row("still pending", n.pending, b.pending);
  row("delayed", n.delayed, b.delayed);

  t.heading("BY REPLY CODE    accepted  bounced     rate  delivered  presumed   open");
  for (const auto& c : doc.data.current.by_code) {
    const auto& o = c.outcome;
    t.line("  %-13d %9lld %8lld %8s %10lld %9lld %6lld", c.reply_code, ll(o.accepted), ll(o.bounced),
           percent(ratio(o.bounced, o.accepted)).c_str(), ll(o.delivered), ll(o.presumed_delivered),
           ll(o.pending + o.delayed));
  }
}

void bounces(TextOut& t, const ReportDocument& doc) {
  t.heading("TOP BOUNCE REASONS                  bounced     hard     soft");
  if (doc.data.reasons.empty()) t.line("  (no bounces)");
  for (const auto& r : doc.data.reasons)
    t.line("  %-32s %8lld %8lld %8lld", fit(r.reason, 32).c_str(), ll(r.bounced), ll(r.hard), ll(r.bounced - r.hard));
  const auto& d = doc.data.bounce_delay;
  if (d.count > 0)
    t.line("  Acceptance to bounce: median %s, 90%% within %s (%lld bounces)", duration_text(d.p50_seconds).c_str(),
           duration_text(d.p90_seconds).c_str(), ll(d.count));
}

void domains(TextOut& t, const ReportDocument& doc) {
  const auto shown = shown_domains(doc);
  t.heading("DOMAINS (" + std::to_string(shown.size()) + " of " + std::to_string(doc.data.domains.size()) +
            ", most accepted first)");
  t.line("  %-30s %8s %7s %7s %8s %8s %3s", "domain", "accepted", "252", "bounced", "rate 250", "rate 252", "");
  for (const auto* d : shown) {
    const auto& o = d->outcome;
    t.line("  %-30s %8lld %7s %7lld %8s %8s %3s", fit(d->domain, 30).c_str(), ll(o.accepted),
           percent(ratio(d->accepted_252, o.accepted)).c_str(), ll(o.bounced),
           percent(ratio(d->bounced_250, d->accepted_250)).c_str(),
           percent(ratio(d->bounced_252, d->accepted_252)).c_str(),
           storage::looks_like_catch_all(*d, doc.rule) ? "(*)" : "");
  }
  const auto flagged = catch_all_domains(doc);
  t.line("  252: share of 252 acceptances; rate: bounced / accepted with that code.");
  if (flagged.empty()) return;
  t.line("  (*) catch-all or backup MX: accepts every RCPT, bounces later (>= %lld", ll(doc.rule.min_accepted));
  t.line("      accepted, >= %lld bounced, bounce rate >= %.0f%%, >= %.0f%% of bounces hard):",
         ll(doc.rule.min_bounced), doc.rule.min_bounce_rate * 100, doc.rule.min_hard_share * 100);
  constexpr std::size_t kListed = 20;
  for (std::size_t i = 0; i < flagged.size() && i < kListed; ++i)
    t.line("      %s: %lld of %lld bounced, %lld hard", fit(flagged[i]->domain, 40).c_str(),
           ll(flagged[i]->outcome.bounced), ll(flagged[i]->outcome.accepted), ll(flagged[i]->outcome.bounced_hard));
  if (flagged.size() > kListed) t.line("      and %zu more (--format json lists them all)", flagged.size() - kListed);
}

void reports(TextOut& t, const ReportDocument& doc) {
  const auto& a = doc.data.current.activity;
  const auto& b = doc.data.previous.activity;
  t.heading("REPORTS RECEIVED                    count   previous   change");
  auto row = [&](const char* name, std::int64_t now, std::int64_t before) {
    t.line("  %-32s %7lld %10lld %8s", name, ll(now), ll(before), signed_count(now - before).c_str());
  };
  row("messages", a.reports, b.reports);
  row("unmatched results", a.unmatched_results, b.unmatched_results);
  row("  in reports", a.unmatched_reports, b.unmatched_reports);
  row("complaints (ARF)", a.complaints, b.complaints);
  row("  linked to an acceptance", a.complaints_linked, b.complaints_linked);
  row("suspicious (forged?)", a.suspicious, b.suspicious);
  for (const auto& k : doc.data.complaint_types) t.line("  complaint type %s: %lld", fit(k.key, 40).c_str(), ll(k.count));
  for (const auto& k : doc.data.suspicious_reasons) t.line("  suspicious: %s: %lld", fit(k.key, 50).c_str(), ll(k.count));
  if (doc.data.unmatched.empty()) return;
  t.heading("UNMATCHED (first " + std::to_string(doc.data.unmatched.size()) + ")");
  for (const auto& u : doc.data.unmatched)
    t.line("  %s %-9s %-34s %s", u.received_at.c_str(), u.kind.c_str(),
           fit(u.recipient.empty() ? "(no recipient)" : u.recipient, 34).c_str(),
           fit(u.suspicious.empty() ? u.reason : "suspicious", 12).c_str());
}

}  // namespace

void render_text(const ReportDocument& doc, std::ostream& out) {
  TextOut t(out);
  const auto& p = doc.data.current.period;
  t.line("ndrlink report for %s (%s, %.0f h)", doc.current.label.c_str(), doc.time_zone.c_str(), doc.current.hours);
  t.line("Accepted from %s until %s", p.since.c_str(), p.until.c_str());
  t.line("Compared with %s (%.0f h)", doc.previous.label.c_str(), doc.previous.hours);
  t.line("Generated %s", doc.generated_at.c_str());
  if (doc.data.current.totals.accepted == 0) t.line("No acceptances were recorded in this period.");
  outcomes(t, doc);
  bounces(t, doc);
  domains(t, doc);
  reports(t, doc);
}

}  // namespace ndrlink::cli
