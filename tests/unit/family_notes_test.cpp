#include <gtest/gtest.h>

#include "family_test_util.h"

namespace p = ndrlink::parser;
using family_test::only;
using family_test::plain;

namespace {
const char* kHead = "From: postmaster@notes.example.com\r\nTo: sender@example.org\r\nSubject: Undeliverable message\r\n";

std::string notes_body(std::string_view reason, std::string_view rcpt_line) {
  return "\r\n------- Failure Reasons  --------\r\n\r\n" + std::string(reason) + "\r\n" + std::string(rcpt_line) +
         "\r\n\r\n------- Returned Message --------\r\nFrom: sender@example.org\r\nTo: tora@example.net\r\n"
         "Subject: hi\r\n\r\nhello\r\n";
}
}  // namespace

TEST(FamilyNotes, UserNotListedIsUserUnknown) {
  const auto r = p::parse_message(plain(kHead, notes_body("User  not listed in public Name & Address Book",
                                                          "neko@example.com")));
  EXPECT_EQ(r.family, "notes");
  const auto& x = only(r);
  EXPECT_EQ(x.recipient, "neko@example.com");
  EXPECT_EQ(x.status, "");
  EXPECT_EQ(x.reply_code, "");
  EXPECT_EQ(x.reason, "userunknown");
  EXPECT_TRUE(x.hard);
}

TEST(FamilyNotes, NoAddressInTheBlockTakesTheReturnedTo) {
  const auto r = p::parse_message(plain(kHead, notes_body("Message has exceeded maximum hop count", "")));
  const auto& x = only(r);
  EXPECT_EQ(x.recipient, "tora@example.net");
  EXPECT_EQ(x.reason, "networkerror");
  EXPECT_FALSE(x.hard);
}

TEST(FamilyNotes, OtherFormatsAreNotClaimed) {
  const auto r = p::parse_message(plain("From: MAILER-DAEMON@mx.example.org\r\nSubject: Undeliverable message\r\n",
                                        "<neko@example.com>: 550 5.1.1 User unknown\r\n"));
  EXPECT_NE(r.family, "notes");
}
