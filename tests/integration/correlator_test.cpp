// End to end over a real SQLite file: record acceptances for the
// recipients and Message-IDs of real bounces, ingest the bounces, and check
// state, reason, hard flag and link method — for every link method, forged
// evidence, idempotency and the state machine.
#include "ndrlink/correlator/correlator.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "ndrlink/parser/parser.h"
#include "test_support.h"

namespace ndrlink::correlator {
namespace {

using ndrlink::testing::replace_once;
using ndrlink::testing::sample;
using ndrlink::testing::TempDir;

constexpr const char* kPostfixRcpt = "kijitora@example.co.jp";
constexpr const char* kPostfixMsgId = "<A8F82EDD-E518-4F5C-8C70-BC4EFF24AB9F@example.ne.jp>";

// The Postfix sample without the returned message's Message-ID, so only
// the evidence a test adds can link it.
std::string postfix_without_message_id() {
  return replace_once(sample("lhost-postfix-04.eml"), std::string("Message-Id: ") + kPostfixMsgId, "X-Old: gone");
}

class CorrelatorTest : public ::testing::Test {
 protected:
  CorrelatorTest()
      : store_(storage::Store::open(dir_.file("ndrlink.db"))),
        signer_("0123456789abcdef-test-secret"),
        now_(*parse_iso("2026-12-01T12:00:00Z")),
        correlator_(*store_, &signer_, CorrelatorOptions{}, [this] { return now_; }) {}

  std::int64_t record(std::string rcpt, std::string message_id = {}, std::string envid = {},
                      std::string at = "2026-12-01T10:00:00Z") {
    storage::NewAcceptance a;
    a.recipient = std::move(rcpt);
    a.reply_code = 252;
    a.message_id = std::move(message_id);
    a.envid = std::move(envid);
    a.accepted_at = std::move(at);
    return store_->record_acceptance(a, [this](std::int64_t id) { return signer_.token_for(id); }).id;
  }

  // The acceptances of one relayed copy (one upstream transaction): each
  // with the first one's token as copy_token, as the relay writes them.
  std::vector<std::int64_t> record_copy(const std::vector<std::string>& rcpts) {
    std::vector<std::int64_t> ids;
    for (std::size_t i = 0; i < rcpts.size(); ++i) ids.push_back(store_->reserve_acceptance_id());
    const std::string copy_token = signer_.token_for(ids.front());
    for (std::size_t i = 0; i < rcpts.size(); ++i) {
      storage::NewAcceptance a;
      a.recipient = rcpts[i];
      a.accepted_at = "2026-12-01T10:00:00Z";
      a.source = "relay";
      a.copy_token = copy_token;
      a.reserved_id = ids[i];
      store_->record_acceptance(a, [this](std::int64_t id) { return signer_.token_for(id); });
    }
    return ids;
  }

  IngestOutcome ingest(const std::string& raw) {
    return correlator_.ingest(Correlator::content_key(raw), parser::parse_message(raw), raw);
  }

  storage::Acceptance get(std::int64_t id) { return *store_->acceptance(id); }

  TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  VerpSigner signer_;
  TimePoint now_;
  Correlator correlator_;
};

TEST_F(CorrelatorTest, RealPostfixBounceLinksByMessageId) {
  const auto id = record(kPostfixRcpt, kPostfixMsgId);
  const auto out = ingest(sample("lhost-postfix-04.eml"));
  ASSERT_EQ(out.recipients.size(), 1u);
  EXPECT_EQ(out.recipients[0].link_method, "message_id");
  EXPECT_DOUBLE_EQ(out.recipients[0].confidence, 0.8);
  const auto a = get(id);
  EXPECT_EQ(a.state, "bounced");
  EXPECT_EQ(a.reason, "userunknown");
  EXPECT_EQ(a.hard, true);
  ASSERT_TRUE(a.resolved_by);
  const auto events = store_->events_for(id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].from_state, "pending");
  EXPECT_EQ(events[0].to_state, "bounced");
}

TEST_F(CorrelatorTest, EveryRecipientOfAMultiRecipientBounceIsResolved) {
  const std::string raw = sample("lhost-sendmail-02.eml");
  const auto parsed = parser::parse_message(raw);
  ASSERT_EQ(parsed.recipients.size(), 2u);
  const std::string msgid = "<C6625D0F-A302-4980-BEAB-2AF883EA0116@example.jp>";
  const auto a1 = record("userunknown@example.org", msgid);
  const auto a2 = record("filtered@example.com", msgid);
  const auto bystander = record("someone-else@example.org", msgid);
  ingest(raw);
  EXPECT_EQ(get(a1).state, "bounced");
  EXPECT_EQ(get(a1).reason, parsed.recipients[0].reason);
  EXPECT_EQ(get(a1).hard, parsed.recipients[0].hard);
  EXPECT_EQ(get(a2).state, "bounced");
  EXPECT_EQ(get(a2).reason, parsed.recipients[1].reason);
  EXPECT_EQ(get(bystander).state, "pending");
}

TEST_F(CorrelatorTest, EnvidLinksWhenTheMessageIdIsGone) {
  const auto id = record(kPostfixRcpt, "<other@example.org>", "ENV-4711");
  const auto raw = replace_once(postfix_without_message_id(), "Reporting-MTA: dns; mv-osn-hcb007.ocn.ad.jp",
                                "Reporting-MTA: dns; mv-osn-hcb007.ocn.ad.jp\nOriginal-Envelope-Id: ENV-4711");
  const auto out = ingest(raw);
  ASSERT_EQ(out.recipients.size(), 1u);
  EXPECT_EQ(out.recipients[0].link_method, "envid");
  EXPECT_EQ(get(id).state, "bounced");
}

TEST_F(CorrelatorTest, AnOriginalRecipientEchoedInXtextStillLinks) {
  // The relay sends ORCPT=rfc822;user+2Btag@example.org (xtext); an MTA
  // that echoes it undecoded names that, and the final recipient is an
  // alias target.
  const auto id = record("user+tag@example.org", "<other@example.org>", "ENV-4712");
  auto raw = replace_once(postfix_without_message_id(), "Reporting-MTA: dns; mv-osn-hcb007.ocn.ad.jp",
                          "Reporting-MTA: dns; mv-osn-hcb007.ocn.ad.jp\nOriginal-Envelope-Id: ENV-4712");
  raw = replace_once(raw, "Original-Recipient: rfc822;kijitora@example.co.jp",
                     "Original-Recipient: rfc822;user+2Btag@example.org");
  const auto out = ingest(raw);
  ASSERT_EQ(out.recipients.size(), 1u);
  EXPECT_EQ(out.recipients[0].link_method, "envid");
  EXPECT_EQ(get(id).state, "bounced");
}

TEST_F(CorrelatorTest, VerpTokenLinksExactly) {
  const auto id = record(kPostfixRcpt);
  record(kPostfixRcpt);  // a second open acceptance: the recipient alone is ambiguous
  const auto raw = "Delivered-To: bounces+" + signer_.token_for(id) + "@example.ne.jp\n" + postfix_without_message_id();
  const auto out = ingest(raw);
  ASSERT_EQ(out.recipients.size(), 1u);
  EXPECT_EQ(out.recipients[0].link_method, "verp");
  EXPECT_DOUBLE_EQ(out.recipients[0].confidence, 1.0);
  EXPECT_EQ(get(id).state, "bounced");
}

TEST_F(CorrelatorTest, UpperCasedVerpTokenStillVerifies) {
  const auto id = record(kPostfixRcpt);
  std::string token = signer_.token_for(id);
  for (auto& c : token) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ingest("X-Original-To: bounces+" + token + "@example.ne.jp\n" + postfix_without_message_id());
  EXPECT_EQ(get(id).state, "bounced");
}

TEST_F(CorrelatorTest, ForgedOrAlteredTokensChangeNothing) {
  const auto id = record(kPostfixRcpt, kPostfixMsgId);
  std::string altered = signer_.token_for(id);
  altered.back() = altered.back() == 'a' ? 'b' : 'a';
  const VerpSigner other("another-secret-of-an-attacker!!");
  const std::string forged_tokens[] = {altered, other.token_for(id), signer_.token_for(id + 1000) + "x",
                                       "totally-bogus"};
  for (const auto& token : forged_tokens) {
    // The real Message-ID is in there too: a forged token taints it all.
    const auto out = ingest("Delivered-To: bounces+" + token + "@example.ne.jp\n" + sample("lhost-postfix-04.eml"));
    ASSERT_EQ(out.recipients.size(), 1u) << token;
    EXPECT_FALSE(out.recipients[0].acceptance_id) << token;
    EXPECT_FALSE(out.recipients[0].suspicious.empty()) << token;
    EXPECT_EQ(get(id).state, "pending") << token;
  }
  EXPECT_TRUE(store_->events_for(id).empty());
  EXPECT_EQ(store_->unmatched(100).size(), std::size(forged_tokens));
}

TEST_F(CorrelatorTest, TokenOfAnotherAcceptanceDoesNotResolveThisRecipient) {
  // A valid token but a report about several recipients: only the token's
  // own recipient may be resolved by it.
  const std::string raw = sample("lhost-sendmail-02.eml");
  const auto mine = record("userunknown@example.org");
  const auto stranger = record("filtered@example.com");
  ingest("Delivered-To: bounces+" + signer_.token_for(mine) + "@example.jp\n" +
         replace_once(raw, "Message-Id: <C6625D0F", "X-Old: <C6625D0F"));
  EXPECT_EQ(get(mine).state, "bounced");
  EXPECT_EQ(get(stranger).state, "pending");
}

TEST_F(CorrelatorTest, ACopysTokenLinksEachOfItsRecipients) {
  // relay.verp_scope = message: one return path for the copy; the report's
  // recipients pick the acceptances, a bystander elsewhere stays open.
  const std::string raw = sample("lhost-sendmail-02.eml");
  const auto bystander = record("userunknown@example.org");
  const auto copy = record_copy({"first@example.org", "userunknown@example.org", "filtered@example.com"});
  EXPECT_EQ(get(copy[1]).copy_token, signer_.token_for(copy[0]));
  const auto out = ingest("Delivered-To: bounces+" + signer_.token_for(copy[0]) + "@example.jp\n" +
                          replace_once(raw, "Message-Id: <C6625D0F", "X-Old: <C6625D0F"));
  ASSERT_EQ(out.recipients.size(), 2u);
  for (const auto& r : out.recipients) {
    EXPECT_EQ(r.link_method, "verp");
    EXPECT_DOUBLE_EQ(r.confidence, 1.0);
  }
  EXPECT_EQ(get(copy[1]).state, "bounced");
  EXPECT_EQ(get(copy[2]).state, "bounced");
  EXPECT_EQ(get(copy[0]).state, "pending");
  EXPECT_EQ(get(bystander).state, "pending");
}

TEST_F(CorrelatorTest, ACopysTokenDoesNotPinAStrangerOnItsFirstRecipient) {
  // One recipient in the report, the token names a copy of two: only the
  // copy's acceptance for that recipient may be resolved (an acceptance by
  // its own token is, whatever the report's recipient says).
  const auto copy = record_copy({"first@example.org", "second@example.org"});
  const auto out = ingest("Delivered-To: bounces+" + signer_.token_for(copy[0]) + "@example.ne.jp\n" +
                          postfix_without_message_id());
  ASSERT_EQ(out.recipients.size(), 1u);
  EXPECT_FALSE(out.recipients[0].acceptance_id);
  EXPECT_EQ(get(copy[0]).state, "pending");
  EXPECT_EQ(get(copy[1]).state, "pending");

  const auto mine = record_copy({"first@example.org", kPostfixRcpt});
  ingest("Delivered-To: bounces+" + signer_.token_for(mine[0]) + "@example.ne.jp\n" + postfix_without_message_id());
  EXPECT_EQ(get(mine[1]).state, "bounced");
  EXPECT_EQ(get(mine[0]).state, "pending");
  // The same report under the token of a one-recipient copy: that acceptance.
  const auto alone = record_copy({"forwarded@example.org"});
  ingest("Delivered-To: bounces+" + signer_.token_for(alone[0]) + "@example.ne.jp\n" +
         postfix_without_message_id());
  EXPECT_EQ(get(alone[0]).state, "bounced");
}

TEST_F(CorrelatorTest, ACopysTokenLinksFromTheHeaderAndInAnyCase) {
  // X-Ndrlink-Id in the returned headers (rule 2) names the copy alike.
  const auto copy = record_copy({"first@example.org", "userunknown@example.org", "filtered@example.com"});
  const auto out = ingest(replace_once(sample("lhost-sendmail-02.eml"), "Message-Id: <C6625D0F",
                                       "X-Ndrlink-Id: " + signer_.token_for(copy[0]) + "\nX-Old: <C6625D0F"));
  ASSERT_EQ(out.recipients.size(), 2u);
  for (const auto& r : out.recipients) EXPECT_EQ(r.link_method, "header");
  EXPECT_EQ(get(copy[1]).state, "bounced");
  EXPECT_EQ(get(copy[2]).state, "bounced");
  EXPECT_EQ(get(copy[0]).state, "pending");
  // A token that came back upper-cased verifies, and still picks the
  // copy's acceptance for the report's recipient, not the first one.
  const auto upper = record_copy({"first@example.org", kPostfixRcpt});
  std::string token = signer_.token_for(upper[0]);
  for (auto& c : token) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ingest("Delivered-To: BOUNCES+" + token + "@EXAMPLE.NE.JP\n" + postfix_without_message_id());
  EXPECT_EQ(get(upper[1]).state, "bounced");
  EXPECT_EQ(get(upper[0]).state, "pending");
}

TEST_F(CorrelatorTest, AnXverpReturnPathNamesTheCopysRecipient) {
  // relay.xverp: a fixed return path, which the upstream turned into the
  // recipient's; the copy's token comes back in the header. The report's
  // recipient was rewritten on the way (kijitora@example.co.jp): the
  // return path says which of the copy's acceptances it is about.
  const auto copy = record_copy({"first@example.org", "alias@example.org"});
  const auto out = ingest("Delivered-To: bounces+alias=example.org@example.ne.jp\n" +
                          replace_once(postfix_without_message_id(), "X-Old: gone",
                                       "X-Ndrlink-Id: " + signer_.token_for(copy[0])));
  ASSERT_EQ(out.recipients.size(), 1u);
  EXPECT_EQ(out.recipients[0].link_method, "header");
  EXPECT_DOUBLE_EQ(out.recipients[0].confidence, 1.0);
  EXPECT_EQ(get(copy[1]).state, "bounced");
  EXPECT_EQ(get(copy[0]).state, "pending");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.file("ndrlink.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT verp_recipient FROM reports", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "alias@example.org");
  sqlite3_finalize(st);
  sqlite3_close(db);

  // No token at all: the return path's recipient alone (rule 5), when it
  // has exactly one open acceptance.
  const auto lone = record("lone@example.org");
  const auto out2 = ingest("Delivered-To: bounces+lone=example.org@example.ne.jp\n" +
                           replace_once(postfix_without_message_id(), "Subject:", "X-Copy: 2\nSubject:"));
  ASSERT_EQ(out2.recipients.size(), 1u);
  EXPECT_EQ(out2.recipients[0].link_method, "recipient");
  EXPECT_EQ(get(lone).state, "bounced");

  // An XVERP recipient with two open acceptances is ambiguous: the
  // report's own recipient (one open acceptance) is not taken instead.
  record("twice@example.org");
  record("twice@example.org");
  const auto bystander = record(kPostfixRcpt);
  const auto out3 = ingest("Delivered-To: bounces+twice=example.org@example.ne.jp\n" +
                           replace_once(postfix_without_message_id(), "Subject:", "X-Copy: 3\nSubject:"));
  ASSERT_EQ(out3.recipients.size(), 1u);
  EXPECT_FALSE(out3.recipients[0].acceptance_id);
  EXPECT_EQ(get(bystander).state, "pending");
}

TEST_F(CorrelatorTest, RealRecipientWithAMadeUpMessageIdStaysUnmatched) {
  const auto id = record(kPostfixRcpt, "<the-real-one@example.org>");
  const auto out = ingest(sample("lhost-postfix-04.eml"));  // names another Message-ID
  EXPECT_FALSE(out.recipients[0].acceptance_id);
  EXPECT_EQ(get(id).state, "pending");
  EXPECT_EQ(store_->unmatched(10).size(), 1u);
}

TEST_F(CorrelatorTest, RecipientOnlyLinkNeedsExactlyOneOpenAcceptance) {
  const auto id = record(kPostfixRcpt);
  const auto raw = postfix_without_message_id();
  const auto out = ingest(raw);
  ASSERT_EQ(out.recipients.size(), 1u);
  EXPECT_EQ(out.recipients[0].link_method, "recipient");
  EXPECT_DOUBLE_EQ(out.recipients[0].confidence, 0.5);
  EXPECT_EQ(get(id).state, "bounced");

  // Two open acceptances for the same address: ambiguous, left unmatched.
  const auto b1 = record("shironeko@example.org");
  const auto b2 = record("shironeko@example.org");
  const auto out2 = ingest(replace_once(raw, "kijitora@example.co.jp", "shironeko@example.org"));
  EXPECT_FALSE(out2.recipients[0].acceptance_id);
  EXPECT_EQ(get(b1).state, "pending");
  EXPECT_EQ(get(b2).state, "pending");
}

TEST_F(CorrelatorTest, TheSameMessageTwiceIsStoredOnce) {
  const auto id = record(kPostfixRcpt, kPostfixMsgId);
  const auto raw = sample("lhost-postfix-04.eml");
  EXPECT_FALSE(ingest(raw).duplicate);
  const auto second = ingest(raw);
  EXPECT_TRUE(second.duplicate);
  EXPECT_EQ(store_->events_for(id).size(), 1u);
  // The same bytes under another source key (an IMAP rescan after a
  // UIDVALIDITY change): the same report; other bytes are another one.
  EXPECT_FALSE(second.same_content);  // the same key
  const auto rescanned = correlator_.ingest("imap:a:2:1", parser::parse_message(raw), raw);
  EXPECT_TRUE(rescanned.duplicate);
  EXPECT_TRUE(rescanned.same_content);
  EXPECT_FALSE(correlator_.ingest("imap:a:2:2", parser::parse_message(raw + "\n"), raw + "\n").duplicate);
  EXPECT_EQ(store_->events_for(id).size(), 2u);  // the second report's event only
}

TEST_F(CorrelatorTest, DelayedThenFailed) {
  const auto id = record(kPostfixRcpt, kPostfixMsgId);
  auto delayed = replace_once(sample("lhost-postfix-04.eml"), "Action: failed", "Action: delayed");
  delayed = replace_once(delayed, "Status: 5.1.1", "Status: 4.4.1");
  ingest(delayed);
  EXPECT_EQ(get(id).state, "delayed");
  ingest(sample("lhost-postfix-04.eml"));
  EXPECT_EQ(get(id).state, "bounced");
  // A delay notice arriving after the bounce is history, not a state change.
  ingest(delayed + "\n");
  EXPECT_EQ(get(id).state, "bounced");
  const auto events = store_->events_for(id);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].to_state, "bounced");
}

