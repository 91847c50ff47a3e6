// The order manager against kraken-sim on loopback: orders over the private WebSocket with REST
// fallback, exactly-once retries by cl_ord_id, ambiguous outcomes (a dropped ack, a dropped REST
// answer, a stalled connection) resolved before anything is sent again, the kill switch (also
// across a restart) and the dead-man switch.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "oms_sim_support.hpp"

namespace kgw::oms {
namespace {

using kraken::OrderRequest;
using namespace std::chrono_literals;
using kgw::test::wait_until;
using test::expect_caches_equal_rest;

class OrderManagerE2E : public test::OmsSimTest {};

TEST_F(OrderManagerE2E, AnOrderGoesOverTheWebSocketAndARetryGetsItBack) {
  start(options());
  OrderRequest o = limit("buy", "0.01", "30000.0");
  o.cl_ord_id = "ws-once";
  auto placed = place(o);
  ASSERT_TRUE(placed) << placed.error().message();
  EXPECT_EQ(placed->path, EntryPath::ws);
  ASSERT_EQ(placed->order_ids.size(), 1u);
  EXPECT_TRUE(placed->time_in && placed->time_out);  // Kraken's, on the WS path
  EXPECT_GT(placed->upstream.count(), 0);
  EXPECT_FALSE(placed->existing);
  // A retry (the client timed out, say) sends nothing and returns the same order.
  auto again = place(o);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_TRUE(again->existing);
  EXPECT_EQ(again->upstream.count(), 0);  // nothing was sent
  EXPECT_EQ(again->order_ids, placed->order_ids);
  EXPECT_EQ(orders_with("ws-once"), 1u);
}

TEST_F(OrderManagerE2E, AnOrderWithoutClOrdIdGetsOneAndADeadline) {
  start(options());
  auto placed = place(limit("buy", "0.01", "30000.0"));
  ASSERT_TRUE(placed) << placed.error().message();
  ASSERT_EQ(placed->cl_ord_id.size(), 36u);
  EXPECT_EQ(orders_with(placed->cl_ord_id), 1u);
}

TEST_F(OrderManagerE2E, WithoutAPrivateSessionOrdersGoOverRestAndSaySo) {
  auto o = options();
  o.ws_private_url = "ws://127.0.0.1:1/v2";  // nothing listens: the session never comes up
  start(o, false);
  auto placed = place(limit("buy", "0.01", "30000.0"));
  ASSERT_TRUE(placed) << placed.error().message();
  EXPECT_EQ(placed->path, EntryPath::rest);
  EXPECT_FALSE(placed->descr_order.empty());
  auto ws_only = place(limit("buy", "0.01", "30000.0"), Route::ws_only);
  ASSERT_FALSE(ws_only);
  EXPECT_TRUE(ws_only.error().is(errc::connection_failed)) << ws_only.error().message();
  EXPECT_EQ(open_orders(), 1u);
}

TEST_F(OrderManagerE2E, WhatWsV2CannotSayGoesOverRestEvenWithTheSessionUp) {
  start(options());
  OrderRequest margin = limit("sell", "0.01", "70000.0");
  margin.leverage = "2";  // WS v2 has margin only at the pair's maximum
  auto placed = place(margin);
  ASSERT_TRUE(placed) << placed.error().message();
  EXPECT_EQ(placed->path, EntryPath::rest);
  auto rest = place(limit("buy", "0.01", "30000.0"), Route::rest_only);
  ASSERT_TRUE(rest) << rest.error().message();
  EXPECT_EQ(rest->path, EntryPath::rest);
}

TEST_F(OrderManagerE2E, KrakensRefusalComesBackVerbatimAndTheClOrdIdMayBeUsedAgain) {
  start(options());
  OrderRequest huge = limit("buy", "1000", "60000.0");  // far more than the demo account holds
  huge.cl_ord_id = "too-big";
  auto r = place(huge);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::exchange_error)) << r.error().message();
  ASSERT_TRUE(r.error().kraken);
  EXPECT_EQ(r.error().kraken->errors.at(0), "EOrder:Insufficient funds");
  huge.volume = "0.01";
  huge.price = "30000.0";
  auto retry = place(huge);  // rejected: known not to exist, so it may go again
  ASSERT_TRUE(retry) << retry.error().message();
  EXPECT_FALSE(retry->existing);
}

