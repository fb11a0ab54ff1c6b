#include <gtest/gtest.h>

#include "ndrlink/parser/parser.h"

namespace p = ndrlink::parser;

namespace {
std::string google_dsn(std::string_view from, std::string_view text, std::string_view status,
                       std::string_view diagnostic) {
  std::string m = "From: Mail Delivery Subsystem <" + std::string(from) + ">\nTo: sender@example.net\n"
                  "Subject: Delivery Status Notification (Failure)\nMIME-Version: 1.0\n"
                  "Content-Type: multipart/report; boundary=b1; report-type=delivery-status\n\n"
                  "--b1\nContent-Type: text/plain; charset=UTF-8\n\n" + std::string(text) + "\n\n"
                  "--b1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; googlemail.com\n\n"
                  "Final-Recipient: rfc822; rcpt@example.org\nAction: failed\nStatus: " + std::string(status) + "\n";
  if (!diagnostic.empty()) m += "Diagnostic-Code: smtp; " + std::string(diagnostic) + "\n";
  return m + "\n--b1--\n";
}
}  // namespace

TEST(FamilyGSuite, AddressNotFoundTextIsUserUnknown) {
  const auto r = p::parse_message(google_dsn(
      "mailer-daemon@googlemail.com",
      "** Address not found **\n\nYour message wasn't delivered to rcpt@example.org because the address couldn't "
      "be found. Check for typos or unnecessary spaces and try again.",
      "5.0.0", ""));
  ASSERT_EQ(r.recipients.size(), 1u);
  const auto& x = r.recipients[0];
  EXPECT_EQ(r.family, "gsuite");
  EXPECT_EQ(x.recipient, "rcpt@example.org");
  EXPECT_EQ(x.status, "5.0.0");
  EXPECT_EQ(x.reply_code, "");
  EXPECT_EQ(x.reason, "userunknown");
  EXPECT_TRUE(x.hard);
}

TEST(FamilyGSuite, NullMxIsNotAccept) {
  const auto r = p::parse_message(google_dsn(
      "mailer-daemon@googlemail.com", "** Address not found **\n\nThe response was:\n\nDNS Error: ...",
      "4.0.0",
      "DNS Error: 123 DNS type 'mx' lookup of example.org responded with code NOERROR The domain example.org "
      "doesn't receive email according to the administrator: returned Null MX"));
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].reason, "notaccept");
  EXPECT_FALSE(r.recipients[0].hard);
}

TEST(FamilyGSuite, TemporaryNxdomainIsNetworkError) {
  const auto r = p::parse_message(google_dsn(
      "mailer-daemon@googlemail.com", "** Address not found **", "4.0.0",
      "DNS Error: 123 DNS type 'mx' lookup of example.org responded with code NXDOMAIN Domain name not found: "
      "example.org"));
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].reason, "networkerror");
  EXPECT_FALSE(r.recipients[0].hard);
}

TEST(FamilyGSuite, OtherSendersDsnIsNotClaimed) {
  const auto r = p::parse_message(google_dsn("mailer-daemon@mx.example.net", "failed", "5.1.1",
                                             "550 5.1.1 User unknown"));
  EXPECT_NE(r.family, "gsuite");
}
