// The SMTP wire format without I/O: replies (multi-line, enhanced status,
// malformed, over-long), EHLO extensions, dot-stuffing, xtext.
#include <gtest/gtest.h>

#include <string>

#include "smtp_data.h"
#include "smtp_reply.h"

namespace ndrlink::smtp {
namespace {

TEST(SmtpReply, SingleLineWithEnhancedStatus) {
  const auto r = parse_reply("550 5.1.1 <nobody@example.com>: Recipient address rejected\r\n");
  EXPECT_EQ(r.code, 550);
  EXPECT_EQ(r.enhanced, "5.1.1");
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0], "<nobody@example.com>: Recipient address rejected");
  EXPECT_TRUE(r.permanent());
  EXPECT_EQ(r.summary(), "550 5.1.1 <nobody@example.com>: Recipient address rejected");
}

TEST(SmtpReply, Reply252KeepsItsText) {
  const auto r = parse_reply("252 2.1.5 Cannot VRFY user, but will accept message\r\n");
  EXPECT_EQ(r.code, 252);
  EXPECT_EQ(r.enhanced, "2.1.5");
  EXPECT_EQ(r.text(), "Cannot VRFY user, but will accept message");
  EXPECT_TRUE(r.positive());
}

TEST(SmtpReply, MultiLineStripsRepeatedEnhancedStatus) {
  const auto r = parse_reply(
      "550-5.7.1 The user or domain that you are sending to (or from) has a policy that\r\n"
      "550-5.7.1 prohibited the mail that you sent. Please contact your domain\r\n"
      "550 5.7.1 administrator for further details.\r\n");
  EXPECT_EQ(r.code, 550);
  EXPECT_EQ(r.enhanced, "5.7.1");
  ASSERT_EQ(r.lines.size(), 3u);
  EXPECT_EQ(r.lines[2], "administrator for further details.");
  EXPECT_EQ(r.text().find("5.7.1"), std::string::npos);
}

TEST(SmtpReply, NoEnhancedStatusOrWrongClass) {
  EXPECT_EQ(parse_reply("250 mx.example.com Hello\r\n").enhanced, "");
  // A 5.x.x status on a 4xx reply is not this reply's enhanced status.
  const auto r = parse_reply("451 5.7.1 odd\r\n");
  EXPECT_EQ(r.enhanced, "");
  EXPECT_EQ(r.text(), "5.7.1 odd");
  EXPECT_EQ(parse_reply("250 2.0.0\r\n").enhanced, "2.0.0");
  EXPECT_EQ(parse_reply("250 2.0.0\r\n").text(), "");
  EXPECT_EQ(parse_reply("250 2.0.0000 x\r\n").enhanced, "");
}

TEST(SmtpReply, BareCodeAndBareLf) {
  const auto r = parse_reply("250\r\n");
  EXPECT_EQ(r.code, 250);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0], "");
  EXPECT_EQ(parse_reply("221-bye\n221 now\n").lines.size(), 2u);
}

TEST(SmtpReply, MalformedIsAProtocolError) {
  for (const char* bad : {"hello\r\n", "25\r\n", "099 x\r\n", "650 x\r\n", "2500 x\r\n", "250_x\r\n", "abc x\r\n",
                          "250-a\r\n251 b\r\n", "\r\n"})
    EXPECT_THROW(parse_reply(bad), SmtpProtocolError) << bad;
  EXPECT_THROW(parse_reply("250-first\r\n"), SmtpProtocolError);   // incomplete
  EXPECT_THROW(parse_reply("250 ok\r\n250 ok\r\n"), SmtpProtocolError);  // trailing bytes
}

TEST(SmtpReply, CodeChangeMessageIsOneLine) {
  try {
    parse_reply("250-a\r\n550 b\r\n");
    FAIL();
  } catch (const SmtpProtocolError& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("250 then 550"), std::string::npos);
  }
}

