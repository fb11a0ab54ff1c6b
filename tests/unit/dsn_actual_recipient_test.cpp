#include <gtest/gtest.h>

#include "dsn.h"

namespace p = ndrlink::parser;

// sendmail writes X-Actual-Recipient beside Final-Recipient: one entry.
TEST(DsnActualRecipient, BesideFinalRecipientIsTheSameEntry) {
  p::Report report;
  const auto added = p::read_delivery_status(
      "Reporting-MTA: dns; mx.example.net\n\n"
      "Final-Recipient: RFC822; rcpt@example.org\nX-Actual-Recipient: rfc822; rcpt@example.org\n"
      "Action: failed\nStatus: 5.2.1\nDiagnostic-Code: SMTP; 550 5.2.1 account is inactive\n",
      report);
  EXPECT_EQ(added, 1u);
  ASSERT_EQ(report.recipients.size(), 1u);
  EXPECT_EQ(report.recipients[0].recipient, "rcpt@example.org");
  EXPECT_EQ(report.recipients[0].status, "5.2.1");
}
