// Identity extraction through the public entry point: what links a report
// back to the mail it is about.
#include <gtest/gtest.h>

#include "identity.h"
#include "ndrlink/parser/parser.h"

namespace ndrlink::parser {
namespace {

std::string dsn_with(std::string_view top_headers, std::string_view returned) {
  std::string m = "From: MAILER-DAEMON@mx.example.org\r\nSubject: Undelivered Mail Returned to Sender\r\n";
  m += top_headers;
  m += "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"
       "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
       "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n"
       "Original-Envelope-Id: env-7\r\n\r\n"
       "Final-Recipient: rfc822; user@example.jp\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n";
  if (!returned.empty()) {
    m += "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n";
    m += returned;
    m += "\r\n";
  }
  m += "--B--\r\n";
  return m;
}

TEST(Identity, ReturnedHeadersGiveMessageIdAndNdrlinkId) {
  const auto r = parse_message(dsn_with("", "From: s@example.org\r\nMessage-ID: <orig-1@example.org>\r\n"
                                            "X-Ndrlink-Id: 12345\r\nSubject: hi\r\n"));
  EXPECT_EQ(r.original_message_id, "<orig-1@example.org>");
  EXPECT_EQ(r.ndrlink_id, "12345");
  EXPECT_EQ(r.envid, "env-7");
}

TEST(Identity, InReplyToIsTheFallback) {
  const auto r = parse_message(dsn_with("In-Reply-To: <via-reply@example.org>\r\n", ""));
  EXPECT_EQ(r.original_message_id, "<via-reply@example.org>");
}

TEST(Identity, VerpTokenFromTheEnvelopeRecipient) {
  const auto r = parse_message(dsn_with("Delivered-To: bounces+ABC123-XYZ@mail.example.org\r\n", ""));
  EXPECT_EQ(r.verp_token, "ABC123-XYZ");
  ParseOptions other;
  other.verp_prefix = "ret-";
  EXPECT_EQ(parse_message(dsn_with("X-Original-To: ret-TOK@mail.example.org\r\n", ""), other).verp_token, "TOK");
}

TEST(Identity, XverpRecipientFromTheEnvelopeRecipient) {
  // Postfix's XVERP=+= return path: no token, the recipient it was sent to.
  const auto r = parse_message(dsn_with("Delivered-To: bounces+jane.doe=example.com@mail.example.org\r\n", ""));
  EXPECT_EQ(r.verp_token, "");
  EXPECT_EQ(r.verp_recipient, "jane.doe@example.com");
  ParseOptions other;
  other.verp_prefix = "ret-";
  EXPECT_EQ(parse_message(dsn_with("X-Original-To: ret-a=b=c=example.net@mail.example.org\r\n", ""), other)
                .verp_recipient,
            "a=b=c@example.net");
  // Delivered-To comes first, so its token wins; a token never holds '='.
  const auto both = parse_message(
      dsn_with("Delivered-To: bounces+tok-1@mail.example.org\r\nX-Original-To: bounces+x=example.com@m.org\r\n", ""));
  EXPECT_EQ(both.verp_token, "tok-1");
  EXPECT_EQ(both.verp_recipient, "");
}

TEST(Identity, Helpers) {
  EXPECT_EQ(verp_token_of("bounces+tok-1@example.org", "bounces+"), "tok-1");
  EXPECT_EQ(verp_token_of("Bounces+Tok@example.org", "bounces+"), "Tok");
  EXPECT_EQ(verp_token_of("someone@example.org", "bounces+"), "");
  EXPECT_EQ(verp_token_of("bounces+@example.org", "bounces+"), "");
  EXPECT_EQ(verp_token_of("bounces+user=example.com@example.org", "bounces+"), "");
  EXPECT_EQ(xverp_recipient_of("<Bounces+User=Example.COM@example.org>", "bounces+"), "User@Example.COM");
  EXPECT_EQ(xverp_recipient_of("bounces+tok-1@example.org", "bounces+"), "");
  EXPECT_EQ(xverp_recipient_of("bounces+=example.com@example.org", "bounces+"), "");
  EXPECT_EQ(xverp_recipient_of("bounces+user=@example.org", "bounces+"), "");
  EXPECT_EQ(xverp_recipient_of("someone+user=example.com@example.org", "bounces+"), "");
  EXPECT_EQ(first_message_id("  <a@b> <c@d>"), "<a@b>");
  EXPECT_EQ(first_message_id("no id"), "");
}

}  // namespace
}  // namespace ndrlink::parser