TEST_F(CorrelatorTest, SweepInLimitedBatchesSaysWhenMoreAreLeft) {
  for (int i = 0; i < 5; ++i)
    record("old" + std::to_string(i) + "@example.jp", "<old" + std::to_string(i) + "@x>", {}, "2026-12-01T10:00:00Z");
  now_ = *parse_iso("2026-12-07T00:00:00Z");
  auto out = correlator_.sweep(2, 1);
  EXPECT_EQ(out.presumed_delivered, 2);
  EXPECT_TRUE(out.more);
  out = correlator_.sweep(2, 2);
  EXPECT_EQ(out.presumed_delivered, 3);
  EXPECT_FALSE(out.more) << "the second batch was short: nothing left";
  out = correlator_.sweep(2, 1);
  EXPECT_EQ(out.presumed_delivered, 0);
  EXPECT_FALSE(out.more);
}

TEST_F(CorrelatorTest, SweepPresumesDeliveryAndALateBounceOverrides) {
  const auto id = record(kPostfixRcpt, kPostfixMsgId, {}, "2026-12-01T10:00:00Z");
  const auto fresh = record("fresh@example.jp", "<fresh@x>", {}, "2026-12-05T10:00:00Z");
  now_ = *parse_iso("2026-12-07T00:00:00Z");  // 5 days + 14 h after the first
  EXPECT_EQ(correlator_.sweep().presumed_delivered, 1);
  EXPECT_EQ(get(id).state, "presumed_delivered");
  EXPECT_EQ(get(fresh).state, "pending");
  EXPECT_EQ(correlator_.sweep().presumed_delivered, 0);  // idempotent
  ingest(sample("lhost-postfix-04.eml"));
  EXPECT_EQ(get(id).state, "bounced");
  const auto events = store_->events_for(id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].to_state, "presumed_delivered");
  EXPECT_EQ(events[1].from_state, "presumed_delivered");
}

