#include <gtest/gtest.h>

#include "family_test_util.h"

namespace p = ndrlink::parser;
using family_test::only;
using family_test::plain;

namespace {
std::string domino(std::string_view because) {
  return plain("From: Postmaster@domino.example.com\r\nTo: sender@example.org\r\n"
               "Subject: DELIVERY FAILURE: User Neko (neko@example.com) not listed in\r\n",
               "Your message\r\n\r\n  Subject: hi\r\n\r\nwas not delivered to:\r\n\r\n  neko@example.com\r\n\r\n"
               "because:\r\n\r\n  " + std::string(because) + "\r\n\r\n");
}
}  // namespace

TEST(FamilyDomino, NotListedInDirectoryIsUserUnknown) {
  const auto r = p::parse_message(domino("User Neko (neko@example.com) not listed in Domino Directory"));
  EXPECT_EQ(r.family, "domino");
  const auto& x = only(r);
  EXPECT_EQ(x.recipient, "neko@example.com");
  EXPECT_EQ(x.status, "");
  EXPECT_EQ(x.reply_code, "");
  EXPECT_EQ(x.reason, "userunknown");
  EXPECT_TRUE(x.hard);
}

TEST(FamilyDomino, CannotRouteIsFiltered) {
  const auto r = p::parse_message(domino("Cannot route mail to user (neko@example.com)"));
  const auto& x = only(r);
  EXPECT_EQ(x.reason, "filtered");
  EXPECT_FALSE(x.hard);
}

TEST(FamilyDomino, OtherSubjectsAreNotClaimed) {
  const auto r = p::parse_message(plain("From: postmaster@example.com\r\nSubject: Delivery failure\r\n",
                                        "was not delivered to:\r\n\r\n  neko@example.com\r\n\r\nbecause:\r\n\r\n  x\r\n"));
  EXPECT_NE(r.family, "domino");
}
