#include <gtest/gtest.h>

#include "text.h"

namespace t = ndrlink::parser::text;

TEST(Text, WildcardMatchesGapsInOrder) {
  EXPECT_TRUE(t::matches("user xyz is unknown", "user*unknown"));
  EXPECT_FALSE(t::matches("unknown user", "user*unknown"));
  EXPECT_TRUE(t::matches("anything", ""));
  EXPECT_TRUE(t::matches("mailbox is full", "mailbox*full"));
}

TEST(Text, FindsAddressesAndRejectsJunk) {
  EXPECT_EQ(t::find_address("<kijitora@example.jp>: host said"), "kijitora@example.jp");
  EXPECT_EQ(t::find_address("no address @ here"), "");
  EXPECT_EQ(t::find_address("a@b"), "");
  const auto all = t::find_addresses("a@example.jp, A@EXAMPLE.JP and b@example.org.");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1], "b@example.org");
}

TEST(Text, CleanAddressStripsTypeAndBrackets) {
  EXPECT_EQ(t::clean_address(" rfc822; <User@Example.JP> "), "User@Example.JP");
  EXPECT_EQ(t::clean_address("\"neko@example.jp\"."), "neko@example.jp");
}

TEST(Text, LinesDropCarriageReturns) {
  const auto ls = t::lines("a\r\nb\nc");
  ASSERT_EQ(ls.size(), 3u);
  EXPECT_EQ(ls[0], "a");
  EXPECT_EQ(ls[2], "c");
}
