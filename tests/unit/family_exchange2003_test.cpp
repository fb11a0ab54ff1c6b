#include <gtest/gtest.h>

#include "family_test_util.h"

namespace p = ndrlink::parser;
using family_test::only;
using family_test::plain;

namespace {
std::string exchange(std::string_view headers, std::string_view error) {
  return plain(std::string("From: System Administrator <postmaster@example.com>\r\nTo: sender@example.org\r\n"
                           "Subject: Undeliverable: hi\r\n") + std::string(headers),
               "Your message\r\n\r\n  To:      neko@example.com\r\n  Subject: hi\r\n\r\n"
               "did not reach the following recipient(s):\r\n\r\nneko@example.com on Thu, 29 Apr 2010 00:00:00 -0000\r\n"
               + std::string(error) + "\r\n\r\n");
}
}  // namespace

TEST(FamilyExchange2003, ErrorCodeDecidesUserUnknown) {
  const auto r = p::parse_message(exchange("X-MS-Embedded-Report: \r\n",
                                           "    The recipient name is not recognized\r\n"
                                           "    MSEXCH:IMS:ORG:SITE:SERVER 0 (000C05A6) Unknown Recipient"));
  EXPECT_EQ(r.family, "exchange2003");
  const auto& x = only(r);
  EXPECT_EQ(x.recipient, "neko@example.com");
  EXPECT_EQ(x.status, "");
  EXPECT_EQ(x.reply_code, "");
  EXPECT_EQ(x.reason, "userunknown");
  EXPECT_TRUE(x.hard);
}

TEST(FamilyExchange2003, AmbiguousRecipientIsFiltered) {
  const auto r = p::parse_message(exchange("X-Mailer: Internet Mail Service (5.5.2653.19)\r\n",
                                                 "    MSEXCH:IMS:ORG:SITE:SERVER 0 (000C0595) Ambiguous Recipient"));
  const auto& x = only(r);
  EXPECT_EQ(x.reason, "filtered");
  EXPECT_FALSE(x.hard);
}

TEST(FamilyExchange2003, WithoutExchangeHeadersNotClaimed) {
  const auto r = p::parse_message(exchange("X-Mailer: Something Else\r\n", "    (000C05A6) Unknown Recipient"));
  EXPECT_NE(r.family, "exchange2003");
}

TEST(FamilyExchange2003, NamedRecipientWithSmtpAddress) {
  std::string raw = exchange("X-MS-Embedded-Report: \r\n", "    (000C05A6) Unknown Recipient");
  raw.replace(raw.find("neko@example.com on"), 16, "Neko Cat (SMTP=tora@example.com)");
  const auto r = p::parse_message(raw);
  EXPECT_EQ(only(r).recipient, "tora@example.com");
  EXPECT_EQ(only(r).reason, "userunknown");
}
