// Real Postfix bounces, without the relay: the test sends through the
// front Postfix itself with a VERP MAIL FROM made from an acceptance it
// recorded on ndrlinkd's socket, and ndrlinkd resolves the acceptance from
// the bounce or DSN Postfix delivers into the Maildir it watches.
#include <gtest/gtest.h>

#include "postfix_fixture.h"

namespace ndrlink::testing {
namespace {
using namespace std::chrono_literals;

class PostfixBounces : public PostfixWorld {
 protected:
  void SetUp() override { start_world(); }

  // MAIL FROM the acceptance's VERP address, one RCPT, DATA, through the front.
  void send(const Recorded& r, const std::string& rcpt, const std::string& message_id,
            const std::string& rcpt_params = "", const std::string& body = "hello\n") {
    SmtpTestClient c(front_->port());
    ASSERT_EQ(reply_code(c.reply()), 220);
    ASSERT_EQ(reply_code(c.command("EHLO client.test")), 250);
    ASSERT_EQ(reply_code(c.command("MAIL FROM:<" + r.verp_address() + ">")), 250);
    ASSERT_EQ(c.command("RCPT TO:<" + rcpt + ">" + rcpt_params), "250 2.1.5 Ok");
    ASSERT_EQ(reply_code(send_data(c, message(message_id, rcpt, body))), 250);
    c.command("QUIT");
  }

  // The acceptance resolved by a report linked by VERP; the report's row.
  storage::ReportRecipientRow resolution(std::int64_t id, const std::string& state, const std::string& reason,
                                         std::optional<bool> hard) {
    const auto a = store()->acceptance(id);
    EXPECT_TRUE(a.has_value());
    if (!a) return {};
    EXPECT_EQ(a->state, state);
    EXPECT_EQ(a->reason, reason);
    EXPECT_EQ(a->hard, hard);
    EXPECT_TRUE(a->resolved_by.has_value());
    if (!a->resolved_by) return {};
    const auto row = store()->report_recipient(*a->resolved_by);
    EXPECT_TRUE(row.has_value());
    if (!row) return {};
    EXPECT_EQ(row->acceptance_id, id);
    EXPECT_EQ(row->link_method, "verp");
    EXPECT_EQ(row->suspicious, "");
    return *row;
  }
};

TEST_F(PostfixBounces, UnknownUserAtTheBackIsBouncedHardUserUnknown) {
  const auto r = record("nobody@back.test", "<unknown-1@client.test>");
  send(r, "nobody@back.test", "<unknown-1@client.test>");
  ASSERT_TRUE(reaches(r.id, "bounced", 20s)) << transitions(r.id);
  const auto row = resolution(r.id, "bounced", "userunknown", true);
  EXPECT_EQ(row.recipient, "nobody@back.test");
  EXPECT_EQ(row.action, "failed");
  EXPECT_EQ(row.status, "5.1.1");
  EXPECT_EQ(row.reply_code, "550");
  EXPECT_EQ(transitions(r.id), "pending->bounced");
  EXPECT_EQ(fixture_->scalar("SELECT count(*) FROM reports"), 1);
}

TEST_F(PostfixBounces, ValidUserWithNotifySuccessIsDeliveredBySuccessDsn) {
  const auto r = record("alice@back.test", "<success-1@client.test>");
  send(r, "alice@back.test", "<success-1@client.test>", " NOTIFY=SUCCESS");
  ASSERT_TRUE(reaches(r.id, "delivered", 20s)) << transitions(r.id);
  const auto row = resolution(r.id, "delivered", "delivered", std::nullopt);
  EXPECT_EQ(row.recipient, "alice@back.test");
  EXPECT_EQ(row.action, "delivered");
  EXPECT_EQ(row.status, "2.0.0");
  EXPECT_EQ(transitions(r.id), "pending->delivered");
  // The message itself reached alice's Maildir on the back.
  const auto copies = maildir_messages(back_->dir() + "/mail/alice");
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_NE(copies[0].find("Message-ID: <success-1@client.test>"), std::string::npos);
}

TEST_F(PostfixBounces, UnreachableHostIsDelayedThenBouncedExpired) {
  const auto r = record("carol@dead.test", "<expire-1@client.test>");
  send(r, "carol@dead.test", "<expire-1@client.test>");
  // Delay warning after 1 s, bounce after 5 s.
  ASSERT_EQ(expire(r.id), "delayed") << transitions(r.id);
  const auto row = resolution(r.id, "bounced", "expired", false);
  EXPECT_EQ(row.recipient, "carol@dead.test");
  EXPECT_EQ(row.action, "failed");
  EXPECT_EQ(row.status, "4.4.1");
  EXPECT_EQ(transitions(r.id), "pending->delayed,delayed->bounced");
  EXPECT_EQ(fixture_->scalar("SELECT count(*) FROM reports"), 2);  // the warning and the bounce
  EXPECT_EQ(front_->queued(), 0u);
}

TEST_F(PostfixBounces, MailboxOverQuotaIsBouncedSoftMailboxFull) {
  const auto r = record("full@back.test", "<quota-1@client.test>");
  std::string body;
  for (int i = 0; i < 150; ++i) body += std::string(70, 'q') + "\n";  // 10 KB onto 45 KB of a 50 KB mailbox
  send(r, "full@back.test", "<quota-1@client.test>", "", body);
  ASSERT_TRUE(reaches(r.id, "bounced", 20s)) << transitions(r.id);
  const auto row = resolution(r.id, "bounced", "mailboxfull", false);
  EXPECT_EQ(row.recipient, "full@back.test");
  EXPECT_EQ(row.action, "failed");
  EXPECT_EQ(row.status, "5.2.2");
  EXPECT_EQ(transitions(r.id), "pending->bounced");
}

}  // namespace
}  // namespace ndrlink::testing
