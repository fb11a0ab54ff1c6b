// VERP tokens: a known answer (so tokens stay valid across versions), and
// rejection of every alteration.
#include "ndrlink/correlator/verp.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "test_support.h"

namespace ndrlink::correlator {
namespace {

TEST(Verp, KnownAnswer) {
  // python3: hmac.new(secret, b"ndrlink-verp-v1:b", sha256), base32, lower, 16 chars
  const VerpSigner s("0123456789abcdef-test-secret");
  EXPECT_EQ(s.token_for(1), "b-dqymw4jsjlrx2w5y");
  EXPECT_EQ(s.verify("b-dqymw4jsjlrx2w5y"), 1);
  EXPECT_EQ(s.verify("B-DQYMW4JSJLRX2W5Y"), 1);
  EXPECT_EQ(s.address_for(1, "bounces+", "example.org"), "bounces+b-dqymw4jsjlrx2w5y@example.org");
}

TEST(Verp, EveryAlterationIsRejected) {
  const VerpSigner s("0123456789abcdef-test-secret");
  const std::string good = s.token_for(123456789);
  ASSERT_EQ(s.verify(good), 123456789);
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = bad[i] == 'a' ? 'b' : 'a';
    if (bad[i] == '-' || good[i] == '-') continue;
    EXPECT_FALSE(s.verify(bad)) << bad;
  }
  EXPECT_FALSE(s.verify(good.substr(0, good.size() - 1)));
  EXPECT_FALSE(s.verify(good + "a"));
  EXPECT_FALSE(s.verify(""));
  EXPECT_FALSE(s.verify("-"));
  EXPECT_FALSE(s.verify("zzzzzzzzzzzzzzzzzzzz-dqymw4jsjlrx2w5y"));  // id overflow
  EXPECT_FALSE(VerpSigner("another-secret-0123456789").verify(good));
}

TEST(Verp, SecretsAreChecked) {
  EXPECT_THROW(VerpSigner("short"), std::invalid_argument);
  ndrlink::testing::TempDir dir;
  EXPECT_THROW(VerpSigner::from_file(dir.file("missing")), std::runtime_error);
  {
    std::ofstream(dir.file("secret")) << "0123456789abcdef-test-secret\n";
  }
  EXPECT_EQ(VerpSigner::from_file(dir.file("secret")).token_for(1), "b-dqymw4jsjlrx2w5y");
}

TEST(Verp, SharedSignerIsThreadSafe) {
  const VerpSigner s("0123456789abcdef-test-secret");
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i)
        if (s.verify(s.token_for(t * 10000 + i)) != t * 10000 + i) ++bad;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace ndrlink::correlator
