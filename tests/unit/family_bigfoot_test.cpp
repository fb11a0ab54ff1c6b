#include <gtest/gtest.h>

#include "ndrlink/parser/parser.h"

namespace p = ndrlink::parser;

namespace {
std::string litemail_dsn(std::string_view from) {
  return "From: Mail Delivery Subsystem <" + std::string(from) + ">\nTo: <sender@example.net>\nMIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\n"
         "Subject: Returned mail: Requested action not taken: mailbox name not allowed\n\n"
         "--b1\n\n   ----- The following addresses had permanent fatal errors -----\n<rcpt@example.org>\n\n"
         "   ----- Transcript of session follows -----\n>>> RCPT TO:<rcpt@example.org>\n"
         "<<< 553 Invalid recipient rcpt@example.org (Mode: normal)\n\n"
         "--b1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; litemail00.example.com\n\n"
         "Final-Recipient: RFC822; <rcpt@example.org>\nAction: failed\nStatus: 5.7.1\n"
         "Diagnostic-Code: SMTP; 553 Invalid recipient rcpt@example.org (Mode: normal)\n\n--b1--\n";
}
}  // namespace

TEST(FamilyBigfoot, TranscriptCommandMakesRcptRejectionUserUnknown) {
  const auto r = p::parse_message(litemail_dsn("MAILER-DAEMON@bigfoot.com"));
  ASSERT_EQ(r.recipients.size(), 1u);
  const auto& x = r.recipients[0];
  EXPECT_EQ(r.family, "bigfoot");
  EXPECT_EQ(x.recipient, "rcpt@example.org");
  EXPECT_EQ(x.status, "5.7.1");
  EXPECT_EQ(x.reply_code, "553");
  EXPECT_EQ(x.reason, "userunknown");
  EXPECT_TRUE(x.hard);
}

TEST(FamilyBigfoot, OtherSendersAreNotClaimed) {
  const auto r = p::parse_message(litemail_dsn("MAILER-DAEMON@mx.example.net"));
  EXPECT_NE(r.family, "bigfoot");
}
