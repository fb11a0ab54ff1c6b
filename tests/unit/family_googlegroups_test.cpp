#include <gtest/gtest.h>

#include "ndrlink/parser/parser.h"

namespace p = ndrlink::parser;

namespace {
std::string groups_bounce(std::string_view causes) {
  return "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
         "To: sender@example.net\nSubject: Delivery Status Notification (Failure)\n"
         "X-Failed-Recipients: somelist@googlegroups.com\nContent-Type: text/plain; charset=\"UTF-8\"\n\n"
         "Hello sender@example.net,\n\n"
         "We're writing to let you know that the group you tried to contact (somelist) may not exist, or you may "
         "not have permission to post messages to the group. A few more details on why you weren't able to post:\n\n" +
         std::string(causes) +
         "\nIf you have questions, visit the Help Center at https://groups.google.com/support/.\n\n"
         "Thanks,\n\nGoogle Groups\n\n----- Original message -----\n\n"
         "Message-Id: <orig.1@example.net>\nFrom: sender@example.net\nTo: somelist@googlegroups.com\n";
}
}  // namespace

TEST(FamilyGoogleGroups, PostingRefusedIsRejected) {
  const auto r = p::parse_message(groups_bounce(
      " * You might have spelled or formatted the group name incorrectly.\n"
      " * The owner of the group may have removed this group.\n"
      " * You may need to join the group before receiving permission to post.\n"
      " * This group may not be open to posting.\n"));
  ASSERT_EQ(r.recipients.size(), 1u);
  const auto& x = r.recipients[0];
  EXPECT_EQ(r.family, "googlegroups");
  EXPECT_EQ(x.recipient, "somelist@googlegroups.com");
  EXPECT_EQ(x.reason, "rejected");
  EXPECT_EQ(x.status, "");
  EXPECT_EQ(x.reply_code, "");
  EXPECT_FALSE(x.hard);
}

TEST(FamilyGoogleGroups, WithoutTheListOfCausesIsOnHold) {
  const auto r = p::parse_message(groups_bounce("Something else went wrong.\n"));
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].reason, "onhold");
}

TEST(FamilyGoogleGroups, PlainGmailBounceIsNotClaimed) {
  const auto r = p::parse_message(
      "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: sender@example.net\n"
      "Subject: Delivery Status Notification (Failure)\nX-Failed-Recipients: rcpt@example.org\n\n"
      "Delivery to the following recipient failed permanently:\n\n     rcpt@example.org\n\n"
      "Technical details of permanent failure:\nDNS Error: Domain name not found\n");
  EXPECT_NE(r.family, "googlegroups");
}
