// The report of a store with known contents (report_fixture.h): exact
// figures in JSON and CSV, key lines of the text, key elements of the HTML,
// and an empty day.
#include <gtest/gtest.h>

#include <sstream>

#include "report_fixture.h"
#include "report_json.h"

namespace ndrlink::testing {
namespace {

using Json = nlohmann::ordered_json;

class ReportTest : public ReportFixture {
 protected:
  void SetUp() override { build(); }
  template <typename Render>
  std::string render(Render r, const cli::ReportDocument& doc) {
    std::ostringstream out;
    r(doc, out);
    return out.str();
  }
};

TEST_F(ReportTest, JsonHasTheExactFigures) {
  const Json j = cli::report_json(document());
  EXPECT_EQ(j["period"], Json::parse(R"({"label":"2026-12-01","since":"2026-12-01T00:00:00Z",
      "until":"2026-12-02T00:00:00Z","hours":24})"));
  EXPECT_EQ(j["previous_period"]["since"], "2026-11-30T00:00:00Z");
  EXPECT_EQ(j["acceptances"]["total"], Json::parse(R"({"accepted":20,"bounced":7,"bounced_hard":6,
      "bounced_soft":1,"delivered":1,"presumed_delivered":2,"pending":9,"delayed":1,"bounce_rate":0.35})"));
  EXPECT_EQ(j["acceptances"]["refused"], 3);
  EXPECT_EQ(j["acceptances"]["refused_recorded"], true);
  EXPECT_EQ(j["acceptances"]["refused_by_code"],
            Json::parse(R"([{"reply_code":450,"count":1},{"reply_code":550,"count":2}])"));
  EXPECT_EQ(j["previous"]["acceptances"]["refused"], 1);
  ASSERT_EQ(j["acceptances"]["by_code"].size(), 3u);
  EXPECT_EQ(j["acceptances"]["by_code"][0], Json::parse(R"({"reply_code":250,"accepted":11,"bounced":2,
      "bounced_hard":2,"bounced_soft":0,"delivered":1,"presumed_delivered":2,"pending":5,"delayed":1,
      "bounce_rate":0.1818})"));
  EXPECT_EQ(j["acceptances"]["by_code"][1]["accepted"], 1);
  EXPECT_EQ(j["acceptances"]["by_code"][1]["bounced_soft"], 1);
  EXPECT_EQ(j["acceptances"]["by_code"][2]["accepted"], 8);
  EXPECT_EQ(j["acceptances"]["by_code"][2]["bounced_hard"], 4);
  EXPECT_EQ(j["bounce_reasons"], Json::parse(R"([{"reason":"userunknown","bounced":6,"hard":6,"soft":0},
      {"reason":"mailboxfull","bounced":1,"hard":0,"soft":1}])"));
  EXPECT_EQ(j["bounce_delay"], Json::parse(R"({"count":7,"p50_seconds":36000,"p90_seconds":43200})"));
  EXPECT_EQ(j["domain_count"], 3);
  ASSERT_EQ(j["domains"].size(), 3u);
  EXPECT_EQ(j["domains"][0], Json::parse(R"({"domain":"catchall.example","accepted":12,"bounced":6,
      "bounced_hard":6,"bounced_soft":0,"delivered":0,"presumed_delivered":0,"pending":6,"delayed":0,
      "bounce_rate":0.5,"accepted_250":4,"accepted_251":0,"accepted_252":8,"share_252":0.6667,"bounced_250":2,
      "bounced_252":4,"bounce_rate_250":0.5,"bounce_rate_252":0.5,"catch_all":true})"));
  EXPECT_EQ(j["domains"][1]["domain"], "good.example");
  EXPECT_EQ(j["domains"][1]["catch_all"], false);
  EXPECT_TRUE(j["domains"][1]["bounce_rate_252"].is_null());
  EXPECT_EQ(j["domains"][2]["domain"], "soft.example");
  ASSERT_EQ(j["catch_all_domains"].size(), 1u);
  EXPECT_EQ(j["catch_all_domains"][0]["domain"], "catchall.example");
  EXPECT_EQ(j["reports"], Json::parse(R"({"received":12,"unmatched_reports":2,"unmatched_results":2,
      "complaints":1,"complaints_linked":1,"suspicious":1})"));
  ASSERT_EQ(j["unmatched"].size(), 2u);
  EXPECT_EQ(j["unmatched"][0]["recipient"], "nobody@elsewhere.example");
  EXPECT_TRUE(j["unmatched"][0]["suspicious"].is_null());
  EXPECT_EQ(j["unmatched"][1]["suspicious"], "verp token fails verification");
  EXPECT_EQ(j["complaint_types"], Json::parse(R"([{"feedback_type":"abuse","count":1}])"));
  EXPECT_EQ(j["suspicious_reasons"], Json::parse(R"([{"why":"verp token fails verification","count":1}])"));
  EXPECT_EQ(j["previous"]["acceptances"]["total"]["accepted"], 2);
  EXPECT_EQ(j["previous"]["acceptances"]["total"]["bounced_hard"], 1);
  EXPECT_EQ(j["previous"]["reports"]["received"], 1);
  EXPECT_EQ(j["change"], Json::parse(R"({"accepted":18,"bounced":6,"bounced_hard":5,"delivered":1,
      "presumed_delivered":2,"pending":8,"delayed":1,"refused":2,"bounce_rate":-0.15,"unmatched_results":2,"complaints":1,
      "suspicious":1})"));
}

TEST_F(ReportTest, CsvHasOneFigurePerRow) {
  const std::string csv = render(cli::render_csv, document());
  EXPECT_EQ(csv.rfind("section,key,metric,value\r\n", 0), 0u);
  for (const char* row : {"period,current,hours,24", "acceptances,total,accepted,20", "acceptances,refused,accepted,3",
                          "acceptances,refused_550,count,2", "acceptances,refused_450,count,1",
                          "acceptances,252,accepted,8", "acceptances,251,bounced_soft,1",
                          "acceptances,250,bounce_rate,0.1818", "bounce_reasons,userunknown,bounced,6",
                          "bounce_reasons,mailboxfull,soft,1", "bounce_delay,,p50_seconds,36000",
                          "domains,catchall.example,share_252,0.6667", "domains,catchall.example,catch_all,true",
                          "domains,good.example,bounce_rate_252,", "catch_all_domains,catchall.example,bounced_hard,6",
                          "catch_all_rule,,min_bounce_rate,0.2", "reports,,unmatched_results,2",
                          "unmatched,2,suspicious,verp token fails verification", "complaint_types,abuse,count,1",
                          "suspicious_reasons,verp token fails verification,count,1",
                          "previous_acceptances,total,accepted,2", "change,,bounce_rate,-0.15"})
    EXPECT_NE(csv.find(std::string("\r\n") + row + "\r\n"), std::string::npos) << row;
}

TEST_F(ReportTest, TextFitsEightyColumnsAndSaysTheFigures) {
  const std::string text = render(cli::render_text, document());
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 80u) << line;
  for (const char* key : {"ndrlink report for 2026-12-01 (UTC, 24 h)",
                          "  total accepted                            20          2      +18",
                          "  refused                                    3          1       +2",
                          "    550                                      2          1       +1",
                          "    450                                      1          0       +1",
                          "  bounced                              7    35.0%          1       +6",
                          "    hard (address is bad)              6    30.0%          1       +5",
                          "  userunknown                             6        6        0",
                          "median 10h 00m, 90% within 12h 00m (7 bounces)", "  catchall.example",
                          "(*) catch-all or backup MX", "  unmatched results                      2          0       +2",
                          "  suspicious: verp token fails verification: 1", "nobody@elsewhere.example"})
    EXPECT_NE(text.find(key), std::string::npos) << key << "\n" << text;
}

TEST_F(ReportTest, HtmlIsSelfContainedWithCharts) {
  const std::string html = render(cli::render_html, document());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"Outcomes of the period&#39;s acceptances\""), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"Top bounce reasons\""), std::string::npos);
  EXPECT_NE(html.find("<tr class=\"flag\"><td>catchall.example</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>accepted</td><td class=\"n\">20</td>"), std::string::npos);
  EXPECT_NE(html.find("<tr><td>550</td><td class=\"n\">2</td></tr>"), std::string::npos);
  for (const char* banned : {"<script", "http://", "https://", "src=", "<link"}) {
    // The SVG namespace is the one URL allowed: it is a name, not a fetch.
    std::string rest = html;
    for (auto at = rest.find("http://www.w3.org/2000/svg"); at != std::string::npos;
         at = rest.find("http://www.w3.org/2000/svg"))
      rest.erase(at, 26);
    EXPECT_EQ(rest.find(banned), std::string::npos) << banned;
  }
}

