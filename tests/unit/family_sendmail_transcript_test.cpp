// Sendmail-based DSNs (Sendmail, Bigfoot's LiteMail) whose Diagnostic-Code
// lacks the SMTP command: the transcript's ">>> RCPT TO" line supplies it.
#include <gtest/gtest.h>

#include "ndrlink/parser/parser.h"

namespace p = ndrlink::parser;

namespace {
std::string sendmail_dsn(std::string_view command) {
  return "From: Mail Delivery Subsystem <MAILER-DAEMON@litemail.example.com>\nTo: <sender@example.net>\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\n"
         "Subject: Returned mail: Requested action not taken: mailbox name not allowed\n\n"
         "--b1\n\n   ----- The following addresses had permanent fatal errors -----\n<rcpt@example.org>\n\n"
         "   ----- Transcript of session follows -----\n>>> " +
         std::string(command) +
         "\n<<< 553 Invalid recipient rcpt@example.org (Mode: normal)\n\n"
         "--b1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; litemail00.example.com\n\n"
         "Final-Recipient: RFC822; <rcpt@example.org>\nAction: failed\nStatus: 5.7.1\n"
         "Diagnostic-Code: SMTP; 553 Invalid recipient rcpt@example.org (Mode: normal)\n\n--b1--\n";
}
}  // namespace

TEST(FamilySendmailTranscript, RcptRejectionIsUserUnknown) {
  const auto r = p::parse_message(sendmail_dsn("RCPT TO:<rcpt@example.org>"));
  ASSERT_EQ(r.recipients.size(), 1u);
  const auto& x = r.recipients[0];
  EXPECT_EQ(r.family, "sendmail");
  EXPECT_EQ(x.status, "5.7.1");
  EXPECT_EQ(x.reply_code, "553");
  EXPECT_EQ(x.reason, "userunknown");
  EXPECT_TRUE(x.hard);
}

TEST(FamilySendmailTranscript, SameTextAfterDataIsFiltered) {
  // After DATA the server has accepted the address: a "recipient" text is a filter.
  const auto r = p::parse_message(sendmail_dsn("DATA"));
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].reason, "filtered");
  EXPECT_FALSE(r.recipients[0].hard);
}
