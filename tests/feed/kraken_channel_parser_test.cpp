// KrakenChannelParser on Kraken's documented WS v2 examples (shared/kraken/fixtures/ws_v2).

#include "kgw/feed/kraken_channel_parser.hpp"

#include <gtest/gtest.h>

#include "kgw_test_fixtures.hpp"

namespace kgw::feed {
namespace {

std::string fixture(const std::string& name) {
  std::string s = test::kraken_fixture("ws_v2/" + name);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// The first line of a .jsonl fixture.
std::string first_line(const std::string& name) {
  const std::string s = fixture(name);
  return s.substr(0, s.find('\n'));
}

TEST(KrakenChannelParser, ReadsTheDocsTickerWithEveryFieldAtItsOwnScale) {
  KrakenChannelParser p;
  ASSERT_EQ(p.parse(fixture("docs_ticker_snapshot_ALGOUSD.json")).value(), ChannelFrame::ticker);
  EXPECT_TRUE(p.snapshot());
  ASSERT_EQ(p.tickers().size(), 1u);
  const auto& t = p.tickers()[0];
  EXPECT_EQ(t.symbol, "ALGO/USD");
  EXPECT_EQ(t.value.bid.to_string(), "0.10025");
  EXPECT_EQ(t.value.bid_qty.to_string(), "740.0");  // the scale as written
  EXPECT_EQ(t.value.ask_qty.to_string(), "1361.44813783");
  EXPECT_EQ(t.value.change.to_string(), "-0.00017");
  EXPECT_EQ(t.value.change_pct.to_string(), "-0.17");
  EXPECT_EQ(t.value.vwap.to_string(), "0.10148");
  EXPECT_EQ(t.value.stamp.exchange_ns, 1695632671742648000);
  ASSERT_EQ(p.parse(fixture("docs_ticker_update_ALGOUSD.json")).value(), ChannelFrame::ticker);
  EXPECT_FALSE(p.snapshot());
}

TEST(KrakenChannelParser, ReadsBatchedTradesInOrder) {
  KrakenChannelParser p;
  ASSERT_EQ(p.parse(fixture("docs_trade_snapshot_MATICUSD.json")).value(), ChannelFrame::trade);
  ASSERT_GE(p.trades().size(), 2u);
  EXPECT_EQ(p.trades()[0].value.trade_id, 4665846);
  EXPECT_EQ(p.trades()[1].value.trade_id, 4665847);
  EXPECT_EQ(p.trades()[0].value.qty.to_string(), "6423.46326");
  EXPECT_EQ(p.trades()[0].value.side, TradeSide::buy);
  EXPECT_FALSE(p.trades()[0].value.market);
  ASSERT_EQ(p.parse(fixture("docs_trade_update_MATICUSD.json")).value(), ChannelFrame::trade);
  ASSERT_EQ(p.trades().size(), 1u);
  EXPECT_EQ(p.trades()[0].value.side, TradeSide::sell);
  EXPECT_TRUE(p.trades()[0].value.market);
  EXPECT_EQ(p.trades()[0].value.price.to_string(), "0.5117");
}

TEST(KrakenChannelParser, ReadsCandlesWithTheirIntervalAndBegin) {
  KrakenChannelParser p;
  ASSERT_EQ(p.parse(fixture("docs_ohlc_update_MATICUSD.json")).value(), ChannelFrame::ohlc);
  ASSERT_EQ(p.candles().size(), 1u);
  const auto& c = p.candles()[0].value;
  EXPECT_EQ(c.interval, 5);
  EXPECT_EQ(c.trades, 12);
  EXPECT_EQ(c.close.to_string(), "0.5627");
  EXPECT_EQ(c.interval_begin_ns, 1696436700000000000);
  ASSERT_EQ(p.parse(fixture("docs_ohlc_snapshot_ALGOUSD.json")).value(), ChannelFrame::ohlc);
  EXPECT_TRUE(p.snapshot());
  EXPECT_FALSE(p.candles().empty());
}

TEST(KrakenChannelParser, ReadsStatusWithAConnectionIdBeyondInt64) {
  KrakenChannelParser p;
  ASSERT_EQ(p.parse(fixture("docs_status_update.json")).value(), ChannelFrame::status);
  EXPECT_EQ(p.status().system, SystemStatus::online);
  EXPECT_EQ(p.status().connection_id, 13834774380200032777ull);
  EXPECT_STREQ(p.status().api_version.data(), "v2");
  EXPECT_STREQ(p.status().version.data(), "2.0.0");
}

TEST(KrakenChannelParser, ReadsAcksPongsHeartbeatsAndFailedSubscribes) {
  KrakenChannelParser p;
  ASSERT_EQ(p.parse(fixture("docs_heartbeat.json")).value(), ChannelFrame::heartbeat);
  ASSERT_EQ(p.parse(fixture("docs_ticker_subscribe_ack.json")).value(), ChannelFrame::method);
  EXPECT_EQ(p.answer().method, "subscribe");
  EXPECT_TRUE(p.answer().success);
  EXPECT_EQ(p.answer().channel, "ticker");
  EXPECT_EQ(p.answer().symbol, "ALGO/USD");
  ASSERT_EQ(p.parse(first_line("docs_ohlc_subscribe_ack.jsonl")).value(), ChannelFrame::method);
  EXPECT_EQ(p.answer().channel, "ohlc");
  ASSERT_EQ(p.parse(fixture("docs_pong_response.json")).value(), ChannelFrame::method);
  EXPECT_EQ(p.answer().method, "pong");
  EXPECT_EQ(p.answer().req_id, 101);
  // A failed subscribe as PROTOCOL.md §6.2 quotes it: no `result`, the symbol at the top level.
  ASSERT_EQ(p.parse(R"({"error":"Currency pair not supported xxx/USD","method":"subscribe","req_id":69,"success":false,"symbol":"xxx/USD","time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z"})")
                .value(),
            ChannelFrame::method);
  EXPECT_FALSE(p.answer().success);
  EXPECT_EQ(p.answer().symbol, "xxx/USD");
  EXPECT_EQ(p.answer().error, "Currency pair not supported xxx/USD");
  // Kraken's rate-limit reply has neither `method` nor `channel`.
  ASSERT_EQ(p.parse(R"({"Error":"Exceeded msg rate"})").value(), ChannelFrame::method);
  EXPECT_EQ(p.answer().method, "error");
  EXPECT_FALSE(p.answer().success);
  EXPECT_EQ(p.answer().error, "Exceeded msg rate");
  // Book and instrument frames are someone else's.
  EXPECT_EQ(p.parse(fixture("docs_book_update_MATICUSD.json")).value(), ChannelFrame::other);
}

TEST(KrakenChannelParser, MalformedFramesAreErrorsNamingWhatIsWrong) {
  KrakenChannelParser p;
  auto detail = [&](std::string_view f) {
    auto r = p.parse(f);
    EXPECT_FALSE(r) << f;
    return r ? std::string() : r.error().detail;
  };
  EXPECT_NE(detail(R"({"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":"x","ask":1,"last":1}]})").find("bid"),
            std::string::npos);
  EXPECT_NE(detail(R"({"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":1}]})").find("without bid, ask or last"),
            std::string::npos);
  EXPECT_NE(detail(R"({"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"up","price":1,"qty":1,"trade_id":1}]})").find("side"),
            std::string::npos);
  EXPECT_NE(detail(R"({"channel":"ohlc","type":"update","data":[{"symbol":"BTC/USD","open":1,"high":1,"low":1,"close":1,"interval":7}]})").find("interval"),
            std::string::npos);
  EXPECT_FALSE(p.parse(R"({"channel":"ticker","type":"update","data":[]} trailing)"));
  EXPECT_FALSE(p.parse(R"({"channel":"ticker","type":"upd)"));
  EXPECT_FALSE(p.parse(R"([1,2,3])"));
  EXPECT_FALSE(p.parse(R"({"hello":1})"));
  // And the parser is still usable afterwards.
  EXPECT_EQ(p.parse(fixture("docs_heartbeat.json")).value(), ChannelFrame::heartbeat);
}

}  // namespace
}  // namespace kgw::feed
