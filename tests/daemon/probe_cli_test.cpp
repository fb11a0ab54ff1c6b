// `ndrlink probe` end to end: the real CLI binary against the scripted SMTP
// server (--mx 127.0.0.1:PORT), its JSON output, exit status, and with
// --send the acceptance in a real SQLite store.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../integration/test_support.h"
#include "ndrlink/storage/store.h"
#include "scripted_smtp_server.h"
#include "test_certificate.h"

namespace ndrlink::testing {
namespace {
using test::ScriptedSmtpServer;

struct CliRun {
  int status = -1;
  std::string out, err;
  nlohmann::json json() const { return nlohmann::json::parse(out); }
};

class ProbeCli : public ::testing::Test {
 protected:
  // Runs ndrlink with `args` (single-quoted for the shell) against the
  // test's database.
  CliRun run(const std::vector<std::string>& args) {
    std::string cmd = std::string(NDRLINK_BINARY) + " --db '" + db() + "'";
    for (const auto& a : args) cmd += " '" + a + "'";
    cmd += " 2>'" + dir_.file("stderr") + "'";
    CliRun r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) throw std::runtime_error("popen failed");
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    const int status = ::pclose(p);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = read_file(dir_.file("stderr"));
    return r;
  }
  CliRun probe(const ScriptedSmtpServer& server, const std::string& address, std::vector<std::string> more = {}) {
    std::vector<std::string> args{"probe", address, "--mx", server.address(), "--helo", "probe.test",
                                  "--starttls", "no", "--timeout", "5", "--format", "json"};
    args.insert(args.end(), more.begin(), more.end());
    return run(args);
  }
  std::string db() const { return dir_.file("ndrlink.db"); }
  TempDir dir_;
};

TEST_F(ProbeCli, Accepted250) {
  ScriptedSmtpServer server;
  const auto r = probe(server, "someone@example.com");
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["verdict"], "accepted");
  EXPECT_EQ(j["rcpt_reply"]["code"], 250);
  EXPECT_EQ(j["rcpt_reply"]["enhanced"], "2.1.5");
  EXPECT_EQ(j["mx"], "127.0.0.1");
  EXPECT_EQ(j["port"], server.port());
  EXPECT_EQ(j["tls"], false);
  EXPECT_NE(j["meaning"].get<std::string>().find("catch-all"), std::string::npos);
  EXPECT_FALSE(j.contains("acceptance_id"));
  const auto cmds = server.commands();
  ASSERT_GE(cmds.size(), 4u);
  // Default sender: the helo name's postmaster; no DATA without --send.
  EXPECT_EQ(cmds[1], "MAIL FROM:<postmaster@probe.test>");
  EXPECT_EQ(cmds[2], "RCPT TO:<someone@example.com>");
  EXPECT_EQ(cmds[3], "QUIT");
  EXPECT_TRUE(server.messages().empty());
}

TEST_F(ProbeCli, RcptRepliesGiveVerdictMeaningAndStatus) {
  struct Case {
    const char *reply, *verdict, *meaning;
    int status;
  };
  for (const Case& c : {Case{"252 2.1.5 Cannot VRFY user, but will accept message", "accepted_unverified",
                             "cannot verify", 0},
                        Case{"251 2.1.5 User not local; will forward", "accepted", "forward", 0},
                        Case{"550 5.1.1 <nobody@example.com>: Recipient address rejected", "refused",
                             "mailbox unknown", 1},
                        Case{"554 5.7.1 <a@example.com>: Relay access denied", "refused", "relaying denied", 1},
                        Case{"452 4.2.2 Mailbox full", "temporary", "full", 2},
                        Case{"451 4.7.1 Greylisted, try again in 5 minutes", "temporary", "greylisting", 2}}) {
    ScriptedSmtpServer server;
    server.on("RCPT", ScriptedSmtpServer::reply(c.reply));
    const auto r = probe(server, "a@example.com");
    EXPECT_EQ(r.status, c.status) << c.reply << r.out << r.err;
    const auto j = r.json();
    EXPECT_EQ(j["verdict"], c.verdict) << c.reply;
    EXPECT_EQ(j["rcpt_reply"]["code"], std::stoi(c.reply)) << c.reply;
    EXPECT_EQ(j["rcpt_reply"]["text"], std::string(c.reply).substr(10)) << c.reply;
    EXPECT_NE(j["meaning"].get<std::string>().find(c.meaning), std::string::npos) << c.reply << ": " << j["meaning"];
  }
}