TEST_F(OrderManagerE2E, ADroppedAckIsAnsweredFromTheExecutionsStreamAndNothingIsSentTwice) {
  start(options());
  ASSERT_TRUE(wait_until([&] { return om_->account() && om_->account()->fresh(); }));
  EXPECT_EQ(admin("/ws/drop_response?count=1"), 200u);
  OrderRequest o = limit("buy", "0.01", "30000.0");
  o.cl_ord_id = "lost-ack";
  // No ack comes, but the executions stream shows the order before the answer's timeout: the
  // caller gets the order, not an unknown outcome.
  auto first = place(o);
  ASSERT_TRUE(first) << first.error().message();
  ASSERT_EQ(first->order_ids.size(), 1u);
  EXPECT_FALSE(first->existing);
  auto retry = place(o);
  ASSERT_TRUE(retry) << retry.error().message();
  EXPECT_TRUE(retry->existing);
  EXPECT_EQ(retry->order_ids, first->order_ids);
  EXPECT_EQ(orders_with("lost-ack"), 1u);
  EXPECT_EQ(fired("ws_drop_response"), 1u);
}

TEST_F(OrderManagerE2E, WithoutTheStreamsALostAnswerIsLookedUpOnceKrakensDeadlinePassed) {
  auto o = options();
  o.ws_private_url = "ws://127.0.0.1:1/v2";  // no private session: no executions either
  start(o, false);
  EXPECT_EQ(admin("/rest/drop_response?count=1"), 200u);
  OrderRequest order = limit("buy", "0.01", "30000.0");
  order.cl_ord_id = "lost-rest";
  auto first = place(order);
  ASSERT_FALSE(first);
  EXPECT_TRUE(first.error().is(errc::unknown_outcome)) << first.error().message();
  EXPECT_EQ(first.error().cl_ord_ids, std::vector<std::string>{"lost-rest"});
  // A retry at once: still unknown, and nothing is sent.
  auto retry = place(order);
  ASSERT_FALSE(retry);
  EXPECT_TRUE(retry.error().is(errc::unknown_outcome));
  EXPECT_EQ(orders_with("lost-rest"), 1u);
  // After Kraken's deadline for it (1 s here), OpenOrders finds it: a retry gets the order.
  ASSERT_TRUE(wait_until([&] {
    auto r = place(order);
    return r && r->existing && r->order_ids.size() == 1;
  }, 10s));
  EXPECT_EQ(orders_with("lost-rest"), 1u);
  EXPECT_GE(om_->entry_stats()->resolved_placed.load(), 1u);
}

TEST_F(OrderManagerE2E, TheAccountViewFollowsTheOrdersItPlaces) {
  start(options());
  ASSERT_TRUE(wait_until([&] { return om_->account() && om_->account()->fresh(); }));
  OrderRequest order = limit("buy", "0.01", "30000.0");
  order.cl_ord_id = "followed";
  auto placed = place(order);
  ASSERT_TRUE(placed) << placed.error().message();
  ASSERT_TRUE(wait_until([&] { return om_->account()->order_by_cl_ord_id("followed") != nullptr; }));
  EXPECT_EQ(om_->account()->order_by_cl_ord_id("followed")->order_id, placed->order_ids.at(0));
  kraken::CancelRequest c;
  c.cl_ord_ids = {"followed"};
  ASSERT_TRUE(ack([&](auto d) { om_->cancel(c, Route::automatic, d); }));
  ASSERT_TRUE(wait_until([&] {
    auto o = om_->account()->order_by_cl_ord_id("followed");
    return o && o->is_closed();
  }));
  // A retry of the cancelled order's placement returns it; nothing is sent.
  auto again = place(order);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_TRUE(again->existing);
  EXPECT_EQ(orders_with("followed"), 1u);
}

TEST_F(OrderManagerE2E, AnOrderThatNeverReachedKrakenIsFoundAbsentAndMayBeSentAgain) {
  start(options());
  // A stalled connection: the request is queued but the simulator never reads it.
  EXPECT_EQ(admin("/ws/stall?on=true"), 200u);
  OrderRequest o = limit("buy", "0.01", "30000.0");
  o.cl_ord_id = "never-sent";
  auto first = place(o);
  ASSERT_FALSE(first);
  EXPECT_TRUE(first.error().is(errc::unknown_outcome)) << first.error().message();
  EXPECT_EQ(admin("/ws/drop"), 200u);  // it never reaches the engine
  // Once the deadline passed and the lists do not show it, a retry is sent for real.
  ASSERT_TRUE(wait_until([&] {
    auto r = place(o, Route::rest_only);
    return r && !r->existing;
  }, 10s));
  EXPECT_EQ(orders_with("never-sent"), 1u);
}

