// Every kind of message the simulator's WS v2 API sends has the shape of Kraken's documentation
// example of that kind (shared/kraken/fixtures/ws_v2/docs_*): the same keys, the same JSON types.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <sstream>

#include "kgw/sim/default_market.hpp"
#include "kgw/sim/kraken_ws_api.hpp"
#include "kgw_json_shape.hpp"
#include "kgw_test_fixtures.hpp"

namespace kgw::sim {
namespace {

struct Client : WsClient {
  std::uint64_t id() const override { return 1; }
  bool send(std::string text) override {
    out.push_back(std::move(text));
    return true;
  }
  std::vector<std::string> out;
};

class WsConformance : public ::testing::Test {
 protected:
  ManualClock clock_;
  Exchange ex_{{default_assets(), default_instruments(), 13, kraken::Tier::intermediate}, clock_};
  MarketData md_{ex_};
  TokenStore tokens_{13};
  Faults faults_;
  KrakenWsApi api_{ex_, md_, tokens_, faults_, {.authenticated = true}};
  std::shared_ptr<Client> c_ = std::make_shared<Client>();
  AccountId mm_ = 0, demo_ = 0;
  std::string token_;

  void SetUp() override {
    mm_ = ex_.add_account("mm", "MM", Secret("c2VjcmV0"));
    demo_ = ex_.add_account("demo", "DEMO", Secret("c2VjcmV0"));
    ASSERT_TRUE(ex_.deposit(mm_, "XXBT", "100"));
    ASSERT_TRUE(ex_.deposit(mm_, "ZUSD", "10000000"));
    for (auto& [a, v] : default_demo_balances()) ASSERT_TRUE(ex_.deposit(demo_, a, v));
    token_ = tokens_.issue(demo_, clock_.wall_now());
    for (auto [side, px] : {std::pair{Side::sell, "30010.0"}, std::pair{Side::buy, "29990.0"}}) {
      AddOrderRequest r;
      r.pair = "XBTUSD";
      r.side = side;
      r.volume = "2";
      r.price = px;
      ASSERT_TRUE(ex_.add_order(mm_, r));
    }
    api_.on_open(c_);
  }
  std::string tok() const { return token_; }
  void send(const std::string& msg) { api_.on_message(c_, msg); }
  // The last message we sent that contains `needle`.
  std::string last_with(const std::string& needle) const {
    for (auto it = c_->out.rbegin(); it != c_->out.rend(); ++it)
      if (it->find(needle) != std::string::npos) return *it;
    return {};
  }
  void expect_shape(const std::string& fixture, const std::string& ours, int line = 0) {
    ASSERT_FALSE(ours.empty()) << "no message for " << fixture;
    std::string docs = test::kraken_fixture("ws_v2/" + fixture);
    if (fixture.size() > 6 && fixture.substr(fixture.size() - 6) == ".jsonl") {
      std::istringstream in(docs);
      for (int i = 0; i <= line; ++i) std::getline(in, docs);
    }
    simdjson::dom::parser pd, po;
    auto d = pd.parse(docs);
    ASSERT_FALSE(d.error()) << fixture;
    auto o = po.parse(ours);
    ASSERT_FALSE(o.error()) << ours;
    std::vector<std::string> problems;
    test::compare_shape(d.value(), o.value(), "msg", problems);
    std::string all;
    for (const auto& p : problems) all += "\n  " + p;
    EXPECT_TRUE(problems.empty()) << fixture << all << "\nours: " << ours.substr(0, 1200);
  }
};

TEST_F(WsConformance, AdminMessages) {
  expect_shape("docs_status_update.json", c_->out.front());
  send(R"({"method":"ping","req_id":101})");
  expect_shape("docs_pong_response.json", last_with(R"("method":"pong")"));
  send(R"({"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD"]}})");
  clock_.advance(std::chrono::seconds(2));
  api_.on_timer();
  expect_shape("docs_heartbeat.json", c_->out.back());
}

TEST_F(WsConformance, MarketDataChannels) {
  send(R"({"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD"]}})");
  expect_shape("docs_ticker_subscribe_ack.json", last_with(R"("method":"subscribe","result":{"channel":"ticker")"));
  expect_shape("docs_ticker_snapshot_ALGOUSD.json", last_with(R"("channel":"ticker","type":"snapshot")"));
  send(R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10}})");
  expect_shape("docs_book_subscribe_ack.jsonl", last_with(R"("result":{"channel":"book")"));
  expect_shape("docs_book_snapshot_MATICUSD.json", last_with(R"("channel":"book","type":"snapshot")"));
  send(R"({"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"],"snapshot":true}})");
  expect_shape("docs_trade_subscribe_ack.json", last_with(R"("result":{"channel":"trade")"));
  send(R"({"method":"subscribe","params":{"channel":"ohlc","symbol":["BTC/USD"],"interval":5}})");
  expect_shape("docs_ohlc_subscribe_ack.jsonl", last_with(R"("result":{"channel":"ohlc")"));
  send(R"({"method":"subscribe","params":{"channel":"instrument"},"req_id":79})");
  expect_shape("docs_instrument_subscribe_ack.json", last_with(R"("result":{"channel":"instrument")"));
  expect_shape("docs_instrument_snapshot.json", last_with(R"("channel":"instrument","type":"snapshot")"));

