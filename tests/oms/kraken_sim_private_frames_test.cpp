// The simulator's private frames read by core's parser and applied by the account view: the
// subscriptions the view builds go to kraken-sim's WS API (a fake connection, the sim's own
// exchange), every executions and balances frame it answers with must parse with no unknown
// word, and the view must end up with the simulator's truth (open orders, fills, balances).

#include <gtest/gtest.h>

#include "account_test_support.hpp"
#include "kgw/core/kraken/private_channels.hpp"
#include "kgw/sim/kraken_ws_api.hpp"
#include "kgw_sim_ws_client.hpp"

namespace kgw::oms {
namespace {

using namespace test;
using sim::AccountId;
using sim::AddOrderRequest;

using FakeClient = kgw::test::FakeWsClient;

class SimPrivateFrames : public ::testing::Test {
 protected:
  ManualClock clock_{WallTime{std::chrono::seconds{1'695'378'000}}};
  sim::Exchange ex_{{sim::default_assets(), sim::default_instruments(), 11, kraken::Tier::pro}, clock_};
  sim::MarketData md_{ex_};
  sim::TokenStore tokens_{11};
  sim::Faults faults_;
  sim::KrakenWsApi auth_{ex_, md_, tokens_, faults_, {.authenticated = true}};
  AccountId mm_ = 0, demo_ = 0;
  std::string token_;
  asio::io_context io_;
  AccountView view_{io_.get_executor(), catalogue(), clock_};
  kraken::PrivateChannelParser parser_;
  std::size_t read_ = 0;  // frames of the current connection already handed over

  void SetUp() override {
    mm_ = ex_.add_account("mm", "MM", Secret("c2VjcmV0"));
    demo_ = ex_.add_account("demo", "DEMO", Secret("c2VjcmV0"));
    ASSERT_TRUE(ex_.deposit(mm_, "XXBT", "100"));
    ASSERT_TRUE(ex_.deposit(mm_, "ZUSD", "10000000"));
    for (auto& [a, v] : sim::default_demo_balances()) ASSERT_TRUE(ex_.deposit(demo_, a, v));
    token_ = tokens_.issue(demo_, clock_.wall_now());
  }

  std::shared_ptr<FakeClient> connect(std::uint64_t id) {
    auto c = std::make_shared<FakeClient>(id);
    auth_.on_open(c);
    read_ = 0;
    const auto subs = view_.subscription_requests(token_, 1, 2);
    auth_.on_message(c, subs.executions);
    auth_.on_message(c, subs.balances);
    return c;
  }
  // Every frame the sim sent since the last call: parsed by core's parser, then given to the view.
  void deliver(FakeClient& c) {
    for (; read_ < c.out.size(); ++read_) {
      const std::string& text = c.out[read_];
      auto parsed = parser_.parse_copy(text);
      ASSERT_TRUE(parsed) << parsed.error().message() << "\n" << text;
      EXPECT_EQ((*parsed)->unknown_words, 0u) << (*parsed)->first_unknown << "\n" << text;
      auto r = view_.on_frame(text, clock_.wall_now());
      ASSERT_TRUE(r) << r.error().message();
      EXPECT_FALSE(r->resync) << text;
    }
  }
  void add(AccountId who, kraken::Side side, const char* qty, std::optional<std::string> price,
           kraken::OrderType type = kraken::OrderType::limit, std::optional<std::string> cl = {}) {
    AddOrderRequest r;
    r.pair = "XBTUSD";
    r.side = side;
    r.type = type;
    r.volume = qty;
    r.price = std::move(price);
    r.cl_ord_id = std::move(cl);
    auto res = ex_.add_order(who, r);
    ASSERT_TRUE(res) << res.error().message();
  }

  // The view against the simulator's own records.
  void expect_sim_truth() {
    const auto s = view_.snapshot();
    const auto open = ex_.open_orders(demo_);
    ASSERT_EQ(s->open_orders->size(), open.size());
    for (const auto* r : open) {
      const auto o = s->open_orders->find(r->txid);
      ASSERT_TRUE(o) << r->txid;
      EXPECT_EQ(o->cum_qty.to_fixed(8).value(), r->order.filled.value) << r->txid;
      EXPECT_EQ(o->order_qty->to_fixed(8).value(), r->order.volume.value) << r->txid;
      EXPECT_EQ(o->cl_ord_id, r->cl_ord_id.value_or("")) << r->txid;
    }
    for (const auto* t : ex_.trades(demo_)) {
      const auto f = s->fill(t->txid);
      ASSERT_TRUE(f) << t->txid;
      EXPECT_EQ(f->order_id, t->ordertxid);
      EXPECT_EQ(f->qty.to_fixed(8).value(), t->vol.value);
    }
    const auto& account = *ex_.account(demo_);
    for (std::size_t i = 0; i < account.balance.size(); ++i) {
      const auto& asset = *ex_.assets()[i];
      const auto b = s->balance(asset.id);
      if (account.balance[i] == 0 && !b) continue;
      ASSERT_TRUE(b) << asset.id;
      EXPECT_EQ(b->total.to_fixed(asset.decimals).value(), account.balance[i]) << asset.id;
    }
  }
};

TEST_F(SimPrivateFrames, EveryFrameOfALifeOfOrdersParsesAndTheViewMatchesTheSimulator) {
  add(demo_, kraken::Side::buy, "0.5", "29000.0", kraken::OrderType::limit, "resting-1");  // before the subscription
  auto c = connect(1);
  deliver(*c);
  EXPECT_TRUE(view_.snapshot()->fresh());
  add(mm_, kraken::Side::sell, "0.3", "30010.0");
  add(demo_, kraken::Side::buy, "0.2", "30010.0", kraken::OrderType::limit, "taker-1");  // fills at once
  add(demo_, kraken::Side::buy, "0.2", "30010.0");                                       // partially fills
  add(demo_, kraken::Side::sell, "0.1", "25000.0", kraken::OrderType::stop_loss);         // rests, triggered type
  sim::OrderSelector first;
  first.cl_ord_id = "resting-1";
  ASSERT_TRUE(ex_.cancel_order(demo_, first));
  deliver(*c);
  expect_sim_truth();
  const auto s = view_.snapshot();
  EXPECT_EQ(s->order_by_cl_ord_id("resting-1")->status.value, kraken::WsOrderStatus::canceled);
  EXPECT_EQ(s->order_by_cl_ord_id("taker-1")->status.value, kraken::WsOrderStatus::filled);
  EXPECT_EQ(view_.stats().unknown_words.load(), 0u);
}

TEST_F(SimPrivateFrames, AReconnectSnapshotCarriesTheStateAndTheTradesAlreadySeenAreNotRepeated) {
  auto c = connect(1);
  deliver(*c);
  add(mm_, kraken::Side::sell, "0.3", "30010.0");
  add(demo_, kraken::Side::buy, "0.1", "30010.0");
  deliver(*c);
  view_.on_disconnected();
  auth_.on_close(c);
  add(demo_, kraken::Side::buy, "0.1", "30010.0");  // while disconnected
  add(demo_, kraken::Side::buy, "0.5", "29500.0");
  auto again = connect(2);
  deliver(*again);
  expect_sim_truth();
  EXPECT_EQ(view_.stats().fills.load(), 2u);
  EXPECT_EQ(view_.stats().duplicate_fills.load(), 1u);  // the first trade, in the snapshot again
}

}  // namespace
}  // namespace kgw::oms
