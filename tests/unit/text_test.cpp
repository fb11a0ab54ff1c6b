#include <gtest/gtest.h>

#include <cctype>
#include <random>

#include "text.h"

namespace t = ndrlink::parser::text;

TEST(Text, WildcardMatchesGapsInOrder) {
  EXPECT_TRUE(t::matches("user xyz is unknown", "user*unknown"));
  EXPECT_FALSE(t::matches("unknown user", "user*unknown"));
  EXPECT_TRUE(t::matches("anything", ""));
  EXPECT_TRUE(t::matches("mailbox is full", "mailbox*full"));
}

TEST(Text, FindsAddressesAndRejectsJunk) {
  EXPECT_EQ(t::find_address("<kijitora@example.jp>: host said"), "kijitora@example.jp");
  EXPECT_EQ(t::find_address("no address @ here"), "");
  EXPECT_EQ(t::find_address("a@b"), "");
  const auto all = t::find_addresses("a@example.jp, A@EXAMPLE.JP and b@example.org.");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1], "b@example.org");
}

TEST(Text, CleanAddressStripsTypeAndBrackets) {
  EXPECT_EQ(t::clean_address(" rfc822; <User@Example.JP> "), "User@Example.JP");
  EXPECT_EQ(t::clean_address("\"neko@example.jp\"."), "neko@example.jp");
}

TEST(Text, LinesDropCarriageReturns) {
  const auto ls = t::lines("a\r\nb\nc");
  ASSERT_EQ(ls.size(), 3u);
  EXPECT_EQ(ls[0], "a");
  EXPECT_EQ(ls[2], "c");
}

namespace ndrlink::parser::text {
namespace {

// ifind against a plain reference on random mixed-case text.
TEST(Text, IfindAgreesWithAReference) {
  std::mt19937 rng(7);
  const std::string alphabet = "aAbBcC-1 ";
  auto reference = [](std::string_view h, std::string_view n, std::size_t from) -> std::size_t {
    for (std::size_t i = from; i + n.size() <= h.size(); ++i) {
      std::size_t j = 0;
      while (j < n.size() && std::tolower(static_cast<unsigned char>(h[i + j])) ==
                                 std::tolower(static_cast<unsigned char>(n[j])))
        ++j;
      if (j == n.size()) return i;
    }
    return std::string_view::npos;
  };
  for (int round = 0; round < 5000; ++round) {
    std::string h(rng() % 40, ' '), n(1 + rng() % 4, ' ');
    for (auto& c : h) c = alphabet[rng() % alphabet.size()];
    for (auto& c : n) c = alphabet[rng() % alphabet.size()];
    const std::size_t from = rng() % (h.size() + 2);
    ASSERT_EQ(ifind(h, n, from), reference(h, n, from)) << "h=" << h << " n=" << n << " from=" << from;
  }
}

}  // namespace
}  // namespace ndrlink::parser::text
