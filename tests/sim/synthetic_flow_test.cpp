#include "kgw/sim/synthetic_flow.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "kgw/sim/default_market.hpp"
#include "kgw/sim/market_data.hpp"

namespace kgw::sim {
namespace {

using namespace std::chrono_literals;

struct TradeTape : Exchange::Observer {
  // (pair, taker side, price, qty, trade id): everything a public trade says except the time.
  std::vector<std::tuple<std::size_t, Side, std::int64_t, std::int64_t, std::uint64_t>> trades;
  void on_public_trade(const PublicTrade& t) override {
    trades.emplace_back(t.pair, t.taker_side, t.price.value, t.qty.value, t.trade_id);
  }
};

// One simulated venue: clock, exchange, market statistics and the flow under test.
struct World {
  explicit World(SyntheticFlow::Config cfg, kraken::Tier tier = kraken::Tier::intermediate)
      : ex({default_assets(), default_instruments(), 7, tier}, clock), md(ex) {
    ex.add_observer(&tape);
    flow = std::make_unique<SyntheticFlow>(ex, std::move(cfg));
  }
  ~World() {
    flow.reset();
    ex.remove_observer(&tape);
  }
  // Steps the flow every `every` for `total`, calling `check` after each step.
  void run(std::chrono::nanoseconds total, std::chrono::nanoseconds every = 20ms,
           const std::function<void()>& check = {}) {
    for (std::chrono::nanoseconds t{0}; t < total; t += every) {
      clock.advance(every);
      flow->step(clock.wall_now());
      if (check) check();
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  std::size_t resting(std::size_t pair) const { return ex.engine(pair).resting_count(); }

  ManualClock clock;
  Exchange ex;
  MarketData md;
  TradeTape tape;
  std::unique_ptr<SyntheticFlow> flow;
};

SyntheticFlow::Config with_seed(std::uint64_t seed) {
  SyntheticFlow::Config c;
  c.seed = seed;
  return c;
}

// Rejections the flow is allowed to meet: none. Prints what went wrong otherwise.
void expect_no_rejections(const SyntheticFlow& flow) {
  for (const auto& [why, n] : flow.stats().rejected) ADD_FAILURE() << n << " x " << why;
  EXPECT_EQ(flow.stats().post_only_cancelled, 0u);
}

TEST(SyntheticFlow, KeepsEveryDefaultPairTwoSidedAndUncrossed) {
  World w(with_seed(1));
  w.flow->seed_book();
  ASSERT_EQ(w.flow->pairs().size(), default_instruments().size());
  int steps = 0;
  w.run(3min, 20ms, [&] {
    ++steps;
    for (auto pair : w.flow->pairs()) {
      const auto bid = w.ex.engine(pair).best(Side::buy);
      const auto ask = w.ex.engine(pair).best(Side::sell);
      ASSERT_TRUE(bid && ask) << w.ex.instruments()[pair]->rest_key << " one-sided after step " << steps;
      ASSERT_LT(*bid, *ask) << w.ex.instruments()[pair]->rest_key << " crossed after step " << steps;
    }
  });
  EXPECT_GT(w.flow->stats().taker_orders, 0u);
  expect_no_rejections(*w.flow);
}

TEST(SyntheticFlow, PrintsTradesThatFormCandlesAndMoveTheTicker) {
  World w(with_seed(2));
  w.flow->seed_book();
  w.run(5min);
  for (auto pair : w.flow->pairs()) {
    const auto& name = w.ex.instruments()[pair]->rest_key;
    EXPECT_GE(w.md.trades(pair).size(), 100u) << name;
    const auto& candles = w.md.candles(pair, 1);
    EXPECT_GE(candles.size(), 4u) << name;  // trades in at least 4 of the 5 minutes
    const TickerStats t = w.md.ticker(pair);
    ASSERT_TRUE(t.low_24h && t.high_24h) << name;
    EXPECT_LT(*t.low_24h, *t.high_24h) << name;
    EXPECT_GT(t.trades_24h, 100u) << name;
    bool moved = false;
    for (const auto& c : candles) moved |= c.close != candles.front().open;
    EXPECT_TRUE(moved) << name;
  }
  EXPECT_GT(w.flow->stats().sweeps, 0u);
  expect_no_rejections(*w.flow);
}

TEST(SyntheticFlow, ReplaysTheSameMarketFromTheSameSeedAndAnotherFromAnotherSeed) {
  auto play = [](std::uint64_t seed) {
    auto w = std::make_unique<World>(with_seed(seed));
    w->flow->seed_book();
    w->run(2min);
    return w;
  };
  auto a = play(11), b = play(11), c = play(12);
  ASSERT_GT(a->tape.trades.size(), 100u);
  EXPECT_EQ(a->tape.trades, b->tape.trades);
  EXPECT_NE(a->tape.trades, c->tape.trades);
  // Private ids too: every trade txid of every taker, and the makers' open orders.
  for (std::size_t i = 0; i < a->flow->taker_accounts().size(); ++i) {
    std::vector<std::string> ta, tb;
    for (const auto* t : a->ex.trades(a->flow->taker_accounts()[i])) ta.push_back(t->txid + t->ordertxid);
    for (const auto* t : b->ex.trades(b->flow->taker_accounts()[i])) tb.push_back(t->txid + t->ordertxid);
    EXPECT_EQ(ta, tb);
  }
  for (std::size_t i = 0; i < a->flow->maker_accounts().size(); ++i) {
    std::vector<std::string> oa, ob;
    for (const auto* o : a->ex.open_orders(a->flow->maker_accounts()[i])) oa.push_back(o->txid + " " + o->descr);
    for (const auto* o : b->ex.open_orders(b->flow->maker_accounts()[i])) ob.push_back(o->txid + " " + o->descr);
    EXPECT_EQ(oa, ob);
  }
  const auto& sa = a->flow->stats();
  const auto& sb = b->flow->stats();
  EXPECT_EQ(std::tie(sa.maker_adds, sa.maker_amends, sa.maker_cancels, sa.taker_orders),
            std::tie(sb.maker_adds, sb.maker_amends, sb.maker_cancels, sb.taker_orders));
}

TEST(SyntheticFlow, KeepsTheLadderBoundedAtEveryStep) {
  World w(with_seed(3));
  w.flow->seed_book();
  w.run(2min, 20ms, [&] {
    for (auto pair : w.flow->pairs()) ASSERT_LE(w.resting(pair), 2u * 10u) << w.ex.instruments()[pair]->rest_key;
  });
  // And full: a ladder that thins out would also stay under the bound.
  for (auto pair : w.flow->pairs()) EXPECT_GE(w.resting(pair), 2u * 10u - 4u) << w.ex.instruments()[pair]->rest_key;
}

TEST(SyntheticFlow, PlacesOnlyOrdersOnTheGridAboveKrakensMinimums) {
  World w(with_seed(4));
  w.flow->seed_book();
  w.run(2min);
  expect_no_rejections(*w.flow);
  std::size_t checked = 0;
  for (auto acct : w.flow->maker_accounts()) {
    for (const auto* o : w.ex.open_orders(acct)) {
      const Instrument& in = *w.ex.instruments()[o->pair];
      EXPECT_TRUE(in.price_on_grid(o->order.limit)) << o->descr;
      EXPECT_TRUE(in.qty_on_grid(o->order.volume)) << o->descr;
      EXPECT_GE(o->order.volume.value, in.qty_min) << o->descr;
      const Int128 cost = notional(o->order.limit, o->order.volume);
      const Int128 min =
          static_cast<Int128>(in.cost_min.mantissa) * kPow10[in.price_precision + in.qty_precision - in.cost_min.scale];
      EXPECT_GE(cost, min) << o->descr;
      EXPECT_TRUE(o->order.post_only) << o->descr;
      ++checked;
    }
  }
  EXPECT_GT(checked, 50u);
  // Takers never leave orders behind (market or IOC only).
  for (auto acct : w.flow->taker_accounts()) EXPECT_TRUE(w.ex.open_orders(acct).empty());
}

TEST(SyntheticFlow, NeverRunsAnAccountOutOfFundsUnderOneSidedFlow) {
  // Takers only buy, hard: the makers sell their base and pile up quote until topped up.
  SyntheticFlow::Config cfg;
  cfg.seed = 5;
  for (const auto& in : default_instruments())
    cfg.pairs.push_back({.pair = in.rest_key, .taker_rate_per_s = 20, .buy_share = 1.0, .sweep_probability = 0.3});
  World w(cfg);
  w.flow->seed_book();
  const auto initial_deposits = w.flow->stats().deposits;
  w.run(2min, 20ms, [&] {
    for (auto acct : w.flow->maker_accounts())
      for (std::size_t a = 0; a < w.ex.assets().size(); ++a) ASSERT_GE(w.ex.available(acct, a), 0);
  });
  EXPECT_GT(w.flow->stats().deposits, initial_deposits);
  EXPECT_GT(w.flow->stats().taker_orders, 5000u);  // ~10,000 were due; the rest found the book too thin
  expect_no_rejections(*w.flow);
}

TEST(SyntheticFlow, StaysWithinTheRateLimitsOfTheStarterTier) {
  // The flow's default budget is the starter threshold, so the slowest-decaying tier is fine too.
  SyntheticFlow::Config cfg;
  cfg.seed = 6;
  for (const auto& in : default_instruments())
    cfg.pairs.push_back({.pair = in.rest_key, .taker_rate_per_s = 5, .refresh_rate_per_s = 10, .volatility = 3e-4});
  World w(cfg, kraken::Tier::starter);
  w.flow->seed_book();
  w.run(3min);
  expect_no_rejections(*w.flow);
  EXPECT_GT(w.flow->stats().throttled, 0u);  // the budget did bind: the test exercised it
  for (auto pair : w.flow->pairs()) {
    EXPECT_TRUE(w.ex.engine(pair).best(Side::buy) && w.ex.engine(pair).best(Side::sell));
    for (auto acct : w.flow->maker_accounts()) EXPECT_LE(w.ex.rate_counter(acct, pair), 60.0);
  }
}

TEST(SyntheticFlow, DoesNotBurstAfterALongPause) {
  SyntheticFlow::Config cfg = with_seed(7);
  World w(cfg);
  w.flow->seed_book();
  w.run(30s);
  const auto before = w.flow->stats();
  w.clock.advance(1h);
  w.flow->step(w.clock.wall_now());
  const auto& after = w.flow->stats();
  const auto calls = after.book_actions() - before.book_actions();
  EXPECT_LE(calls, static_cast<std::uint64_t>(cfg.max_actions_per_step) * w.flow->pairs().size());
  // About one second's worth of flow (5 pairs x (1 taker + 2 refreshes) a second, plus requotes).
  EXPECT_LE(after.taker_orders - before.taker_orders, 30u);
  for (auto pair : w.flow->pairs()) EXPECT_LE(w.resting(pair), 20u);
  // And it carries on normally.
  w.run(30s, 20ms, [&] {
    for (auto pair : w.flow->pairs())
      ASSERT_TRUE(w.ex.engine(pair).best(Side::buy) && w.ex.engine(pair).best(Side::sell));
  });
  expect_no_rejections(*w.flow);
}

TEST(SyntheticFlow, PausesInCancelOnlyModeAndResumesAfter) {
  World w(with_seed(8));
  w.flow->seed_book();
  w.run(10s);
  w.ex.set_status(SystemStatus::cancel_only);
  const auto before = w.flow->stats();
  w.run(10s);
  EXPECT_EQ(w.flow->stats().book_actions(), before.book_actions());
  w.ex.set_status(SystemStatus::post_only);  // makers may quote, takers wait
  w.run(10s);
  EXPECT_EQ(w.flow->stats().taker_orders, before.taker_orders);
  w.ex.set_status(SystemStatus::online);
  w.run(10s);
  EXPECT_GT(w.flow->stats().taker_orders, before.taker_orders);
  expect_no_rejections(*w.flow);
}

TEST(SyntheticFlow, RebuildsALadderThatAnotherClientSweptAway) {
  World w(with_seed(9));
  w.flow->seed_book();
  w.run(5s);
  const auto pair = *w.ex.pair_index("XBTUSD");
  const AccountId whale = w.ex.add_account("whale", "WHALEKEY", Secret("d2hhbGU="));
  ASSERT_TRUE(w.ex.deposit(whale, "ZUSD", "100000000"));
  AddOrderRequest buy;
  buy.pair = "XBTUSD";
  buy.side = Side::buy;
  buy.type = OrderType::market;
  buy.volume = "100";  // far more than the whole ask side
  ASSERT_TRUE(w.ex.add_order(whale, buy));
  EXPECT_FALSE(w.ex.engine(pair).best(Side::sell));
  w.run(200ms);
  EXPECT_TRUE(w.ex.engine(pair).best(Side::sell));
  w.run(5s);
  EXPECT_GE(w.ex.engine(pair).level_count(Side::sell), 8u);
  expect_no_rejections(*w.flow);
}

TEST(SyntheticFlow, RefusesAnUnknownPairOrAPairWithoutAStartPrice) {
  ManualClock clock;
  Exchange ex({default_assets(), default_instruments(), 1, kraken::Tier::intermediate}, clock);
  EXPECT_THROW(SyntheticFlow(ex, {.pairs = {{.pair = "DOGEUSD"}}}), std::invalid_argument);
  EXPECT_THROW(SyntheticFlow(ex, {.pairs = {{.pair = "XBTUSD", .mid = "abc"}}}), std::invalid_argument);
  SyntheticFlow ok(ex, {.pairs = {{.pair = "XBTUSD", .mid = "30000.0"}}});
  ok.seed_book();
  ASSERT_EQ(ok.pairs().size(), 1u);
  const auto bid = ex.engine(ok.pairs()[0]).best(Side::buy);
  ASSERT_TRUE(bid);
  EXPECT_NEAR(static_cast<double>(bid->value), 300000.0, 300000.0 * 0.001);
}

}  // namespace
}  // namespace kgw::sim
