#include "dsn.h"

#include <gtest/gtest.h>

namespace ndrlink::parser {
namespace {

TEST(Dsn, PerMessageAndPerRecipientFields) {
  Report r;
  const auto n = read_delivery_status(
      "Reporting-MTA: dns; mx.example.org\r\n"
      "Received-From-MTA: dns; client.example.org\r\n"
      "Original-Envelope-Id: ENV-42\r\n"
      "Arrival-Date: Thu, 19 Jun 2014 13:06:00 +0900 (JST)\r\n"
      "\r\n"
      "Final-Recipient: rfc822; one@example.jp\r\n"
      "Original-Recipient: rfc822;One@Example.JP\r\n"
      "Action: failed\r\n"
      "Status: 5.1.1\r\n"
      "Remote-MTA: dns; mx.example.jp\r\n"
      "Diagnostic-Code: smtp; 550 5.1.1 <one@example.jp>:\r\n"
      "    Recipient address rejected: User unknown\r\n"
      "Last-Attempt-Date: Thu, 19 Jun 2014 13:06:01 +0900\r\n"
      "\r\n"
      "Final-Recipient: rfc822; two@example.jp\r\n"
      "Action: delayed\r\n"
      "Status: 4.4.1\r\n"
      "Will-Retry-Until: Fri, 20 Jun 2014 13:06:00 +0900\r\n",
      r);
  ASSERT_EQ(n, 2u);
  EXPECT_EQ(r.reporting_mta, "mx.example.org");
  EXPECT_EQ(r.received_from_mta, "client.example.org");
  EXPECT_EQ(r.envid, "ENV-42");
  EXPECT_EQ(r.arrival_date, "2014-06-19T04:06:00Z");
  const auto& a = r.recipients[0];
  EXPECT_EQ(a.recipient, "one@example.jp");
  EXPECT_EQ(a.original_recipient, "One@Example.JP");
  EXPECT_EQ(a.action, "failed");
  EXPECT_EQ(a.status, "5.1.1");
  EXPECT_EQ(a.remote_mta, "mx.example.jp");
  EXPECT_EQ(a.diagnostic_type, "smtp");
  EXPECT_NE(a.diagnostic.find("User unknown"), std::string::npos);
  EXPECT_EQ(a.last_attempt_date, "2014-06-19T04:06:01Z");
  const auto& b = r.recipients[1];
  EXPECT_EQ(b.action, "delayed");
  EXPECT_EQ(b.will_retry_until, "2014-06-20T04:06:00Z");
}

TEST(Dsn, Utf8AddressTypeOfGlobalDsn) {
  Report r;
  ASSERT_EQ(read_delivery_status("Reporting-MTA: dns; a\n\nFinal-Recipient: utf-8; \xE7\x94\xA8@example.jp\n"
                                 "Action: failed\nStatus: 5.1.1\n",
                                 r),
            1u);
  EXPECT_EQ(r.recipients[0].recipient, "\xE7\x94\xA8@example.jp");
}

TEST(Dsn, MissingBlankLineBetweenRecipients) {
  Report r;
  EXPECT_EQ(read_delivery_status("Final-Recipient: rfc822; a@x.example\nAction: failed\nStatus: 5.1.1\n"
                                 "Final-Recipient: rfc822; b@x.example\nAction: failed\nStatus: 5.2.2\n",
                                 r),
            2u);
  EXPECT_EQ(r.recipients[1].status, "5.2.2");
}

TEST(Dsn, StripType) {
  std::string type;
  EXPECT_EQ(strip_type("rfc822; user@example.jp", &type), "user@example.jp");
  EXPECT_EQ(type, "rfc822");
  EXPECT_EQ(strip_type("user@example.jp", &type), "user@example.jp");
}

TEST(Dsn, NoRecipientsInGarbage) {
  Report r;
  EXPECT_EQ(read_delivery_status("this is not a delivery status\n", r), 0u);
}

}  // namespace
}  // namespace ndrlink::parser
