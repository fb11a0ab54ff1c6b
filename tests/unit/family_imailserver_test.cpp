#include <gtest/gtest.h>

#include "ndrlink/parser/parser.h"

namespace p = ndrlink::parser;

TEST(FamilyIMailServer, ErrorTextBeforeTheAddress) {
  const std::string raw =
      "From: \"Postmaster\" <postmaster@example.org>\nTo: <sender@example.org>\n"
      "Subject: Undeliverable Mail\n\n"
      "Unknown user: neko@example.jp\n\n"
      "User mailbox exceeds allowed size: tora@example.jp\n\n\n"
      "Original message follows.\n\nSubject: hi\n\nhello\n";
  const auto r = p::parse_message(raw);
  EXPECT_EQ(r.family, "imailserver");
  ASSERT_EQ(r.recipients.size(), 2u);
  EXPECT_EQ(r.recipients[0].recipient, "neko@example.jp");
  EXPECT_EQ(r.recipients[0].reason, "userunknown");
  EXPECT_TRUE(r.recipients[0].hard);
  EXPECT_EQ(r.recipients[0].status, "");
  EXPECT_EQ(r.recipients[1].reason, "mailboxfull");
  EXPECT_FALSE(r.recipients[1].hard);
}

TEST(FamilyIMailServer, DeliveryAttemptsExpired) {
  const std::string raw =
      "From: \"Postmaster\" <postmaster@example.org>\nSubject: Undeliverable Mail\n\n"
      "Delivery failed 20 attempts: neko@example.jp\n\n\nOriginal message follows.\n";
  const auto r = p::parse_message(raw);
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].reason, "expired");
}

TEST(FamilyIMailServer, OtherSubjectIsNotClaimed) {
  const std::string raw =
      "From: MAILER-DAEMON@example.org\nSubject: failure notice\n\n"
      "Unknown user: neko@example.jp\n\nOriginal message follows.\n";
  EXPECT_NE(p::parse_message(raw).family, "imailserver");
}
