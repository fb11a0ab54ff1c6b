// The IMAP response framer and parser on hand-written server output,
// including hostile input: oversized lines and literals, broken syntax.
#include "imap_protocol.h"

#include <gtest/gtest.h>

namespace ndrlink::daemon::imap {
namespace {

// Frames all of `wire` (one response expected) and parses it.
Response one(std::string_view wire, Limits limits = {}) {
  ResponseFramer f(limits);
  const std::size_t used = f.feed(wire);
  EXPECT_TRUE(f.ready());
  EXPECT_EQ(used, wire.size());
  return parse_response(f.take());
}

// Frames `wire` a byte at a time: responses must not depend on chunking.
std::vector<Response> bytewise(std::string_view wire, Limits limits = {}) {
  ResponseFramer f(limits);
  std::vector<Response> out;
  for (std::size_t i = 0; i < wire.size(); ++i) {
    EXPECT_EQ(f.feed(wire.substr(i, 1)), 1u);
    if (f.ready()) out.push_back(parse_response(f.take()));
  }
  return out;
}

TEST(ImapProtocol, TaggedOkWithCode) {
  const auto r = one("N3 OK [READ-WRITE] Select completed (0.001 secs).\r\n");
  EXPECT_EQ(r.kind, Response::Kind::tagged);
  EXPECT_EQ(r.tag, "N3");
  EXPECT_EQ(r.status, Status::ok);
  EXPECT_EQ(r.code, "READ-WRITE");
  EXPECT_EQ(r.text, "Select completed (0.001 secs).");
}

TEST(ImapProtocol, TaggedNoAuthenticationFailed) {
  const auto r = one("N2 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  EXPECT_EQ(r.status, Status::no);
  EXPECT_EQ(r.code, "AUTHENTICATIONFAILED");
}

TEST(ImapProtocol, TaggedBadWithoutText) {
  const auto r = one("x BAD\r\n");
  EXPECT_EQ(r.status, Status::bad);
  EXPECT_TRUE(r.text.empty());
}

TEST(ImapProtocol, GreetingCapabilities) {
  const auto r = one("* OK [CAPABILITY IMAP4rev1 SASL-IR IDLE auth=PLAIN] Dovecot ready.\r\n");
  EXPECT_EQ(r.kind, Response::Kind::untagged);
  EXPECT_EQ(r.status, Status::ok);
  EXPECT_EQ(r.capabilities, (std::vector<std::string>{"IMAP4REV1", "SASL-IR", "IDLE", "AUTH=PLAIN"}));
  EXPECT_EQ(r.text, "Dovecot ready.");
}

TEST(ImapProtocol, CapabilityData) {
  const auto r = one("* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n");
  EXPECT_EQ(r.keyword, "CAPABILITY");
  EXPECT_EQ(r.capabilities, (std::vector<std::string>{"IMAP4REV1", "STARTTLS", "LOGINDISABLED"}));
}

TEST(ImapProtocol, UidValidityAndUidNext) {
  const auto v = one("* OK [UIDVALIDITY 1796399912] UIDs valid\r\n");
  EXPECT_EQ(v.code, "UIDVALIDITY");
  EXPECT_EQ(v.code_number(), 1796399912u);
  const auto n = one("* OK [UIDNEXT 42] Predicted next UID\r\n");
  EXPECT_EQ(n.code_number(), 42u);
  EXPECT_FALSE(one("* OK [UIDVALIDITY 99999999999] x\r\n").code_number());
  EXPECT_FALSE(one("* OK [UIDVALIDITY] x\r\n").code_number());
}

TEST(ImapProtocol, ExistsExpungeRecent) {
  const auto e = one("* 23 EXISTS\r\n");
  EXPECT_EQ(e.keyword, "EXISTS");
  EXPECT_EQ(e.number, 23u);
  EXPECT_EQ(one("* 5 EXPUNGE\r\n").keyword, "EXPUNGE");
  EXPECT_EQ(one("* 0 RECENT\r\n").number, 0u);
}

TEST(ImapProtocol, Continuation) {
  const auto r = one("+ idling\r\n");
  EXPECT_EQ(r.kind, Response::Kind::continuation);
  EXPECT_EQ(r.text, "idling");
  EXPECT_EQ(one("+\r\n").kind, Response::Kind::continuation);
}

TEST(ImapProtocol, ByeAndPermanentFlags) {
  EXPECT_EQ(one("* BYE Server shutting down.\r\n").status, Status::bye);
  const auto p = one("* OK [PERMANENTFLAGS (\\Answered \\Seen \\*)] Flags permitted.\r\n");
  EXPECT_EQ(p.code, "PERMANENTFLAGS");
  EXPECT_EQ(p.code_args, "(\\Answered \\Seen \\*)");
}

TEST(ImapProtocol, FetchBodyLiteralUidFirst) {
  const std::string body = "From: a@b\r\nSubject: x\r\n\r\nhello\r\n";
  const std::string wire =
      "* 3 FETCH (UID 17 FLAGS (\\Seen $Forwarded) BODY[] {" + std::to_string(body.size()) + "}\r\n" + body + ")\r\n";
  const auto r = one(wire);
  EXPECT_EQ(r.keyword, "FETCH");
  EXPECT_EQ(r.number, 3u);
  ASSERT_TRUE(r.fetch);
  EXPECT_EQ(r.fetch->uid, 17u);
  EXPECT_TRUE(r.fetch->seen());
  ASSERT_TRUE(r.fetch->body);
  EXPECT_EQ(*r.fetch->body, body);
  EXPECT_FALSE(r.fetch->body_truncated);
}

TEST(ImapProtocol, FetchBodyBeforeUidAndBytewise) {
  const std::string body = "x\r\n)\r\n{5}\r\n* 9 EXISTS\r\n";  // looks like protocol, is data
  const std::string wire = "* 1 FETCH (BODY[] {" + std::to_string(body.size()) + "}\r\n" + body +
                           " UID 4 RFC822.SIZE 99)\r\n* 2 EXISTS\r\n";
  const auto rs = bytewise(wire);
  ASSERT_EQ(rs.size(), 2u);
  ASSERT_TRUE(rs[0].fetch);
  EXPECT_EQ(rs[0].fetch->uid, 4u);
  EXPECT_EQ(*rs[0].fetch->body, body);
  EXPECT_EQ(rs[0].fetch->rfc822_size, 99u);
  EXPECT_FALSE(rs[0].fetch->seen());
  EXPECT_EQ(rs[1].keyword, "EXISTS");
  EXPECT_EQ(rs[1].number, 2u);
}

TEST(ImapProtocol, FetchQuotedNilAndSkippedItems) {
  const auto r = one(
      "* 2 FETCH (INTERNALDATE \"04-Dec-2026 15:58:32 +0000\" ENVELOPE (NIL \"s\" ((NIL NIL \"a\" \"b\")) NIL NIL NIL "
      "NIL NIL NIL NIL) MODSEQ (12) BODY[HEADER.FIELDS (FROM)] {7}\r\nFrom:\r\n UID 8 BODY[] \"a \\\"q\\\"\")\r\n");
  ASSERT_TRUE(r.fetch);
  EXPECT_EQ(r.fetch->uid, 8u);
  ASSERT_TRUE(r.fetch->body);
  EXPECT_EQ(*r.fetch->body, "a \"q\"");
  EXPECT_FALSE(one("* 2 FETCH (UID 8 BODY[] NIL)\r\n").fetch->body);
}

TEST(ImapProtocol, FlagsOnlyFetch) {
  const auto r = one("* 4 FETCH (FLAGS (\\Deleted) UID 10)\r\n");
  ASSERT_TRUE(r.fetch);
  EXPECT_EQ(r.fetch->uid, 10u);
  EXPECT_FALSE(r.fetch->body);
  ASSERT_TRUE(r.fetch->flags);
  EXPECT_EQ(r.fetch->flags->size(), 1u);
}

TEST(ImapProtocol, OversizedLiteralIsCutNotStored) {
  Limits limits;
  limits.max_literal = 10;
  const std::string body(1000, 'x');
  const auto r = one("* 1 FETCH (UID 5 BODY[] {1000}\r\n" + body + ")\r\n", limits);
  ASSERT_TRUE(r.fetch && r.fetch->body);
  EXPECT_EQ(r.fetch->body->size(), 10u);
  EXPECT_EQ(r.fetch->body_size, 1000u);
  EXPECT_TRUE(r.fetch->body_truncated);
  EXPECT_EQ(r.fetch->uid, 5u);
}

TEST(ImapProtocol, NonSynchronizingLiteralAndEmptyLiteral) {
  const auto r = one("* 1 FETCH (BODY[] {3+}\r\nabc UID 2)\r\n");
  EXPECT_EQ(*r.fetch->body, "abc");
  const auto e = one("* 1 FETCH (BODY[] {0}\r\n UID 2)\r\n");
  EXPECT_EQ(*e.fetch->body, "");
  EXPECT_EQ(e.fetch->uid, 2u);
}

TEST(ImapProtocol, LineTooLongIsAnError) {
  Limits limits;
  limits.max_line = 100;
  ResponseFramer f(limits);
  EXPECT_THROW(f.feed("* OK " + std::string(200, 'a')), ProtocolError);
  ResponseFramer g(limits);
  // The limit is on the whole response, literals aside, not on each line.
  EXPECT_THROW(g.feed("* 1 FETCH (BODY[] {1}\r\nx" + std::string(120, 'b')), ProtocolError);
}

TEST(ImapProtocol, TooManyLiteralsIsAnError) {
  Limits limits;
  limits.max_literals = 2;
  ResponseFramer f(limits);
  EXPECT_THROW(f.feed("* 1 FETCH (A {1}\r\nx B {1}\r\ny C {1}\r\nz)\r\n"), ProtocolError);
}

TEST(ImapProtocol, MalformedResponsesThrow) {
  for (const char* bad : {"* 1 FETCH (UID\r\n", "* 1 FETCH UID 3\r\n", "* 1 FETCH (UID 3 BODY[] \"open\r\n",
                          "tag MAYBE done\r\n", "* 99999999999 EXISTS\r\n", "*\r\n", "* 1 FETCH (UID 3 FLAGS (\\Seen\r\n",
                          "* 1 FETCH (BODY[] {5} UID 3)\r\n", "* 1 FETCH (BODY[HEADER UID 3)\r\n"}) {
    ResponseFramer f;
    f.feed(bad);
    ASSERT_TRUE(f.ready()) << bad;
    EXPECT_THROW(parse_response(f.take()), ProtocolError) << bad;
  }
}

TEST(ImapProtocol, BareLfEndsALine) {
  const auto r = one("* 3 EXISTS\n");
  EXPECT_EQ(r.number, 3u);
}

TEST(ImapProtocol, FeedStopsAtEndOfResponse) {
  ResponseFramer f;
  const std::string wire = "* 1 EXISTS\r\n* 2 EXISTS\r\n";
  const auto used = f.feed(wire);
  EXPECT_EQ(used, 12u);
  EXPECT_EQ(parse_response(f.take()).number, 1u);
  EXPECT_TRUE(f.idle());
  f.feed(std::string_view(wire).substr(used));
  EXPECT_EQ(parse_response(f.take()).number, 2u);
}

TEST(ImapProtocol, Helpers) {
  EXPECT_EQ(uid_set({1, 2, 3, 5, 7, 8}), "1:3,5,7:8");
  EXPECT_EQ(uid_set({42}), "42");
  EXPECT_EQ(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_FALSE(quote("a\r\nb"));
  EXPECT_FALSE(quote("caf\xc3\xa9"));
  EXPECT_EQ(mailbox_arg("INBOX"), "\"INBOX\"");
  EXPECT_THROW(mailbox_arg(""), ProtocolError);
  EXPECT_EQ(base64(std::string("\0user\0pass", 10)), "AHVzZXIAcGFzcw==");
  EXPECT_EQ(base64("ab"), "YWI=");
  EXPECT_EQ(base64(""), "");
}

TEST(ImapProtocol, MailboxNamesGoInModifiedUtf7) {
  // RFC 3501 5.1.3's example, and what Dovecot names such mailboxes.
  EXPECT_EQ(modified_utf7("~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  EXPECT_EQ(modified_utf7("R\xc3\xbc" "ckl\xc3\xa4" "ufer"), "R&APw-ckl&AOQ-ufer");
  EXPECT_EQ(modified_utf7("A&B"), "A&-B");
  EXPECT_EQ(modified_utf7("\xf0\x9f\x93\xac"), "&2D3c7A-");  // U+1F4EC: a surrogate pair
  EXPECT_EQ(modified_utf7("INBOX"), "INBOX");
  EXPECT_EQ(mailbox_arg("Bounces & Co"), "\"Bounces &- Co\"");
  EXPECT_EQ(mailbox_arg("R&D"), "\"R&-D\"");
  // Written already encoded (before UTF-8 names were taken): as it is.
  EXPECT_EQ(mailbox_arg("Entw&APw-rfe"), "\"Entw&APw-rfe\"");
  EXPECT_EQ(mailbox_arg("A&-B"), "\"A&-B\"");
  EXPECT_EQ(mailbox_arg("~peter/mail/&U,BTFw-/&ZeVnLIqe-"), "\"~peter/mail/&U,BTFw-/&ZeVnLIqe-\"");
  EXPECT_FALSE(is_modified_utf7("R&D-"));   // 1 base64 character: no whole UTF-16 unit
  EXPECT_FALSE(is_modified_utf7("R&DE-"));  // 2: neither
  EXPECT_TRUE(is_modified_utf7("&2D3c7A-"));  // 6: two units (a surrogate pair)
  EXPECT_FALSE(is_modified_utf7("x&AP"));  // not ended
  EXPECT_EQ(mailbox_arg("caf\xc3\xa9"), "\"caf&AOk-\"");
  for (const char* bad : {"\xff", "caf\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80"})
    EXPECT_THROW(mailbox_arg(bad), ProtocolError) << bad;
}

}  // namespace
}  // namespace ndrlink::daemon::imap
