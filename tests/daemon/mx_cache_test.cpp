// The relay's MX cache: kept for the least of the answer's TTL and the
// configured lifetime, dropped when expired, bounded in size, ties
// reshuffled on every hit.
#include "mx_cache.h"

#include <gtest/gtest.h>

#include <set>

namespace ndrlink::daemon::relay {
namespace {
using namespace std::chrono_literals;
using smtp::MxHost;

std::vector<MxHost> hosts(std::optional<std::uint32_t> ttl) {
  return {MxHost{"mx1.example.test", 25, 10, false, ttl}, MxHost{"mx2.example.test", 25, 20, false, ttl},
          MxHost{"mx3.example.test", 25, 20, false, ttl}};
}

TEST(MxCache, KeptForTheTtlButNoLongerThanTheLifetime) {
  MxCache cache(300s);
  const auto t0 = MxCache::Clock::now();
  cache.put("short.test", hosts(60), t0);
  cache.put("long.test", hosts(86400), t0);
  cache.put("none.test", {MxHost{"none.test", 25, 0, true, std::nullopt}}, t0);  // no TTL: the lifetime
  cache.put("zero.test", hosts(0), t0);  // TTL 0: not kept
  EXPECT_FALSE(cache.find("zero.test", t0));
  EXPECT_TRUE(cache.find("short.test", t0 + 59s));
  EXPECT_FALSE(cache.find("short.test", t0 + 60s));
  EXPECT_TRUE(cache.find("long.test", t0 + 299s));
  EXPECT_FALSE(cache.find("long.test", t0 + 300s));
  EXPECT_TRUE(cache.find("none.test", t0 + 299s));
  EXPECT_FALSE(cache.find("none.test", t0 + 301s));
  EXPECT_FALSE(cache.find("other.test", t0));
  EXPECT_EQ(cache.size(), 0u);  // expired entries are dropped when found
}

TEST(MxCache, HitsKeepTheOrderAndShuffleTies) {
  MxCache cache(300s);
  const auto t0 = MxCache::Clock::now();
  cache.put("example.test", hosts(60), t0);
  std::set<std::string> seconds;
  for (int i = 0; i < 40; ++i) {
    const auto found = cache.find("example.test", t0);
    ASSERT_TRUE(found);
    ASSERT_EQ(found->size(), 3u);
    EXPECT_EQ(found->front().host, "mx1.example.test");
    seconds.insert((*found)[1].host);
  }
  EXPECT_EQ(seconds.size(), 2u);  // odds of a false failure: 2^-39
}

TEST(MxCache, FullMeansExpiredFirstThenTheSoonestToExpire) {
  MxCache cache(300s, 3);
  const auto t0 = MxCache::Clock::now();
  cache.put("a.test", hosts(10), t0);
  cache.put("b.test", hosts(200), t0);
  cache.put("c.test", hosts(100), t0);
  cache.put("d.test", hosts(100), t0 + 20s);  // a.test has expired: it goes
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.find("a.test", t0 + 20s));
  cache.put("e.test", hosts(100), t0 + 20s);  // none expired: c.test expires soonest
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.find("c.test", t0 + 20s));
  EXPECT_TRUE(cache.find("b.test", t0 + 20s));
  EXPECT_TRUE(cache.find("d.test", t0 + 20s));
  EXPECT_TRUE(cache.find("e.test", t0 + 20s));
  cache.put("e.test", hosts(5), t0 + 30s);  // replaced, not added
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.find("e.test", t0 + 36s));
  cache.put("f.test", {}, t0);  // nothing to keep
  EXPECT_FALSE(cache.find("f.test", t0));
}

}  // namespace
}  // namespace ndrlink::daemon::relay
