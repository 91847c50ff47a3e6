// The account view end to end against kraken-sim on loopback: a private connection on core's
// supervisor (a fresh token per connect), orders placed over REST appear in the caches, and a
// fill that happens while the connection is down is emitted exactly once after the reconnect;
// the caches then equal the simulator's REST answers. PrivateSession stands in for the order
// manager's handler: it owns the connection's hooks and dispatches frames to the view.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "kgw_sim_rest.hpp"
#include "account_test_support.hpp"
#include "kgw/core/kraken/rest_service.hpp"
#include "kgw/core/kraken/ws_connection.hpp"
#include "kgw/sim/simulator.hpp"
#include "kgw_process.hpp"
#include "kgw_sim_admin.hpp"
#include "oms_sim_support.hpp"

namespace kgw::oms {
namespace {

using namespace std::chrono_literals;
using namespace test;
using kgw::test::wait_until;
using kraken::KrakenRestClient;

class PrivateSession final : public kraken::WsConnectionHandler {
 public:
  PrivateSession(AccountView& view, kraken::KrakenRestService& rest, asio::io_context& io) : view_(view), rest_(rest), io_(io) {}

  asio::awaitable<result<void>> before_connect() override {
    if (hold.load()) co_return Error(errc::connection_failed, "held by the test");
    auto t = co_await rest_.async_call<kraken::WebSocketsToken>([](KrakenRestClient& c) { return c.websockets_token(); });
    if (!t) co_return t.error();
    token_ = t->token;
    ++tokens;
    co_return result<void>{};
  }
  asio::awaitable<void> on_open(kraken::KrakenWsConnection& conn) override {
    conn_ = &conn;
    const auto subs = view_.subscription_requests(token_.reveal(), conn.next_req_id(), conn.next_req_id());
    conn.send(subs.executions);
    conn.send(subs.balances);
    co_return;
  }
  void on_frame(const net::WsMessage& m) override {
    auto r = view_.on_frame(simdjson::padded_string_view(m.data.data(), m.data.size(), m.data.size() + m.padding),
                            SystemClock::instance().wall_now());
    if (!r || r->resync) return conn_->replace("account stream gap");
    if (r->reconcile)
      asio::co_spawn(io_, view_.reconcile(rest_), [this](std::exception_ptr e, result<void> ok) {
        EXPECT_FALSE(e);
        (ok ? reconciled : failed).fetch_add(1);
      });
  }
  void on_tick() override { view_.on_tick(); }
  void on_close() override { view_.on_disconnected(); }

  std::atomic<bool> hold{false};
  std::atomic<int> tokens{0}, reconciled{0}, failed{0};

 private:
  AccountView& view_;
  kraken::KrakenRestService& rest_;
  asio::io_context& io_;
  kraken::KrakenWsConnection* conn_ = nullptr;
  Secret token_;
};

class AccountE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::SimulatorOptions o;
    o.synthetic_flow = false;
    o.tier = kraken::Tier::pro;
    sim_ = std::make_unique<sim::Simulator>(o);
    auto ep = sim_->start();
    ASSERT_TRUE(ep) << ep.error().message();
    ep_ = *ep;
    auto rest = kraken::KrakenRestService::start(sim::sim_rest_options(ep_), SystemClock::instance());
    ASSERT_TRUE(rest) << rest.error().message();
    rest_ = std::move(*rest);
    view_ = std::make_unique<AccountView>(io_.get_executor(), catalogue(), SystemClock::instance());
    events_ = view_->subscribe(std::nullopt, 1 << 14);
    session_ = std::make_unique<PrivateSession>(*view_, *rest_, io_);
    kraken::WsConnectionOptions c;
    c.url = ep_.ws_private;
    c.reconnect_min = 20ms;
    c.reconnect_max = 100ms;
    c.tick = 20ms;
    c.budget = &budget_;
    c.ws.close_timeout = 200ms;
    c.name = "oms";
    conn_ = std::make_unique<kraken::KrakenWsConnection>(io_.get_executor(), c, SystemClock::instance(), stats_, 5);
    asio::co_spawn(io_, conn_->run(*session_), [](std::exception_ptr e) { EXPECT_FALSE(e); });
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (conn_) conn_->stop_from_any_thread();
    if (thread_.joinable()) thread_.join();
    if (sim_) sim_->stop();
  }