TEST_F(ProbeCli, StartTlsRequiredButNotOfferedIsAnError) {
  ScriptedSmtpServer server;
  const auto r = run({"probe", "a@example.com", "--mx", server.address(), "--starttls", "required", "--timeout", "5",
                      "--format", "json"});
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["verdict"], "error");
  EXPECT_NE(j["error"].get<std::string>().find("STARTTLS required"), std::string::npos);
  EXPECT_TRUE(j["rcpt_reply"].is_null());
  for (const auto& cmd : server.commands()) EXPECT_EQ(cmd.rfind("MAIL", 0), std::string::npos) << cmd;
}

TEST_F(ProbeCli, StartTlsVerifiedWithCaFile) {
  if (std::system("command -v openssl >/dev/null 2>&1") != 0) GTEST_SKIP() << "openssl is not installed";
  const auto cert = test::make_self_signed_certificate(dir_.path().string());
  ScriptedSmtpServer::Options o;
  o.cert_file = cert.cert_file;
  o.key_file = cert.key_file;
  ScriptedSmtpServer server(o);
  const auto r = run({"probe", "a@example.com", "--mx", server.address(), "--starttls", "required", "--tls-ca",
                      cert.cert_file, "--timeout", "5", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_EQ(r.json()["tls"], true);
}

TEST_F(ProbeCli, SendRecordsTheAcceptanceWithItsReply) {
  ScriptedSmtpServer server;
  server.on("RCPT", ScriptedSmtpServer::reply("252 2.1.5 Cannot VRFY user, but will accept message"));
  const auto r = probe(server, "Maybe@Example.com", {"--send", "--from", "tester@probe.test"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  const auto j = r.json();
  ASSERT_TRUE(j.contains("acceptance_id")) << r.out;
  const auto id = j["acceptance_id"].get<std::int64_t>();
  EXPECT_EQ(j["data_reply"]["code"], 250);

  auto store = storage::Store::open(db());
  const auto a = store->acceptance(id);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->reply_code, 252);
  EXPECT_EQ(a->enhanced_status, "2.1.5");
  EXPECT_EQ(a->reply_text, "Cannot VRFY user, but will accept message");
  EXPECT_EQ(a->source, "probe");
  EXPECT_EQ(a->state, "pending");
  EXPECT_EQ(a->sender, "tester@probe.test");
  EXPECT_EQ(a->mx_host, "127.0.0.1");
  EXPECT_EQ(a->message_id, j["message_id"].get<std::string>());
  EXPECT_FALSE(a->envid.empty());  // the server offers DSN

  const auto messages = server.messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].body.find("X-Ndrlink-Id: " + a->verp_token + "\r\n"), std::string::npos) << messages[0].body;
  EXPECT_NE(messages[0].body.find("Message-ID: " + a->message_id + "\r\n"), std::string::npos);
  EXPECT_EQ(messages[0].mail_from, "<tester@probe.test> RET=HDRS ENVID=" + a->envid);
  ASSERT_EQ(messages[0].rcpt_to.size(), 1u);
  EXPECT_EQ(messages[0].rcpt_to[0], "<Maybe@Example.com> NOTIFY=FAILURE,DELAY ORCPT=rfc822;Maybe@Example.com");
}

TEST_F(ProbeCli, SendRefusedAtRcptRecordsARefusalNoAcceptance) {
  ScriptedSmtpServer server;
  server.on("RCPT", ScriptedSmtpServer::reply("550 5.1.1 User unknown"));
  const auto r = probe(server, "nobody@example.com", {"--send"});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_FALSE(r.json().contains("acceptance_id"));
  auto store = storage::Store::open(db());
  EXPECT_TRUE(store->list_acceptances({}).empty());
  EXPECT_TRUE(server.messages().empty());
  const auto refusals = store->refusals_since("", 10);
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0].recipient, "nobody@example.com");
  EXPECT_EQ(refusals[0].reply_code, 550);
  EXPECT_EQ(refusals[0].enhanced_status, "5.1.1");
  EXPECT_EQ(refusals[0].stage, "rcpt");
  EXPECT_EQ(refusals[0].source, "probe");
}

