#include <gtest/gtest.h>

#include "ndrlink/parser/parser.h"

namespace {
using ndrlink::parser::parse_message;

constexpr const char* kReport =
    "From: Internet Mail Delivery <postmaster@mx.example.org>\n"
    "Subject: Delivery Notification: Delivery has failed\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"M1\"\n\n"
    "--M1\nContent-Type: text/plain\n\n"
    "This report relates to a message you sent with the following header fields:\n\n"
    "  Subject: hi\n\n"
    "Your message cannot be delivered to the following recipients:\n\n"
    "  Recipient address: neko@example.jp\n"
    "  Reason: Server rejected MAIL FROM address\n"
    "  Diagnostic code: smtp;501 5.1.8 Sender address rejected\n\n"
    "--M1\nContent-Type: message/delivery-status\n\n"
    "Reporting-MTA: dns;mx.example.org\n\n"
    "Final-recipient: rfc822;neko@example.jp\nAction: failed\nStatus: 5.1.8\n"
    "Diagnostic-code: smtp;501 5.1.8 Sender address rejected\n\n"
    "--M1--\n";

TEST(FamilyMessagingServer, MailFromRejectionIsRejected) {
  const auto r = parse_message(kReport);
  EXPECT_EQ(r.family, "messagingserver");
  ASSERT_EQ(r.recipients.size(), 1u);
  const auto& x = r.recipients[0];
  EXPECT_EQ(x.recipient, "neko@example.jp");
  EXPECT_EQ(x.status, "5.1.8");
  EXPECT_EQ(x.reply_code, "501");
  EXPECT_EQ(x.reason, "rejected");
  EXPECT_FALSE(x.hard);
}

TEST(FamilyMessagingServer, DoesNotClaimOtherFormats) {
  const auto r = parse_message(
      "From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail Returned to Sender\n\n"
      "This is the Postfix program at host example.org.\n\n<a@example.jp>: host x[192.0.2.1] said: 550 5.1.1 "
      "User unknown (in reply to RCPT TO command)\n");
  EXPECT_NE(r.family, "messagingserver");
}

}  // namespace
