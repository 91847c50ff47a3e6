// The simulator's WS v2 API driven through a fake connection: framing, acks, market-data
// channels (with every book checksum recomputed here independently, from the decimal text on
// the wire), private channels and trading methods.

#include <gtest/gtest.h>
#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <map>
#include <random>

#include "kgw/sim/default_market.hpp"
#include "kgw/sim/kraken_ws_api.hpp"
#include "kgw_sim_ws_client.hpp"
#include "kgw_ws_book_check.hpp"

namespace kgw::sim {
namespace {

using FakeClient = test::FakeWsClient;

using test::replay_books;

class WsApi : public ::testing::Test {
 protected:
  ManualClock clock_;
  Exchange ex_{{default_assets(), default_instruments(), 11, kraken::Tier::pro}, clock_};
  MarketData md_{ex_};
  TokenStore tokens_{11};
  Faults faults_;
  KrakenWsApi pub_{ex_, md_, tokens_, faults_, {.authenticated = false}};
  KrakenWsApi auth_{ex_, md_, tokens_, faults_, {.authenticated = true}};
  AccountId mm_ = 0, demo_ = 0;
  std::string token_;

  void SetUp() override {
    mm_ = ex_.add_account("mm", "MM", Secret("c2VjcmV0"));
    demo_ = ex_.add_account("demo", "DEMO", Secret("c2VjcmV0"));
    ASSERT_TRUE(ex_.deposit(mm_, "XXBT", "100"));
    ASSERT_TRUE(ex_.deposit(mm_, "ZUSD", "10000000"));
    for (auto& [a, v] : default_demo_balances()) ASSERT_TRUE(ex_.deposit(demo_, a, v));
    token_ = tokens_.issue(demo_, clock_.wall_now());
  }
  std::shared_ptr<FakeClient> connect(KrakenWsApi& api, std::uint64_t id) {
    auto c = std::make_shared<FakeClient>(id);
    api.on_open(c);
    return c;
  }
  // Random activity: rejections (open-order limit, funds) are part of the game, not failures.
  void try_limit(AccountId who, Side s, const char* qty, const char* px) {
    AddOrderRequest r;
    r.pair = "XBTUSD";
    r.side = s;
    r.volume = qty;
    r.price = px;
    (void)ex_.add_order(who, r);
  }
  void limit(AccountId who, Side s, const char* qty, const char* px) {
    AddOrderRequest r;
    r.pair = "XBTUSD";
    r.side = s;
    r.volume = qty;
    r.price = px;
    auto res = ex_.add_order(who, r);
    ASSERT_TRUE(res) << res.error().message();
  }
  static simdjson::dom::element parse(simdjson::dom::parser& p, const std::string& s) { return p.parse(s).value(); }
};

TEST_F(WsApi, SendsStatusOnConnectWithAConnectionIdAbove2To63) {
  auto c = connect(pub_, 1);
  ASSERT_EQ(c->out.size(), 1u);
  simdjson::dom::parser p;
  auto m = parse(p, c->out[0]);
  EXPECT_EQ(std::string_view(m["channel"].get_string().value()), "status");
  EXPECT_EQ(std::string_view(m["data"].at(0)["system"].get_string().value()), "online");
  EXPECT_GT(m["data"].at(0)["connection_id"].get_uint64().value(), 1ULL << 63);
}

TEST_F(WsApi, AnswersPingWithPongEchoingReqId) {
  auto c = connect(pub_, 1);
  pub_.on_message(c, R"({"method":"ping","req_id":101})");
  EXPECT_NE(c->out.back().find(R"({"method":"pong","req_id":101,"time_in":")"), std::string::npos) << c->out.back();
}

TEST_F(WsApi, SubscribeAcksOncePerSymbolAndRejectsUnknownSymbols) {
  auto c = connect(pub_, 1);
  pub_.on_message(c, R"({"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD","ETH/USD","XBT/USD"]},"req_id":7})");
  int acks = 0, nacks = 0;
  for (const auto& m : c->out) {
    if (m.find(R"("method":"subscribe")") == std::string::npos) continue;
    if (m.find(R"("success":true)") != std::string::npos) ++acks;
    if (m.find(R"("error":"Currency pair not supported XBT/USD")") != std::string::npos) ++nacks;
  }
  EXPECT_EQ(acks, 2);
  EXPECT_EQ(nacks, 1);
}

TEST_F(WsApi, StreamsTheBookWithChecksumsAnIndependentBookReproduces) {
  // A two-sided book deeper than the subscription, then random activity.
  for (int i = 0; i < 30; ++i) {
    limit(mm_, Side::sell, "0.5", std::to_string(30010 + i * 5).append(".0").c_str());
    limit(mm_, Side::buy, "0.5", std::to_string(29990 - i * 5).append(".0").c_str());
  }
  auto c = connect(pub_, 1);
  pub_.on_message(c, R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10}})");
  std::mt19937 rng(9);
  std::vector<std::string> placed;
  for (int i = 0; i < 300; ++i) {
    if (i % 10 == 0) clock_.advance(std::chrono::seconds(3));  // let the trading counters decay
    const int kind = static_cast<int>(rng() % 5);
    const int offset = static_cast<int>(rng() % 200);
    if (kind == 0) try_limit(mm_, Side::sell, "0.3", std::to_string(30000 + offset).append(".0").c_str());
    else if (kind == 1) try_limit(mm_, Side::buy, "0.3", std::to_string(30000 - offset).append(".0").c_str());
    else if (kind == 2) try_limit(demo_, Side::buy, "0.1", std::to_string(30000 + offset).append(".0").c_str());
    else if (kind == 3) try_limit(demo_, Side::sell, "0.1", std::to_string(30000 - offset).append(".0").c_str());
    else if (!ex_.open_orders(mm_).empty()) (void)ex_.cancel_order(mm_, {.txid = ex_.open_orders(mm_)[rng() % ex_.open_orders(mm_).size()]->txid});
  }
  ex_.cancel_all(mm_);
  const auto replay = replay_books(c->out);
  ASSERT_TRUE(replay.mismatched.empty()) << replay.mismatched.front();
  EXPECT_GT(replay.verified, 50);
}

TEST_F(WsApi, CorruptChecksumFaultHitsOnlyTheNextMessageOfThatSymbol) {
  limit(mm_, Side::sell, "0.5", "30010.0");
  limit(mm_, Side::buy, "0.5", "29990.0");
  auto c = connect(pub_, 1);
  pub_.on_message(c, R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10}})");
  faults_.corrupt_checksum["BTC/USD"] = 1;
  limit(mm_, Side::sell, "0.5", "30020.0");
  limit(mm_, Side::sell, "0.5", "30030.0");
  EXPECT_EQ(faults_.fired["corrupt_checksum"], 1u);
  EXPECT_EQ(replay_books(c->out).mismatched.size(), 1u);
}

