// A store with known acceptances and reports, for the report tests: every
// figure of the report on 2026-12-01 (UTC) is known in advance.
#pragma once

#include <memory>
#include <string>

#include "ndrlink/correlator/correlator.h"
#include "ndrlink/storage/report.h"
#include "report_model.h"
#include "report_period.h"
#include "test_support.h"

namespace ndrlink::testing {

class ReportFixture : public ::testing::Test {
 protected:
  ReportFixture()
      : store_(storage::Store::open(dir_.file("ndrlink.db"))),
        signer_("0123456789abcdef-test-secret"),
        now_(*correlator::parse_iso("2026-12-01T20:00:00Z")),
        correlator_(*store_, &signer_, correlator::CorrelatorOptions{}, [this] { return now_; }) {}

  // Records an acceptance; its Message-ID is "<n@test>" with a running n.
  std::string accept(const std::string& rcpt, int code, const std::string& at, const std::string& state = "pending") {
    storage::NewAcceptance a;
    a.recipient = rcpt;
    a.reply_code = code;
    a.accepted_at = at;
    a.state = state;
    a.message_id = "<" + std::to_string(++next_message_) + "@test>";
    store_->record_acceptance(a, [this](std::int64_t id) { return signer_.token_for(id); });
    return a.message_id;
  }

  // Ingests a one-recipient report about `message_id` at time `at`.
  void report(const std::string& at, parser::Kind kind, const std::string& rcpt, const std::string& message_id,
              const std::string& action, const std::string& reason, bool hard, const std::string& verp = {}) {
    now_ = *correlator::parse_iso(at);
    parser::Report r;
    r.kind = kind;
    r.original_message_id = message_id;
    r.verp_token = verp;
    parser::RecipientResult res;
    res.recipient = rcpt;
    res.action = action;
    res.reason = reason;
    res.hard = hard;
    if (kind == parser::Kind::arf) res.feedback_type = "abuse";
    r.recipients.push_back(res);
    correlator_.ingest("fixture:" + std::to_string(++next_report_), r);
  }

  void bounce(const std::string& at, const std::string& rcpt, const std::string& mid, const std::string& reason,
              bool hard) {
    report(at, parser::Kind::dsn, rcpt, mid, "failed", reason, hard);
  }

  // The fixture day: 2026-12-01 UTC, and the day before.
  //   catchall.example  12 accepted (8 x 252, 4 x 250), 6 hard bounces
  //                     (4 of the 252s, 2 of the 250s): flagged
  //   good.example       5 x 250: delivered, 2 presumed, pending, delayed
  //   soft.example       3 (1 x 251, 2 x 250): 1 soft bounce (mailboxfull)
  //   previous day       2 x 250 at old.example: 1 hard bounce
  //   reports on the day: 1 unmatched DSN, 1 ARF complaint (linked),
  //                       1 forged VERP token (suspicious, unmatched)
  //   refusals           2 x 550, 1 x 450 on the day; 1 x 550 the day before
  void build() {
    for (int i = 0; i < 12; ++i) {
      const std::string rcpt = "u" + std::to_string(i) + "@catchall.example";
      const int code = i < 8 ? 252 : 250;
      const std::string at = "2026-12-01T0" + std::to_string(i % 10) + ":00:00Z";
      const auto mid = accept(rcpt, code, at);
      if (i < 4 || i == 8 || i == 9)  // 4 of the 252s, 2 of the 250s
        bounce(i < 6 ? "2026-12-01T12:00:00Z" : "2026-12-01T16:00:00Z", rcpt, mid, "userunknown", true);
    }
    const auto delivered = accept("d@good.example", 250, "2026-12-01T10:00:00Z");
    accept("p1@good.example", 250, "2026-12-01T10:00:00Z", "presumed_delivered");
    accept("p2@good.example", 250, "2026-12-01T10:00:00Z", "presumed_delivered");
    const auto complained = accept("open@good.example", 250, "2026-12-01T23:59:59Z");
    const auto delayed = accept("late@good.example", 250, "2026-12-01T11:00:00Z");
    report("2026-12-01T18:00:00Z", parser::Kind::dsn, "d@good.example", delivered, "delivered", "delivered", false);
    report("2026-12-01T18:00:00Z", parser::Kind::dsn, "late@good.example", delayed, "delayed", "expired", false);
    const auto soft = accept("full@soft.example", 251, "2026-12-01T09:00:00Z");
    accept("a@soft.example", 250, "2026-12-01T09:00:00Z");
    accept("b@soft.example", 250, "2026-12-01T09:00:00Z");
    bounce("2026-12-01T21:00:00Z", "full@soft.example", soft, "mailboxfull", false);
    // The day before (and one acceptance just after the fixture day).
    const auto old = accept("x@old.example", 250, "2026-11-30T00:00:00Z");
    accept("y@old.example", 250, "2026-11-30T23:59:59Z");
    bounce("2026-11-30T23:59:59Z", "x@old.example", old, "hostunknown", true);
    accept("next@good.example", 250, "2026-12-02T00:00:00Z");
    // Reports received on the day that link nothing, a complaint, a forgery.
    report("2026-12-01T19:00:00Z", parser::Kind::dsn, "nobody@elsewhere.example", "<unknown@test>", "failed",
           "userunknown", true);
    report("2026-12-01T19:30:00Z", parser::Kind::arf, "open@good.example", complained, "failed", "feedback", false);
    report("2026-12-01T19:45:00Z", parser::Kind::dsn, "u10@catchall.example", "", "failed", "userunknown", true,
           "v-aaaaaaaaaaaaaaaa");
    // Refused RCPTs (relay): 2 x 550 and 1 x 450 on the day, 1 x 550 before.
    refuse("r1@catchall.example", 550, "2026-12-01T01:00:00Z");
    refuse("r2@good.example", 550, "2026-12-01T02:00:00Z");
    refuse("r3@good.example", 450, "2026-12-01T03:00:00Z");
    refuse("r4@old.example", 550, "2026-11-30T03:00:00Z");
    now_ = *correlator::parse_iso("2026-12-02T06:00:00Z");
  }

  void refuse(const std::string& rcpt, int code, const std::string& at) {
    storage::NewRefusal r;
    r.recipient = rcpt;
    r.reply_code = code;
    r.refused_at = at;
    store_->record_refusal(r);
  }

  // The document the CLI would render for `--date 2026-12-01 --tz UTC`.
  cli::ReportDocument document(const std::string& zone = "UTC", const std::string& date = "2026-12-01") {
    const cli::Zone z(zone);
    cli::PeriodOptions o;
    o.date = date;
    const auto p = cli::choose_periods(o, z, now_);
    cli::ReportDocument doc;
    doc.data = storage::read_report(*store_, p.current, p.previous);
    doc.current = p.current_label;
    doc.previous = p.previous_label;
    doc.time_zone = z.name();
    doc.generated_at = correlator::to_iso(now_);
    return doc;
  }

  TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  correlator::VerpSigner signer_;
  correlator::TimePoint now_;
  correlator::Correlator correlator_;
  int next_message_ = 0, next_report_ = 0;
};

}  // namespace ndrlink::testing