  AddOrderRequest r;
  r.pair = "XBTUSD";
  r.side = Side::buy;
  r.volume = "0.5";
  r.price = "30010.0";
  ASSERT_TRUE(ex_.add_order(demo_, r));
  expect_shape("docs_ticker_update_ALGOUSD.json", last_with(R"("channel":"ticker","type":"update")"));
  // A sell that takes the whole bid level and rests the rest changes both sides in one update.
  r.side = Side::sell;
  r.volume = "2.2";
  r.price = "29990.0";
  ASSERT_TRUE(ex_.add_order(demo_, r));
  expect_shape("docs_book_update_MATICUSD.json", last_with(R"("channel":"book","type":"update")"));
  expect_shape("docs_trade_update_MATICUSD.json", last_with(R"("channel":"trade","type":"update")"));
  expect_shape("docs_ohlc_update_MATICUSD.json", last_with(R"("channel":"ohlc","type":"update")"));
  send(R"({"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"],"snapshot":true}})");
  expect_shape("docs_trade_snapshot_MATICUSD.json", last_with(R"("channel":"trade","type":"snapshot")"));
  send(R"({"method":"subscribe","params":{"channel":"ohlc","symbol":["BTC/USD"],"interval":5}})");
  expect_shape("docs_ohlc_snapshot_ALGOUSD.json", last_with(R"("channel":"ohlc","type":"snapshot")"));

  send(R"({"method":"unsubscribe","params":{"channel":"ticker","symbol":["BTC/USD"]}})");
  expect_shape("docs_ticker_unsubscribe_ack.json", last_with(R"("method":"unsubscribe")"));
  send(R"({"method":"unsubscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10}})");
  expect_shape("docs_book_unsubscribe_ack.jsonl", last_with(R"("method":"unsubscribe")"));
  send(R"({"method":"unsubscribe","params":{"channel":"instrument"},"req_id":79})");
  expect_shape("docs_instrument_unsubscribe_ack.json", last_with(R"("method":"unsubscribe")"));
}

