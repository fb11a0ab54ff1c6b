#include <gtest/gtest.h>

#include "ndrlink/parser/parser.h"

namespace {
using ndrlink::parser::parse_message;

std::string sendmail_dsn(const std::string& transcript, const std::string& fields) {
  return "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\n"
         "Subject: Returned mail: see transcript for details\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"S1\"\n\n"
         "--S1\n\n   ----- Transcript of session follows -----\n" + transcript +
         "\n--S1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n" + fields +
         "\n--S1--\n";
}

TEST(FamilySendmail, FullMultiLineReplyFromTranscript) {
  const auto r = parse_message(sendmail_dsn(
      "... while talking to mx.example.com.:\n>>> DATA\n"
      "<<< 550-5.7.26 This message does not pass\n<<< 550 5.7.26 SPF checks for your domain\n",
      "Final-Recipient: RFC822; neko@example.com\nAction: failed\nStatus: 5.7.26\n"
      "Diagnostic-Code: SMTP; 550-5.7.26 This message does not pass\n"));
  EXPECT_EQ(r.family, "sendmail");
  ASSERT_EQ(r.recipients.size(), 1u);
  const auto& x = r.recipients[0];
  EXPECT_NE(x.diagnostic.find("SPF checks"), std::string::npos);
  EXPECT_EQ(x.status, "5.7.26");
  EXPECT_EQ(x.reply_code, "550");
  EXPECT_EQ(x.reason, "authfailure");
  EXPECT_FALSE(x.hard);
}

TEST(FamilySendmail, MailerExitCodeUsesSendmailsErrorLine) {
  const auto r = parse_message(sendmail_dsn(
      "451 4.0.0 Operating system error\n",
      "Final-Recipient: RFC822; neko@example.com\nX-Actual-Recipient: X-Unix; |/usr/bin/prog\n"
      "Action: delayed\nStatus: 4.5.0\nDiagnostic-Code: X-Unix; 71\n"));
  ASSERT_EQ(r.recipients.size(), 1u);
  const auto& x = r.recipients[0];
  EXPECT_EQ(x.recipient, "neko@example.com");
  EXPECT_EQ(x.status, "4.5.0");
  EXPECT_EQ(x.reply_code, "451");
  EXPECT_EQ(x.reason, "mailererror");
}

TEST(FamilySendmail, DoesNotClaimPostfix) {
  const auto r = parse_message(
      "From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail Returned to Sender\n\n"
      "This is the Postfix program at host example.org.\n\n<a@example.jp>: host x[192.0.2.1] said: 550 5.1.1 "
      "User unknown (in reply to RCPT TO command)\n");
  EXPECT_NE(r.family, "sendmail");
}

}  // namespace
