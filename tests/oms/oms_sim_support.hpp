#pragma once
// Test helpers for the order manager's suites against kraken-sim on loopback: the account view's
// caches compared with the simulator's REST answers, and OmsSimTest, a fixture that starts the
// simulator (no synthetic flow, pro tier), a REST service on its demo account and, on demand, an
// OrderManager with short timeouts, and reads the simulator's truth from its exchange thread
// (OmsFaultSimTest: the same with rate limits roomy enough for a reconnect every few ms).

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "kgw/oms/order_manager.hpp"
#include "kgw/sim/default_market.hpp"
#include "kgw/sim/simulator.hpp"
#include "kgw_process.hpp"
#include "kgw_sim_admin.hpp"
#include "kgw_sim_rest.hpp"

namespace kgw::oms::test {

using namespace std::chrono_literals;

// The caches of `s` against what Kraken's REST says now (OpenOrders, TradesHistory, Balance):
// the same open orders with the same filled and ordered quantities, limit and cl_ord_id; the same
// fills; the same balance of every asset (an asset REST does not list is zero in the cache).
inline void expect_caches_equal_rest(const AccountSnapshot& s, kraken::KrakenRestService& rest) {
  using kraken::KrakenRestClient;
  auto open = rest.call<kraken::OrdersPage>([](KrakenRestClient& c) { return c.open_orders(); });
  ASSERT_TRUE(open) << open.error().message();
  EXPECT_EQ(s.open_orders->size(), open->orders.size());
  for (const auto& o : open->orders) {
    const auto mine = s.open_orders->find(o.txid);
    ASSERT_TRUE(mine) << "open at Kraken, not in the cache: " << o.txid;
    EXPECT_EQ(mine->cum_qty, o.vol_exec) << o.txid;
    EXPECT_EQ(mine->order_qty, o.vol) << o.txid;
    EXPECT_EQ(mine->cl_ord_id, o.cl_ord_id.value_or("")) << o.txid;
    if (auto px = Decimal::parse(o.descr.price); px && !px->is_zero()) {
      EXPECT_EQ(mine->limit_price, *px) << o.txid;
    }
  }
  kraken::HistoryQuery q;
  auto trades = rest.call<std::vector<kraken::TradeInfo>>([q](KrakenRestClient& c) { return c.all_trades_history(q); });
  ASSERT_TRUE(trades) << trades.error().message();
  EXPECT_EQ(s.fills->size(), trades->size());
  for (const auto& t : *trades) {
    const auto f = s.fill(t.txid);
    ASSERT_TRUE(f) << "a fill at Kraken, not in the cache: " << t.txid;
    EXPECT_EQ(f->order_id, t.ordertxid);
    EXPECT_EQ(f->qty, t.vol);
    EXPECT_EQ(f->price, t.price);
  }
  auto balances = rest.call<std::vector<kraken::AssetBalance>>([](KrakenRestClient& c) { return c.balance(); });
  ASSERT_TRUE(balances) << balances.error().message();
  std::map<std::string, Decimal> listed;
  for (const auto& b : *balances) {
    const auto mine = s.balance(b.asset);
    if (mine) listed[mine->code] = b.balance;
    if (b.balance.is_zero() && !mine) continue;
    ASSERT_TRUE(mine) << b.asset;
    EXPECT_EQ(mine->total, b.balance) << b.asset;
  }
  for (const auto& b : s.balances->all()) {
    if (!listed.count(b->code)) {
      EXPECT_TRUE(b->total.is_zero()) << b->code << " is not at Kraken, but " << b->total.to_string();
    }
  }
}

class OmsSimTest : public ::testing::Test {
 protected:
  void SetUp() override { start_simulator(sim_options()); }
  void TearDown() override {
    om_.reset();
    rest_.reset();
    if (sim_) sim_->stop();
    if (!state_dir_.empty()) std::filesystem::remove_all(state_dir_);
  }

  virtual sim::SimulatorOptions sim_options() {
    sim::SimulatorOptions so;
    so.synthetic_flow = false;
    so.seed = 3;
    so.tier = kraken::Tier::pro;
    return so;
  }
  void start_simulator(sim::SimulatorOptions so) {
    sim_ = std::make_unique<sim::Simulator>(so);
    auto ep = sim_->start();
    ASSERT_TRUE(ep) << ep.error().message();
    ep_ = *ep;
    ASSERT_TRUE(registry_.load(sim::default_assets(), sim::default_instruments()));
    auto ro = sim::sim_rest_options(ep_, so.tier);
    if (so.limits) ro.governor.limits = so.limits;
    auto rest = kraken::KrakenRestService::start(std::move(ro), SystemClock::instance());
    ASSERT_TRUE(rest) << rest.error().message();
    rest_ = std::move(*rest);
    rest_->set_registry(&registry_);
    state_dir_ = ::testing::TempDir() + "kgw_oms_state_" + std::to_string(::getpid());
    std::filesystem::remove_all(state_dir_);
  }

