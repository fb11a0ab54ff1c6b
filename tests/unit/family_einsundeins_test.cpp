#include <gtest/gtest.h>

#include "ndrlink/parser/parser.h"

namespace p = ndrlink::parser;

TEST(FamilyEinsUndEins, ReasonTextAfterTheAddress) {
  const auto r = p::parse_message(
      "From: \"Mail Delivery System\" <mailer-daemon@kundenserver.example.de>\nTo: sender@example.net\n"
      "Subject: Mail delivery failed: returning message to sender\nX-UI-Out-Filterresults: unknown:0;\n\n"
      "This message was created automatically by mail delivery software.\n\n"
      "A message that you sent could not be delivered to one or more of\nits recipients. This is a permanent "
      "error.\n\nThe following address failed:\n\nrcpt@example.org\n\nFor the following reason:\n\n"
      "Mail size limit exceeded. For explanation visit\nhttp://postmaster.example.de/en/error-messages\n\n"
      "--- The header of the original message is following. ---\n\n"
      "Message-ID: <orig.1@example.net>\nFrom: sender@example.net\nTo: rcpt@example.org\nSubject: hi\n");
  ASSERT_EQ(r.recipients.size(), 1u);
  const auto& x = r.recipients[0];
  EXPECT_EQ(r.family, "einsundeins");
  EXPECT_EQ(x.recipient, "rcpt@example.org");
  EXPECT_EQ(x.reason, "mesgtoobig");
  EXPECT_EQ(x.status, "");
  EXPECT_EQ(x.reply_code, "");
  EXPECT_FALSE(x.hard);
}

TEST(FamilyEinsUndEins, EximBounceIsNotClaimed) {
  const auto r = p::parse_message(
      "From: Mail Delivery System <Mailer-Daemon@mx.example.net>\nTo: sender@example.net\n"
      "Subject: Mail delivery failed: returning message to sender\n\n"
      "This message was created automatically by mail delivery software.\n\n"
      "The following address(es) failed:\n\n  a@example.org\n    550 5.1.1 User unknown\n");
  EXPECT_NE(r.family, "einsundeins");
}
