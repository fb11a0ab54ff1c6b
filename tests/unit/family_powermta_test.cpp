#include <gtest/gtest.h>

#include "ndrlink/parser/parser.h"

namespace p = ndrlink::parser;

namespace {
std::string powermta_dsn(std::string_view category) {
  return "From: postmaster@mta.example.net\nTo: bounces@example.net\nSubject: Delivery report\nMIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\n\n"
         "--r\nContent-Type: text/plain\n\nThis is a delivery status notification.\n"
         "--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns;mta.example.net\n"
         "X-PowerMTA-VirtualMTA: mta.example.net\n\n"
         "Final-Recipient: rfc822;one@example.com\nAction: failed\nStatus: 5.0.0 (undefined status)\n"
         "Diagnostic-Code: smtp;554 delivery error: dd Sorry, this did not work\nX-PowerMTA-BounceCategory: " +
         std::string(category) +
         "\n\nFinal-Recipient: rfc822;two@example.com\nAction: failed\nStatus: 5.0.0\n"
         "Diagnostic-Code: smtp;552 sorry\nX-PowerMTA-BounceCategory: quota-issues\n\n--r--\n";
}
}  // namespace

TEST(FamilyPowerMta, BounceCategoryDecidesTheReason) {
  const auto r = p::parse_message(powermta_dsn("bad-mailbox"));
  ASSERT_EQ(r.recipients.size(), 2u);
  EXPECT_EQ(r.family, "powermta");
  EXPECT_EQ(r.recipients[0].reason, "userunknown");
  EXPECT_TRUE(r.recipients[0].hard);
  EXPECT_EQ(r.recipients[1].reason, "mailboxfull");
  EXPECT_FALSE(r.recipients[1].hard);
}

TEST(FamilyPowerMta, UnknownCategoryLeavesTheClassifier) {
  const auto r = p::parse_message(powermta_dsn("other"));
  ASSERT_EQ(r.recipients.size(), 2u);
  EXPECT_NE(r.recipients[0].reason, "userunknown");
}

TEST(FamilyPowerMta, DsnWithoutCategoryIsNotClaimed) {
  std::string m = powermta_dsn("bad-mailbox");
  for (auto at = m.find("X-PowerMTA"); at != std::string::npos; at = m.find("X-PowerMTA")) m.replace(at, 10, "X-Other-MTA");
  EXPECT_NE(p::parse_message(m).family, "powermta");
}