TEST_F(ReportTest, PreviousDayHasItsOwnFigures) {
  const Json j = cli::report_json(document("UTC", "2026-11-30"));
  EXPECT_EQ(j["acceptances"]["total"]["accepted"], 2);
  EXPECT_EQ(j["bounce_reasons"][0]["reason"], "hostunknown");
  EXPECT_EQ(j["reports"]["received"], 1);
  EXPECT_EQ(j["catch_all_domains"].size(), 0u);
}

TEST(ReportEmpty, AnEmptyDayHasZerosAndNoRates) {
  TempDir dir;
  auto store = storage::Store::open(dir.file("empty.db"));
  cli::ReportDocument doc;
  doc.data = storage::read_report(*store, {"2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z"},
                                  {"2026-11-30T00:00:00Z", "2026-12-01T00:00:00Z"});
  doc.current = {"2026-12-01", 24};
  doc.previous = {"2026-11-30", 24};
  const Json j = cli::report_json(doc);
  EXPECT_EQ(j["acceptances"]["total"]["accepted"], 0);
  EXPECT_TRUE(j["acceptances"]["total"]["bounce_rate"].is_null());
  EXPECT_EQ(j["acceptances"]["by_code"].size(), 3u);
  EXPECT_TRUE(j["domains"].empty());
  EXPECT_TRUE(j["bounce_reasons"].empty());
  EXPECT_EQ(j["bounce_delay"]["count"], 0);
  EXPECT_TRUE(j["change"]["bounce_rate"].is_null());
  std::ostringstream text, html;
  cli::render_text(doc, text);
  cli::render_html(doc, html);
  EXPECT_NE(text.str().find("No acceptances were recorded in this period."), std::string::npos);
  EXPECT_NE(text.str().find("(no bounces)"), std::string::npos);
  EXPECT_NE(html.str().find("No acceptances were recorded in this period."), std::string::npos);
  // Inside the caller's transaction it reads without opening its own.
  storage::Transaction tx(*store);
  EXPECT_EQ(storage::read_report(*store, doc.data.current.period, doc.data.previous.period).current.totals.accepted, 0);
}

TEST(CatchAllRule, ThresholdsAreInclusiveAndAllRequired) {
  storage::DomainRow d;
  d.outcome.accepted = 10;
  d.outcome.bounced = 5;
  d.outcome.bounced_hard = 3;
  EXPECT_TRUE(storage::looks_like_catch_all(d));  // 50% bounced, 60% hard
  d.outcome.bounced_hard = 2;
  EXPECT_FALSE(storage::looks_like_catch_all(d));  // 40% hard: a mailbox-full wave, not a catch-all
  d.outcome.bounced_hard = 5;
  d.outcome.accepted = 9;
  EXPECT_FALSE(storage::looks_like_catch_all(d));  // too few to judge
  d.outcome.accepted = 26;
  EXPECT_FALSE(storage::looks_like_catch_all(d));  // 19% bounced
}

}  // namespace
}  // namespace ndrlink::testing
