// The relay in front of real Postfix: client -> ndrlinkd relay -> front
// Postfix -> back Postfix. What the relay records at RCPT time (the
// upstream's code and text, the client's sender, the Message-ID after
// DATA) is later resolved by the real bounce or DSN, linked by VERP.
// And `ndrlink probe` asking the real Postfix instances.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <cstdio>

#include "postfix_fixture.h"

namespace ndrlink::testing {
namespace {
using namespace std::chrono_literals;

class RelayThroughPostfix : public PostfixWorld {
 protected:
  void SetUp() override { start_world(Relay::smarthost); }

  // One client transaction through the relay: every RCPT reply as the
  // client saw it; DATA's reply last ("" when no RCPT was accepted).
  std::vector<std::string> relay(const std::vector<std::string>& rcpts, const std::string& message_id,
                                 const std::string& rcpt_params = "", const std::string& body = "hello\n") {
    SmtpTestClient c(relay_port_);
    EXPECT_EQ(reply_code(c.reply()), 220);
    EXPECT_EQ(reply_code(c.command("EHLO client.test")), 250);
    EXPECT_EQ(reply_code(c.command("MAIL FROM:<sender@client.test>")), 250);
    std::vector<std::string> replies;
    bool any = false;
    for (const auto& r : rcpts) {
      replies.push_back(c.command("RCPT TO:<" + r + ">" + rcpt_params));
      any = any || reply_code(replies.back()) / 100 == 2;
    }
    replies.push_back(any ? send_data(c, message(message_id, rcpts.front(), body)) : std::string());
    c.command("QUIT");
    return replies;
  }

  // The one acceptance the relay recorded for `rcpt`, checked against what
  // the client was told.
  storage::Acceptance recorded(const std::string& rcpt, const std::string& message_id) {
    const auto rows = acceptances_for(rcpt);
    EXPECT_EQ(rows.size(), 1u) << rcpt;
    if (rows.size() != 1) return {};
    const auto& a = rows[0];
    EXPECT_EQ(a.reply_code, 250);
    EXPECT_EQ(a.enhanced_status, "2.1.5");
    EXPECT_EQ(a.reply_text, "Ok");
    EXPECT_EQ(a.sender, "sender@client.test");
    EXPECT_EQ(a.message_id, message_id);
    EXPECT_EQ(a.source, "relay");
    EXPECT_FALSE(a.verp_token.empty());
    EXPECT_FALSE(a.envid.empty());  // Postfix offers DSN
    return a;
  }

  // nobody@, alice@ and ghost@back.test in one client transaction, each
  // accepted and recorded, all tagged as one copy (its first recipient's
  // token): the acceptances, in that order.
  std::vector<storage::Acceptance> relay_one_copy_of_three(const std::string& message_id) {
    const std::vector<std::string> rcpts = {"nobody@back.test", "alice@back.test", "ghost@back.test"};
    const auto replies = relay(rcpts, message_id);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(replies[i], "250 2.1.5 Ok") << i;
    EXPECT_EQ(reply_code(replies[3]), 250);
    std::vector<storage::Acceptance> out;
    for (const auto& r : rcpts) out.push_back(recorded(r, message_id));
    for (const auto& a : out) EXPECT_EQ(a.copy_token, out[0].verp_token) << a.recipient;
    return out;
  }

