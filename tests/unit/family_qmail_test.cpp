#include <gtest/gtest.h>

#include "ndrlink/parser/parser.h"

namespace p = ndrlink::parser;

namespace {
const char* kHead =
    "From: MAILER-DAEMON@mx.example.org\n"
    "To: sender@example.org\n"
    "Subject: failure notice\n\n"
    "Hi. This is the qmail-send program at mx.example.org.\n"
    "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
    "This is a permanent error; I've given up. Sorry it didn't work out.\n\n";
}  // namespace

TEST(FamilyQmail, RemoteHostSaidOnTheNextLine) {
  const std::string raw = std::string(kHead) +
                          "<neko@example.jp>:\n"
                          "192.0.2.1 does not like recipient.\n"
                          "Remote host said: 550 5.2.1 <neko@example.jp>... User Unknown\n"
                          "Giving up on 192.0.2.1.\n\n"
                          "<tora@example.net>:\n"
                          "192.0.2.2 does not like recipient.\n"
                          "Remote host said: 552 5.2.2 Mailbox full\n"
                          "Giving up on 192.0.2.2.\n\n"
                          "--- Below this line is a copy of the message.\n";
  const auto r = p::parse_message(raw);
  EXPECT_EQ(r.family, "qmail");
  ASSERT_EQ(r.recipients.size(), 2u);
  EXPECT_EQ(r.recipients[0].recipient, "neko@example.jp");
  EXPECT_EQ(r.recipients[0].status, "5.2.1");
  EXPECT_EQ(r.recipients[0].reply_code, "550");
  EXPECT_EQ(r.recipients[0].reason, "userunknown");  // refused at RCPT
  EXPECT_TRUE(r.recipients[0].hard);
  EXPECT_EQ(r.recipients[1].reason, "mailboxfull");
  EXPECT_EQ(r.recipients[1].reply_code, "552");
  EXPECT_FALSE(r.recipients[1].hard);
}

TEST(FamilyQmail, OwnErrorsDecideTheReason) {
  const std::string raw = std::string(kHead) +
                          "<neko@example.jp>:\n"
                          "Connected to 192.0.2.1 but sender was rejected.\n"
                          "Remote host said: 553 sorry, your envelope sender is in my badmailfrom list\n\n"
                          "<tora@nullmx.example>:\n"
                          "Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)\n\n"
                          "<tama@example.net>:\n"
                          "Unable to contact LDAP server. (#4.4.3)\n";
  const auto r = p::parse_message(raw);
  ASSERT_EQ(r.recipients.size(), 3u);
  EXPECT_EQ(r.recipients[0].reason, "rejected");
  EXPECT_EQ(r.recipients[0].reply_code, "553");
  EXPECT_EQ(r.recipients[1].reason, "notaccept");
  EXPECT_EQ(r.recipients[1].status, "5.4.4");
  EXPECT_TRUE(r.recipients[1].hard);
  EXPECT_EQ(r.recipients[2].reason, "systemerror");
  EXPECT_EQ(r.recipients[2].status, "4.4.3");
}

TEST(FamilyQmail, EximBounceIsNotClaimed) {
  const std::string raw =
      "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\n"
      "Subject: Mail delivery failed: returning message to sender\n\n"
      "This message was created automatically by mail delivery software.\n\n"
      "The following address(es) failed:\n\n  neko@example.jp\n    Unrouteable address\n";
  EXPECT_NE(p::parse_message(raw).family, "qmail");
}
