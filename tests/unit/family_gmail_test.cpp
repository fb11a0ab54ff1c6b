#include <gtest/gtest.h>

#include "ndrlink/parser/parser.h"

namespace p = ndrlink::parser;

namespace {
std::string gmail_bounce(std::string_view subject, std::string_view body) {
  return "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: sender@gmail.example.com\n"
         "Subject: Delivery Status Notification (" + std::string(subject) + ")\n"
         "Content-Type: text/plain; charset=ISO-8859-1\n\n" + std::string(body) +
         "\n----- Original message -----\n\nMessage-Id: <orig.1@gmail.example.com>\n"
         "From: sender@gmail.example.com\nTo: rcpt@example.org\nSubject: hi\n\nhello\n";
}
}  // namespace

TEST(FamilyGmail, RemoteReplyAndStateGiveReason) {
  const auto r = p::parse_message(gmail_bounce(
      "Failure",
      "Delivery to the following recipient failed permanently:\n\n     rcpt@example.org\n\n"
      "Technical details of permanent failure:\nGoogle tried to deliver your message, but it was rejected by the "
      "recipient domain. We recommend contacting the other email provider for further information about the cause "
      "of this error. The error that the other server returned was: 550 550 5.1.1 <rcpt@example.org>... User "
      "Unknown (state 14).\n"));
  ASSERT_EQ(r.recipients.size(), 1u);
  const auto& x = r.recipients[0];
  EXPECT_EQ(r.family, "gmail");
  EXPECT_EQ(x.recipient, "rcpt@example.org");
  EXPECT_EQ(x.status, "5.1.1");
  EXPECT_EQ(x.reply_code, "550");
  EXPECT_EQ(x.reason, "userunknown");
  EXPECT_TRUE(x.hard);
}

TEST(FamilyGmail, StatusCodeOverridesStateGuess) {
  const auto r = p::parse_message(gmail_bounce(
      "Delay",
      "THIS IS A WARNING MESSAGE ONLY.\n\nDelivery to the following recipient has been delayed:\n\n"
      "     rcpt@example.org\n\nMessage will be retried for 2 more day(s)\n\n"
      "Technical details of temporary failure:\nThe error that the other server returned was: 450 450 4.2.2 "
      "<rcpt@example.org>... Mailbox Full (state 14).\n"));
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].action, "delayed");
  EXPECT_EQ(r.recipients[0].status, "4.2.2");
  EXPECT_EQ(r.recipients[0].reply_code, "450");
  EXPECT_EQ(r.recipients[0].reason, "mailboxfull");
  EXPECT_FALSE(r.recipients[0].hard);
}

TEST(FamilyGmail, ConnectionFailuresAreExpired) {
  const auto r = p::parse_message(gmail_bounce(
      "Failure",
      "Delivery to the following recipient failed permanently:\n\n     rcpt@example.org\n\n"
      "Technical details of permanent failure:\nThe recipient server did not accept our requests to connect. "
      "Learn more at https://support.google.com/mail/answer/7720\n[example.org 192.0.2.1: socket error]\n"));
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].reason, "expired");
  EXPECT_EQ(r.recipients[0].status, "");
}

TEST(FamilyGmail, OtherDaemonsAreNotClaimed) {
  const auto r = p::parse_message(
      "From: Mail Delivery Subsystem <mailer-daemon@mx.example.net>\nTo: sender@example.net\n"
      "Subject: Delivery Status Notification (Failure)\n\n"
      "Delivery to the following recipient failed permanently:\n\n     rcpt@example.org\n\n"
      "Technical details of permanent failure:\n550 5.1.1 User unknown\n");
  EXPECT_NE(r.family, "gmail");
}
