// Relay client input without sockets: command parsing with RFC 5321
// limits, line framing with a length limit, DATA collection, Message-ID.
#include <gtest/gtest.h>

#include "relay_command.h"
#include "relay_input.h"
#include "relay_message.h"

namespace ndrlink::daemon::relay {
namespace {

Command ok(std::string_view line) {
  auto r = parse_command(line);
  if (auto* e = std::get_if<CommandError>(&r)) {
    ADD_FAILURE() << line << ": " << e->code << " " << e->text;
    return {};
  }
  return std::get<Command>(r);
}

int code_of(std::string_view line) {
  auto r = parse_command(line);
  return std::holds_alternative<CommandError>(r) ? std::get<CommandError>(r).code : 0;
}

TEST(RelayCommand, MailAndRcptPathsAndParams) {
  const auto mail = ok("mail from:<App@Example.ORG> SIZE=1200 BODY=8bitmime SMTPUTF8");
  EXPECT_EQ(mail.verb, Verb::mail);
  EXPECT_EQ(mail.path, "App@Example.ORG");
  ASSERT_EQ(mail.params.size(), 3u);
  EXPECT_EQ(mail.param("SIZE")->value, "1200");
  EXPECT_FALSE(mail.param("SMTPUTF8")->has_value);
  EXPECT_FALSE(check_mail_params(mail));
  EXPECT_EQ(ok("MAIL FROM:<>").path, "");
  EXPECT_EQ(ok("MAIL FROM: <a@b.example>").path, "a@b.example");  // a space, as some clients send
  EXPECT_EQ(ok("RCPT TO:<@relay.example:user@example.com>").path, "user@example.com");  // source route
  EXPECT_EQ(ok("RCPT TO:<\"john doe\"@example.com>").path, "\"john doe\"@example.com");
  EXPECT_EQ(ok("RCPT TO:<Postmaster>").path, "Postmaster");
  const auto rcpt = ok("RCPT TO:<a@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a@example.com");
  EXPECT_FALSE(check_rcpt_params(rcpt));
  EXPECT_EQ(check_rcpt_params(ok("RCPT TO:<a@example.com> NOTIFY=SOMETIMES"))->code, 501);
  EXPECT_EQ(check_rcpt_params(ok("RCPT TO:<a@example.com> XFOO=1"))->code, 555);
  EXPECT_EQ(check_mail_params(ok("MAIL FROM:<a@example.com> BODY=9BIT"))->code, 501);
  EXPECT_EQ(check_mail_params(ok("MAIL FROM:<a@example.com> SIZE=12x"))->code, 501);
}

TEST(RelayCommand, SyntaxErrorsAndLimits) {
  EXPECT_EQ(code_of("MAIL FROM:a@example.com"), 501);
  EXPECT_EQ(code_of("MAIL FROM:<a@example.com"), 501);
  EXPECT_EQ(code_of("MAIL FROM:<a@example.com>SIZE=1"), 501);
  EXPECT_EQ(code_of("MAIL FROM:<a@example.com> SIZE=1 SIZE=2"), 501);
  EXPECT_EQ(code_of("RCPT TO:<>"), 501);
  EXPECT_EQ(code_of("RCPT TO:<a b@example.com>"), 501);
  EXPECT_EQ(code_of("RCPT TO:<a@example..com>"), 501);
  EXPECT_EQ(code_of("RCPT TO:<" + std::string(65, 'a') + "@example.com>"), 501);
  EXPECT_EQ(code_of("RCPT TO:<a@" + std::string(256, 'b') + ">"), 501);
  EXPECT_EQ(code_of("DATA now"), 501);
  EXPECT_EQ(code_of("EHLO"), 501);
  EXPECT_EQ(code_of("EHLO two words"), 501);
  EXPECT_EQ(code_of("DATAX"), 500);
  EXPECT_EQ(code_of(""), 500);
  EXPECT_EQ(code_of(std::string("NOOP \0x", 7)), 500);
  EXPECT_EQ(code_of("BDAT 100 LAST"), 502);
  EXPECT_EQ(ok("quit").verb, Verb::quit);
  EXPECT_EQ(ok("NOOP anything").verb, Verb::noop);
}

TEST(RelayInput, LinesOverTheLimitAreDroppedAsTheyArrive) {
  LineFramer f(16);  // 14 octets + CRLF
  f.feed("NOOP\r\nEHLO a\nQU");
  EXPECT_EQ(f.next()->text, "NOOP");
  EXPECT_EQ(f.next()->text, "EHLO a");  // a bare LF ends a line too
  EXPECT_FALSE(f.next());
  f.feed("IT\r\n");
  EXPECT_EQ(f.next()->text, "QUIT");
  f.feed(std::string(14, 'x') + "\r\n" + std::string(15, 'y') + "\r\n");
  EXPECT_EQ(f.next()->text, std::string(14, 'x'));
  const auto too_long = f.next();
  EXPECT_TRUE(too_long->too_long);
  EXPECT_EQ(too_long->text, "");
  for (int i = 0; i < 1000; ++i) f.feed(std::string(10000, 'z'));  // 10 MB without a line end
  EXPECT_FALSE(f.has_line());
  f.feed("\r\nNOOP\r\n");
  EXPECT_TRUE(f.next()->too_long);
  EXPECT_EQ(f.next()->text, "NOOP");
  EXPECT_TRUE(f.empty());
}

TEST(RelayInput, DataIsUnstuffedAndBounded) {
  DataCollector d(100);
  for (const char* l : {"Subject: x", "", "..dot", "body"}) EXPECT_FALSE(d.add(InputLine{l, false}));
  EXPECT_TRUE(d.add(InputLine{".", false}));
  EXPECT_EQ(d.take(), "Subject: x\r\n\r\n.dot\r\nbody\r\n");
  DataCollector small(10);
  small.add(InputLine{std::string(20, 'a'), false});
  EXPECT_FALSE(small.add(InputLine{"more", false}));
  EXPECT_TRUE(small.add(InputLine{".", false}));
  EXPECT_TRUE(small.too_big());
  EXPECT_EQ(small.take(), "");
}

// SMTP smuggling (CVE-2023-51764 class): "<LF>.<LF>" or "<CR><LF>.<LF>"
// must not end DATA, or the bytes after it run as a second transaction.
TEST(RelayInput, OnlyCrLfDotCrLfEndsData) {
  LineFramer f(1000);
  f.feed("Subject: x\r\n\r\nbody\n.\nMAIL FROM:<evil@x>\r\n.\nRCPT TO:<v@x>\r\n\r\n.\r\nQUIT\r\n");
  DataCollector d(10000);
  int lines = 0;
  bool ended = false;
  while (!ended) {
    const auto line = f.next();
    ASSERT_TRUE(line.has_value()) << "DATA never ended";
    ++lines;
    ended = d.add(*line);
  }
  EXPECT_EQ(lines, 9);  // the last CRLF "." CRLF, not an earlier bare-LF "."
  const std::string message = d.take();
  EXPECT_NE(message.find("body\r\n"), std::string::npos) << message;  // bare LF normalised
  EXPECT_NE(message.find("MAIL FROM:<evil@x>\r\n"), std::string::npos) << message;  // stays text
  EXPECT_EQ(f.next()->text, "QUIT");

  LineFramer g(1000);  // <LF>.<CR><LF>: a bare LF before the dot
  g.feed("body\n.\r\nMAIL FROM:<evil@x>\r\n.\r\n");
  DataCollector e(10000);
  EXPECT_FALSE(e.add(*g.next()));
  EXPECT_FALSE(e.add(*g.next()));
  EXPECT_FALSE(e.add(*g.next()));
  EXPECT_TRUE(e.add(*g.next()));
}

TEST(RelayMessage, MessageIdIsFoundInTheHeaderOnly) {
  EXPECT_EQ(find_message_id("From: a\r\nMessage-Id: <x@y>\r\n\r\nbody"), "<x@y>");
  EXPECT_EQ(find_message_id("From: a\r\nMESSAGE-ID:\r\n <folded@y>\r\n\r\nbody"), "<folded@y>");
  EXPECT_EQ(find_message_id("From: a\r\n\r\nMessage-ID: <in-body@y>\r\n"), "");
  EXPECT_EQ(find_message_id("Message-ID: no brackets\r\n\r\n"), "");
  const auto id = make_message_id("relay.test");
  EXPECT_EQ(id.front(), '<');
  EXPECT_NE(id.find("@relay.test>"), std::string::npos);
  EXPECT_NE(id, make_message_id("relay.test"));
  EXPECT_EQ(top_headers("<i@h>", "tok"), "X-Ndrlink-Id: tok\r\nMessage-ID: <i@h>\r\n");
}

}  // namespace
}  // namespace ndrlink::daemon::relay
