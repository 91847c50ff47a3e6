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

}  // namespace
}  // namespace kgw::kraken
