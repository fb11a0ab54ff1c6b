// Issue 7: 1,000 forged NDRs — altered VERP tokens, tokens signed with the
// wrong key, tokens of other acceptances on a report about someone else,
// and real recipients with made-up Message-IDs — never change the state of
// an acceptance; they are stored, unmatched, and the token ones flagged.
#include <gtest/gtest.h>

#include <random>

#include "ndrlink/correlator/correlator.h"
#include "ndrlink/parser/parser.h"
#include "test_support.h"

namespace ndrlink::correlator {
namespace {

using ndrlink::testing::replace_once;
using ndrlink::testing::sample;
using ndrlink::testing::TempDir;

TEST(ForgedBounces, ThousandForgeriesChangeNoAcceptance) {
  TempDir dir;
  auto store = storage::Store::open(dir.file("n.db"));
  const VerpSigner signer("the-real-secret-of-this-sender");
  const VerpSigner attacker("an-attackers-guess-at-a-secret");
  Correlator correlator(*store, &signer, CorrelatorOptions{}, [] { return *parse_iso("2026-12-01T12:00:00Z"); });

  // 100 real acceptances, each of the recipient the Postfix sample names.
  const std::string base = sample("lhost-postfix-04.eml");
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 100; ++i) {
    storage::NewAcceptance a;
    a.recipient = "user" + std::to_string(i) + "@example.co.jp";
    a.reply_code = 252;
    a.message_id = "<real-" + std::to_string(i) + "@sender.example>";
    a.accepted_at = "2026-12-01T10:00:00Z";
    ids.push_back(store->record_acceptance(a, [&](std::int64_t id) { return signer.token_for(id); }).id);
  }

  std::mt19937 rng(99);
  int flagged = 0;
  for (int n = 0; n < 1000; ++n) {
    const std::size_t victim = rng() % ids.size();
    const std::string rcpt = "user" + std::to_string(victim) + "@example.co.jp";
    std::string raw = base;
    for (std::size_t at; (at = raw.find("kijitora@example.co.jp")) != std::string::npos;) raw.replace(at, 22, rcpt);
    std::string token;
    switch (n % 4) {
      case 0: {  // a real token with one character altered
        token = signer.token_for(ids[victim]);
        char& c = token[token.size() - 1 - rng() % 8];
        c = c == 'a' ? 'b' : 'a';
        break;
      }
      case 1:  // signed with the wrong key
        token = attacker.token_for(ids[victim]);
        break;
      case 2:  // a well-formed id with a made-up MAC
        token = signer.token_for(ids[victim]).substr(0, signer.token_for(ids[victim]).find('-') + 1) +
                "abcdefghijklmnop";
        break;
      default:  // no token: the real recipient with a made-up Message-ID
        break;
    }
    // The sample's own Message-ID never matches: a made-up one.
    raw = replace_once(raw, "<A8F82EDD-E518-4F5C-8C70-BC4EFF24AB9F@example.ne.jp>",
                       "<made-up-" + std::to_string(n) + "@attacker.example>");
    if (!token.empty()) raw = "Delivered-To: bounces+" + token + "@sender.example\n" + raw;
    const auto out = correlator.ingest(Correlator::content_key(raw), parser::parse_message(raw), raw);
    ASSERT_FALSE(out.duplicate) << n;
    ASSERT_EQ(out.recipients.size(), 1u) << n;
    EXPECT_FALSE(out.recipients[0].acceptance_id) << "forgery " << n << " linked";
    if (!token.empty()) {
      EXPECT_FALSE(out.recipients[0].suspicious.empty()) << n;
      flagged += !out.recipients[0].suspicious.empty();
    }
  }
  for (const auto id : ids) {
    const auto a = store->acceptance(id);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->state, "pending") << id;
    EXPECT_TRUE(store->events_for(id).empty()) << id;
  }
  EXPECT_EQ(flagged, 750);
  EXPECT_EQ(store->unmatched(5000).size(), 1000u);
}

}  // namespace
}  // namespace ndrlink::correlator