  void expect_resolved(std::int64_t id, const std::string& state, const std::string& reason, std::optional<bool> hard,
                       const std::string& status, const std::string& link_method = "verp") {
    const auto a = store()->acceptance(id);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->state, state);
    EXPECT_EQ(a->reason, reason);
    EXPECT_EQ(a->hard, hard);
    ASSERT_TRUE(a->resolved_by.has_value());
    const auto row = store()->report_recipient(*a->resolved_by);
    ASSERT_TRUE(row.has_value());
    EXPECT_EQ(row->recipient, a->recipient);
    EXPECT_EQ(row->status, status);
    EXPECT_EQ(row->link_method, link_method);
    EXPECT_EQ(row->suspicious, "");
  }
};

TEST_F(RelayThroughPostfix, UnknownUserRecordedAtRcptThenBouncedByTheBack) {
  const auto replies = relay({"nobody@back.test"}, "<r-unknown@client.test>");
  EXPECT_EQ(replies[0], "250 2.1.5 Ok");  // the front's reply, passed through
  EXPECT_EQ(reply_code(replies[1]), 250);
  const auto a = recorded("nobody@back.test", "<r-unknown@client.test>");
  ASSERT_TRUE(reaches(a.id, "bounced", 20s)) << transitions(a.id);
  expect_resolved(a.id, "bounced", "userunknown", true, "5.1.1");
  EXPECT_EQ(transitions(a.id), "pending->bounced");
}

TEST_F(RelayThroughPostfix, TwoRecipientsOneBouncesTheOtherIsDeliveredTagged) {
  const auto replies = relay({"alice@back.test", "nobody@back.test"}, "<r-two@client.test>");
  EXPECT_EQ(replies[0], "250 2.1.5 Ok");
  EXPECT_EQ(replies[1], "250 2.1.5 Ok");
  EXPECT_EQ(reply_code(replies[2]), 250);
  const auto alice = recorded("alice@back.test", "<r-two@client.test>");
  const auto nobody = recorded("nobody@back.test", "<r-two@client.test>");
  EXPECT_NE(alice.verp_token, nobody.verp_token);
  ASSERT_TRUE(reaches(nobody.id, "bounced", 20s)) << transitions(nobody.id);
  expect_resolved(nobody.id, "bounced", "userunknown", true, "5.1.1");
  // alice got the message, from her own VERP address, with its id header;
  // no DSN was asked for her success, so she stays pending.
  ASSERT_TRUE(eventually([&] { return maildir_messages(back_->dir() + "/mail/alice").size() == 1; }, 10s));
  const auto copy = maildir_messages(back_->dir() + "/mail/alice")[0];
  EXPECT_NE(copy.find("Return-Path: <bounces+" + alice.verp_token + "@verp.test>"), std::string::npos) << copy;
  EXPECT_NE(copy.find("X-Ndrlink-Id: " + alice.verp_token), std::string::npos) << copy;
  EXPECT_NE(copy.find("Message-ID: <r-two@client.test>"), std::string::npos) << copy;
  EXPECT_EQ(store()->acceptance(alice.id)->state, "pending");
  EXPECT_EQ(transitions(alice.id), "");
}

TEST_F(RelayThroughPostfix, NotifySuccessFromTheClientGivesDeliveredByDsn) {
  const auto replies = relay({"alice@back.test"}, "<r-success@client.test>", " NOTIFY=SUCCESS,FAILURE");
  EXPECT_EQ(replies[0], "250 2.1.5 Ok");
  const auto a = recorded("alice@back.test", "<r-success@client.test>");
  ASSERT_TRUE(reaches(a.id, "delivered", 20s)) << transitions(a.id);
  expect_resolved(a.id, "delivered", "delivered", std::nullopt, "2.0.0");
  EXPECT_EQ(transitions(a.id), "pending->delivered");
}

TEST_F(RelayThroughPostfix, UnreachableFinalHostIsDelayedThenExpired) {
  const auto replies = relay({"carol@dead.test"}, "<r-expire@client.test>");
  EXPECT_EQ(replies[0], "250 2.1.5 Ok");
  const auto a = recorded("carol@dead.test", "<r-expire@client.test>");
  // Delay warning after 1 s, bounce after 5 s.
  ASSERT_EQ(expire(a.id), "delayed") << transitions(a.id);
  expect_resolved(a.id, "bounced", "expired", false, "4.4.1");
  EXPECT_EQ(transitions(a.id), "pending->delayed,delayed->bounced");
}

TEST_F(RelayThroughPostfix, OverQuotaMailboxIsBouncedSoft) {
  std::string body;
  for (int i = 0; i < 150; ++i) body += std::string(70, 'q') + "\n";
  const auto replies = relay({"full@back.test"}, "<r-quota@client.test>", "", body);
  EXPECT_EQ(replies[0], "250 2.1.5 Ok");
  const auto a = recorded("full@back.test", "<r-quota@client.test>");
  ASSERT_TRUE(reaches(a.id, "bounced", 20s)) << transitions(a.id);
  expect_resolved(a.id, "bounced", "mailboxfull", false, "5.2.2");
}

TEST_F(RelayThroughPostfix, ForeignDomainIsRefusedAtRcptAndRecordedAsRefusal) {
  const auto replies = relay({"x@foreign.test"}, "<r-foreign@client.test>");
  EXPECT_EQ(reply_code(replies[0]), 454) << replies[0];
  EXPECT_NE(replies[0].find("Relay access denied"), std::string::npos) << replies[0];
  EXPECT_TRUE(acceptances_for("x@foreign.test").empty());
  EXPECT_EQ(fixture_->scalar("SELECT count(*) FROM refusals WHERE recipient = 'x@foreign.test' AND reply_code = 454 "
                             "AND stage = 'rcpt' AND sender = 'sender@client.test'"),
            1);
}

class RelayByStaticMx : public RelayThroughPostfix {
 protected:
  void SetUp() override { start_world(Relay::static_mx); }
};

TEST_F(RelayByStaticMx, UnknownUserBouncedAndLinkedByVerp) {
  const auto replies = relay({"nobody@back.test"}, "<mx-unknown@client.test>");
  EXPECT_EQ(replies[0], "250 2.1.5 Ok");
  const auto a = recorded("nobody@back.test", "<mx-unknown@client.test>");
  EXPECT_EQ(a.mx_host, "127.0.0.1");
  ASSERT_TRUE(reaches(a.id, "bounced", 20s)) << transitions(a.id);
  expect_resolved(a.id, "bounced", "userunknown", true, "5.1.1");
}

// relay.verp_scope = message: one upstream transaction for the message,
// its return path the first recipient's; Postfix's one bounce for two of
// the recipients links each by its Final-Recipient among the copy's.
class RelayByMessageThroughPostfix : public RelayThroughPostfix {
 protected:
  void SetUp() override { start_world(Relay::smarthost, "verp_scope = \"message\"\n"); }
};

TEST_F(RelayByMessageThroughPostfix, OneBounceForTwoRecipientsOfOneCopyResolvesEach) {
  const auto rows = relay_one_copy_of_three("<m-scope@client.test>");
  ASSERT_EQ(rows.size(), 3u);
  const auto &nobody = rows[0], &alice = rows[1], &ghost = rows[2];
  ASSERT_TRUE(reaches(nobody.id, "bounced", 20s)) << transitions(nobody.id);
  ASSERT_TRUE(reaches(ghost.id, "bounced", 20s)) << transitions(ghost.id);
  expect_resolved(nobody.id, "bounced", "userunknown", true, "5.1.1");
  expect_resolved(ghost.id, "bounced", "userunknown", true, "5.1.1");
  // One report for both: Postfix bounced the one queue file's two failures.
  EXPECT_EQ(store()->report_recipient(*store()->acceptance(nobody.id)->resolved_by)->report_id,
            store()->report_recipient(*store()->acceptance(ghost.id)->resolved_by)->report_id);
  ASSERT_TRUE(eventually([&] { return maildir_messages(back_->dir() + "/mail/alice").size() == 1; }, 10s));
  const auto copy = maildir_messages(back_->dir() + "/mail/alice")[0];
  EXPECT_NE(copy.find("Return-Path: <bounces+" + nobody.verp_token + "@verp.test>"), std::string::npos) << copy;
  EXPECT_EQ(store()->acceptance(alice.id)->state, "pending");
  EXPECT_EQ(transitions(alice.id), "");
}

// The front offers XVERP to the relay (smtpd_authorized_verp_clients):
// VERP by recipient as one upstream transaction; Postfix makes each
// recipient's return path and bounces each failure to it.
class RelayXverpThroughPostfix : public RelayThroughPostfix {
 protected:
  void SetUp() override { start_world(Relay::smarthost, "", true); }
};

TEST_F(RelayXverpThroughPostfix, EachFailureBouncesToItsRecipientsReturnPathAndResolvesIt) {
  const auto rows = relay_one_copy_of_three("<m-xverp@client.test>");
  ASSERT_EQ(rows.size(), 3u);
  const auto &nobody = rows[0], &alice = rows[1], &ghost = rows[2];
  EXPECT_NE(daemon_->log().find("DATA <m-xverp@client.test> to 127.0.0.1"), std::string::npos);
  ASSERT_TRUE(reaches(nobody.id, "bounced", 20s)) << transitions(nobody.id);
  ASSERT_TRUE(reaches(ghost.id, "bounced", 20s)) << transitions(ghost.id);
  // The copy's token came back in the returned header; each bounce went to
  // its recipient's own return path, one report each.
  expect_resolved(nobody.id, "bounced", "userunknown", true, "5.1.1", "header");
  expect_resolved(ghost.id, "bounced", "userunknown", true, "5.1.1", "header");
  const auto report_of = [&](std::int64_t id) {
    return store()->report_recipient(*store()->acceptance(id)->resolved_by)->report_id;
  };
  EXPECT_NE(report_of(nobody.id), report_of(ghost.id));
  // The parser read each bounce's return path.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(fixture_->db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT verp_recipient FROM reports WHERE id = ?1", -1, &st, nullptr), SQLITE_OK);
  for (const auto& [id, rcpt] : {std::pair{report_of(nobody.id), "nobody@back.test"},
                                 std::pair{report_of(ghost.id), "ghost@back.test"}}) {
    sqlite3_bind_int64(st, 1, id);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), rcpt);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  ASSERT_TRUE(eventually([&] { return maildir_messages(back_->dir() + "/mail/alice").size() == 1; }, 10s));
  const auto copy = maildir_messages(back_->dir() + "/mail/alice")[0];
  EXPECT_NE(copy.find("Return-Path: <bounces+alice=back.test@verp.test>"), std::string::npos) << copy;
  EXPECT_NE(copy.find("X-Ndrlink-Id: " + nobody.verp_token), std::string::npos) << copy;
  EXPECT_EQ(store()->acceptance(alice.id)->state, "pending");
  EXPECT_EQ(transitions(alice.id), "");
}

