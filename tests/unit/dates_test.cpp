#include "dates.h"

#include <gtest/gtest.h>

namespace ndrlink::parser {
namespace {

TEST(Dates, Rfc5322ToIsoUtc) {
  EXPECT_EQ(rfc5322_to_iso8601("Thu, 19 Jun 2014 13:06:00 +0900 (JST)"), "2014-06-19T04:06:00Z");
  EXPECT_EQ(rfc5322_to_iso8601("19 Jun 2014 13:06 -0130"), "2014-06-19T14:36:00Z");
  EXPECT_EQ(rfc5322_to_iso8601("Thu, 1 Jan 2015 00:00:00 GMT"), "2015-01-01T00:00:00Z");
  EXPECT_EQ(rfc5322_to_iso8601("Mon, 31 Dec 2012 23:30:00 EST"), "2013-01-01T04:30:00Z");
}

TEST(Dates, GarbageIsEmpty) {
  EXPECT_EQ(rfc5322_to_iso8601(""), "");
  EXPECT_EQ(rfc5322_to_iso8601("yesterday"), "");
  EXPECT_EQ(rfc5322_to_iso8601("Thu, 45 Foo 2014 99:99:99 +0900"), "");
}

}  // namespace
}  // namespace ndrlink::parser