TEST_F(OrderManagerE2E, AmendEditCancelAndBatchesWorkOnBothPaths) {
  start(options());
  for (Route route : {Route::ws_only, Route::rest_only}) {
    const std::string tag = route == Route::ws_only ? "ws" : "rest";
    OrderRequest o = limit("buy", "0.01", "30000.0");
    o.cl_ord_id = "amend-" + tag;
    auto placed = place(o, route);
    ASSERT_TRUE(placed) << tag << ": " << placed.error().message();
    kraken::AmendRequest a;
    a.cl_ord_id = o.cl_ord_id;
    a.order_qty = "0.01";  // WS v2 requires it
    a.limit_price = "30100.0";
    auto amended = ack([&](auto d) { om_->amend(a, route, d); });
    ASSERT_TRUE(amended) << tag << ": " << amended.error().message();
    EXPECT_FALSE(amended->amend_id.empty());
    kraken::EditRequest e;
    e.txid = placed->order_ids.at(0);
    e.pair = "XBTUSD";
    e.volume = "0.02";
    auto edited = ack([&](auto d) { om_->edit(e, route, d); });
    ASSERT_TRUE(edited) << tag << ": " << edited.error().message();
    EXPECT_FALSE(edited->order_id.empty());
    std::vector<OrderRequest> batch{limit("buy", "0.01", "29000.0"), limit("buy", "0.01", "29100.0")};
    auto b = om_->wait<BatchResult>([&](auto d) { om_->batch_add("BTC/USD", batch, false, std::nullopt, route, d); });
    ASSERT_TRUE(b) << tag << ": " << b.error().message();
    ASSERT_EQ(b->orders.size(), 2u);
    kraken::CancelRequest two;
    two.txids = {b->orders[0].order_id, b->orders[1].order_id};
    auto cancelled = ack([&](auto d) { om_->cancel(two, route, d); });
    ASSERT_TRUE(cancelled) << tag << ": " << cancelled.error().message();
    EXPECT_EQ(cancelled->count, 2);
    kraken::CancelRequest one;
    one.txids = {edited->order_id};
    auto c1 = ack([&](auto d) { om_->cancel(one, route, d); });
    ASSERT_TRUE(c1) << tag << ": " << c1.error().message();
    EXPECT_EQ(c1->path, route == Route::ws_only ? EntryPath::ws : EntryPath::rest);
  }
  EXPECT_EQ(open_orders(), 0u);
}

// The first line of /proc/self/task/*/status naming `key` for the thread called `name`.
std::string thread_status(const std::string& name, const std::string& key) {
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string n;
    if (!std::getline(comm, n) || n != name) continue;
    std::ifstream status(task.path() / "status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind(key + ":", 0) == 0) return line.substr(line.find_first_not_of(" \t", key.size() + 1));
  }
  return {};
}

// The first CPU this process may run on.
int first_allowed_cpu() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return 0;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) return c;
  return 0;
}

TEST_F(OrderManagerE2E, BusyPollingOnAPinnedCpuPlacesAndCancelsOrdersAndStillStops) {
  auto o = options();
  o.busy_poll = true;
  o.cpu = first_allowed_cpu();
  start(o);
  // The oms thread is where it was put, and spins (running, never asleep) with nothing to do.
  EXPECT_EQ(thread_status("kgw-oms", "Cpus_allowed_list"), std::to_string(o.cpu));
  EXPECT_EQ(thread_status("kgw-oms", "State").substr(0, 1), "R");
  for (Route route : {Route::ws_only, Route::rest_only}) {
    auto placed = place(limit("buy", "0.01", "30000.0"), route);
    ASSERT_TRUE(placed) << placed.error().message();
    EXPECT_EQ(placed->path, route == Route::ws_only ? EntryPath::ws : EntryPath::rest);
    kraken::CancelRequest c;
    c.txids = {placed->order_ids.at(0)};
    auto cancelled = cancel(c, route);
    ASSERT_TRUE(cancelled) << cancelled.error().message();
  }
  EXPECT_EQ(open_orders(), 0u);
  om_->stop();
  EXPECT_FALSE(om_->private_session_up());
  EXPECT_EQ(thread_status("kgw-oms", "State"), "");  // the thread is gone
  // Stopped, it refuses orders as an order manager that never ran does.
  auto after = place(limit("buy", "0.01", "30000.0"));
  ASSERT_FALSE(after);
  EXPECT_TRUE(after.error().is(errc::connection_failed)) << after.error().message();
}

TEST_F(OrderManagerE2E, ACpuThisProcessMayNotRunOnIsRefusedAtStart) {
  auto o = options();
  o.cpu = CPU_SETSIZE - 1;
  OrderManager om(o, *rest_, registry_, SystemClock::instance());
  auto started = om.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().detail, fmt::format("cpu: CPU {} is not one this process may run on", CPU_SETSIZE - 1));
  o.cpu = -2;
  OrderManager om2(o, *rest_, registry_, SystemClock::instance());
  EXPECT_EQ(om2.start().error().detail, fmt::format("cpu: -1 (not pinned) or 0 to {}", CPU_SETSIZE - 1));
}