// `ndrlink probe --mx` against the real instances (no relay needed).
class ProbePostfix : public PostfixWorld {
 protected:
  void SetUp() override { start_world(); }

  nlohmann::json probe(const std::string& address, int port, int expected_status) {
    const std::string cmd = std::string(NDRLINK_BINARY) + " --db '" + fixture_->dir().file("probe.db") + "' probe '" +
                            address + "' --mx 127.0.0.1:" + std::to_string(port) +
                            " --helo probe.test --starttls no --timeout 10 --format json 2>'" + fixture_->dir().file("probe.err") + "'";
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) throw std::runtime_error("popen failed");
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    const int status = ::pclose(p);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), expected_status) << out << read_file(fixture_->dir().file("probe.err"));
    return nlohmann::json::parse(out);
  }
};

TEST_F(ProbePostfix, RelayedDomainAccepted) {
  const auto j = probe("anyone@back.test", front_->port(), 0);
  EXPECT_EQ(j["verdict"], "accepted");
  EXPECT_EQ(j["rcpt_reply"]["code"], 250);
  EXPECT_EQ(j["rcpt_reply"]["enhanced"], "2.1.5");
}

TEST_F(ProbePostfix, UnknownUserOnTheBackRefused550) {
  const auto j = probe("nobody@back.test", back_->port(), 1);
  EXPECT_EQ(j["verdict"], "refused");
  EXPECT_EQ(j["rcpt_reply"]["code"], 550);
  EXPECT_EQ(j["rcpt_reply"]["enhanced"], "5.1.1");
  EXPECT_NE(j["rcpt_reply"]["text"].get<std::string>().find("User unknown in virtual mailbox table"), std::string::npos);
}

TEST_F(ProbePostfix, ForeignDomainRelayDenied) {
  const auto j = probe("x@foreign.test", front_->port(), 2);
  EXPECT_EQ(j["verdict"], "temporary");
  EXPECT_EQ(j["rcpt_reply"]["code"], 454);
  EXPECT_EQ(j["rcpt_reply"]["enhanced"], "4.7.1");
  EXPECT_NE(j["rcpt_reply"]["text"].get<std::string>().find("Relay access denied"), std::string::npos);
}

}  // namespace
}  // namespace ndrlink::testing
