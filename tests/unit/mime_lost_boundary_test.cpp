#include <gtest/gtest.h>

#include "ndrlink/parser/parser.h"

namespace p = ndrlink::parser;

// A multipart report whose boundary parameter does not match the body's
// delimiters (a relay rewrote one of them) is still read as text.
TEST(MimeLostBoundary, BodyIsReadAsText) {
  const auto r = p::parse_message(
      "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\nTo: sender@example.net\n"
      "Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"AAA.111/mx.example.net\"\n\n"
      "This is a MIME-encapsulated message.\n\n--AAA.222/mx.example.net\nContent-Type: text/plain\n\n"
      "<rcpt@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 User unknown\n"
      "    (in reply to RCPT TO command)\n\n--AAA.222/mx.example.net--\n");
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].recipient, "rcpt@example.org");
  EXPECT_EQ(r.recipients[0].status, "5.1.1");
  EXPECT_EQ(r.recipients[0].reason, "userunknown");
}