TEST_F(OrderManagerE2E, PreTradeChecksRefuseBeforeAnythingIsSent) {
  auto o = options();
  o.entry.limits.max_notional = Decimal::parse("500").value();
  start(o);
  auto big = place(limit("buy", "0.01", "60000.0"));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().detail, "max_notional: 600 USD is above the limit of 500");
  auto off_grid = place(limit("buy", "0.01", "30000.05"));
  ASSERT_FALSE(off_grid);
  EXPECT_EQ(off_grid.error().detail, "price: 30000.05 has more decimals than BTC/USD's 1");
  EXPECT_EQ(open_orders(), 0u);
}

TEST_F(OrderManagerE2E, TheKillSwitchCancelsEverythingBlocksNewOrdersAndSurvivesARestart) {
  start(options());
  ASSERT_TRUE(place(limit("buy", "0.01", "30000.0")));
  ASSERT_TRUE(place(limit("buy", "0.01", "30100.0")));
  auto engaged = ack([&](auto d) { om_->engage_kill_switch("test: runaway strategy", d); });
  ASSERT_TRUE(engaged) << engaged.error().message();
  EXPECT_EQ(open_orders(), 0u);
  auto refused = place(limit("buy", "0.01", "30000.0"));
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().is(errc::blocked)) << refused.error().message();
  // A restart keeps it engaged.
  om_.reset();
  start(options());
  EXPECT_TRUE(om_->kill_switch().engaged);
  EXPECT_EQ(om_->kill_switch().reason, "test: runaway strategy");
  EXPECT_FALSE(place(limit("buy", "0.01", "30000.0")));
  ASSERT_TRUE(om_->disengage_kill_switch());
  EXPECT_TRUE(place(limit("buy", "0.01", "30000.0")));
  om_.reset();
  start(options());
  EXPECT_FALSE(om_->kill_switch().engaged);
}

TEST_F(OrderManagerE2E, TheKillSwitchCanKeepOpenOrdersWhileItRefusesNewOnes) {
  start(options());
  ASSERT_TRUE(place(limit("buy", "0.01", "30000.0")));
  auto engaged = ack([&](auto d) { om_->engage_kill_switch("test: pause", d, false); });
  ASSERT_TRUE(engaged) << engaged.error().message();
  EXPECT_EQ(engaged->count, 0);
  EXPECT_EQ(open_orders(), 1u);
  auto refused = place(limit("buy", "0.01", "30000.0"));
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().is(errc::blocked));
  ASSERT_TRUE(om_->disengage_kill_switch());
}

TEST_F(OrderManagerE2E, TheDeadManSwitchIsArmedWhileAClientIsAttachedAndDisarmedAtShutdown) {
  auto o = options();
  o.dead_man.enabled = true;
  o.dead_man.refresh = 1s;
  o.dead_man.timeout_s = 60;
  start(o);
  EXPECT_FALSE(om_->dead_man().armed);  // nobody trading yet
  om_->attach_trading_client();
  ASSERT_TRUE(wait_until([&] { return om_->dead_man().armed; }));
  EXPECT_FALSE(om_->dead_man().trigger_time.empty());
  om_->detach_trading_client();
  ASSERT_TRUE(wait_until([&] { return !om_->dead_man().armed; }));
  om_->attach_trading_client();
  ASSERT_TRUE(wait_until([&] { return om_->dead_man().armed; }));
  ASSERT_TRUE(place(limit("buy", "0.01", "30000.0")));
  om_->stop();  // disarms: the order survives a clean shutdown
  EXPECT_EQ(open_orders(), 1u);
}

TEST_F(OrderManagerE2E, CancelOnlyAndMaintenanceAreHonouredFromTheStatusSource) {
  std::atomic<kraken::SystemStatus> status{kraken::SystemStatus::online};
  status_source_ = [&status] { return status.load(); };
  start(options());
  auto placed = place(limit("buy", "0.01", "30000.0"));
  ASSERT_TRUE(placed);
  status = kraken::SystemStatus::cancel_only;
  auto refused = place(limit("buy", "0.01", "30000.0"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().detail, "system status: cancel_only accepts only cancels");
  kraken::CancelRequest c;
  c.txids = placed->order_ids;
  EXPECT_TRUE(ack([&](auto d) { om_->cancel(c, Route::automatic, d); }));
}

}  // namespace
}  // namespace kgw::oms