TEST_F(CorrelatorTest, AutoreplyMeansDeliveredAndComplaintIsOnlyAnEvent) {
  const auto vacation = parser::parse_message(sample("rfc3834-01.eml"));
  ASSERT_EQ(vacation.kind, parser::Kind::autoreply);
  ASSERT_EQ(vacation.recipients.size(), 1u);
  const auto v = record(vacation.recipients[0].recipient, vacation.original_message_id);
  ingest(sample("rfc3834-01.eml"));
  EXPECT_EQ(get(v).state, "delivered");

  const auto arf = parser::parse_message(sample("arf-01.eml"));
  ASSERT_EQ(arf.kind, parser::Kind::arf);
  const auto c = record(arf.recipients[0].recipient, arf.original_message_id);
  ingest(sample("arf-01.eml"));
  EXPECT_EQ(get(c).state, "pending");
  const auto events = store_->events_for(c);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].why.find("complaint"), std::string::npos) << events[0].why;
}

}  // namespace
}  // namespace ndrlink::correlator

namespace ndrlink::correlator {
namespace {

TEST_F(CorrelatorTest, AHardBounceAfterASoftOneHardens) {
  const auto id = record(kPostfixRcpt, kPostfixMsgId);
  auto soft = replace_once(sample("lhost-postfix-04.eml"), "Status: 5.1.1", "Status: 5.2.2");
  soft = replace_once(soft, "550 5.1.1 Address rejected", "552 5.2.2 Mailbox full");  // the text part
  soft = replace_once(soft, "550 5.1.1 Address rejected", "552 5.2.2 Mailbox full");  // Diagnostic-Code
  ingest(soft);
  EXPECT_EQ(get(id).reason, "mailboxfull");
  EXPECT_EQ(get(id).hard, false);
  ingest(sample("lhost-postfix-04.eml"));
  EXPECT_EQ(get(id).state, "bounced");
  EXPECT_EQ(get(id).reason, "userunknown");
  EXPECT_EQ(get(id).hard, true);
  // A soft bounce after the hard one changes nothing but the history.
  ingest(soft + "\n");
  EXPECT_EQ(get(id).hard, true);
  EXPECT_EQ(store_->events_for(id).size(), 3u);
}

TEST_F(CorrelatorTest, RelayedIsNotDelivered) {
  const auto id = record(kPostfixRcpt, kPostfixMsgId);
  auto relayed = replace_once(sample("lhost-postfix-04.eml"), "Action: failed", "Action: relayed");
  relayed = replace_once(relayed, "Status: 5.1.1", "Status: 2.0.0");
  ingest(relayed);
  EXPECT_EQ(get(id).state, "pending");
  ASSERT_EQ(store_->events_for(id).size(), 1u);
  ingest(sample("lhost-postfix-04.eml"));
  EXPECT_EQ(get(id).state, "bounced");
}

}  // namespace
}  // namespace ndrlink::correlator
