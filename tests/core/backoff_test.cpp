// Backoff: the pauses of the feed's reconnects and of its start-up REST reads.

#include "kgw/core/backoff.hpp"

#include <gtest/gtest.h>

namespace kgw {
namespace {

using namespace std::chrono_literals;

TEST(Backoff, PausesDoubleFromMinToMaxEachBetweenHalfAndAllOfItsBase) {
  for (std::uint32_t seed : {1u, 7u, 12345u}) {
    Backoff b(100ms, 1s, seed);
    for (std::chrono::nanoseconds base : {100ms, 200ms, 400ms, 800ms, 1000ms, 1000ms, 1000ms}) {
      const auto p = b.next();
      EXPECT_GE(p, base / 2) << seed;
      EXPECT_LE(p, base) << seed;
    }
    b.reset();
    const auto p = b.next();
    EXPECT_GE(p, 50ms);
    EXPECT_LE(p, 100ms);
  }
}

TEST(Backoff, TwoSeedsSpreadTheirPauses) {
  Backoff a(1s, 1s, 1), b(1s, 1s, 2);
  int same = 0;
  for (int i = 0; i < 20; ++i) same += a.next() == b.next();
  EXPECT_LT(same, 20);
}

}  // namespace
}  // namespace kgw