TEST_F(WsApi, TradesTickerAndOhlcFollowExecutions) {
  limit(mm_, Side::sell, "0.5", "30010.0");
  auto c = connect(pub_, 1);
  pub_.on_message(c, R"({"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"]}})");
  pub_.on_message(c, R"({"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD"]}})");
  pub_.on_message(c, R"({"method":"subscribe","params":{"channel":"ohlc","symbol":["BTC/USD"],"interval":5}})");
  c->out.clear();
  limit(demo_, Side::buy, "0.2", "30010.0");
  bool trade = false, ticker = false, ohlc = false;
  for (const auto& m : c->out) {
    if (m.find(R"("channel":"trade","type":"update")") != std::string::npos &&
        m.find(R"("side":"buy","price":30010.0,"qty":0.20000000,"ord_type":"limit")") != std::string::npos)
      trade = true;
    if (m.find(R"("channel":"ticker","type":"update")") != std::string::npos && m.find(R"("last":30010.0)") != std::string::npos)
      ticker = true;
    if (m.find(R"("channel":"ohlc","type":"update")") != std::string::npos && m.find(R"("interval":5)") != std::string::npos)
      ohlc = true;
  }
  EXPECT_TRUE(trade);
  EXPECT_TRUE(ticker);
  EXPECT_TRUE(ohlc);
}

TEST_F(WsApi, HeartbeatOnlyWhenSubscribedAndIdle) {
  auto c = connect(pub_, 1);
  clock_.advance(std::chrono::seconds(2));
  pub_.on_timer();
  EXPECT_EQ(c->out.back().find("heartbeat"), std::string::npos);
  pub_.on_message(c, R"({"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD"]}})");
  clock_.advance(std::chrono::seconds(2));
  pub_.on_timer();
  EXPECT_EQ(c->out.back(), R"({"channel":"heartbeat"})");
}

TEST_F(WsApi, PrivateChannelsNeedAValidTokenOnTheAuthEndpoint) {
  auto pubc = connect(pub_, 1);
  pub_.on_message(pubc, R"({"method":"subscribe","params":{"channel":"executions","token":")" + token_ + R"("}})");
  EXPECT_NE(pubc->out.back().find(R"("success":false)"), std::string::npos);
  auto c = connect(auth_, 2);
  auth_.on_message(c, R"({"method":"subscribe","params":{"channel":"executions","token":"nope"}})");
  EXPECT_NE(c->out.back().find(R"("error":"EAPI:Invalid token")"), std::string::npos);
  auth_.on_message(c, R"({"method":"subscribe","params":{"channel":"executions","token":")" + token_ + R"("}})");
  EXPECT_NE(c->out[c->out.size() - 2].find(R"("maxratecount":125)"), std::string::npos);
  EXPECT_NE(c->out.back().find(R"("channel":"executions","type":"snapshot")"), std::string::npos);
  // A token in use does not expire.
  clock_.advance(std::chrono::hours(1));
  EXPECT_TRUE(tokens_.validate(token_, clock_.wall_now()).has_value());
}