TEST_F(ProbeCli, SendRefusedAtDataMarksTheAcceptanceBounced) {
  ScriptedSmtpServer server;
  server.on(".", ScriptedSmtpServer::reply("554 5.7.1 Message rejected by policy"));
  const auto r = probe(server, "a@example.com", {"--send"});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["verdict"], "refused");
  auto store = storage::Store::open(db());
  const auto a = store->acceptance(j["acceptance_id"].get<std::int64_t>());
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->reply_code, 250);  // what RCPT said stays recorded
  EXPECT_EQ(a->state, "bounced");
  EXPECT_EQ(a->reason, "policyviolation");
  EXPECT_EQ(a->data_reply_code, 554);
  EXPECT_EQ(a->data_reply_text, "554 5.7.1 Message rejected by policy");
  const auto events = store->events_for(a->id);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().why, "data refused: 554 5.7.1 Message rejected by policy");
  const auto refusals = store->refusals_since("", 10);
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0].stage, "data");
  EXPECT_EQ(refusals[0].source, "probe");
}

TEST_F(ProbeCli, SendConnectionLostDuringDataKeepsTheAcceptancePending) {
  ScriptedSmtpServer::Options o;
  o.close_after_data_bytes = 10;
  ScriptedSmtpServer server(o);
  const auto r = probe(server, "a@example.com", {"--send"});
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["verdict"], "error");
  EXPECT_EQ(j["rcpt_reply"]["code"], 250);
  ASSERT_TRUE(j.contains("acceptance_id")) << r.out;
  auto store = storage::Store::open(db());
  const auto a = store->acceptance(j["acceptance_id"].get<std::int64_t>());
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->state, "pending");  // the server may have the message: not lost, not presumed refused
}

TEST_F(ProbeCli, SenderRefusedIsAnErrorNotAVerdictOnTheAddress) {
  ScriptedSmtpServer server;
  server.on("MAIL", ScriptedSmtpServer::reply("553 5.7.1 <postmaster@probe.test>: Sender address rejected"));
  const auto r = probe(server, "a@example.com");
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["verdict"], "error");
  EXPECT_EQ(j["mail_reply"]["code"], 553);
  EXPECT_TRUE(j["rcpt_reply"].is_null());
  EXPECT_NE(j["meaning"].get<std::string>().find("--from"), std::string::npos);
}

TEST_F(ProbeCli, GreetingRefusals) {
  ScriptedSmtpServer busy;
  busy.on("GREETING", ScriptedSmtpServer::reply("421 4.3.2 Too many connections"));
  const auto t = probe(busy, "a@example.com");
  EXPECT_EQ(t.status, 2) << t.out;
  EXPECT_EQ(t.json()["verdict"], "temporary");
  EXPECT_EQ(t.json()["attempts"][0], busy.address() + ": 421 4.3.2 Too many connections");
  ScriptedSmtpServer no;
  no.on("GREETING", ScriptedSmtpServer::reply("554 5.7.1 No SMTP service for you"));
  const auto e = probe(no, "a@example.com");
  EXPECT_EQ(e.status, 2) << e.out;
  EXPECT_EQ(e.json()["verdict"], "error");
  EXPECT_TRUE(e.json()["mx"].is_null());
}

TEST_F(ProbeCli, NullSenderAndTextOutput) {
  ScriptedSmtpServer server;
  const auto r = run({"probe", "a@example.com", "--mx", server.address(), "--from", "<>", "--starttls", "no"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("verdict:    accepted\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rcpt to:    250 2.1.5 Ok\n"), std::string::npos) << r.out;
  EXPECT_EQ(server.commands().at(1), "MAIL FROM:<>");
}

TEST_F(ProbeCli, BadArgumentsAreOneLineErrors) {
  const auto r = run({"probe", "not-an-address"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "ndrlink probe: not an address: not-an-address\n");
  const auto bad_mx = run({"probe", "a@example.com", "--mx", "host:99999", "--format", "json"});
  EXPECT_EQ(bad_mx.status, 2);
  EXPECT_EQ(bad_mx.json()["verdict"], "error");
}

}  // namespace
}  // namespace ndrlink::testing
