// Kraken's documented REST examples parsed into the typed responses.

#include "kgw/core/kraken/rest_types.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "kgw/core/kraken/json.hpp"
#include "kgw_test_fixtures.hpp"

namespace kgw::kraken {
namespace {

// The `result` JSON text of a docs fixture.
std::string result_of(const std::string& fixture) {
  const std::string text = test::kraken_fixture("rest/" + fixture);
  simdjson::padded_string padded(text);
  simdjson::ondemand::parser parser;
  auto r = unwrap_envelope(parser, padded, nullptr);
  EXPECT_TRUE(r) << fixture;
  return r ? std::string(*r) : std::string("{}");
}

// The same for the fixtures that keep Kraken's envelope under "response" (with the request).
std::string result_of_response(const std::string& fixture) {
  simdjson::dom::parser dom;
  simdjson::dom::element doc = dom.parse(test::kraken_fixture("rest/" + fixture));
  const std::string envelope = simdjson::minify(doc["response"]);
  simdjson::padded_string padded(envelope);
  simdjson::ondemand::parser parser;
  auto r = unwrap_envelope(parser, padded, nullptr);
  EXPECT_TRUE(r) << fixture;
  return r ? std::string(*r) : std::string("{}");
}

Decimal d(const char* s) { return Decimal::parse(s).value(); }

TEST(RestTypes, TimeAndSystemStatus) {
  auto t = parse_time(result_of("docs_Time.json")).value();
  EXPECT_EQ(t.unixtime, 1688669448);
  EXPECT_EQ(t.rfc1123, "Thu, 06 Jul 23 18:50:48 +0000");
  auto s = parse_system_status(result_of("docs_SystemStatus.json")).value();
  EXPECT_EQ(s.status, "online");
}

TEST(RestTypes, TickerKeepsKrakensScales) {
  auto v = parse_ticker(result_of("docs_Ticker.json")).value();
  ASSERT_EQ(v.size(), 1u);
  const Ticker& t = v[0];
  EXPECT_EQ(t.pair, "XXBTZUSD");
  EXPECT_EQ(t.ask.price.to_string(), "30300.10000");  // REST padding kept, not rounded
  EXPECT_EQ(t.ask.whole_lot_volume, d("1"));
  EXPECT_EQ(t.ask.lot_volume.to_string(), "1.000");
  EXPECT_EQ(t.last_volume, d("0.00067643"));
  EXPECT_EQ(t.vwap[0].to_string(), "30706.77771");   // real extra digits kept
  EXPECT_EQ(t.trades[0], 34619);
  EXPECT_EQ(t.trades[1], 38907);
  EXPECT_EQ(t.open, d("30502.8"));
  EXPECT_EQ(t.high[1], d("31631"));
}

TEST(RestTypes, DepthOhlcTradesAndSpread) {
  auto depth = parse_depth(result_of("docs_Depth.json")).value();
  EXPECT_EQ(depth.pair, "XXBTZUSD");
  ASSERT_EQ(depth.asks.size(), 3u);
  EXPECT_EQ(depth.asks[0].price, d("30384.1"));
  EXPECT_EQ(depth.asks[0].volume, d("2.059"));
  EXPECT_EQ(depth.asks[0].timestamp, 1688671659);
  EXPECT_EQ(depth.bids.size(), 3u);

  auto ohlc = parse_ohlc(result_of("docs_OHLC.json")).value();
  EXPECT_EQ(ohlc.pair, "XXBTZUSD");
  EXPECT_EQ(ohlc.last, 1688672160);
  ASSERT_EQ(ohlc.candles.size(), 4u);
  EXPECT_EQ(ohlc.candles[0].time, 1688671200);
  EXPECT_EQ(ohlc.candles[0].volume, d("3.39243896"));
  EXPECT_EQ(ohlc.candles[0].count, 23);

  auto trades = parse_trades(result_of("docs_Trades.json")).value();
  EXPECT_EQ(trades.last, "1688671969993150842");
  ASSERT_EQ(trades.trades.size(), 3u);
  EXPECT_EQ(trades.trades[0].side, 'b');
  EXPECT_EQ(trades.trades[0].ordtype, 'm');
  EXPECT_EQ(trades.trades[0].time.to_string(), "1688669597.8277369");
  EXPECT_EQ(trades.trades[2].trade_id, 61044956);

  auto spread = parse_spread(result_of("docs_Spread.json")).value();
  EXPECT_EQ(spread.last, 1688672106);
  ASSERT_EQ(spread.entries.size(), 3u);
  EXPECT_EQ(spread.entries[0].bid, d("30292.1"));
}

TEST(RestTypes, BalancesAcceptStringsAndNumbers) {
  auto b = parse_balance(result_of("docs_Balance.json")).value();
  ASSERT_GE(b.size(), 3u);
  EXPECT_EQ(b[0].asset, "ZUSD");
  EXPECT_EQ(b[0].balance, d("171288.6158"));
  auto ex = parse_balance_ex(result_of("docs_BalanceEx.json")).value();  // numbers in the docs example
  ASSERT_EQ(ex.size(), 2u);
  EXPECT_EQ(ex[0].balance, d("25435.21"));
  EXPECT_EQ(*ex[0].hold_trade, d("8249.76"));
  auto tb = parse_trade_balance(result_of("docs_TradeBalance.json")).value();
  EXPECT_EQ(tb.eb, d("1101.3425"));
  EXPECT_EQ(tb.n, d("-10.0232"));
  ASSERT_TRUE(tb.ml.has_value());
  EXPECT_EQ(*tb.ml, d("5432.57"));
  EXPECT_FALSE(tb.uv.has_value());
}

TEST(RestTypes, MalformedResultsAreErrorsNamingTheField) {
  auto bad = parse_ticker(R"({"XXBTZUSD":{"a":["x","1","1.000"]}})");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(errc::parse_error));
  EXPECT_NE(bad.error().detail.find("a"), std::string::npos);
  EXPECT_FALSE(parse_depth("[]"));
  EXPECT_FALSE(parse_ohlc(R"({"XXBTZUSD":[[1,"1","1"]],"last":"x"})"));
}

TEST(RestTypes, OrdersFromOpenClosedAndQueryOrders) {
  auto open = parse_orders(result_of("docs_OpenOrders.json")).value();
  ASSERT_EQ(open.orders.size(), 2u);
  const OrderInfo& o = open.orders[0];
  EXPECT_EQ(o.txid, "OQCLML-BW3P3-BUCMWZ");
  EXPECT_EQ(o.status, "open");
  EXPECT_EQ(o.descr.pair, "XBTUSD");
  EXPECT_EQ(o.descr.order, "buy 1.25000000 XBTUSD @ limit 30010.0");
  EXPECT_EQ(o.vol, d("1.25"));
  EXPECT_EQ(o.vol_exec, d("0.375"));
  EXPECT_EQ(o.opentm.to_string(), "1688666559.8974");
  EXPECT_EQ(o.trades, std::vector<std::string>{"TCCCTY-WE2O6-P3NB37"});
  EXPECT_EQ(open.orders[1].userref, 45326);
  EXPECT_EQ(open.orders[1].descr.leverage, "5:1");

  auto closed = parse_orders(result_of("docs_ClosedOrders.json")).value();
  ASSERT_TRUE(closed.count.has_value());
  ASSERT_FALSE(closed.orders.empty());
  EXPECT_EQ(*closed.orders[0].reason, "User requested");
  EXPECT_EQ(closed.orders[0].trigger, "index");

  auto query = parse_orders(result_of("docs_QueryOrders.json")).value();
  ASSERT_FALSE(query.orders.empty());
  EXPECT_FALSE(query.count.has_value());
  EXPECT_FALSE(query.orders[0].reason.has_value());  // null
}

TEST(RestTypes, TradesLedgersAndPositions) {
  auto hist = parse_trades_history(result_of("docs_TradesHistory.json")).value();
  ASSERT_EQ(hist.trades.size(), 2u);
  EXPECT_EQ(hist.trades[0].pair, "XXBTZUSD");
  EXPECT_TRUE(hist.trades[0].maker);
  EXPECT_EQ(hist.trades[0].trade_id, 40274859);
  EXPECT_EQ(parse_trades_history(result_of("docs_QueryTrades.json")).value().trades.size(), 2u);

  auto ledgers = parse_ledgers(result_of("docs_Ledgers.json")).value();
  ASSERT_EQ(ledgers.entries.size(), 2u);
  EXPECT_EQ(*ledgers.count, 2);
  EXPECT_EQ(ledgers.entries[0].asset, "ZGBP");
  EXPECT_EQ(ledgers.entries[0].amount, d("-24.5"));
  EXPECT_EQ(parse_ledgers(result_of("docs_QueryLedgers.json")).value().entries.size(), 1u);

  auto pos = parse_open_positions(result_of("docs_OpenPositions.json")).value();
  ASSERT_FALSE(pos.empty());
  EXPECT_EQ(pos[0].posstatus, "open");
  ASSERT_TRUE(pos[0].net.has_value());
  EXPECT_EQ(*pos[0].net, d("154186.9728"));  // "+154186.9728" on the wire
}

TEST(RestTypes, AClosingTradeKeepsItsPositionFields) {
  auto t = parse_trades_history(R"({"trades":{"TA1":{"ordertxid":"O1","postxid":"TP1","pair":"XXBTZUSD","time":1688667796.8802,)"
                                R"("type":"sell","ordertype":"limit","price":"31000.0","cost":"310.0","fee":"0.5","vol":"0.01",)"
                                R"("margin":"62.0","leverage":"5","misc":"closing","trade_id":7,"maker":false,"posstatus":"closed",)"
                                R"("cprice":"31000.0","ccost":"310.0","cfee":"0.5","cvol":"0.01","cmargin":"62.0","net":"+9.5",)"
                                R"("trades":["TB2","TC3"]}},"count":1})")
               .value();
  ASSERT_EQ(t.trades.size(), 1u);
  const TradeInfo& x = t.trades[0];
  EXPECT_EQ(x.leverage, "5");
  EXPECT_EQ(x.posstatus, "closed");
  EXPECT_EQ(x.cprice, d("31000.0"));
  EXPECT_EQ(x.cmargin, d("62.0"));
  EXPECT_EQ(x.net, d("9.5"));
  EXPECT_EQ(x.trades, (std::vector<std::string>{"TB2", "TC3"}));
  EXPECT_FALSE(parse_trades_history(result_of("docs_TradesHistory.json")).value().trades[0].cprice);
}

TEST(RestTypes, OrderAmendsListsTheOriginalThenEachAmend) {
  auto a = parse_order_amends(result_of_response("docs_OrderAmends.json")).value();
  EXPECT_EQ(a.count, 3);
  ASSERT_EQ(a.amends.size(), 3u);
  EXPECT_EQ(a.amends[0].amend_type, "original");
  EXPECT_EQ(a.amends[0].amend_id, "TSUN4B-EX2XN-WQ6GKG");
  EXPECT_EQ(a.amends[1].limit_price, d("61032.7"));
  EXPECT_EQ(a.amends[2].remaining_qty, d("0.01"));
  EXPECT_EQ(a.amends[2].timestamp, 1724158214879659945);
  EXPECT_FALSE(a.amends[0].display_qty);
}

TEST(RestTypes, OrderEntryResponses) {
  auto add = parse_add_order(result_of("docs_AddOrder.json")).value();
  EXPECT_EQ(add.txid, std::vector<std::string>{"OU22CG-KLAF2-FWUDD7"});
  EXPECT_EQ(add.descr_order, "buy 1.45 XBTUSD @ limit 27500.0");
  auto close = parse_add_order(result_of("docs_AddOrder__Limit-with-conditional-stop-loss.json")).value();
  EXPECT_EQ(close.descr_close, "close position @ stop loss 22000.0 -> limit 21000.0");
  EXPECT_EQ(parse_edit_order(result_of("docs_EditOrder.json")).value().txid, "OU22CG-KLAF2-FWUDD7");
  EXPECT_EQ(parse_amend_order(result_of("docs_AmendOrder.json")).value(), "TEZA4R-DSDGT-IJBOJK");
  EXPECT_EQ(parse_cancel(result_of("docs_CancelOrder.json")).value().count, 1);
  EXPECT_EQ(parse_cancel(result_of("docs_CancelAll.json")).value().count, 1);
  EXPECT_EQ(parse_cancel(result_of("docs_CancelOrderBatch.json")).value().count, 2);
  auto dm = parse_cancel_all_orders_after(result_of("docs_CancelAllOrdersAfter.json")).value();
  EXPECT_EQ(dm.trigger_time, "2023-03-24T17:42:56Z");
  auto batch = parse_add_order_batch(result_of("docs_AddOrderBatch.json")).value();
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(*batch[1].txid, "OK8HFF-5J2PL-XLR17S");
  auto batch_close = parse_add_order_batch(result_of("docs_AddOrderBatch__Limits-one-with-conditional-stop-loss.json")).value();
  EXPECT_EQ(batch_close[0].close, "close position @ stop loss 27000.0 -> limit 26000.0");
  auto tok = parse_websockets_token(result_of("docs_GetWebSocketsToken.json")).value();
  EXPECT_EQ(tok.expires, 900);
  EXPECT_EQ(tok.token.reveal().size(), 43u);
}

}  // namespace
}  // namespace kgw::kraken
