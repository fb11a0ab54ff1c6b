#include <gtest/gtest.h>

#include "ndrlink/parser/parser.h"

namespace p = ndrlink::parser;

namespace {
std::string gmx_bounce(std::string_view failures) {
  return "From: MAILER-DAEMON@mail.gmx.com\nTo: sender@gmx.example.net\n"
         "Subject: Mail delivery failed: returning message to sender\n"
         "Content-Type: text/plain; charset=utf-8\nX-GMX-Antispam: 0 (Mail was not recognized as spam)\n\n"
         "This message was created automatically by mail delivery software.\n\n"
         "A message that you sent could not be delivered to one or more of\nits recipients. This is a permanent "
         "error. The following address\nfailed:\n\n" + std::string(failures) +
         "\n\n--- The header of the original message is following. ---\n\n"
         "Message-ID: <orig.1@gmx.example.net>\nFrom: sender@gmx.example.net\nTo: a@example.org\nSubject: hi\n";
}
}  // namespace

TEST(FamilyGmx, EachQuotedRecipientGetsItsError) {
  const auto r = p::parse_message(gmx_bounce(
      "\"a@example.org\":\nSMTP error from remote server after RCPT command:\nhost: mx.example.org\n"
      "5.1.1 <a@example.org>... User Unknown\n"
      "\"b@example.org\":\nSMTP error from remote server after RCPT command:\nhost: mx.example.org\n"
      "5.2.2 <b@example.org>... Mailbox Full\n"));
  ASSERT_EQ(r.recipients.size(), 2u);
  EXPECT_EQ(r.family, "gmx");
  EXPECT_EQ(r.recipients[0].recipient, "a@example.org");
  EXPECT_EQ(r.recipients[0].status, "5.1.1");
  EXPECT_EQ(r.recipients[0].reply_code, "");
  EXPECT_EQ(r.recipients[0].reason, "userunknown");
  EXPECT_TRUE(r.recipients[0].hard);
  EXPECT_EQ(r.recipients[1].recipient, "b@example.org");
  EXPECT_EQ(r.recipients[1].status, "5.2.2");
  EXPECT_EQ(r.recipients[1].reason, "mailboxfull");
  EXPECT_FALSE(r.recipients[1].hard);
}

TEST(FamilyGmx, RetryTimeoutIsExpired) {
  const auto r = p::parse_message(gmx_bounce("<a@example.org>\n\nReason:\ndelivery retry timeout exceeded\n"));
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].reason, "expired");
  EXPECT_EQ(r.recipients[0].status, "");
  EXPECT_FALSE(r.recipients[0].hard);
}

TEST(FamilyGmx, EximBounceIsNotClaimed) {
  const auto r = p::parse_message(
      "From: Mail Delivery System <Mailer-Daemon@mx.example.net>\nTo: sender@example.net\n"
      "Subject: Mail delivery failed: returning message to sender\n\n"
      "This message was created automatically by mail delivery software.\n\n"
      "A message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. "
      "The following address(es) failed:\n\n  a@example.org\n    host mx.example.org [192.0.2.1]\n"
      "    SMTP error from remote mail server after RCPT TO:<a@example.org>:\n    550 5.1.1 User unknown\n");
  EXPECT_NE(r.family, "gmx");
}
