#include <gtest/gtest.h>

#include "family_test_util.h"

namespace p = ndrlink::parser;
using family_test::dsn;
using family_test::only;

TEST(FamilyKddiRule, AddressedUserUnknownIsUserUnknown) {
  const auto r = p::parse_message(dsn("MAILER-DAEMON@mx.example.org", "neko@ezweb.ne.jp", "5.0.0",
                                            "lsean.ezweb.ne.jp", "550 <neko@ezweb.ne.jp>: User unknown"));
  const auto& x = only(r);
  EXPECT_EQ(x.recipient, "neko@ezweb.ne.jp");
  EXPECT_EQ(x.status, "5.0.0");
  EXPECT_EQ(x.reply_code, "550");
  EXPECT_EQ(x.reason, "userunknown");
  EXPECT_TRUE(x.hard);
}

TEST(FamilyKddiRule, BareUserUnknownIsFiltered) {
  const auto r = p::parse_message(dsn("MAILER-DAEMON@mx.example.org", "neko@ezweb.ne.jp", "5.0.0",
                                            "lsean.ezweb.ne.jp", "550 : User unknown"));
  const auto& x = only(r);
  EXPECT_EQ(x.reason, "filtered");
  EXPECT_FALSE(x.hard);
}

TEST(FamilyKddiRule, OtherProvidersUnaffected) {
  const auto r = p::parse_message(dsn("MAILER-DAEMON@mx.example.org", "neko@example.net", "5.0.0",
                                            "mx.example.net", "550 <neko@example.net>: User unknown"));
  const auto& x = only(r);
  EXPECT_NE(x.reason, "userunknown");
}