TEST(SmtpReply, LimitsOnLineLengthAndLineCount) {
  ReplyLimits limits;
  limits.max_line = 20;
  limits.max_lines = 3;
  EXPECT_NO_THROW(parse_reply(std::string("250 ") + std::string(14, 'a') + "\r\n", limits));  // 20 octets
  EXPECT_THROW(parse_reply(std::string("250 ") + std::string(15, 'a') + "\r\n", limits), SmtpProtocolError);
  EXPECT_NO_THROW(parse_reply("250-a\r\n250-b\r\n250 c\r\n", limits));
  EXPECT_THROW(parse_reply("250-a\r\n250-b\r\n250-c\r\n250 d\r\n", limits), SmtpProtocolError);
  // An endless line fails once it passes the limit, without a line end.
  ReplyReader reader(limits);
  EXPECT_THROW(
      {
        for (int i = 0; i < 100; ++i) reader.feed("aaaaaaa");
      },
      SmtpProtocolError);
}

TEST(SmtpReply, ReaderFramesByteByByteAndStopsAtReplyEnd) {
  const std::string wire = "220 ready\r\n250-x\r\n250 y\r\n";
  ReplyReader reader;
  std::vector<SmtpReply> got;
  std::string pending = wire;
  // One byte at a time: same replies as all at once.
  for (char c : wire) {
    std::string one(1, c);
    EXPECT_EQ(reader.feed(one), 1u);
    if (reader.ready()) got.push_back(reader.take());
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].code, 220);
  EXPECT_EQ(got[1].lines.size(), 2u);
  EXPECT_TRUE(reader.idle());
  // All at once: feed stops after the first reply.
  ReplyReader whole;
  const auto used = whole.feed(wire);
  EXPECT_EQ(used, std::string("220 ready\r\n").size());
  EXPECT_EQ(whole.take().code, 220);
  EXPECT_EQ(whole.feed(std::string_view(wire).substr(used)), wire.size() - used);
  EXPECT_EQ(whole.take().text(), "x y");
}

TEST(SmtpEhlo, PostfixStyleExtensions) {
  const auto r = parse_reply(
      "250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n"
      "250-STARTTLS\r\n250-AUTH PLAIN login\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n"
      "250-SMTPUTF8\r\n250 CHUNKING\r\n");
  const auto e = parse_ehlo(r);
  EXPECT_EQ(e.server_name, "mx.example.com");
  EXPECT_TRUE(e.pipelining && e.starttls && e.enhancedstatuscodes && e.eightbitmime && e.dsn && e.smtputf8 &&
              e.chunking);
  ASSERT_TRUE(e.size.has_value());
  EXPECT_EQ(*e.size, 10240000u);
  EXPECT_EQ(e.auth, (std::set<std::string>{"PLAIN", "LOGIN"}));
  EXPECT_TRUE(e.has("vrfy"));
  EXPECT_FALSE(e.has("XCLIENT"));
  const auto list = e.list();
  EXPECT_NE(std::find(list.begin(), list.end(), "SIZE 10240000"), list.end());
}

TEST(SmtpEhlo, OldAuthEqualsSizeWithoutLimitAndJunk) {
  const auto e = parse_ehlo(parse_reply("250-mx\r\n250-AUTH=LOGIN PLAIN\r\n250-SIZE\r\n250-!!bad\r\n250 \r\n"));
  EXPECT_EQ(e.auth, (std::set<std::string>{"PLAIN", "LOGIN"}));
  ASSERT_TRUE(e.size.has_value());
  EXPECT_EQ(*e.size, 0u);
  EXPECT_FALSE(e.has("!!BAD"));
  EXPECT_FALSE(e.starttls);
  EXPECT_FALSE(parse_ehlo(parse_reply("250 mx\r\n")).size.has_value());
}

TEST(SmtpEhlo, RefusedEhloAdvertisesNothing) {
  const auto e = parse_ehlo(parse_reply("502-5.5.2 no\r\n502 5.5.2 STARTTLS\r\n"));
  EXPECT_FALSE(e.starttls);
  EXPECT_TRUE(e.keywords.empty());
}

