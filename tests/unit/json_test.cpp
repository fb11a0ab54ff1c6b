// DESIGN.md's JSON Lines contract: keys, their order, nulls for empty values.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ndrlink/parser/json.h"

namespace ndrlink::parser {
namespace {

TEST(Json, RecipientLineFollowsTheContract) {
  Report r;
  r.kind = Kind::dsn;
  r.reporting_mta = "mx.example.org";
  r.arrival_date = "2014-06-19T04:06:00Z";
  r.original_message_id = "<m@example.org>";
  RecipientResult rr;
  rr.recipient = "user@example.jp";
  rr.action = "failed";
  rr.status = "5.1.1";
  rr.reply_code = "550";
  rr.reason = "userunknown";
  rr.hard = true;
  rr.diagnostic = "550 \"quoted\" \\ and\ttab";
  r.recipients.push_back(rr);
  std::string out;
  append_json_lines(r, "a.eml", out);
  ASSERT_EQ(out.back(), '\n');
  const auto j = nlohmann::ordered_json::parse(out);
  const std::vector<std::string> want = {"file", "kind", "recipient", "original_recipient", "action", "status",
                                         "reply_code", "reason", "hard", "diagnostic", "reporting_mta",
                                         "remote_mta", "original_message_id", "envid", "verp_token",
                                         "arrival_date", "feedback_type"};
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  ASSERT_GE(keys.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(keys[i], want[i]) << i;
  EXPECT_EQ(j["file"], "a.eml");
  EXPECT_EQ(j["kind"], "dsn");
  EXPECT_TRUE(j["original_recipient"].is_null());
  EXPECT_TRUE(j["envid"].is_null());
  EXPECT_TRUE(j.contains("verp_recipient") && j["verp_recipient"].is_null());
  EXPECT_EQ(j["hard"], true);
  EXPECT_EQ(j["diagnostic"], "550 \"quoted\" \\ and\ttab");
  EXPECT_EQ(j["arrival_date"], "2014-06-19T04:06:00Z");
}

TEST(Json, NoneAndUnparsableAreOneLineWithoutRecipient) {
  Report r;
  r.kind = Kind::unparsable;
  r.error = "no RFC 5322 header found";
  std::string out;
  append_json_lines(r, "b.eml", out);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["kind"], "unparsable");
  EXPECT_EQ(j["error"], "no RFC 5322 header found");
  EXPECT_TRUE(j["recipient"].is_null());
}

TEST(Json, MultipleRecipientsInOrder) {
  Report r;
  r.kind = Kind::ndr;
  for (auto a : {"a@x.example", "b@x.example", "c@x.example"}) {
    RecipientResult rr;
    rr.recipient = a;
    r.recipients.push_back(rr);
  }
  std::string out;
  append_json_lines(r, "c.eml", out);
  std::istringstream in(out);
  std::string line;
  std::vector<std::string> got;
  while (std::getline(in, line)) got.push_back(nlohmann::json::parse(line)["recipient"]);
  EXPECT_EQ(got, (std::vector<std::string>{"a@x.example", "b@x.example", "c@x.example"}));
}

}  // namespace
}  // namespace ndrlink::parser
