#include <gtest/gtest.h>

#include <set>

#include "sim/core/event_queue.h"
#include "sim/core/rng.h"
#include "sim/core/status.h"

namespace dispatchlab {
namespace {

TEST(EventQueue, OrdersByTimeThenPriorityThenInsertion) {
  // Pushed out of order; expected pop order: (1,p0,"c"), (5,p0,"b"),
  // (5,p1,"a"), (5,p1,"d") -- "a" before "d" because it was pushed first.
  EventQueue<char> q;
  q.Push(5, 1, 'a');
  q.Push(5, 0, 'b');
  q.Push(1, 0, 'c');
  q.Push(5, 1, 'd');
  std::string order;
  while (!q.empty()) order += q.Pop().payload;
  EXPECT_EQ(order, "cbad");
}

TEST(EventQueue, ManyEqualEventsKeepInsertionOrder) {
  EventQueue<int> q;
  for (int i = 0; i < 1000; ++i) q.Push(7, 0, i);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(q.Pop().payload, i);
  EXPECT_EQ(q.NextTime(), kTimeInfinity);
}

TEST(Rng, SameKeySameStreamDifferentKeysDiffer) {
  Rng a = Rng::Stream(42, StreamTag::kJobShopBreakdown, 3, 4);
  Rng b = Rng::Stream(42, StreamTag::kJobShopBreakdown, 3, 4);
  Rng c = Rng::Stream(42, StreamTag::kJobShopBreakdown, 4, 3);
  Rng d = Rng::Stream(43, StreamTag::kJobShopBreakdown, 3, 4);
  const auto x = a.NextU64();
  EXPECT_EQ(x, b.NextU64());
  EXPECT_NE(x, c.NextU64());
  EXPECT_NE(x, d.NextU64());
}

TEST(Rng, UniformIntCoversRangeEvenly) {
  // 60000 draws over 6 values: each expected 10000, std ~91; allow 5 sigma.
  Rng rng(7);
  int count[6] = {};
  for (int i = 0; i < 60000; ++i) {
    const auto v = rng.UniformInt(10, 15);
    ASSERT_GE(v, 10);
    ASSERT_LE(v, 15);
    ++count[v - 10];
  }
  for (int c : count) EXPECT_NEAR(c, 10000, 460);
}

TEST(Rng, ExponentialMeanAndBernoulli) {
  Rng rng(11);
  double sum = 0;
  int hits = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    sum += rng.Exponential(3.0);
    hits += rng.Bernoulli(0.25);
  }
  EXPECT_NEAR(sum / n, 3.0, 0.05);         // std of mean = 3/sqrt(n) ~ 0.0067
  EXPECT_NEAR(hits / double(n), 0.25, 0.005);
  EXPECT_FALSE(rng.Bernoulli(0.0));
}

TEST(Result, CarriesValueOrError) {
  Result<int> ok = 5;
  Result<int> bad = Error{"file.txt:3: broken"};
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 5);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "file.txt:3: broken");
  Status s = Error{"x"};
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(Status::Ok().ok());
}

}  // namespace
}  // namespace dispatchlab