TEST(SmtpData, DotStuffingAndLineEnds) {
  EXPECT_EQ(dot_stuff("a\r\n.b\r\n..c\r\n"), "a\r\n..b\r\n...c\r\n.\r\n");
  EXPECT_EQ(dot_stuff(".\r\n"), "..\r\n.\r\n");  // a lone dot line is not the end
  EXPECT_EQ(dot_stuff("no final line end"), "no final line end\r\n.\r\n");
  EXPECT_EQ(dot_stuff("bare\nlf\n.dot"), "bare\r\nlf\r\n..dot\r\n.\r\n");
  EXPECT_EQ(dot_stuff("bare\rcr"), "bare\r\ncr\r\n.\r\n");
  EXPECT_EQ(dot_stuff(""), ".\r\n");
  EXPECT_EQ(dot_stuff("x. y\r\n"), "x. y\r\n.\r\n");  // only at line starts
}

// BDAT's form: line ends canonical, nothing stuffed; is_crlf_lines says
// when the message can go as it is.
TEST(SmtpData, CrlfLinesForChunks) {
  for (const std::string m : {"a\r\n.b\r\n", "", "x\r\n\r\n.\r\n"}) {
    EXPECT_EQ(crlf_lines(m), m);
    EXPECT_TRUE(is_crlf_lines(m)) << m;
  }
  const std::pair<std::string, std::string> fixed[] = {
      {"no final line end", "no final line end\r\n"}, {"bare\nlf\n.dot\n", "bare\r\nlf\r\n.dot\r\n"},
      {"bare\rcr\r\n", "bare\r\ncr\r\n"},          {"cr cr lf\r\r\n", "cr cr lf\r\n\r\n"},
      {"ends in cr\r", "ends in cr\r\n"},              {"\n", "\r\n"}};
  for (const auto& [in, out] : fixed) {
    EXPECT_FALSE(is_crlf_lines(in)) << in;
    EXPECT_EQ(crlf_lines(in), out);
    EXPECT_TRUE(is_crlf_lines(crlf_lines(in)));
  }
}

// Fed in two pieces split anywhere (a CRLF cut in half, a dot right after
// the cut), the encoder writes what the whole message encodes to.
TEST(SmtpData, LineEncoderInPiecesEqualsTheWhole) {
  const std::string messages[] = {"a\r\n.b\r\n..c\r\n", ".\r\n.", "x\r\r\n.\n\r.y", "bare\nlf\n.dot", "\r\n\r\n", "end\r"};
  for (const std::string& m : messages) {
    for (bool stuff : {true, false}) {
      const std::string whole = stuff ? dot_stuff(m) : crlf_lines(m);
      for (std::size_t cut = 0; cut <= m.size(); ++cut) {
        LineEncoder e(stuff);
        std::string out;
        e.feed(std::string_view(m).substr(0, cut), out);
        e.feed(std::string_view(m).substr(cut), out);
        e.finish(out);
        EXPECT_EQ(out, whole) << "stuff " << stuff << " cut " << cut << " of " << m;
      }
    }
  }
}

TEST(SmtpData, UnstuffReversesStuffing) {
  const std::string message = "Subject: t\r\n\r\n.leading\r\n..two\r\nend\r\n";
  std::string wire = dot_stuff(message);
  wire.resize(wire.size() - 3);  // without the final ".\r\n"
  EXPECT_EQ(dot_unstuff(wire), message);
}

TEST(SmtpData, Xtext) {
  EXPECT_EQ(xtext_encode("abc+d=e f"), "abc+2Bd+3De+20f");
  EXPECT_EQ(xtext_decode("abc+2Bd+3De+20f"), std::optional<std::string>("abc+d=e f"));
  EXPECT_FALSE(xtext_decode("a+2").has_value());
  EXPECT_FALSE(xtext_decode("a=b").has_value());
  EXPECT_FALSE(xtext_decode("a b").has_value());
  EXPECT_FALSE(xtext_decode("+ZZ").has_value());
}

}  // namespace
}  // namespace ndrlink::smtp
