// The order manager against kraken-sim's faults (README "Admin API"), one at a time: a connection
// dropped while an order is in flight, a REST answer dropped after the order was applied, a
// token invalidated, a server restart, the simulator in cancel_only, and fills made while the
// private connection was held still. Each case ends on the simulator's truth: no order twice,
// every fill once, the caches equal to what Kraken's REST says.

#include <gtest/gtest.h>
#include <fmt/format.h>

#include <future>
#include <map>
#include <thread>

#include "oms_sim_support.hpp"

namespace kgw::oms {
namespace {

using namespace std::chrono_literals;
using kgw::test::wait_until;
using test::expect_caches_equal_rest;
using kraken::OrderRequest;

class OrderManagerFaults : public test::OmsFaultSimTest {
 protected:
  void start_settled(OrderManagerOptions o) {
    start(std::move(o));
    ASSERT_TRUE(wait_until([&] { return settled(); }));
    events_ = om_->subscribe_account(std::nullopt, 1 << 14);
  }
  // The fill events of `order_id` the test's subscription received so far.
  int fill_events(const std::string& order_id) {
    while (auto e = events_->next()) seen_.push_back(std::move(*e));
    int n = 0;
    for (const auto& e : seen_)
      if (e.kind == EventKind::fill && e.fill->order_id == order_id) ++n;
    return n;
  }
  std::uint64_t connects() const { return om_->connection_stats().connects.load(); }
  // The session came back after a fault that ended it (a newer connection than `before`), with
  // its snapshots in and reconciled.
  bool back_after(std::uint64_t before) { return connects() > before && settled(); }
  std::string placed_id(const OrderRequest& o, Route route = Route::automatic) {
    auto r = place(o, route);
    EXPECT_TRUE(r) << r.error().message();
    return r && !r->order_ids.empty() ? r->order_ids[0] : std::string();
  }

