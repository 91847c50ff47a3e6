#include "kgw/sim/matching_engine.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kgw::sim {
namespace {

// Records every callback as a line so tests can assert sequences.
struct Recorder : MatchingEngine::Listener {
  std::vector<std::string> events;
  struct Fill {
    OrderId taker, maker;
    std::int64_t price, qty;
    std::uint64_t trade_id;
  };
  std::vector<Fill> fills;
  void on_accepted(const Order& o) override { events.push_back("accepted " + std::to_string(o.id)); }
  void on_fill(const Order& t, const Order& m, Price p, Qty q, std::uint64_t id) override {
    fills.push_back({t.id, m.id, p.value, q.value, id});
    events.push_back("fill " + std::to_string(t.id) + "x" + std::to_string(m.id) + " " + std::to_string(q.value) + "@" +
                     std::to_string(p.value));
  }
  void on_triggered(const Order& o) override { events.push_back("triggered " + std::to_string(o.id)); }
  void on_closed(const Order& o, std::optional<CancelReason> r) override {
    events.push_back("closed " + std::to_string(o.id) + " " + std::string(to_string(o.status)) +
                     (r ? " " + std::string(to_string(*r)) : ""));
  }
  void on_amended(const Order& o) override { events.push_back("amended " + std::to_string(o.id)); }
  bool saw(const std::string& e) const { return std::find(events.begin(), events.end(), e) != events.end(); }
};

class Engine : public ::testing::Test {
 protected:
  Recorder rec_;
  MatchingEngine eng_{{1, 8}, rec_};
  WallTime now_{std::chrono::seconds(1'700'000'000)};
  OrderId next_id_ = 1;

  Order make(AccountId acct, Side side, OrderType type, std::int64_t qty, std::int64_t price = 0) {
    Order o;
    o.id = next_id_++;
    o.account = acct;
    o.side = side;
    o.type = type;
    o.volume = Qty{qty};
    o.limit = Price{price};
    return o;
  }
  Order limit(AccountId a, Side s, std::int64_t qty, std::int64_t px, TimeInForce tif = TimeInForce::gtc) {
    Order o = make(a, s, OrderType::limit, qty, px);
    o.tif = tif;
    return eng_.submit(o, now_);
  }
  std::vector<BookLevel> top(Side s, std::size_t n = 10) {
    std::vector<BookLevel> out;
    eng_.top(s, n, out);
    return out;
  }
};

TEST_F(Engine, RestsNonCrossingLimitsAndAggregatesLevelsBestFirst) {
  limit(1, Side::buy, 100, 1000);
  limit(1, Side::buy, 50, 1000);
  limit(1, Side::buy, 70, 990);
  limit(1, Side::sell, 30, 1010);
  auto bids = top(Side::buy);
  ASSERT_EQ(bids.size(), 2u);
  EXPECT_EQ(bids[0].price, 1000);
  EXPECT_EQ(bids[0].qty, 150);
  EXPECT_EQ(bids[1].price, 990);
  EXPECT_EQ(eng_.best(Side::sell)->value, 1010);
  EXPECT_EQ(eng_.resting_count(), 4u);
}

TEST_F(Engine, MatchesAtMakerPricesInPriceThenTimePriority) {
  const auto a = limit(1, Side::sell, 100, 1010);
  const auto b = limit(2, Side::sell, 100, 1005);
  const auto c = limit(3, Side::sell, 100, 1005);
  const auto t = limit(4, Side::buy, 250, 1020);
  ASSERT_EQ(rec_.fills.size(), 3u);
  EXPECT_EQ(rec_.fills[0].maker, b.id);  // best price first
  EXPECT_EQ(rec_.fills[0].price, 1005);
  EXPECT_EQ(rec_.fills[1].maker, c.id);  // then time at the same price
  EXPECT_EQ(rec_.fills[2].maker, a.id);
  EXPECT_EQ(rec_.fills[2].qty, 50);
  EXPECT_EQ(rec_.fills[2].price, 1010);
  EXPECT_EQ(t.status, OrderStatus::closed);
  EXPECT_EQ(t.filled.value, 250);
  EXPECT_EQ(t.cost, static_cast<Int128>(1005 * 200 + 1010 * 50));
  EXPECT_EQ(eng_.level_qty(Side::sell, Price{1010}).value, 50);
  EXPECT_EQ(eng_.last_price()->value, 1010);
  EXPECT_EQ(rec_.fills[0].trade_id + 1, rec_.fills[1].trade_id);
}

TEST_F(Engine, LimitRemainderRestsAfterPartialFill) {
  limit(1, Side::sell, 40, 1000);
  const auto t = limit(2, Side::buy, 100, 1000);
  EXPECT_EQ(t.status, OrderStatus::open);
  EXPECT_EQ(t.filled.value, 40);
  auto bids = top(Side::buy);
  ASSERT_EQ(bids.size(), 1u);
  EXPECT_EQ(bids[0].qty, 60);
  EXPECT_TRUE(top(Side::sell).empty());
}

TEST_F(Engine, MarketOrderTakesUntilFilledAndCancelsWhatTheBookCannotFill) {
  limit(1, Side::buy, 30, 1000);
  limit(1, Side::buy, 30, 990);
  auto m = eng_.submit(make(2, Side::sell, OrderType::market, 100), now_);
  EXPECT_EQ(m.filled.value, 60);
  EXPECT_EQ(m.status, OrderStatus::canceled);
  EXPECT_TRUE(rec_.saw("closed " + std::to_string(m.id) + " canceled Insufficient liquidity"));
  auto empty = eng_.submit(make(2, Side::sell, OrderType::market, 10), now_);
  EXPECT_EQ(empty.status, OrderStatus::canceled);
  EXPECT_EQ(empty.filled.value, 0);
}

TEST_F(Engine, IocFillsWhatItCanAndNeverRests) {
  limit(1, Side::sell, 30, 1000);
  const auto t = limit(2, Side::buy, 100, 1000, TimeInForce::ioc);
  EXPECT_EQ(t.filled.value, 30);
  EXPECT_EQ(t.status, OrderStatus::canceled);
  EXPECT_TRUE(top(Side::buy).empty());
}

TEST_F(Engine, FokFillsCompletelyOrNotAtAll) {
  limit(1, Side::sell, 30, 1000);
  limit(1, Side::sell, 30, 1001);
  const auto no = limit(2, Side::buy, 100, 1001, TimeInForce::fok);
  EXPECT_EQ(no.filled.value, 0);
  EXPECT_EQ(no.status, OrderStatus::canceled);
  EXPECT_TRUE(rec_.fills.empty());
  const auto yes = limit(2, Side::buy, 60, 1001, TimeInForce::fok);
  EXPECT_EQ(yes.filled.value, 60);
  EXPECT_EQ(yes.status, OrderStatus::closed);
}

TEST_F(Engine, PostOnlyThatWouldTakeIsCancelledAndOneThatWouldNotRests) {
  limit(1, Side::sell, 30, 1000);
  Order p = make(2, Side::buy, OrderType::limit, 10, 1000);
  p.post_only = true;
  const auto rejected = eng_.submit(p, now_);
  EXPECT_EQ(rejected.status, OrderStatus::canceled);
  EXPECT_TRUE(rec_.saw("closed " + std::to_string(rejected.id) + " canceled Post only order"));
  EXPECT_TRUE(rec_.fills.empty());
  Order q = make(2, Side::buy, OrderType::limit, 10, 999);
  q.post_only = true;
  EXPECT_EQ(eng_.submit(q, now_).status, OrderStatus::open);
}

TEST_F(Engine, GtdOrdersExpireAtTheirTime) {
  Order o = make(1, Side::buy, OrderType::limit, 10, 900);
  o.tif = TimeInForce::gtd;
  o.expiretm = now_ + std::chrono::seconds(60);
  const auto placed = eng_.submit(o, now_);
  eng_.expire(now_ + std::chrono::seconds(59));
  EXPECT_NE(eng_.find(placed.id), nullptr);
  eng_.expire(now_ + std::chrono::seconds(60));
  EXPECT_EQ(eng_.find(placed.id), nullptr);
  EXPECT_TRUE(rec_.saw("closed " + std::to_string(placed.id) + " expired Order expired"));
  EXPECT_TRUE(top(Side::buy).empty());
}

TEST_F(Engine, CancelRemovesTheOrderAndItsLevel) {
  const auto o = limit(1, Side::buy, 10, 900);
  EXPECT_TRUE(eng_.cancel(o.id, now_));
  EXPECT_FALSE(eng_.cancel(o.id, now_));
  EXPECT_TRUE(top(Side::buy).empty());
  EXPECT_EQ(eng_.resting_count(), 0u);
}

TEST_F(Engine, StopLossTriggersOnLastPriceAndExecutesAsMarket) {
  limit(1, Side::buy, 100, 990);
  Order stop = make(2, Side::sell, OrderType::stop_loss, 50);
  stop.trigger = Price{995};
  const auto s = eng_.submit(stop, now_);
  EXPECT_EQ(s.status, OrderStatus::open);
  EXPECT_TRUE(rec_.fills.empty());
  // A trade at 995 (last price) fires it; it sells into the 990 bid.
  limit(3, Side::buy, 10, 995);
  limit(4, Side::sell, 10, 995);
  EXPECT_TRUE(rec_.saw("triggered " + std::to_string(s.id)));
  EXPECT_EQ(eng_.find(s.id), nullptr);
  EXPECT_EQ(rec_.fills.back().taker, s.id);
  EXPECT_EQ(rec_.fills.back().price, 990);
  EXPECT_EQ(rec_.fills.back().qty, 50);
}

TEST_F(Engine, TakeProfitLimitRestsAtPrice2AfterTriggering) {
  Order tp = make(2, Side::sell, OrderType::take_profit_limit, 50, 1200);  // limit (price2) 1200
  tp.trigger = Price{1100};
  const auto t = eng_.submit(tp, now_);
  limit(3, Side::buy, 10, 1100);
  limit(4, Side::sell, 10, 1100);  // last = 1100 -> fires
  EXPECT_TRUE(rec_.saw("triggered " + std::to_string(t.id)));
  const Order* rested = eng_.find(t.id);
  ASSERT_NE(rested, nullptr);
  EXPECT_EQ(eng_.level_qty(Side::sell, Price{1200}).value, 50);
}

TEST_F(Engine, AStopAlreadyThroughTheLastPriceFiresAtOnce) {
  limit(3, Side::buy, 10, 1000);
  limit(4, Side::sell, 10, 1000);  // last = 1000
  limit(1, Side::buy, 100, 990);
  Order stop = make(2, Side::sell, OrderType::stop_loss, 5);
  stop.trigger = Price{1005};  // sell stop above the market: already hit
  const auto s = eng_.submit(stop, now_);
  EXPECT_EQ(s.status, OrderStatus::closed);
  EXPECT_EQ(s.filled.value, 5);
}

TEST_F(Engine, TrailingStopFollowsTheBestPriceAndFiresOnTheRetrace) {
  limit(9, Side::buy, 1000, 900);  // liquidity for the stop to sell into
  auto trade_at = [&](std::int64_t px) {
    limit(7, Side::buy, 1, px);
    limit(8, Side::sell, 1, px);
  };
  trade_at(1000);
  Order ts = make(2, Side::sell, OrderType::trailing_stop, 10);
  ts.trail = PriceOffset{50, false};  // "+5.0" at 1 decimal
  const auto s = eng_.submit(ts, now_);
  EXPECT_EQ(eng_.find(s.id)->trigger.value, 950);
  trade_at(1100);  // new high: stop moves to 1050
  EXPECT_EQ(eng_.find(s.id)->trigger.value, 1050);
  trade_at(1060);  // retrace above the stop: nothing
  ASSERT_NE(eng_.find(s.id), nullptr);
  trade_at(1050);  // touches the stop
  EXPECT_EQ(eng_.find(s.id), nullptr);
  EXPECT_TRUE(rec_.saw("triggered " + std::to_string(s.id)));
}

TEST_F(Engine, TrailingStopWithPercentOffset) {
  auto trade_at = [&](std::int64_t px) {
    limit(7, Side::buy, 1, px);
    limit(8, Side::sell, 1, px);
  };
  trade_at(1000);
  Order ts = make(2, Side::buy, OrderType::trailing_stop, 10);
  ts.trail = PriceOffset{20000, true};  // 2 %
  const auto s = eng_.submit(ts, now_);
  EXPECT_EQ(eng_.find(s.id)->trigger.value, 1020);
}

TEST_F(Engine, IcebergShowsOnlyItsDisplaySizeAndRefillsAtTheBackOfTheQueue) {
  Order ice = make(1, Side::sell, OrderType::iceberg, 100, 1000);
  ice.display = Qty{20};
  const auto i = eng_.submit(ice, now_);
  const auto other = limit(2, Side::sell, 30, 1000);
  EXPECT_EQ(eng_.level_qty(Side::sell, Price{1000}).value, 50);
  limit(3, Side::buy, 25, 1000);
  // 20 from the iceberg slice, then (refilled slice went to the back) 5 from the other order.
  ASSERT_EQ(rec_.fills.size(), 2u);
  EXPECT_EQ(rec_.fills[0].maker, i.id);
  EXPECT_EQ(rec_.fills[0].qty, 20);
  EXPECT_EQ(rec_.fills[1].maker, other.id);
  EXPECT_EQ(rec_.fills[1].qty, 5);
  EXPECT_EQ(eng_.level_qty(Side::sell, Price{1000}).value, 45);
}

TEST_F(Engine, IcebergHiddenQuantityIsTakenByALargeTaker) {
  Order ice = make(1, Side::sell, OrderType::iceberg, 100, 1000);
  ice.display = Qty{20};
  eng_.submit(ice, now_);
  const auto t = limit(3, Side::buy, 100, 1000);
  EXPECT_EQ(t.filled.value, 100);
  EXPECT_TRUE(top(Side::sell).empty());
}

TEST_F(Engine, SelfTradePreventionCancelNewestByDefault) {
  const auto resting = limit(1, Side::sell, 10, 1000);
  const auto t = limit(1, Side::buy, 10, 1000);
  EXPECT_EQ(t.status, OrderStatus::canceled);
  EXPECT_TRUE(rec_.fills.empty());
  EXPECT_NE(eng_.find(resting.id), nullptr);
}

TEST_F(Engine, SelfTradePreventionCancelOldestRemovesTheRestingOrderAndMatchesOthers) {
  const auto own = limit(1, Side::sell, 10, 1000);
  const auto other = limit(2, Side::sell, 10, 1000);
  Order t = make(1, Side::buy, OrderType::limit, 10, 1000);
  t.stp = SelfTradePrevention::cancel_oldest;
  const auto r = eng_.submit(t, now_);
  EXPECT_EQ(eng_.find(own.id), nullptr);
  EXPECT_EQ(eng_.find(other.id), nullptr);
  EXPECT_EQ(r.status, OrderStatus::closed);
  ASSERT_EQ(rec_.fills.size(), 1u);
  EXPECT_EQ(rec_.fills[0].maker, other.id);
}

TEST_F(Engine, SelfTradePreventionCancelBoth) {
  const auto own = limit(1, Side::sell, 10, 1000);
  Order t = make(1, Side::buy, OrderType::limit, 10, 1000);
  t.stp = SelfTradePrevention::cancel_both;
  const auto r = eng_.submit(t, now_);
  EXPECT_EQ(r.status, OrderStatus::canceled);
  EXPECT_EQ(eng_.find(own.id), nullptr);
}

TEST_F(Engine, AmendDownKeepsPriorityAndAmendUpOrRepriceLosesIt) {
  const auto a = limit(1, Side::buy, 100, 1000);
  const auto b = limit(2, Side::buy, 100, 1000);
  ASSERT_TRUE(eng_.amend(a.id, {.volume = Qty{50}}, now_));
  EXPECT_EQ(eng_.level_qty(Side::buy, Price{1000}).value, 150);
  limit(3, Side::sell, 10, 1000);
  EXPECT_EQ(rec_.fills.back().maker, a.id);  // still first
  ASSERT_TRUE(eng_.amend(a.id, {.volume = Qty{200}}, now_));
  limit(3, Side::sell, 10, 1000);
  EXPECT_EQ(rec_.fills.back().maker, b.id);  // a went to the back
}

TEST_F(Engine, AmendToAPriceThatWouldTakeIsRefusedWithPostOnly) {
  limit(1, Side::sell, 10, 1000);
  const auto b = limit(2, Side::buy, 10, 990);
  EXPECT_FALSE(eng_.amend(b.id, {.limit = Price{1000}, .post_only = true}, now_));
  EXPECT_EQ(eng_.find(b.id)->limit.value, 990);
  EXPECT_TRUE(eng_.amend(b.id, {.limit = Price{1000}}, now_));
  EXPECT_EQ(eng_.find(b.id), nullptr);  // it crossed and filled
}

TEST_F(Engine, AmendBelowTheFilledQuantityCancelsTheRemainder) {
  const auto b = limit(2, Side::buy, 100, 1000);
  limit(1, Side::sell, 40, 1000);
  EXPECT_TRUE(eng_.amend(b.id, {.volume = Qty{30}}, now_));
  EXPECT_EQ(eng_.find(b.id), nullptr);
  EXPECT_TRUE(top(Side::buy).empty());
}

TEST_F(Engine, ReportsChangedLevelsForBookDeltas) {
  limit(1, Side::buy, 10, 1000);
  limit(1, Side::buy, 10, 990);
  limit(2, Side::sell, 10, 1010);
  std::vector<Price> bids, asks;
  eng_.take_changed_levels(bids, asks);
  EXPECT_EQ(bids.size(), 2u);
  EXPECT_EQ(asks.size(), 1u);
  limit(3, Side::sell, 10, 1000);  // consumes the 1000 bid
  eng_.take_changed_levels(bids, asks);
  ASSERT_EQ(bids.size(), 1u);
  EXPECT_EQ(bids[0].value, 1000);
  EXPECT_TRUE(asks.empty());
  EXPECT_EQ(eng_.level_qty(Side::buy, Price{1000}).value, 0);
}

TEST_F(Engine, FillableCountsHiddenIcebergQuantityAndIgnoresOwnOrders) {
  Order ice = make(1, Side::sell, OrderType::iceberg, 100, 1000);
  ice.display = Qty{10};
  eng_.submit(ice, now_);
  limit(2, Side::sell, 50, 1001);
  EXPECT_TRUE(eng_.fillable(Side::buy, Qty{150}, Price{1001}, 3));
  EXPECT_FALSE(eng_.fillable(Side::buy, Qty{151}, Price{1001}, 3));
  EXPECT_FALSE(eng_.fillable(Side::buy, Qty{60}, Price{1001}, 1));  // own iceberg does not count
  EXPECT_TRUE(eng_.fillable(Side::buy, Qty{150}, std::nullopt, 3));
}

}  // namespace
}  // namespace kgw::sim
