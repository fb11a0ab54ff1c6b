#include <gtest/gtest.h>

#include "ndrlink/parser/parser.h"

namespace {
using ndrlink::parser::parse_message;

constexpr const char* kV5 =
    "From: Mail Delivery Subsystem <MAILER-DAEMON@example.com>\n"
    "Subject: Returned mail: User unknown\n\n"
    "   ----- Transcript of session follows -----\n"
    "While talking to mx.example.org:\n"
    ">>> RCPT To:<mike@example.org>\n"
    "<<< 550 No such user here.\n"
    "550 <mike@example.org>... User unknown\n"
    "554 <tora@example.net>... 550 Host unknown (Authoritative answer from name server)\n\n"
    "   ----- Unsent message follows -----\n"
    "From: neko@example.com\nTo: mike@example.org\nSubject: hi\n\nhi\n";

TEST(FamilyV5Sendmail, OneResultPerRecipientLine) {
  const auto r = parse_message(kV5);
  EXPECT_EQ(r.family, "v5sendmail");
  ASSERT_EQ(r.recipients.size(), 2u);
  EXPECT_EQ(r.recipients[0].recipient, "mike@example.org");
  EXPECT_EQ(r.recipients[0].reason, "userunknown");
  EXPECT_EQ(r.recipients[0].reply_code, "550");
  EXPECT_TRUE(r.recipients[0].hard);
  EXPECT_EQ(r.recipients[1].recipient, "tora@example.net");
  EXPECT_EQ(r.recipients[1].reason, "hostunknown");
  EXPECT_EQ(r.recipients[1].status, "5.0.0");
}

TEST(FamilyV5Sendmail, HostErrorOnlyUsesUnsentTo) {
  const auto r = parse_message(
      "From: Mail Delivery Subsystem <MAILER-DAEMON@example.com>\nSubject: Returned mail: Cannot send message\n\n"
      "   ----- Transcript of session follows -----\n"
      "421 example.org (smtp)... Deferred: Connection timed out during user open with example.org\n\n"
      "   ----- Unsent message follows -----\nFrom: neko@example.com\nTo: tora@example.org\nSubject: x\n\nx\n");
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].recipient, "tora@example.org");
  EXPECT_EQ(r.recipients[0].reason, "expired");
  EXPECT_FALSE(r.recipients[0].hard);
}

TEST(FamilyV5Sendmail, DoesNotClaimWithoutUnsentMarker) {
  const auto r = parse_message(
      "From: MAILER-DAEMON@example.com\nSubject: Returned mail: x\n\n"
      "   ----- Transcript of session follows -----\n550 <a@example.org>... User unknown\n");
  EXPECT_NE(r.family, "v5sendmail");
}

}  // namespace
