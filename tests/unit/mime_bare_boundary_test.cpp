#include <gtest/gtest.h>

#include "ndrlink/parser/parser.h"

namespace p = ndrlink::parser;

// A Content-Type whose boundary parameter sits on an unindented line of its
// own (vtext.com, Apache James) still opens its multipart.
TEST(MimeBareBoundary, UnindentedBoundaryLineIsFolded) {
  const auto r = p::parse_message(
      "From: MAILER-DAEMON@mx.example.net\nTo: sender@example.net\nSubject: Undelivered Mail\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed;\nboundary=\"XX\"\n\n--XX\nContent-Type: text/plain\n\n"
      "<rcpt@example.org>: host mx.example.org[192.0.2.1] said: 552 5.2.2 Mailbox full\n\n--XX--\n");
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].recipient, "rcpt@example.org");
  EXPECT_EQ(r.recipients[0].reason, "mailboxfull");
}

// A body line "boundary=..." not after a Content-Type field is left alone.
TEST(MimeBareBoundary, OtherBoundaryLinesUntouched) {
  const auto r = p::parse_message(
      "From: MAILER-DAEMON@mx.example.net\nTo: sender@example.net\nSubject: Undelivered Mail\n\n"
      "<rcpt@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 User unknown\n"
      "boundary=\"not a header\"\n");
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].status, "5.1.1");
}
