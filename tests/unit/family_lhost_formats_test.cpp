// Sending-side formats of this group: MessageLabs, KDDI, EZweb, Verizon,
// Yahoo "Failure Notice" and Zoho; each with a message of another format
// that it must not claim.
#include <gtest/gtest.h>

#include "family_test_util.h"

using ndrlink::parser::parse_message;
using family_test::dsn;
using family_test::only;
using family_test::plain;

TEST(FamilyMessageLabs, StatusFieldsBeforeRecipient) {
  const std::string m =
      "From: Mail Delivery System <MAILER-DAEMON@messagelabs.com>\r\nSubject: Mail Delivery Failure\r\n"
      "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"
      "--B\r\nContent-Type: text/plain\r\n\r\nThis is the mail delivery agent at messagelabs.com.\r\n\r\n"
      "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; server-1.messagelabs.com\r\n"
      "Diagnostic-Code: smtp; 542 a@example.com Rejected\r\nStatus: 5.0.0\r\nAction: failed\r\n"
      "Final-Recipient: rfc822; a@example.com\r\n\r\n--B--\r\n";
  const auto report = parse_message(m);
  EXPECT_EQ(report.family, "messagelabs");
  const auto r = only(report);
  EXPECT_EQ(r.recipient, "a@example.com");
  EXPECT_EQ(r.status, "5.0.0");
  EXPECT_EQ(r.reply_code, "542");
  EXPECT_EQ(r.reason, "userunknown");
  EXPECT_TRUE(r.hard);
}

TEST(FamilyMessageLabs, AuthenticationRequest) {
  const std::string m =
      "From: <MAILER-DAEMON@messagelabs.com>\r\nSubject: Mail Delivery Failure\r\n"
      "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"
      "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; server-1.messagelabs.com\r\n"
      "Diagnostic-Code: smtp; 550-Please turn on SMTP Authentication in your mail client.\r\n"
      "550 relay through this server without authentication.\r\nStatus: 5.0.0\r\nAction: failed\r\n"
      "Final-Recipient: rfc822; a@example.com\r\n\r\n--B--\r\n";
  EXPECT_EQ(only(parse_message(m)).reason, "securityerror");
}

TEST(FamilyMessageLabs, OtherDsnNotClaimed) {
  const auto report = parse_message(dsn("MAILER-DAEMON@mx.example.org", "a@example.com", "5.1.1", "", "550 5.1.1 No such user"));
  EXPECT_NE(report.family, "messagelabs");
}

TEST(FamilyKddi, MailboxFull) {
  const auto report = parse_message(plain(
      "From: no-reply@x1.dion.ne.jp\r\nReply-To: no-reply@app.auone-net.jp\r\nSubject: Mail\r\n",
      "Your mail sent on: Thu, 29 Apr 2013 00:00:00 +0900\r\n"
      "     Could not be delivered to: <neko@x1.dion.ne.jp>\r\n     As their mailbox is full.\r\n"));
  EXPECT_EQ(report.family, "kddi");
  const auto r = only(report);
  EXPECT_EQ(r.recipient, "neko@x1.dion.ne.jp");
  EXPECT_EQ(r.reason, "mailboxfull");
  EXPECT_FALSE(r.hard);
}

TEST(FamilyEzweb, RcptRefusalIsUserUnknown) {
  const auto report = parse_message(plain(
      "From: Postmaster@ezweb.ne.jp\r\nSubject: Mail System Error - Returned Mail\r\n",
      "Each of the following recipients was rejected by a remote\r\nmail server.\r\n"
      "    Recipient: <neko@ezweb.ne.jp>\r\n    >>> RCPT TO:<neko@ezweb.ne.jp>\r\n"
      "    <<< 550 <neko@ezweb.ne.jp>: User unknown\r\n"));
  EXPECT_EQ(report.family, "ezweb");
  const auto r = only(report);
  EXPECT_EQ(r.recipient, "neko@ezweb.ne.jp");
  EXPECT_EQ(r.reply_code, "550");
  EXPECT_EQ(r.reason, "userunknown");
  EXPECT_TRUE(r.hard);
}