TEST_F(WsApi, AddOrderOverWsStreamsExecutionsAndBalancesInSequence) {
  limit(mm_, Side::sell, "0.5", "30010.0");
  auto c = connect(auth_, 2);
  auth_.on_message(c, R"({"method":"subscribe","params":{"channel":"executions","token":")" + token_ + R"("}})");
  auth_.on_message(c, R"({"method":"subscribe","params":{"channel":"balances","token":")" + token_ + R"("}})");
  c->out.clear();
  auth_.on_message(c, R"({"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.2,"symbol":"BTC/USD","limit_price":30010.0,"cl_ord_id":"ws-1","token":")" +
                          token_ + R"("},"req_id":5})");
  std::vector<std::string> exec_types;
  std::vector<std::uint64_t> exec_seq, bal_seq;
  bool ack = false;
  simdjson::dom::parser p;
  for (const auto& text : c->out) {
    auto m = parse(p, text);
    if (!m["method"].error()) {
      EXPECT_EQ(std::string_view(m["method"].get_string().value()), "add_order");
      EXPECT_EQ(m["req_id"].get_int64().value(), 5);
      EXPECT_TRUE(m["success"].get_bool().value()) << text;
      EXPECT_EQ(std::string_view(m["result"]["cl_ord_id"].get_string().value()), "ws-1");
      ack = true;
      continue;
    }
    const std::string_view ch = m["channel"].get_string().value();
    if (ch == "executions") {
      exec_types.emplace_back(m["data"].at(0)["exec_type"].get_string().value());
      exec_seq.push_back(m["sequence"].get_uint64().value());
    } else if (ch == "balances") {
      bal_seq.push_back(m["sequence"].get_uint64().value());
    }
  }
  EXPECT_TRUE(ack);
  EXPECT_EQ(exec_types, (std::vector<std::string>{"pending_new", "new", "trade", "filled"}));
  for (std::size_t i = 1; i < exec_seq.size(); ++i) EXPECT_EQ(exec_seq[i], exec_seq[i - 1] + 1);
  EXPECT_EQ(bal_seq.size(), 2u);  // BTC and USD legs of the trade
}

TEST_F(WsApi, ThePrivateDelayFaultHoldsEveryAuthenticatedMessageBackInOrder) {
  std::vector<std::pair<std::chrono::microseconds, std::function<void()>>> deferred;
  KrakenWsApi::Options o{.authenticated = true};
  o.defer = [&deferred](std::chrono::microseconds after, std::function<void()> fn) { deferred.emplace_back(after, std::move(fn)); };
  KrakenWsApi auth{ex_, md_, tokens_, faults_, o};
  limit(mm_, Side::sell, "0.5", "30010.0");
  auto c = connect(auth, 2);
  auth.on_message(c, R"({"method":"subscribe","params":{"channel":"executions","token":")" + token_ + R"("}})");
  c->out.clear();
  faults_.ws_private_delay = std::chrono::microseconds(2500);
  auth.on_message(c, R"({"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.2,"symbol":"BTC/USD","limit_price":30010.0,"cl_ord_id":"ws-1","token":")" +
                         token_ + R"("},"req_id":5})");
  EXPECT_TRUE(c->out.empty());  // nothing leaves before the delay
  ASSERT_FALSE(deferred.empty());
  for (auto& [after, fn] : deferred) {
    EXPECT_EQ(after, std::chrono::microseconds(2500));
    fn();
  }
  ASSERT_EQ(c->out.size(), deferred.size());
  const auto ack = std::find_if(c->out.begin(), c->out.end(),
                                [](const std::string& m) { return m.find(R"("method":"add_order","req_id":5)") != std::string::npos; });
  EXPECT_NE(ack, c->out.end());
  EXPECT_EQ(faults_.fired["ws_private_delay"], deferred.size());
  // The public endpoint is not delayed.
  auto pubc = connect(pub_, 3);
  EXPECT_EQ(pubc->out.size(), 1u);
}