  std::shared_ptr<AccountSubscription> events_;
  std::vector<AccountEvent> seen_;
};

TEST_F(OrderManagerFaults, AnOrderInFlightWhenTheConnectionDropsIsPlacedOnceOrKnownAbsent) {
  start_settled(options());
  std::map<std::string, int> outcomes;
  // The drop (an admin request on a thread of its own) and the order race: the order leaves 0 to
  // 1.6 ms after the drop was asked for, so the drop lands after its answer, while it is in
  // flight, or before it is sent (then it goes over REST).
  for (int i = 0; i < 17; ++i) {
    ASSERT_TRUE(wait_until([&] { return om_->private_session_up(); })) << i;
    OrderRequest o = limit("buy", "0.01", "30000.0");
    o.cl_ord_id = fmt::format("mid-drop-{}", i);
    std::promise<result<PlacedOrder>> answer;
    std::thread drop([&] { EXPECT_EQ(admin("/ws/drop"), 200u); });
    const auto leave = std::chrono::steady_clock::now() + std::chrono::microseconds(100 * i);
    while (std::chrono::steady_clock::now() < leave) {
    }
    om_->place(o, Route::automatic, [&answer](result<PlacedOrder> r) { answer.set_value(std::move(r)); });
    drop.join();
    const auto first = answer.get_future().get();
    if (first) {
      ++outcomes[first->path == EntryPath::ws ? "placed over ws" : "placed over rest"];
      EXPECT_EQ(orders_with(*o.cl_ord_id), 1u);
    } else {
      ++outcomes["unknown"];
      EXPECT_TRUE(first.error().is(errc::unknown_outcome)) << first.error().message();
    }
    // Whatever the first answer, a retry ends with exactly one order: the one placed, found, or
    // sent again once it was known absent.
    ASSERT_TRUE(wait_until([&] { return bool(place(o)); }, 15s)) << *o.cl_ord_id;
    EXPECT_EQ(orders_with(*o.cl_ord_id), 1u) << *o.cl_ord_id;
  }
  for (const auto& [what, n] : outcomes) std::printf("first answer %s: %d\n", what.c_str(), n);
  ASSERT_TRUE(wait_until([&] { return settled() && om_->account()->open_orders->size() == open_orders(); }));
  expect_caches_equal_rest(*om_->account(), *rest_);
}

TEST_F(OrderManagerFaults, ARestAnswerDroppedAfterTheOrderWasAppliedIsResolvedFromTheExecutionsStream) {
  auto o = options();
  o.entry.default_deadline = 20s;  // no REST lookup within the test: only the stream can resolve it
  start_settled(o);
  EXPECT_EQ(admin("/rest/drop_response?count=1"), 200u);
  OrderRequest order = limit("buy", "0.01", "30000.0");
  order.cl_ord_id = "rest-dropped";
  auto first = place(order, Route::rest_only);
  if (!first) {
    EXPECT_TRUE(first.error().is(errc::unknown_outcome)) << first.error().message();
    EXPECT_EQ(first.error().cl_ord_ids, std::vector<std::string>{"rest-dropped"});
  }
  ASSERT_TRUE(wait_until([&] {
    auto r = place(order);
    return r && r->existing && r->order_ids.size() == 1;
  }));
  EXPECT_EQ(orders_with("rest-dropped"), 1u);
  EXPECT_EQ(fired("rest_drop_response"), 1u);
}

TEST_F(OrderManagerFaults, AfterTheTokensAreInvalidatedTheNextConnectFetchesAFreshOneAndOrdersKeepWorking) {
  start_settled(options());
  const auto before = connects();
  EXPECT_EQ(admin("/tokens/invalidate"), 200u);
  EXPECT_EQ(admin("/ws/drop"), 200u);
  ASSERT_TRUE(wait_until([&] { return back_after(before); }));
  OrderRequest o = limit("buy", "0.01", "30000.0");
  o.cl_ord_id = "fresh-token";
  auto placed = place(o, Route::ws_only);
  ASSERT_TRUE(placed) << placed.error().message();
  EXPECT_EQ(placed->path, EntryPath::ws);
  EXPECT_EQ(orders_with("fresh-token"), 1u);
}

TEST_F(OrderManagerFaults, AnOrderRefusedForAnInvalidTokenGoesOverRestAndTheSessionRenewsItsToken) {
  start_settled(options());
  const auto before = connects();
  EXPECT_EQ(admin("/tokens/invalidate"), 200u);  // the connection stays up with a dead token
  OrderRequest o = limit("buy", "0.01", "30000.0");
  o.cl_ord_id = "dead-token";
  auto placed = place(o);
  ASSERT_TRUE(placed) << placed.error().message();
  EXPECT_EQ(placed->path, EntryPath::rest);
  // Kraken's refusal said the token is dead: the session is replaced, with a fresh one.
  ASSERT_TRUE(wait_until([&] { return back_after(before); }));
  o.cl_ord_id = "live-token";
  auto again = place(o, Route::ws_only);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(orders_with("dead-token"), 1u);
  EXPECT_EQ(orders_with("live-token"), 1u);
}

TEST_F(OrderManagerFaults, AfterAServerRestartTheSessionResubscribesReconcilesAndTheCachesEqualTheSimulator) {
  start_settled(options());
  const std::string a = placed_id([] {
    auto o = limit("buy", "0.01", "30000.0");
    o.cl_ord_id = "restart-a";
    return o;
  }());
  ASSERT_FALSE(placed_id(limit("sell", "0.02", "90000.0")).empty());
  ASSERT_TRUE(counterparty_order("XBTUSD", kraken::Side::sell, "0.004", "30000.0", true));
  ASSERT_TRUE(wait_until([&] { return fill_events(a) == 1; }));
  const EventCursor cursor = om_->account()->cursor;
  const auto before = connects();

  EXPECT_EQ(admin("/restart"), 200u);
  // While the session comes back, the rest of the order is filled.
  ASSERT_TRUE(counterparty_order("XBTUSD", kraken::Side::sell, "0.006", "30000.0", true));
  ASSERT_TRUE(wait_until([&] { return back_after(before); }));
  ASSERT_TRUE(wait_until([&] { return fill_events(a) == 2; }));
  const auto s = om_->account();
  ASSERT_TRUE(s->order(a));
  EXPECT_EQ(s->order(a)->status.value, kraken::WsOrderStatus::filled);
  EXPECT_EQ(s->cursor.epoch, cursor.epoch);  // reconciled: continuity kept
  expect_caches_equal_rest(*s, *rest_);
  EXPECT_EQ(fired("restart"), 1u);
}

TEST_F(OrderManagerFaults, CancelOnlyAtTheSimulatorIsRefusedInKrakensWordsOnBothPathsAndCancelsStillWork) {
  start_settled(options());
  const std::string resting = placed_id(limit("buy", "0.01", "30000.0"));
  EXPECT_EQ(admin("/status?value=cancel_only"), 200u);
  for (Route route : {Route::ws_only, Route::rest_only}) {
    auto refused = place(limit("buy", "0.01", "30000.0"), route);
    ASSERT_FALSE(refused);
    EXPECT_TRUE(refused.error().is(errc::exchange_error)) << refused.error().message();
    ASSERT_TRUE(refused.error().kraken);
    EXPECT_EQ(refused.error().kraken->errors, std::vector<std::string>{"EService:Market in cancel_only mode"});
  }
  kraken::CancelRequest c;
  c.txids = {resting};
  auto cancelled = cancel(c, Route::ws_only);
  ASSERT_TRUE(cancelled) << cancelled.error().message();
  EXPECT_EQ(open_orders(), 0u);
  EXPECT_EQ(admin("/status?value=online"), 200u);
  EXPECT_TRUE(place(limit("buy", "0.01", "30000.0")));
}

TEST_F(OrderManagerFaults, CancelOnlyReadFromTheStatusSourceIsRefusedBeforeAnythingIsSentAndCancelsStillWork) {
  // The source asks the simulator itself, as the daemon's asks the feed's status channel.
  status_source_ = [this] { return sim_->call([](sim::Exchange& ex) { return ex.status(); }); };
  start_settled(options());
  const std::string resting = placed_id(limit("buy", "0.01", "30000.0"));
  EXPECT_EQ(admin("/status?value=cancel_only"), 200u);
  const auto requests = sim_->rest_requests();
  auto refused = place(limit("buy", "0.01", "30000.0"), Route::rest_only);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().detail, "system status: cancel_only accepts only cancels");
  EXPECT_EQ(sim_->rest_requests(), requests);  // nothing was sent
  kraken::CancelRequest c;
  c.txids = {resting};
  EXPECT_TRUE(cancel(c, Route::rest_only));
  EXPECT_EQ(open_orders(), 0u);
}

TEST_F(OrderManagerFaults, AFillMadeWhileTheConnectionWasStalledIsEmittedOnceAfterTheReconnect) {
  start_settled(options());
  const std::string mine = placed_id(limit("buy", "0.01", "30000.0"));
  ASSERT_TRUE(wait_until([&] { return om_->account()->open_orders->find(mine) != nullptr; }));
  const EventCursor cursor = om_->account()->cursor;
  const auto before = connects();

  EXPECT_EQ(admin("/ws/stall?on=true"), 200u);
  ASSERT_TRUE(counterparty_order("XBTUSD", kraken::Side::sell, "0.01", "30000.0", true));
  EXPECT_EQ(fill_events(mine), 0);
  EXPECT_EQ(admin("/ws/drop"), 200u);  // what the stalled connection held is lost with it

  ASSERT_TRUE(wait_until([&] { return back_after(before); }));
  ASSERT_TRUE(wait_until([&] { return fill_events(mine) >= 1; }));
  const auto s = om_->account();
  ASSERT_TRUE(s->order(mine));
  EXPECT_EQ(s->order(mine)->status.value, kraken::WsOrderStatus::filled);
  EXPECT_FALSE(s->open_orders->find(mine));
  EXPECT_EQ(s->cursor.epoch, cursor.epoch);
  EXPECT_EQ(fill_events(mine), 1);
  EXPECT_GE(om_->account_stats()->duplicate_fills.load(), 1u);  // the snapshot's trades and REST both had it
  expect_caches_equal_rest(*s, *rest_);
  EXPECT_FALSE(events_->overflowed());
}

}  // namespace
}  // namespace kgw::oms