TEST(FamilyEzweb, DisabledAccount) {
  const auto report = parse_message(plain(
      "From: Mail Administrator <Postmaster@ezweb.ne.jp>\r\nSubject: Mail System Error - Returned Mail\r\n",
      "The user(s) account is disabled.\r\n\r\n<neko@ezweb.ne.jp>: 550 user unknown (in reply to RCPT TO command)\r\n"));
  EXPECT_EQ(only(report).reason, "suspend");
}

TEST(FamilyVerizon, VtextNoSuchUser) {
  const auto report = parse_message(plain(
      "Received: from relay.vtext.com ([192.0.2.1]) by mx.example.org; Thu, 29 Apr 2012 23:34:45 +0000\r\n"
      "From: post_master@vtext.com\r\nSubject: Re: Hello\r\n",
      "Error: Invalid user address\r\nError message below:\r\n550 - Requested action not taken: no such user here\r\n"
      "Message details:\r\n  MAIL FROM: sender@example.org\r\n  RCPT TO: 5555550000@vtext.com\r\n"));
  EXPECT_EQ(report.family, "verizon");
  const auto r = only(report);
  EXPECT_EQ(r.recipient, "5555550000@vtext.com");
  EXPECT_EQ(r.reply_code, "550");
  EXPECT_EQ(r.reason, "userunknown");
}

TEST(FamilyVerizon, NeedsVerizonRelay) {
  const auto report = parse_message(plain("From: post_master@vtext.com\r\nSubject: Re: Hello\r\n",
                                          "550 - no such user here\r\n  RCPT TO: a@example.org\r\n"));
  EXPECT_NE(report.family, "verizon");
}

TEST(FamilyYahoo, RemoteHostSaidWithCommand) {
  const auto report = parse_message(plain(
      "From: MAILER-DAEMON@yahoo.com\r\nSubject: Failure Notice\r\n",
      "Sorry, we were unable to deliver your message to the following address.\r\n\r\n<a@example.org>:\r\n"
      "Remote host said: 501 5.1.8 Sender address rejected [MAIL_FROM]\r\n\r\n"
      "--- Below this line is a copy of the message.\r\n\r\nFrom: me@yahoo.com\r\n"));
  EXPECT_EQ(report.family, "yahoo");
  const auto r = only(report);
  EXPECT_EQ(r.recipient, "a@example.org");
  EXPECT_EQ(r.status, "5.1.8");
  EXPECT_EQ(r.reply_code, "501");
  EXPECT_EQ(r.reason, "rejected");
  EXPECT_FALSE(r.hard);
}

TEST(FamilyYahoo, NoMxIsNotAccept) {
  const auto report = parse_message(plain(
      "From: MAILER-DAEMON@yahoo.com\r\nSubject: Failure Notice\r\n",
      "Sorry, we were unable to deliver your message to the following address.\r\n\r\n<a@example.org>:\r\n"
      "No mx record found for domain=example.org\r\n\r\n--- Below this line is a copy of the message.\r\n"));
  EXPECT_EQ(only(report).reason, "notaccept");
}

TEST(FamilyZoho, UnreachableHostExpires) {
  const auto report = parse_message(plain(
      "From: mailer-daemon@mail.zoho.com\r\nSubject: Undelivered Mail Returned to Sender\r\nX-ZohoMail: Si CHF_MF_NL SS\r\n",
      "This message was created automatically by mail delivery software.\r\n"
      "a@example.jp Error, ERROR_CODE :421, ERROR_CODE :, Host not reachable.\r\n"
      "Received:from mail.zoho.com by mx.zohomail.com\r\n"));
  EXPECT_EQ(report.family, "zoho");
  const auto r = only(report);
  EXPECT_EQ(r.recipient, "a@example.jp");
  EXPECT_EQ(r.reply_code, "421");
  EXPECT_EQ(r.reason, "expired");
}

TEST(FamilyZoho, NeedsZohoHeader) {
  const auto report = parse_message(plain(
      "From: mailer-daemon@example.org\r\nSubject: Undelivered Mail Returned to Sender\r\n",
      "This message was created automatically by mail delivery software.\r\n"
      "a@example.jp Error, Host not reachable.\r\n"));
  EXPECT_NE(report.family, "zoho");
}
