#include <gtest/gtest.h>

#include "ndrlink/parser/parser.h"

namespace p = ndrlink::parser;

namespace {
std::string dma_bounce(std::string_view error) {
  return std::string(
             "Received: from MAILER-DAEMON\n\tid 1a2b\n\tby mx.example.net (DragonFly Mail Agent v0.13);\n"
             "\tMon, 3 Jun 2024 10:00:00 +0900\n"
             "From: MAILER-DAEMON <>\nTo: sender@example.net\nSubject: Mail delivery failed\n"
             "Message-Id: <1a2b@mx.example.net>\nDate: Mon, 3 Jun 2024 10:00:00 +0900\n\n"
             "This is the DragonFly Mail Agent v0.13 at mx.example.net.\n\n"
             "There was an error delivering your mail to <rcpt@example.org>.\n\n") +
         std::string(error) +
         "\n\nMessage headers follow.\n\n"
         "Subject: hi\nTo: <rcpt@example.org>\nMessage-Id: <orig.1@mx.example.net>\nFrom: <sender@example.net>\n";
}
}  // namespace

TEST(FamilyDragonFly, MultiLineReplyGivesCodesAndReason) {
  const auto r = p::parse_message(dma_bounce(
      "mx.example.org [192.0.2.1] did not like our final DATA:\n"
      "550-5.7.26 Unauthenticated email from example.net is not accepted due to domain's\n"
      "550-5.7.26 DMARC policy. Please contact the administrator.\n"
      "550 5.7.26 https://support.example.org/dmarc - gsmtp"));
  ASSERT_EQ(r.recipients.size(), 1u);
  const auto& x = r.recipients[0];
  EXPECT_EQ(r.family, "dragonfly");
  EXPECT_EQ(x.recipient, "rcpt@example.org");
  EXPECT_EQ(x.status, "5.7.26");
  EXPECT_EQ(x.reply_code, "550");
  EXPECT_EQ(x.reason, "authfailure");
  EXPECT_FALSE(x.hard);
  EXPECT_EQ(x.diagnostic.find("550-5.7.26 DMARC"), std::string::npos);  // continuation prefix dropped
}

TEST(FamilyDragonFly, RcptRejectionIsUserUnknown) {
  const auto r = p::parse_message(dma_bounce(
      "mx.example.org [192.0.2.1] did not like our RCPT TO:\n"
      "550 5.1.1 <rcpt@example.org>: Recipient address rejected: User unknown"));
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].status, "5.1.1");
  EXPECT_EQ(r.recipients[0].reply_code, "550");
  EXPECT_EQ(r.recipients[0].reason, "userunknown");
  EXPECT_TRUE(r.recipients[0].hard);
}

TEST(FamilyDragonFly, GivingUpIsExpired) {
  const auto r = p::parse_message(dma_bounce("Could not deliver for the last 432000 seconds. Giving up."));
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].reason, "expired");
  EXPECT_EQ(r.recipients[0].status, "");
  EXPECT_FALSE(r.recipients[0].hard);
}

TEST(FamilyDragonFly, OtherFormatsAreNotClaimed) {
  const auto r = p::parse_message(
      "From: MAILER-DAEMON@mx.example.net\nTo: sender@example.net\nSubject: Undelivered Mail Returned to Sender\n\n"
      "This is the mail system at host mx.example.net.\n\n"
      "<rcpt@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n");
  EXPECT_NE(r.family, "dragonfly");
}
