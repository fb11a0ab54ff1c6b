#include "fields.h"

#include <gtest/gtest.h>

namespace ndrlink::parser {
namespace {

TEST(Fields, UnfoldsAndLooksUpCaseInsensitively) {
  std::size_t used = 0;
  const auto f = parse_fields("Subject: a\r\n  folded\r\nX-Y:z\r\n\r\nbody", &used);
  EXPECT_EQ(f.get("subject"), "a folded");
  EXPECT_EQ(f.get("X-Y"), "z");
  EXPECT_TRUE(f.has("SUBJECT"));
  EXPECT_FALSE(f.has("From"));
  EXPECT_EQ(used, std::string_view("Subject: a\r\n  folded\r\nX-Y:z\r\n\r\n").size());
}

TEST(Fields, StopsAtANonFieldLine) {
  const auto f = parse_fields("A: 1\nthis is prose\nB: 2\n");
  EXPECT_EQ(f.list().size(), 1u);
  EXPECT_EQ(f.get("A"), "1");
}

TEST(Fields, AllReturnsEveryValueInOrder) {
  const auto f = parse_fields("Received: one\nReceived: two\n");
  const auto all = f.all("received");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], "one");
  EXPECT_EQ(all[1], "two");
}

TEST(Fields, CutsOverlongLines) {
  const std::string in = "X: " + std::string(1000, 'v') + "\n";
  const auto f = parse_fields(in, nullptr, 100);
  EXPECT_LE(f.get("X").size(), 100u);
}

TEST(Fields, GroupsSplitOnBlankLines) {
  const auto g = parse_field_groups("Reporting-MTA: dns; a\n\nFinal-Recipient: rfc822; x@y\n\n\nFinal-Recipient: rfc822; z@y\n");
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g[1].get("Final-Recipient"), "rfc822; x@y");
  EXPECT_EQ(g[2].get("Final-Recipient"), "rfc822; z@y");
}

}  // namespace
}  // namespace ndrlink::parser
