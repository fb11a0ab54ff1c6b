#include <gtest/gtest.h>

#include "family_test_util.h"

namespace p = ndrlink::parser;
using family_test::only;
using family_test::plain;

namespace {
const char* kHead = "From: \"InterScan MSS\" <postmaster@example.com>\r\nTo: sender@example.org\r\nSubject: =?utf-8?B?44Oh?=\r\n";
}  // namespace

TEST(FamilyInterScan, SessionTranscript) {
  const auto r = p::parse_message(plain(kHead,
      "****** Message from InterScan Messaging Security Suite ******\r\n\r\n"
      "Sent <<< RCPT TO:<neko@example.jp>\r\nReceived >>> 550 5.1.1 <neko@example.jp>... user unknown\r\n\r\n"
      "Unable to deliver message to <neko@example.jp>.\r\n"));
  EXPECT_EQ(r.family, "interscan");
  const auto& x = only(r);
  EXPECT_EQ(x.recipient, "neko@example.jp");
  EXPECT_EQ(x.status, "5.1.1");
  EXPECT_EQ(x.reply_code, "550");
  EXPECT_EQ(x.reason, "userunknown");
  EXPECT_TRUE(x.hard);
}

TEST(FamilyInterScan, SummaryLineOnly) {
  const auto r = p::parse_message(plain("From: postmaster@example.com (\"Postmaster 123\")\r\nTo: sender@example.org\r\n"
                                        "Subject: Mail could not be delivered\r\n",
      "****** Message from InterScan Messaging Security Suite ******\r\n\r\n"
      "The following mail could not be delivered.\r\n"
      "Reason:  Unable to deliver message to <tora@example.jp> (and other recipients in the same domain).\r\n"));
  const auto& x = only(r);
  EXPECT_EQ(x.recipient, "tora@example.jp");
  EXPECT_EQ(x.status, "");
  EXPECT_EQ(x.reason, "userunknown");
  EXPECT_TRUE(x.hard);
}

TEST(FamilyInterScan, OtherFormatsAreNotClaimed) {
  const auto r = p::parse_message(plain("From: MAILER-DAEMON@mx.example.org\r\nSubject: failure notice\r\n",
                                        "Unable to deliver message to <tora@example.jp>\r\n"));
  EXPECT_NE(r.family, "interscan");
}
