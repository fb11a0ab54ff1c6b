#include <gtest/gtest.h>

#include "ndrlink/parser/parser.h"

namespace p = ndrlink::parser;

TEST(FamilyGeneric, ReplyOnTheLinesAfterTheAddress) {
  const std::string raw =
      "From: MAILER-DAEMON@mx.example.org\nSubject: Delivery failure\n\n"
      "Unable to deliver message to the following recipient.\n\n"
      "<neko@example.jp>:\n"
      "SMTP error from remote server after end of data:\n"
      "550 5.7.1 Message rejected as spam\n\n"
      "--- Original message follows.\n\nFrom: sender@example.org\n";
  const auto r = p::parse_message(raw);
  EXPECT_EQ(r.family, "generic");
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].recipient, "neko@example.jp");
  EXPECT_EQ(r.recipients[0].status, "5.7.1");
  EXPECT_EQ(r.recipients[0].reply_code, "550");
  EXPECT_EQ(r.recipients[0].reason, "spamdetected");
  EXPECT_FALSE(r.recipients[0].hard);
}

TEST(FamilyGeneric, TranscriptAfterSeparator) {
  const std::string raw =
      "From: MAILER-DAEMON@mx.example.org\nSubject: FAILURE NOTICE\n\n"
      "  ----- The following addresses had permanent fatal errors -----\n\n"
      ">>> neko@example.jp <neko@example.jp>\n\n"
      "  ----- Transcript of session follows -----\n"
      "550 sorry, no mailbox here by that name (#5.1.1)\n";
  const auto r = p::parse_message(raw);
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].status, "5.1.1");
  EXPECT_EQ(r.recipients[0].reason, "userunknown");
  EXPECT_TRUE(r.recipients[0].hard);
}

TEST(FamilyGeneric, OneAddressWithTheReplyElsewhere) {
  const std::string raw =
      "From: postmaster@example.org\nSubject: Undeliverable Mail\n\n"
      "Could not be delivered because of\n\n550 5.1.1 User unknown\n\n"
      "The following recipients were affected:\n    neko@example.jp\n";
  const auto r = p::parse_message(raw);
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].recipient, "neko@example.jp");
  EXPECT_EQ(r.recipients[0].reason, "userunknown");
}

TEST(FamilyGeneric, OrdinaryMailIsNotABounce) {
  const std::string raw =
      "From: friend@example.org\nSubject: lunch\n\nneko@example.jp said 550 people are coming.\n";
  EXPECT_TRUE(p::parse_message(raw).recipients.empty());
}

TEST(FamilyGeneric, CompletesDsnWithoutDiagnosticFromProse) {
  const std::string raw =
      "From: Mailer Daemon <MAILER-DAEMON@mx.example.org>\nSubject: Delivery status notification: failed\n"
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
      "--b\nContent-Type: text/plain\n\n"
      "    An error has occurred while attempting to deliver a message for\n"
      "    the following list of recipients:\n\n"
      "neko@example.jp: 550 5.7.25 Reverse DNS validation failed\n\n"
      "--b\nContent-Type: message/delivery-status\n\n"
      "Reporting-MTA: dns; mx.example.org\n\n"
      "Final-Recipient: rfc822; neko@example.jp\nAction: failed\nStatus: 5.0.0\n\n--b--\n";
  const auto r = p::parse_message(raw);
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].status, "5.7.25");
  EXPECT_EQ(r.recipients[0].reply_code, "550");
  EXPECT_EQ(r.recipients[0].reason, "requireptr");
  EXPECT_FALSE(r.recipients[0].hard);
}
