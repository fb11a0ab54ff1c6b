#include <gtest/gtest.h>

#include "family_test_util.h"

namespace p = ndrlink::parser;
using family_test::only;
using family_test::plain;

namespace {
std::string x2(std::string_view error) {
  return plain("From: MAILER-DAEMON@example.com\r\nTo: sender@example.org\r\nSubject: failed delivery\r\n",
               "Message from  example.com.\r\nUnable to deliver message to the following address(es).\r\n\r\n"
               "<neko@example.org>:\r\n" + std::string(error) + "\r\n\r\n--- Original message follows.\r\n\r\n"
               "From: sender@example.org\r\nTo: neko@example.org\r\n\r\nhi\r\n");
}
}  // namespace

TEST(FamilyX2, QueueTimeoutWithoutAnswerIsExpired) {
  const auto r = p::parse_message(x2("unable to connect to remote server [192.0.2.1:25]: Operation timed\r\nout\r\n"
                                     "I'm not going to try again; this message has been in the queue too long."));
  EXPECT_EQ(r.family, "x2");
  const auto& x = only(r);
  EXPECT_EQ(x.recipient, "neko@example.org");
  EXPECT_EQ(x.status, "");
  EXPECT_EQ(x.reply_code, "");
  EXPECT_EQ(x.reason, "expired");
  EXPECT_FALSE(x.hard);
}

TEST(FamilyX2, RemoteTextDecidesOtherwise) {
  const auto r = p::parse_message(x2("Sorry, your message to neko@example.org cannot be delivered.  "
                                           "This account is over quota."));
  const auto& x = only(r);
  EXPECT_EQ(x.reason, "mailboxfull");
  EXPECT_FALSE(x.hard);
}

TEST(FamilyX2, OtherFormatsAreNotClaimed) {
  const auto r = p::parse_message(plain("From: postmaster@example.com\r\nSubject: failed delivery\r\n",
                                        "Unable to deliver message to the following address(es).\r\n\r\n<a@example.org>:\r\nx\r\n"));
  EXPECT_NE(r.family, "x2");
}
