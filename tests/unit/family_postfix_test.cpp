#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ndrlink/parser/parser.h"

namespace {
using ndrlink::parser::parse_message;

constexpr const char* kPostfixDsn =
    "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B1\"\n\n"
    "--B1\nContent-Type: text/plain\n\n"
    "This is the mail system at host mx.example.org.\n\n"
    "                   The mail system\n\n"
    "<neko@example.jp>: host mx.example.jp[192.0.2.1] said: 550 <neko@example.jp>:\n"
    "    User unknown (in reply to RCPT TO command)\n\n"
    "--B1\nContent-Type: message/delivery-status\n\n"
    "Reporting-MTA: dns; mx.example.org\nX-Postfix-Queue-ID: 1234\n\n"
    "Final-Recipient: rfc822; neko@example.jp\nAction: failed\nStatus: 5.0.0\n"
    "Diagnostic-Code: smtp; 550 <neko@example.jp>: User unknown\n\n"
    "--B1--\n";

TEST(FamilyPostfix, CommandFromProseMakesUserUnknown) {
  const auto r = parse_message(kPostfixDsn);
  EXPECT_EQ(r.family, "postfix");
  ASSERT_EQ(r.recipients.size(), 1u);
  const auto& x = r.recipients[0];
  EXPECT_EQ(x.recipient, "neko@example.jp");
  EXPECT_EQ(x.status, "5.0.0");
  EXPECT_EQ(x.reply_code, "550");
  EXPECT_EQ(x.reason, "userunknown");
  EXPECT_TRUE(x.hard);
}

TEST(FamilyPostfix, ProseOnlyWithGreetingRefusal) {
  const auto r = parse_message(
      "From: MAILER-DAEMON@mx.example.org\nSubject: Undelivered Mail Returned to Sender\n\n"
      "This is the Postfix program at host mx.example.org.\n\n"
      "<tora@example.net> (expanded from <alias@example.org>): host\n"
      "    mx.example.net[192.0.2.9] refused to talk to me: 421 Service not\n"
      "    available, closing transmission channel\n");
  ASSERT_EQ(r.recipients.size(), 1u);
  const auto& x = r.recipients[0];
  EXPECT_EQ(x.recipient, "tora@example.net");
  EXPECT_EQ(x.original_recipient, "alias@example.org");
  EXPECT_EQ(x.reply_code, "421");
  EXPECT_EQ(x.reason, "blocked");
  EXPECT_FALSE(x.hard);
}

TEST(FamilyPostfix, XPostfixConnectionTimeoutIsExpired) {
  std::string raw = kPostfixDsn;
  const auto at = raw.find("Status: 5.0.0");
  raw.replace(at, raw.find("\n\n--B1--") - at,
              "Status: 4.4.1\nDiagnostic-Code: X-Postfix; connect to mx.example.jp[192.0.2.1]:25: Connection timed out");
  const auto r = parse_message(raw);
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].status, "4.4.1");
  EXPECT_EQ(r.recipients[0].reason, "expired");
}

TEST(FamilyPostfix, DoesNotClaimOtherFormats) {
  const auto r = parse_message(
      "From: Mail Delivery Subsystem <MAILER-DAEMON@example.org>\nSubject: Returned mail: see transcript for details\n\n"
      "   ----- Transcript of session follows -----\n550 5.1.1 <a@example.jp>... User unknown\n");
  EXPECT_NE(r.family, "postfix");
}

// A real Postfix 3.7 bounce (tests/data/postfix/README.md): virtual(8)
// could not append to an mbox at its virtual_mailbox_limit. The report
// says 5.2.2 with a generic "x-unix; input/output error"; the cause ("File
// too large") is only in the prose. The status decides: a full mailbox.
TEST(FamilyPostfix, VirtualMailboxLimitIsMailboxFull) {
  std::ifstream in(std::string(NDRLINK_TEST_DATA) + "/postfix/virtual-mbox-file-too-large.eml", std::ios::binary);
  ASSERT_TRUE(in) << "sample missing";
  std::stringstream raw;
  raw << in.rdbuf();
  const auto r = parse_message(raw.str());
  EXPECT_EQ(r.family, "postfix");
  ASSERT_EQ(r.recipients.size(), 1u);
  const auto& x = r.recipients[0];
  EXPECT_EQ(x.recipient, "full@back.test");
  EXPECT_EQ(x.action, "failed");
  EXPECT_EQ(x.status, "5.2.2");
  EXPECT_EQ(x.reason, "mailboxfull");
  EXPECT_FALSE(x.hard);
}

}  // namespace