TEST_F(WsApi, TradingErrorsCarryKrakensStringsAndEchoReqId) {
  auto c = connect(auth_, 2);
  auth_.on_message(c, R"({"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":100,"symbol":"BTC/USD","limit_price":30010.0,"token":")" +
                          token_ + R"("},"req_id":9})");
  EXPECT_NE(c->out.back().find(R"({"error":"EOrder:Insufficient funds","method":"add_order","req_id":9,"success":false)"),
            std::string::npos)
      << c->out.back();
  auth_.on_message(c, R"({"method":"cancel_order","params":{"order_id":["OXXXXX-XXXXX-XXXXXX"],"token":")" + token_ + R"("},"req_id":10})");
  EXPECT_NE(c->out.back().find(R"("error":"EOrder:Invalid order")"), std::string::npos);
  auto pubc = connect(pub_, 3);
  pub_.on_message(pubc, R"({"method":"cancel_all","params":{"token":")" + token_ + R"("}})");
  EXPECT_NE(pubc->out.back().find(R"("success":false)"), std::string::npos);
}

TEST_F(WsApi, CancelOrderAnswersOncePerCancelledOrder) {
  auto c = connect(auth_, 2);
  for (const char* cl : {"a1", "a2"}) {
    auth_.on_message(c, std::string(R"({"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.01,"symbol":"BTC/USD","limit_price":20000.0,"cl_ord_id":")") +
                            cl + R"(","token":")" + token_ + R"("}})");
  }
  c->out.clear();
  auth_.on_message(c, R"({"method":"cancel_order","params":{"cl_ord_id":["a1","a2"],"token":")" + token_ + R"("},"req_id":3})");
  ASSERT_EQ(c->out.size(), 2u);
  EXPECT_NE(c->out[0].find(R"("result":{"order_id":")"), std::string::npos);
  EXPECT_NE(c->out[1].find(R"("cl_ord_id":"a2")"), std::string::npos);
}

TEST_F(WsApi, DroppedResponseFaultAppliesTheOrderButSendsNoAck) {
  auto c = connect(auth_, 2);
  faults_.ws_drop_response_count = 1;
  auth_.on_message(c, R"({"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.01,"symbol":"BTC/USD","limit_price":20000.0,"cl_ord_id":"lost","token":")" +
                          token_ + R"("},"req_id":1})");
  for (const auto& m : c->out) EXPECT_EQ(m.find(R"("method":"add_order")"), std::string::npos);
  ASSERT_EQ(ex_.open_orders(demo_).size(), 1u);
  EXPECT_EQ(*ex_.open_orders(demo_)[0]->cl_ord_id, "lost");
  EXPECT_EQ(faults_.fired["ws_drop_response"], 1u);
}

TEST_F(WsApi, InstrumentSnapshotListsPairsWithPrecisionsAndIncrements) {
  auto c = connect(pub_, 1);
  pub_.on_message(c, R"({"method":"subscribe","params":{"channel":"instrument"}})");
  const auto& snap = c->out.back();
  EXPECT_NE(snap.find(R"("channel":"instrument","type":"snapshot","data":{"assets":[)"), std::string::npos);
  EXPECT_NE(snap.find(R"("symbol":"BTC/USD","base":"BTC","quote":"USD","status":"online","qty_precision":8)"), std::string::npos) << snap;
}

TEST_F(WsApi, MalformedFramesGetAnErrorNotACrash) {
  auto c = connect(pub_, 1);
  for (const char* bad : {"", "{", "[]", "null", R"({"method":42})", R"({"params":{}})", R"({"method":"subscribe"})",
                          R"({"method":"subscribe","params":{"channel":"book","symbol":"BTC/USD","depth":7}})"}) {
    const auto before = c->out.size();
    pub_.on_message(c, bad);
    EXPECT_EQ(c->out.size(), before + 1) << bad;
    EXPECT_NE(c->out.back().find(R"("success":false)"), std::string::npos) << bad << " -> " << c->out.back();
  }
}

TEST_F(WsApi, PairStatusChangeIsEnforcedAndPublishedOnTheInstrumentChannel) {
  auto c = connect(pub_, 1);
  pub_.on_message(c, R"({"method":"subscribe","params":{"channel":"instrument"}})");
  ASSERT_TRUE(ex_.set_pair_status("XBTUSD", PairStatus::cancel_only));
  EXPECT_NE(c->out.back().find(R"("channel":"instrument","type":"update","data":{"assets":[],"pairs":[{"symbol":"BTC/USD","base":"BTC","quote":"USD","status":"cancel_only")"),
            std::string::npos)
      << c->out.back();
  AddOrderRequest r;
  r.pair = "BTC/USD";
  r.side = Side::buy;
  r.volume = "0.01";
  r.price = "100.0";
  auto res = ex_.add_order(demo_, r);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().kraken->joined(), "EService:Market in cancel_only mode");
  r.pair = "ETH/USD";
  r.price = "100.00";
  EXPECT_TRUE(ex_.add_order(demo_, r));  // other pairs unaffected
}

}  // namespace
}  // namespace kgw::sim