TEST_F(WsConformance, PrivateChannels) {
  send(R"({"method":"subscribe","params":{"channel":"executions","snap_trades":true,"token":")" + tok() + R"("}})");
  expect_shape("docs_executions_subscribe_ack.json", last_with(R"("result":{"channel":"executions")"));
  send(R"({"method":"subscribe","params":{"channel":"balances","token":")" + tok() + R"("}})");
  expect_shape("docs_balances_subscribe_ack.json", last_with(R"("result":{"channel":"balances")"));
  expect_shape("docs_balances_snapshot.json", last_with(R"("channel":"balances","data")"));
  send(R"({"method":"add_order","params":{"order_type":"limit","side":"sell","order_qty":0.5,"symbol":"BTC/USD","limit_price":29990.0,"order_userref":3,"token":")" +
       tok() + R"("},"req_id":123456789})");
  expect_shape("docs_add_order_response_success.json", last_with(R"("method":"add_order")"));
  expect_shape("docs_executions_update_pending_new.json", last_with(R"("exec_type":"pending_new")"));
  expect_shape("docs_executions_update_new.json", last_with(R"("exec_type":"new")"));
  expect_shape("docs_executions_update_trade.json", last_with(R"("exec_type":"trade")"));
  expect_shape("docs_balances_update_trade.jsonl", last_with(R"("channel":"balances","type":"update")"));
  ASSERT_TRUE(ex_.deposit(demo_, "XXBT", "0.01"));
  expect_shape("docs_balances_update_deposit.json", last_with(R"("type":"deposit")"));
  send(R"({"method":"unsubscribe","params":{"channel":"executions"}})");
  expect_shape("docs_executions_unsubscribe_ack.json", last_with(R"("method":"unsubscribe")"));
  send(R"({"method":"unsubscribe","params":{"channel":"balances"}})");
  expect_shape("docs_balances_unsubscribe_ack.json", last_with(R"("method":"unsubscribe")"));
}

TEST_F(WsConformance, TradingMethodResponses) {
  const std::string t = tok();
  send(R"({"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":100,"symbol":"BTC/USD","limit_price":20000.0,"token":")" + t +
       R"("},"req_id":123456789})");
  expect_shape("docs_add_order_response_error.json", last_with(R"("method":"add_order")"));
  send(R"({"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.01,"symbol":"BTC/USD","limit_price":20000.0,"cl_ord_id":"2c6be801-1f53-4f79-a0bb-4ea1c95dfae9","token":")" +
       t + R"("}})");
  send(R"({"method":"amend_order","params":{"cl_ord_id":"2c6be801-1f53-4f79-a0bb-4ea1c95dfae9","order_qty":0.02,"token":")" + t + R"("}})");
  expect_shape("docs_amend_order_response.json", last_with(R"("method":"amend_order")"));
  const auto open = ex_.open_orders(demo_);
  ASSERT_FALSE(open.empty());
  send(R"({"method":"edit_order","params":{"order_id":")" + open[0]->txid + R"(","symbol":"BTC/USD","limit_price":20001.0,"token":")" + t +
       R"("},"req_id":1234567890})");
  expect_shape("docs_edit_order_response.json", last_with(R"("method":"edit_order")"));
  send(R"({"method":"batch_add","params":{"symbol":"BTC/USD","orders":[{"order_type":"limit","side":"buy","order_qty":0.01,"limit_price":20000.0,"order_userref":1},{"order_type":"limit","side":"buy","order_qty":0.01,"limit_price":20000.0,"order_userref":2}],"token":")" +
       t + R"("},"req_id":1234567890})");
  expect_shape("docs_batch_add_response.json", last_with(R"("method":"batch_add")"));
  const auto ids = ex_.open_orders(demo_);
  ASSERT_GE(ids.size(), 3u);
  send(R"({"method":"cancel_order","params":{"order_id":[")" + ids[0]->txid + R"("],"token":")" + t + R"("},"req_id":123456789})");
  expect_shape("docs_cancel_order_response.jsonl", last_with(R"("method":"cancel_order")"));
  send(R"({"method":"batch_cancel","params":{"orders":[")" + ids[1]->txid + R"(",")" + ids[2]->txid + R"("],"token":")" + t +
       R"("},"req_id":1234567890})");
  expect_shape("docs_batch_cancel_response.json", last_with(R"("method":"batch_cancel")"));
  send(R"({"method":"cancel_all_orders_after","params":{"timeout":100,"token":")" + t + R"("},"req_id":1234567890})");
  expect_shape("docs_cancel_all_orders_after_response.json", last_with(R"("method":"cancel_all_orders_after")"));
  send(R"({"method":"cancel_all","params":{"token":")" + t + R"("},"req_id":1234567890})");
  expect_shape("docs_cancel_all_response.json", last_with(R"("method":"cancel_all")"));
}

}  // namespace
}  // namespace kgw::sim
