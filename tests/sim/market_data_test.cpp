#include "kgw/sim/market_data.hpp"

#include <gtest/gtest.h>

#include "kgw/sim/default_market.hpp"

namespace kgw::sim {
namespace {

class MarketDataTest : public ::testing::Test {
 protected:
  ManualClock clock_{WallTime{std::chrono::seconds(1'700'006'400)}};  // 00:00 UTC, a day boundary
  Exchange ex_{{default_assets(), default_instruments(), 1, kraken::Tier::pro}, clock_};
  MarketData md_{ex_};
  void trade(std::int64_t px, std::int64_t qty) {
    md_.on_public_trade(PublicTrade{0, Side::buy, Price{px}, Qty{qty}, false, 1, clock_.wall_now()});
  }
};

TEST_F(MarketDataTest, RollingWindowDropsTradesOlderThan24HoursAndTodayResetsAtMidnight) {
  trade(1000, 5);
  clock_.advance(std::chrono::hours(23));
  trade(1200, 1);
  auto t = md_.ticker(0);
  EXPECT_EQ(t.volume_24h.value, 6);
  EXPECT_EQ(t.trades_24h, 2u);
  EXPECT_EQ(t.high_24h->value, 1200);
  EXPECT_EQ(t.open_24h->value, 1000);
  clock_.advance(std::chrono::hours(1) + std::chrono::minutes(1));  // next day, first trade expired
  trade(1100, 2);
  t = md_.ticker(0);
  EXPECT_EQ(t.volume_24h.value, 3);
  EXPECT_EQ(t.trades_24h, 2u);
  EXPECT_EQ(t.low_24h->value, 1100);
  EXPECT_EQ(t.open_24h->value, 1200);
  EXPECT_EQ(t.volume_today.value, 2);
  EXPECT_EQ(t.open_today->value, 1100);
  EXPECT_EQ(t.pxq_24h, static_cast<Int128>(1200 * 1 + 1100 * 2));
}

TEST_F(MarketDataTest, CandlesAlignToTheirIntervalAndKeepOhlcv) {
  trade(1000, 1);
  clock_.advance(std::chrono::seconds(30));
  trade(1010, 2);
  clock_.advance(std::chrono::seconds(40));  // next minute
  trade(990, 1);
  const auto& one = md_.candles(0, 1);
  ASSERT_EQ(one.size(), 2u);
  EXPECT_EQ(one[0].open.value, 1000);
  EXPECT_EQ(one[0].close.value, 1010);
  EXPECT_EQ(one[0].high.value, 1010);
  EXPECT_EQ(one[0].volume.value, 3);
  EXPECT_EQ(one[0].count, 2u);
  const auto& five = md_.candles(0, 5);
  ASSERT_EQ(five.size(), 1u);
  EXPECT_EQ(five[0].low.value, 990);
  EXPECT_EQ(five[0].count, 3u);
}

}  // namespace
}  // namespace kgw::sim
