// Pre-trade checks: each rule refuses with its name and the numbers, and a good order passes.

#include "kgw/oms/pre_trade.hpp"

#include <gtest/gtest.h>

namespace kgw::oms {
namespace {

using kraken::OrderRequest;
using kraken::OrderType;
using kraken::Side;
using kraken::SystemStatus;

// BTC/USD as Kraken lists it: 1 price decimal (tick 0.1), 8 lot decimals, ordermin 0.0001,
// costmin 0.5 USD.
Instrument btc_usd() {
  Instrument in;
  in.rest_key = "XXBTZUSD";
  in.altname = "XBTUSD";
  in.symbol = "BTC/USD";
  in.base = "BTC";
  in.quote = "USD";
  in.price_precision = 1;
  in.qty_precision = 8;
  in.cost_precision = 5;
  in.price_increment = 1;
  in.qty_increment = 1;
  in.qty_min = 10'000;
  in.cost_min = Decimal::parse("0.5").value();
  in.leverage_buy = {2, 3, 4, 5};
  return in;
}

OrderRequest limit(const char* vol, const char* px) {
  OrderRequest o;
  o.pair = "BTC/USD";
  o.side = Side::buy;
  o.type = OrderType::limit;
  o.volume = vol;
  o.price = px;
  return o;
}

class PreTrade : public ::testing::Test {
 protected:
  std::string refused(const OrderRequest& o) {
    auto r = check_new_order(o, ctx_, limits_);
    return r ? std::string("accepted") : r.error().detail;
  }
  Instrument in_ = btc_usd();
  PreTradeContext ctx_{&in_, SystemStatus::online, 0, std::nullopt};
  PreTradeLimits limits_;
};

TEST_F(PreTrade, AnOrderOnTheGridAboveTheMinimumsPasses) {
  EXPECT_EQ(refused(limit("0.001", "62000.1")), "accepted");
  EXPECT_EQ(refused(limit("0.0001", "62000.0")), "accepted");  // ordermin exactly
}

TEST_F(PreTrade, PriceAndVolumeMustBeOnThePairsGrid) {
  EXPECT_EQ(refused(limit("0.001", "62000.05")), "price: 62000.05 has more decimals than BTC/USD's 1");
  in_.price_increment = 5;  // a tick of 0.5
  EXPECT_EQ(refused(limit("0.001", "62000.1")), "price: 62000.1 is not on BTC/USD's tick of 0.5");
  in_.price_increment = 1;
  EXPECT_EQ(refused(limit("0.000000001", "62000.0")), "volume: 0.000000001 has more decimals than BTC/USD's lot of 0.00000001");
  EXPECT_EQ(refused(limit("-1", "62000.0")), "volume: -1 must not be negative");
  EXPECT_EQ(refused(limit("1", "0")), "price: 0 must be positive");
  EXPECT_EQ(refused(limit("abc", "62000.0")), "volume: 'abc' is not a quantity");
}

TEST_F(PreTrade, OrderminAndCostminAreKrakensNumbers) {
  EXPECT_EQ(refused(limit("0.00009", "62000.0")), "volume: 0.00009 is below BTC/USD's ordermin 0.0001");
  in_.qty_min = 0;
  EXPECT_EQ(refused(limit("0.00001", "10000.0")), "cost: 0.1 USD is below BTC/USD's costmin 0.5");
}

TEST_F(PreTrade, MaxNotionalValuesLimitOrdersAtTheirPriceAndMarketOrdersAtTheReference) {
  limits_.max_notional = Decimal::parse("1000").value();
  EXPECT_EQ(refused(limit("0.016", "62000.0")), "accepted");  // 992 USD
  EXPECT_EQ(refused(limit("0.017", "62000.0")), "max_notional: 1054 USD is above the limit of 1000");
  OrderRequest m = limit("0.02", "62000.0");
  m.type = OrderType::market;
  m.price.reset();
  EXPECT_EQ(refused(m), "max_notional: no reference price for BTC/USD to value a market order");
  ctx_.reference_price = Decimal::parse("62000.05").value();  // a mid price: more decimals than the grid
  EXPECT_EQ(refused(m), "max_notional: 1240 USD is above the limit of 1000");
  m.volume = "0.01";
  EXPECT_EQ(refused(m), "accepted");
}

TEST_F(PreTrade, TheEnginesAndThePairsStatusDecideWhichOrdersMayGo) {
  OrderRequest post = limit("0.001", "62000.0");
  post.flags.post = true;
  OrderRequest market = limit("0.001", "62000.0");
  market.type = OrderType::market;
  market.price.reset();
  ctx_.system = SystemStatus::post_only;
  EXPECT_EQ(refused(limit("0.001", "62000.0")), "system status: post_only accepts only post-only limit orders");
  EXPECT_EQ(refused(post), "accepted");
  ctx_.system = SystemStatus::cancel_only;
  EXPECT_EQ(refused(post), "system status: cancel_only accepts only cancels");
  EXPECT_TRUE(check_cancel(SystemStatus::cancel_only));
  ctx_.system = SystemStatus::maintenance;
  EXPECT_EQ(check_cancel(SystemStatus::maintenance).error().detail, "system status: maintenance accepts no orders, cancels included");
  ctx_.system = SystemStatus::online;
  in_.status = PairStatus::limit_only;
  EXPECT_EQ(refused(market), "pair status: BTC/USD is limit_only (limit orders only)");
  in_.status = PairStatus::reduce_only;
  EXPECT_EQ(refused(post), "pair status: BTC/USD is reduce_only (reduce-only orders only)");
  in_.status = PairStatus::delisted;
  EXPECT_EQ(refused(post), "pair status: BTC/USD is delisted and takes no orders");
  in_.status = PairStatus::cancel_only;
  EXPECT_EQ(check_change(std::string("0.002"), std::nullopt, ctx_).error().detail, "pair status: BTC/USD is cancel_only");
}

TEST_F(PreTrade, MaxOpenOrdersCountsEveryPair) {
  limits_.max_open_orders = 3;
  ctx_.open_orders = 3;
  EXPECT_EQ(refused(limit("0.001", "62000.0")), "max_open_orders: 3 orders are open, the limit is 3");
  ctx_.open_orders = 2;
  EXPECT_EQ(refused(limit("0.001", "62000.0")), "accepted");
}

TEST_F(PreTrade, IcebergsAndViqcAndMarginClosesFollowKrakensRules) {
  OrderRequest ice = limit("1.5", "62000.0");
  ice.type = OrderType::iceberg;
  ice.displayvol = "0.05";
  EXPECT_EQ(refused(ice), "displayvol: 0.05 is below 1/15 of the volume 1.5");
  ice.displayvol = "0.1";
  EXPECT_EQ(refused(ice), "accepted");
  OrderRequest viqc = limit("100", "62000.0");
  viqc.type = OrderType::market;
  viqc.price.reset();
  viqc.flags.viqc = true;  // 100 USD worth
  EXPECT_EQ(refused(viqc), "accepted");
  viqc.volume = "0.1";
  EXPECT_EQ(refused(viqc), "volume: 0.1 USD is below costmin 0.5");
  OrderRequest close = limit("0", "62000.0");
  EXPECT_EQ(refused(close), "volume: 0 only closes a margin position (set leverage)");
  close.leverage = "2";
  EXPECT_EQ(refused(close), "accepted");
  OrderRequest rel = limit("0.001", "+5");  // relative prices are Kraken's to resolve
  rel.type = OrderType::stop_loss;
  EXPECT_EQ(refused(rel), "accepted");
}

}  // namespace
}  // namespace kgw::oms