  OrderManagerOptions options() {
    OrderManagerOptions o;
    o.ws_private_url = ep_.ws_private;
    o.reconnect_min = 20ms;
    o.reconnect_max = 200ms;
    o.ws.close_timeout = 200ms;
    o.connect_budget = &budget_;
    o.entry.reply_timeout = 400ms;
    o.entry.default_deadline = 1s;
    o.entry.lookup_grace = 300ms;
    o.state_dir = state_dir_;
    return o;
  }
  void start(OrderManagerOptions o, bool wait_for_session = true) {
    om_ = std::make_unique<OrderManager>(std::move(o), *rest_, registry_, SystemClock::instance());
    if (status_source_) om_->set_system_status_source(status_source_);
    ASSERT_TRUE(om_->start());
    if (wait_for_session) {
      ASSERT_TRUE(kgw::test::wait_until([&] { return om_->private_session_up(); }));
    }
  }
  // The session is up and the caches follow it, reconciled with REST since the last connect.
  bool settled() const {
    const auto s = om_->account();
    return om_->private_session_up() && s && s->fresh() && s->freshness.reconciled;
  }

  static kraken::OrderRequest limit(const char* side, const char* vol, const char* px, const char* pair = "XBTUSD") {
    kraken::OrderRequest o;
    o.pair = pair;  // any spelling: the order manager resolves it
    o.side = std::string_view(side) == "buy" ? kraken::Side::buy : kraken::Side::sell;
    o.type = kraken::OrderType::limit;
    o.volume = vol;
    o.price = px;
    return o;
  }
  result<PlacedOrder> place(kraken::OrderRequest o, Route route = Route::automatic) {
    return om_->wait<PlacedOrder>([&](auto done) { om_->place(std::move(o), route, std::move(done)); });
  }
  template <class F>
  result<EntryAck> ack(F f) {
    return om_->wait<EntryAck>(f);
  }
  result<EntryAck> cancel(kraken::CancelRequest c, Route route = Route::automatic) {
    return om_->wait<EntryAck>([&](auto done) { om_->cancel(std::move(c), route, std::move(done)); });
  }
  unsigned admin(const std::string& target) { return kgw::test::sim_admin_post(ep_.admin, target); }

  // The simulator's truth: the demo account's orders.
  sim::AccountId demo() {
    return sim_->call([this](sim::Exchange& ex) { return ex.account_by_key(ep_.api_key)->id; });
  }
  std::size_t open_orders() {
    return sim_->call([this](sim::Exchange& ex) { return ex.open_orders(ex.account_by_key(ep_.api_key)->id).size(); });
  }
  std::size_t orders_with(const std::string& cl_ord_id) {
    return sim_->call([&](sim::Exchange& ex) {
      const auto id = ex.account_by_key(ep_.api_key)->id;
      std::size_t n = 0;
      for (const auto* r : ex.open_orders(id)) n += r->cl_ord_id == cl_ord_id;
      for (const auto* r : ex.closed_orders(id)) n += r->cl_ord_id == cl_ord_id;
      return n;
    });
  }
  std::uint64_t fired(const std::string& fault) {
    return sim_->call([&](sim::Exchange&) {
      const auto& f = sim_->faults_unsafe().fired;
      auto it = f.find(fault);
      return it == f.end() ? std::uint64_t{0} : it->second;
    });
  }
  // A second account on the simulator, funded, that trades against the demo account.
  sim::AccountId counterparty() {
    return sim_->call([](sim::Exchange& ex) {
      if (const auto* a = ex.account_by_key("MMKEY")) return a->id;
      const sim::AccountId mm = ex.add_account("mm", "MMKEY", Secret("c2VjcmV0"));
      for (const auto& [asset, amount] : {std::pair{"XXBT", "100"}, {"XETH", "1000"}, {"ZUSD", "10000000"}})
        if (auto ok = ex.deposit(mm, asset, amount); !ok) ADD_FAILURE() << ok.error().message();
      return mm;
    });
  }
  // The counterparty's limit order (an IOC crosses a resting order of the demo account).
  bool counterparty_order(const char* pair, kraken::Side side, const char* vol, const char* px, bool ioc = false) {
    const sim::AccountId mm = counterparty();
    return sim_->call([&](sim::Exchange& ex) {
      sim::AddOrderRequest r;
      r.pair = pair;
      r.side = side;
      r.volume = vol;
      r.price = px;
      if (ioc) r.tif = kraken::TimeInForce::ioc;
      auto placed = ex.add_order(mm, r);
      if (!placed) ADD_FAILURE() << placed.error().message();
      return placed.has_value();
    });
  }

  std::unique_ptr<sim::Simulator> sim_;
  sim::SimulatorEndpoints ep_;
  InstrumentRegistry registry_;
  kraken::ConnectBudget budget_{10'000};
  std::unique_ptr<kraken::KrakenRestService> rest_;
  std::function<kraken::SystemStatus()> status_source_;
  std::unique_ptr<OrderManager> om_;
  std::string state_dir_;
};

// For suites that make the private session reconnect far more often than Kraken's REST counter
// allows (each reconnect reconciles: about 8 on it, which the pro tier decays at 1/s): a venue
// with room for that, so the faults, not the counter, set the pace.
class OmsFaultSimTest : public OmsSimTest {
 protected:
  sim::SimulatorOptions sim_options() override {
    auto so = OmsSimTest::sim_options();
    so.limits = kraken::TierLimits{1'000, 100, 10'000, 1'000, 1'000};
    return so;
  }
};

}  // namespace kgw::oms::test