  bool fresh_and_reconciled() const {
    const auto s = view_->snapshot();
    return s->fresh() && s->freshness.reconciled;
  }
  std::string place(const char* side, const char* volume, const char* price, const char* cl_ord_id) {
    kraken::OrderRequest o;
    o.pair = "XBTUSD";
    o.side = std::string_view(side) == "buy" ? kraken::Side::buy : kraken::Side::sell;
    o.type = kraken::OrderType::limit;
    o.volume = volume;
    o.price = price;
    o.cl_ord_id = cl_ord_id;
    auto r = rest_->call<kraken::AddOrderResponse>([o](KrakenRestClient& c) { return c.add_order(o); });
    EXPECT_TRUE(r) << r.error().message();
    return r && !r->txid.empty() ? r->txid[0] : std::string();
  }
  // Everything queued for the test's subscription so far (the test thread is its consumer).
  void collect() {
    while (auto e = events_->next()) seen_.push_back(std::move(*e));
  }
  int fills_of(const std::string& order_id) {
    collect();
    int n = 0;
    for (const auto& e : seen_)
      if (e.kind == EventKind::fill && e.fill->order_id == order_id) ++n;
    return n;
  }

  std::unique_ptr<sim::Simulator> sim_;
  sim::SimulatorEndpoints ep_;
  std::unique_ptr<kraken::KrakenRestService> rest_;
  asio::io_context io_;
  std::unique_ptr<AccountView> view_;
  std::shared_ptr<AccountSubscription> events_;
  std::vector<AccountEvent> seen_;
  std::unique_ptr<PrivateSession> session_;
  kraken::ConnectBudget budget_;
  kraken::WsConnectionStats stats_;
  std::unique_ptr<kraken::KrakenWsConnection> conn_;
  std::thread thread_;
};

TEST_F(AccountE2E, OrdersPlacedOverRestAppearAndTheCachesEqualTheSimulatorsAnswers) {
  ASSERT_TRUE(wait_until([&] { return fresh_and_reconciled(); }));
  const std::string a = place("buy", "0.01", "30000.0", "e2e-a");
  const std::string b = place("sell", "0.02", "90000.0", "e2e-b");
  ASSERT_TRUE(wait_until([&] { return view_->snapshot()->open_orders->size() == 2; }));
  const auto s = view_->snapshot();
  EXPECT_EQ(s->open_orders->find_by_cl_ord_id("e2e-a")->order_id, a);
  EXPECT_EQ(s->open_orders->find(b)->symbol, "BTC/USD");
  EXPECT_EQ(s->open_orders->find(b)->stamp.source, Source::ws_update);
  expect_caches_equal_rest(*view_->snapshot(), *rest_);
  EXPECT_EQ(session_->tokens.load(), 1);
}

TEST_F(AccountE2E, AFillWhileDisconnectedIsEmittedExactlyOnceAfterTheReconnect) {
  ASSERT_TRUE(wait_until([&] { return fresh_and_reconciled(); }));
  const std::string mine = place("buy", "0.01", "30000.0", "fill-me");
  ASSERT_TRUE(wait_until([&] { return view_->snapshot()->open_orders->find(mine) != nullptr; }));
  const EventCursor before = view_->snapshot()->cursor;

  session_->hold = true;  // no reconnect until the fill is done
  EXPECT_EQ(kgw::test::sim_admin_post(ep_.admin, "/ws/drop"), 200u);
  ASSERT_TRUE(wait_until([&] { return !view_->snapshot()->freshness.connected; }));
  // Another account crosses the resting order while the view is not looking.
  const bool filled = sim_->call([](sim::Exchange& ex) {
    const sim::AccountId mm = ex.add_account("mm", "MMKEY", Secret("c2VjcmV0"));
    if (!ex.deposit(mm, "XXBT", "1")) return false;
    sim::AddOrderRequest r;
    r.pair = "XBTUSD";
    r.side = kraken::Side::sell;
    r.volume = "0.01";
    r.price = "30000.0";
    return bool(ex.add_order(mm, r));
  });
  ASSERT_TRUE(filled);
  EXPECT_EQ(fills_of(mine), 0);
  session_->hold = false;

  ASSERT_TRUE(wait_until([&] { return session_->reconciled.load() == 2 && fresh_and_reconciled(); }));
  ASSERT_TRUE(wait_until([&] { return fills_of(mine) >= 1; }));
  const auto s = view_->snapshot();
  const auto order = s->order(mine);
  ASSERT_TRUE(order);
  EXPECT_EQ(order->status.value, kraken::WsOrderStatus::filled);
  EXPECT_EQ(order->cum_qty, dec("0.01"));
  EXPECT_FALSE(s->open_orders->find(mine));
  EXPECT_EQ(s->cursor.epoch, before.epoch);  // reconciled: continuity kept
  EXPECT_EQ(fills_of(mine), 1);
  EXPECT_GE(view_->stats().duplicate_fills.load(), 1u);  // REST's TradesHistory had it too
  expect_caches_equal_rest(*view_->snapshot(), *rest_);
  EXPECT_EQ(session_->tokens.load(), 2);  // a fresh token for the new connection
  EXPECT_EQ(session_->failed.load(), 0);
  EXPECT_FALSE(events_->overflowed());
}

}  // namespace
}  // namespace kgw::oms
