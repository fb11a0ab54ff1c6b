#include <gtest/gtest.h>

#include "family_test_util.h"

namespace p = ndrlink::parser;
using family_test::only;

namespace {
// James writes the inner multipart's boundary parameter on an unindented
// line of its own; the MIME reader must still find the text part.
std::string james(std::string_view message_id) {
  return "From: post_master@mail.example.com\r\nTo: sender@example.org\r\nMessage-ID: <" + std::string(message_id) +
         ">\r\nSubject: Re:hi\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"O\"\r\n\r\n"
         "--O\r\nContent-Type: multipart/alternative;\r\nboundary=\"I\"\r\n\r\n"
         "--I\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nError: Invalid user address\r\n\r\n"
         "Error message below:\r\n550 - Requested action not taken: no such user here\r\n\r\n"
         "Message details:\r\n  Subject: hi\r\n  MAIL FROM: sender@example.org\r\n  RCPT TO: neko@example.com\r\n"
         "  From: sender@example.org\r\n\r\n--I--\r\n\r\n--O--\r\n";
}
}  // namespace

TEST(FamilyApacheJames, RecipientFromMessageDetails) {
  const auto r = p::parse_message(james("1.2.3.JavaMail.james@mail.example.com"));
  EXPECT_EQ(r.family, "apachejames");
  const auto& x = only(r);
  EXPECT_EQ(x.recipient, "neko@example.com");
  EXPECT_EQ(x.reply_code, "550");
  EXPECT_EQ(x.diagnostic, "550 - Requested action not taken: no such user here");
  EXPECT_EQ(x.reason, "filtered");  // no command named: a refusal after the envelope
  EXPECT_FALSE(x.hard);
}

TEST(FamilyApacheJames, OtherMailersAreNotClaimed) {
  const auto r = p::parse_message(james("1.2.3@mail.example.com"));
  EXPECT_NE(r.family, "apachejames");
}
