#include "kgw/core/kraken/rate_governor.hpp"

#include <gtest/gtest.h>

namespace kgw::kraken {
namespace {

using namespace std::chrono_literals;
using Action = RateGovernor::Action;

TEST(RateGovernor, TradingCostsReproduceKrakensWorkedExample) {
  // vectors.json engine_rate_counter_example_add_amend_cancel: add, amend after 7 s, cancel 36 s
  // after the amend -> 1 + (1 + 2) + 4 = 8.
  const double total = trading_cost(Action::add, 0s, 1) + trading_cost(Action::amend, 7s, 1) +
                       trading_cost(Action::cancel, 36s, 1);
  EXPECT_DOUBLE_EQ(total, 8);
  EXPECT_DOUBLE_EQ(trading_cost(Action::cancel, 2s, 1), 8);
  EXPECT_DOUBLE_EQ(trading_cost(Action::cancel, 301s, 1), 0);
  EXPECT_DOUBLE_EQ(trading_cost(Action::batch_add, 0s, 10), 5);
  EXPECT_DOUBLE_EQ(trading_cost(Action::batch_cancel, 12s, 3), 15);
  EXPECT_DOUBLE_EQ(trading_cost(Action::edit, 50s, 1), 2);
}

TEST(RateGovernor, TradingCounterDecaysAsInKrakensExample) {
  // vectors.json engine_rate_counter_example_decay: intermediate, 50 adds, 10 s -> 26.6.
  ManualClock clock;
  RateGovernor g({.tier = Tier::intermediate, .cancel_reserve = 0, .add_reserve = 0}, clock);
  for (int i = 0; i < 50; ++i) ASSERT_EQ(g.acquire_trading("XBTUSD", Action::add, 0s, 1, 0s).value().wait, 0ns);
  clock.advance(10s);
  EXPECT_NEAR(g.trading_counter("XBTUSD"), 26.6, 1e-9);
}

TEST(RateGovernor, AddsWaitOrAreRefusedButCancelsKeepTheirReserve) {
  ManualClock clock;
  RateGovernor g({.tier = Tier::starter, .cancel_reserve = 16, .add_reserve = 8}, clock);  // threshold 60, decay 1/s
  // Adds may fill the counter to 60 - 16 - 8 = 36.
  for (int i = 0; i < 36; ++i) ASSERT_EQ(g.acquire_trading("XBTUSD", Action::add, 0s, 1, 0s).value().wait, 0ns);
  auto refused = g.acquire_trading("XBTUSD", Action::add, 0s, 1, 0s);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().is(errc::rate_limited));
  // With a deadline the add waits one second (decay 1/s) instead.
  auto waits = g.acquire_trading("XBTUSD", Action::add, 0s, 1, 5s);
  ASSERT_TRUE(waits);
  EXPECT_EQ(waits->wait, 1s);
  // A quick cancel (+8) still goes at once: the reserve is there for it.
  EXPECT_EQ(g.acquire_trading("XBTUSD", Action::cancel, 1s, 1, 0s).value().wait, 0ns);
  // Other pairs have their own counter.
  EXPECT_EQ(g.acquire_trading("ETHUSD", Action::add, 0s, 1, 0s).value().wait, 0ns);
}

TEST(RateGovernor, QueuedCallersWaitBehindEachOther) {
  ManualClock clock;
  RateGovernor g({.tier = Tier::intermediate, .rest_reserve = 0}, clock);  // REST max 20, decay 0.5/s
  for (int i = 0; i < 20; ++i) ASSERT_EQ(g.acquire_rest("Balance", Priority::query, 0s).value().wait, 0ns);
  EXPECT_EQ(g.acquire_rest("Balance", Priority::query, 10s).value().wait, 2s);
  EXPECT_EQ(g.acquire_rest("Balance", Priority::query, 10s).value().wait, 4s);  // behind the previous one
  EXPECT_EQ(g.acquire_rest("Ledgers", Priority::query, 10s).value().wait, 8s);  // history calls cost 2
  EXPECT_EQ(g.acquire_rest("AddOrder", Priority::add, 0s).value().wait, 0ns);  // not on this counter
}

TEST(RateGovernor, AnExchangeRateLimitErrorSnapsTheCounterToItsCap) {
  ManualClock clock;
  RateGovernor g({}, clock);
  g.on_rest_rate_limited();
  EXPECT_DOUBLE_EQ(g.rest_counter(), g.rest_limit());
  EXPECT_FALSE(g.acquire_rest("Balance", Priority::query, 0s));
  g.on_trading_rate_limited("XBTUSD");
  EXPECT_DOUBLE_EQ(g.trading_counter("XBTUSD"), g.trading_threshold());
  EXPECT_FALSE(g.acquire_trading("XBTUSD", Action::add, 0s, 1, 0s));
}

TEST(RateGovernor, LimitsGivenInsteadOfTheTiersAreTheOnesBudgeted) {
  ManualClock clock;
  RateGovernor g({.tier = Tier::starter, .limits = TierLimits{100, 10, 500, 50, 1000}, .rest_reserve = 0}, clock);
  EXPECT_DOUBLE_EQ(g.rest_limit(), 100);
  EXPECT_DOUBLE_EQ(g.trading_threshold(), 500);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(g.acquire_rest("Balance", Priority::query, 0s).value().wait, 0ns);
  EXPECT_EQ(g.acquire_rest("Balance", Priority::query, 10s).value().wait, 100ms);  // decays 10/s
}

}  // namespace
}  // namespace kgw::kraken
