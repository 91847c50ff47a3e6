// Trading through gRPC against the embedded simulator's frozen market, each case checked against
// the simulator's own truth: orders placed (resting, filling, validate-only, with a given and a
// generated cl_ord_id, a duplicate answered with the existing order), amended, edited, cancelled
// one at a time, all at once and in batches; the dead-man switch a client arms; the kill switch;
// and bad input for every Trading RPC, refused naming the field with nothing sent.

#include <gtest/gtest.h>

#include <functional>

#include "gateway_test_support.hpp"

namespace kgw::test {
namespace {

using Stub = v1::Trading::Stub;

class TradingE2E : public SharedTradingTest<TradingE2E> {
 protected:
  void SetUp() override {
    SharedGatewayTest::SetUp();
    if (IsSkipped()) return;
    trading_ = gw_->trading();
    clean_slate();
  }

  // No open orders (the demo account's or the maker's) in the simulator or the cache, and the
  // kill switch disengaged: each case starts from the same account.
  void clean_slate() {
    auto gateway = gw_->gateway();
    auto k = call(*gateway, &v1::Gateway::Stub::GetKillSwitch, v1::GetKillSwitchRequest{});
    ASSERT_TRUE(k.ok()) << k.status.error_message();
    if (k.response.state().engaged()) {
      ASSERT_TRUE(call(*gateway, &v1::Gateway::Stub::DisengageKillSwitch, v1::DisengageKillSwitchRequest{}).ok());
    }
    sim_cancel_all(gw_->sim());
    ASSERT_TRUE(wait_until([&] { return cached_orders().size() == 0; })) << "the cache kept open orders";
  }

  Answer<v1::PlaceOrderResponse> place(const v1::PlaceOrderRequest& r) { return call(*trading_, &Stub::PlaceOrder, r); }

  std::vector<v1::Order> cached_orders() { return test::cached_orders(*trading_); }
  bool cached(const std::string& order_id) { return test::cached(*trading_, order_id); }
  std::string resting(const std::string& cl_ord_id, const std::string& price = "30000.0") {
    return test::resting(*trading_, cl_ord_id, price);
  }

  std::unique_ptr<Stub> trading_;
};

TEST_F(TradingE2E, ALimitOrderRestsInTheSimulatorWithTheClOrdIdGiven) {
  auto a = place(limit_order("gw-limit-1"));
  ASSERT_TRUE(a.ok()) << a.status.error_message();
  const auto& r = a.response;
  ASSERT_FALSE(r.order_id().empty());
  ASSERT_EQ(r.txids_size(), 1);
  EXPECT_EQ(r.txids(0), r.order_id());
  EXPECT_EQ(r.cl_ord_id(), "gw-limit-1");
  EXPECT_EQ(r.route(), v1::ROUTE_WS);  // AUTO with the private session up
  EXPECT_FALSE(r.validated_only());
  EXPECT_GT(r.exchange_receive_time_ns(), 0);
  EXPECT_GE(r.exchange_send_time_ns(), r.exchange_receive_time_ns());
  EXPECT_GT(r.round_trip_ns(), 0);
  const SimOrder o = sim_order(gw_->sim(), r.order_id());
  EXPECT_TRUE(o.open);
  EXPECT_EQ(o.cl_ord_id, "gw-limit-1");
  EXPECT_EQ(o.limit, "30000.0");
  EXPECT_EQ(o.volume, "0.01000000");
  EXPECT_EQ(sim_open_orders(gw_->sim()), 1u);
  EXPECT_TRUE(wait_until([&] { return cached(r.order_id()); }));
}

TEST_F(TradingE2E, AnOrderWithoutClOrdIdCarriesTheUuidTheGatewayGenerated) {
  auto a = place(limit_order());
  ASSERT_TRUE(a.ok()) << a.status.error_message();
  const std::string& cl = a.response.cl_ord_id();
  ASSERT_EQ(cl.size(), 36u) << cl;
  EXPECT_EQ(std::count(cl.begin(), cl.end(), '-'), 4) << cl;
  EXPECT_EQ(sim_order(gw_->sim(), a.response.order_id()).cl_ord_id, cl);
}

TEST_F(TradingE2E, AnOrderOverRestSaysSoAndCarriesKrakensDescription) {
  auto req = limit_order("gw-rest-1");
  req.set_route(v1::ROUTE_REST);
  auto a = place(req);
  ASSERT_TRUE(a.ok()) << a.status.error_message();
  EXPECT_EQ(a.response.route(), v1::ROUTE_REST);
  EXPECT_EQ(a.response.descr().order(), "buy 0.01000000 XBTUSD @ limit 30000.0");
  EXPECT_EQ(a.response.exchange_receive_time_ns(), 0);  // REST says no time_in
  EXPECT_TRUE(sim_order(gw_->sim(), a.response.order_id()).open);
}

TEST_F(TradingE2E, ADuplicateClOrdIdIsAnsweredWithTheExistingOrderAndNothingIsPlacedTwice) {
  auto first = place(limit_order("gw-dup-1"));
  ASSERT_TRUE(first.ok()) << first.status.error_message();
  EXPECT_FALSE(first.response.existing());
  const auto ever = sim_orders_ever(gw_->sim());
  for (v1::Route route : {v1::ROUTE_AUTO, v1::ROUTE_REST}) {
    auto req = limit_order("gw-dup-1");
    req.set_route(route);
    auto again = place(req);
    ASSERT_TRUE(again.ok()) << again.status.error_message();
    EXPECT_EQ(again.response.order_id(), first.response.order_id());
    EXPECT_EQ(again.response.cl_ord_id(), "gw-dup-1");
    EXPECT_TRUE(again.response.existing());
  }
  EXPECT_EQ(sim_orders_ever(gw_->sim()), ever);
  EXPECT_EQ(sim_orders_with(gw_->sim(), "gw-dup-1"), 1u);
}

TEST_F(TradingE2E, AMarketOrderFillsAgainstAnotherAccountsRestingOrder) {
  maker_order(gw_->sim(), kraken::Side::sell, "0.02", "62800.0");
  const auto trades = sim_trades(gw_->sim());
  v1::PlaceOrderRequest req;
  req.set_pair("BTC/USD");
  req.set_side(v1::SIDE_BUY);
  req.set_order_type(v1::ORDER_TYPE_MARKET);
  req.set_volume("0.02");
  req.set_cl_ord_id("gw-market-1");
  auto a = place(req);
  ASSERT_TRUE(a.ok()) << a.status.error_message();
  const SimOrder o = sim_order(gw_->sim(), a.response.order_id());
  EXPECT_FALSE(o.open);
  EXPECT_EQ(o.status, kraken::OrderStatus::closed);
  EXPECT_EQ(o.filled, "0.02000000");
  EXPECT_EQ(sim_trades(gw_->sim()), trades + 1);
}

TEST_F(TradingE2E, AValidateOnlyOrderIsCheckedByKrakenOnBothRoutesAndNotPlaced) {
  const auto ever = sim_orders_ever(gw_->sim());
  for (v1::Route route : {v1::ROUTE_WS, v1::ROUTE_REST}) {
    auto req = limit_order();
    req.set_validate(true);
    req.set_route(route);
    auto a = place(req);
    ASSERT_TRUE(a.ok()) << a.status.error_message();
    EXPECT_TRUE(a.response.validated_only());
    EXPECT_TRUE(a.response.order_id().empty());
    EXPECT_EQ(a.response.txids_size(), 0);
    EXPECT_EQ(a.response.route(), route);
  }
  EXPECT_EQ(sim_orders_ever(gw_->sim()), ever);
}

TEST_F(TradingE2E, AmendOrderChangesPriceAndQuantityAndKeepsTheOrderId) {
  const std::string id = resting("gw-amend-1");
  const auto ever = sim_orders_ever(gw_->sim());
  v1::AmendOrderRequest req;
  req.set_txid(id);
  req.set_limit_price("31000.0");
  req.set_order_qty("0.02");
  auto a = call(*trading_, &Stub::AmendOrder, req);
  ASSERT_TRUE(a.ok()) << a.status.error_message();
  EXPECT_FALSE(a.response.amend_id().empty());
  EXPECT_EQ(a.response.order_id(), id);
  EXPECT_EQ(a.response.cl_ord_id(), "gw-amend-1");
  EXPECT_EQ(a.response.route(), v1::ROUTE_WS);
  SimOrder o = sim_order(gw_->sim(), id);
  EXPECT_TRUE(o.open);
  EXPECT_EQ(o.limit, "31000.0");
  EXPECT_EQ(o.volume, "0.02000000");
  // By cl_ord_id, over REST: still the same order.
  v1::AmendOrderRequest by_cl;
  by_cl.set_cl_ord_id("gw-amend-1");
  by_cl.set_limit_price("32000.0");
  by_cl.set_route(v1::ROUTE_REST);
  auto b = call(*trading_, &Stub::AmendOrder, by_cl);
  ASSERT_TRUE(b.ok()) << b.status.error_message();
  EXPECT_EQ(b.response.route(), v1::ROUTE_REST);
  o = sim_order(gw_->sim(), id);
  EXPECT_EQ(o.limit, "32000.0");
  EXPECT_EQ(o.volume, "0.02000000");
  EXPECT_EQ(sim_open_orders(gw_->sim()), 1u);
  EXPECT_EQ(sim_orders_ever(gw_->sim()), ever);  // amended in place, not replaced
  // Kraken's amend history: the original, then each amend.
  v1::GetOrderAmendsRequest history;
  history.set_order_id(id);
  auto h = call(*trading_, &Stub::GetOrderAmends, history);
  ASSERT_TRUE(h.ok()) << h.status.error_message();
  ASSERT_EQ(h.response.amends_size(), 3) << h.response.ShortDebugString();
  EXPECT_EQ(h.response.count(), 3);
  EXPECT_EQ(h.response.amends(0).amend_type(), "original");
  EXPECT_EQ(h.response.amends(1).amend_type(), "user");
  EXPECT_EQ(h.response.amends(1).amend_id(), a.response.amend_id());
  EXPECT_EQ(h.response.amends(1).limit_price(), "31000.0");
  EXPECT_EQ(h.response.amends(2).amend_id(), b.response.amend_id());
  EXPECT_EQ(h.response.amends(2).limit_price(), "32000.0");
  EXPECT_EQ(h.response.meta().source(), v1::READ_SOURCE_REST);
}

TEST_F(TradingE2E, EditOrderReplacesTheOrderWithANewOne) {
  const std::string id = resting("gw-edit-1");
  v1::EditOrderRequest req;
  req.set_txid(id);
  req.set_pair("XBT/USD");
  req.set_price("30500.0");
  req.set_volume("0.03");
  auto a = call(*trading_, &Stub::EditOrder, req);
  ASSERT_TRUE(a.ok()) << a.status.error_message();
  EXPECT_EQ(a.response.status(), "ok");
  EXPECT_EQ(a.response.original_txid(), id);
  ASSERT_FALSE(a.response.txid().empty());
  EXPECT_NE(a.response.txid(), id);
  const SimOrder old_order = sim_order(gw_->sim(), id);
  EXPECT_FALSE(old_order.open);
  EXPECT_EQ(old_order.status, kraken::OrderStatus::canceled);
  const SimOrder replacement = sim_order(gw_->sim(), a.response.txid());
  EXPECT_TRUE(replacement.open);
  EXPECT_EQ(replacement.limit, "30500.0");
  EXPECT_EQ(replacement.volume, "0.03000000");
  EXPECT_EQ(sim_open_orders(gw_->sim()), 1u);
}

TEST_F(TradingE2E, CancelOrderByOrderIdAndByClOrdIdCancelsExactlyThatOrder) {
  const std::string a = resting("gw-cancel-a");
  const std::string b = resting("gw-cancel-b");
  const std::string c = resting("gw-cancel-c");
  v1::CancelOrderRequest by_id;
  by_id.set_txid(a);
  auto x = call(*trading_, &Stub::CancelOrder, by_id);
  ASSERT_TRUE(x.ok()) << x.status.error_message();
  EXPECT_EQ(x.response.count(), 1);
  EXPECT_EQ(x.response.route(), v1::ROUTE_WS);
  ASSERT_EQ(x.response.orders_size(), 1);
  EXPECT_EQ(x.response.orders(0).order_id(), a);
  EXPECT_EQ(x.response.orders(0).cl_ord_id(), "gw-cancel-a");
  EXPECT_FALSE(sim_order(gw_->sim(), a).open);
  EXPECT_TRUE(sim_order(gw_->sim(), b).open);

  v1::CancelOrderRequest by_cl;
  by_cl.set_cl_ord_id("gw-cancel-b");
  auto y = call(*trading_, &Stub::CancelOrder, by_cl);
  ASSERT_TRUE(y.ok()) << y.status.error_message();
  EXPECT_EQ(y.response.count(), 1);
  EXPECT_FALSE(sim_order(gw_->sim(), b).open);

  v1::CancelOrderRequest over_rest;
  over_rest.set_cl_ord_id("gw-cancel-c");
  over_rest.set_route(v1::ROUTE_REST);
  auto z = call(*trading_, &Stub::CancelOrder, over_rest);
  ASSERT_TRUE(z.ok()) << z.status.error_message();
  EXPECT_EQ(z.response.count(), 1);
  EXPECT_EQ(z.response.route(), v1::ROUTE_REST);
  EXPECT_EQ(sim_order(gw_->sim(), c).status, kraken::OrderStatus::canceled);
  EXPECT_EQ(sim_open_orders(gw_->sim()), 0u);

  // An order that is no longer open: refused in Kraken's words (the simulator, as Kraken, says
  // the same for an unknown id and a closed order), classified as not to be sent again.
  v1::CancelOrderRequest closed;
  closed.set_txid(a);
  auto u = call(*trading_, &Stub::CancelOrder, closed);
  EXPECT_FALSE(u.ok());
  EXPECT_EQ(u.status.error_message(), "EOrder:Invalid order");
  const v1::ErrorDetail d = error_detail(u.status);
  ASSERT_EQ(d.kraken_errors_size(), 1);
  EXPECT_EQ(d.kraken_errors(0), "EOrder:Invalid order");
  EXPECT_EQ(d.classification(), v1::ERROR_CLASS_REJECTED);
}

TEST_F(TradingE2E, CancelAllOrdersCancelsEveryOpenOrder) {
  for (const char* cl : {"gw-all-1", "gw-all-2", "gw-all-3"}) resting(cl);
  ASSERT_EQ(sim_open_orders(gw_->sim()), 3u);
  auto a = call(*trading_, &Stub::CancelAllOrders, v1::CancelAllOrdersRequest{});
  ASSERT_TRUE(a.ok()) << a.status.error_message();
  EXPECT_EQ(a.response.count(), 3);
  EXPECT_EQ(a.response.route(), v1::ROUTE_WS);
  EXPECT_EQ(sim_open_orders(gw_->sim()), 0u);
  EXPECT_TRUE(wait_until([&] { return cached_orders().empty(); }));
}

TEST_F(TradingE2E, BatchAddPlacesEveryOrderAndBatchCancelCancelsThemByIdAndClOrdId) {
  v1::BatchAddRequest req;
  req.set_pair("BTC/USD");
  for (const char* px : {"30000.0", "30100.0", "30200.0"}) {
    v1::BatchOrder* o = req.add_orders();
    o->set_side(v1::SIDE_BUY);
    o->set_order_type(v1::ORDER_TYPE_LIMIT);
    o->set_volume("0.01");
    o->set_price(px);
    o->set_cl_ord_id(std::string("gw-batch-") + px);
  }
  req.mutable_orders(2)->clear_cl_ord_id();  // the gateway generates one
  auto a = call(*trading_, &Stub::BatchAdd, req);
  ASSERT_TRUE(a.ok()) << a.status.error_message();
  ASSERT_EQ(a.response.results_size(), 3);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    const auto& r = a.response.results(i);
    EXPECT_EQ(r.index(), static_cast<std::uint32_t>(i));
    ASSERT_TRUE(r.has_order()) << r.ShortDebugString();
    ids.push_back(r.order().order_id());
    const SimOrder o = sim_order(gw_->sim(), r.order().order_id());
    EXPECT_TRUE(o.open);
    EXPECT_EQ(o.limit, req.orders(i).price());
    EXPECT_EQ(o.cl_ord_id, r.order().cl_ord_id());
  }
  EXPECT_EQ(a.response.results(0).order().cl_ord_id(), "gw-batch-30000.0");
  EXPECT_EQ(a.response.results(2).order().cl_ord_id().size(), 36u);
  EXPECT_EQ(a.response.route(), v1::ROUTE_WS);
  EXPECT_EQ(sim_open_orders(gw_->sim()), 3u);

  v1::BatchCancelRequest cancel;
  cancel.add_txids(ids[0]);
  cancel.add_txids(ids[2]);
  cancel.add_cl_ord_ids("gw-batch-30100.0");
  auto c = call(*trading_, &Stub::BatchCancel, cancel);
  ASSERT_TRUE(c.ok()) << c.status.error_message();
  EXPECT_EQ(c.response.count(), 3);
  EXPECT_EQ(sim_open_orders(gw_->sim()), 0u);
}

TEST_F(TradingE2E, ABatchOverRestPlacesEveryOrderToo) {
  v1::BatchAddRequest req;
  req.set_pair("XBTUSD");
  req.set_route(v1::ROUTE_REST);
  for (const char* px : {"30000.0", "30100.0"}) {
    v1::BatchOrder* o = req.add_orders();
    o->set_side(v1::SIDE_BUY);
    o->set_order_type(v1::ORDER_TYPE_LIMIT);
    o->set_volume("0.01");
    o->set_price(px);
  }
  auto a = call(*trading_, &Stub::BatchAdd, req);
  ASSERT_TRUE(a.ok()) << a.status.error_message();
  EXPECT_EQ(a.response.route(), v1::ROUTE_REST);
  ASSERT_EQ(a.response.results_size(), 2);
  for (const auto& r : a.response.results()) {
    ASSERT_TRUE(r.has_order()) << r.ShortDebugString();
    EXPECT_TRUE(sim_order(gw_->sim(), r.order().order_id()).open);
  }
  EXPECT_EQ(sim_open_orders(gw_->sim()), 2u);
}

TEST_F(TradingE2E, CancelAllOrdersAfterArmsTheDeadManThatGetDeadManSwitchShows) {
  auto gateway = gw_->gateway();
  v1::CancelAllOrdersAfterRequest req;
  req.set_timeout_seconds(60);
  auto a = call(*trading_, &Stub::CancelAllOrdersAfter, req);
  ASSERT_TRUE(a.ok()) << a.status.error_message();
  EXPECT_GT(a.response.current_time_ns(), 0);
  // Kraken's times are whole seconds apart by the timeout.
  EXPECT_EQ(a.response.trigger_time_ns() - a.response.current_time_ns(), 60'000'000'000);
  auto d = call(*gateway, &v1::Gateway::Stub::GetDeadManSwitch, v1::GetDeadManSwitchRequest{});
  ASSERT_TRUE(d.ok()) << d.status.error_message();
  EXPECT_TRUE(d.response.armed());
  EXPECT_EQ(d.response.owner(), v1::DEAD_MAN_OWNER_CLIENT);
  EXPECT_EQ(d.response.timeout_seconds(), 60u);
  EXPECT_EQ(d.response.trigger_time_ns(), a.response.trigger_time_ns());
  EXPECT_EQ(d.response.exchange_time_ns(), a.response.current_time_ns());
  EXPECT_GT(d.response.last_refresh_time_ns(), 0);
  const auto refreshes = d.response.refresh_count();
  EXPECT_GE(refreshes, 1u);

  req.set_timeout_seconds(0);  // disarmed again
  auto off = call(*trading_, &Stub::CancelAllOrdersAfter, req);
  ASSERT_TRUE(off.ok()) << off.status.error_message();
  EXPECT_EQ(off.response.trigger_time_ns(), 0);
  d = call(*gateway, &v1::Gateway::Stub::GetDeadManSwitch, v1::GetDeadManSwitchRequest{});
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d.response.armed());
  EXPECT_EQ(d.response.owner(), v1::DEAD_MAN_OWNER_UNSPECIFIED);
  EXPECT_EQ(d.response.timeout_seconds(), 0u);
  EXPECT_EQ(d.response.refresh_count(), refreshes + 1);
}

TEST_F(TradingE2E, TheKillSwitchCancelsOpenOrdersAndRefusesNewOnesUntilDisengaged) {
  auto gateway = gw_->gateway();
  resting("gw-kill-1");
  resting("gw-kill-2", "30100.0");
  v1::EngageKillSwitchRequest engage;
  engage.set_reason("e2e test");
  auto e = call(*gateway, &v1::Gateway::Stub::EngageKillSwitch, engage);
  ASSERT_TRUE(e.ok()) << e.status.error_message();
  EXPECT_EQ(e.response.orders_cancelled(), 2);
  EXPECT_FALSE(e.response.has_cancel_error());
  EXPECT_TRUE(e.response.state().engaged());
  EXPECT_EQ(e.response.state().reason(), "e2e test");
  EXPECT_GT(e.response.state().engaged_time_ns(), 0);
  EXPECT_FALSE(e.response.state().changed_by().empty());
  EXPECT_EQ(sim_open_orders(gw_->sim()), 0u);

  // Nothing that adds exposure gets through, on any route; nothing reaches the simulator.
  const auto ever = sim_orders_ever(gw_->sim());
  const auto requests = gw_->sim().rest_requests(order_entry_paths());
  for (v1::Route route : {v1::ROUTE_AUTO, v1::ROUTE_REST}) {
    auto req = limit_order("gw-kill-3");
    req.set_route(route);
    auto refused = place(req);
    EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << refused.status.error_message();
    EXPECT_EQ(error_detail(refused.status).gateway_code(), "kill_switch");
    EXPECT_EQ(error_detail(refused.status).cl_ord_ids_size(), 1);
  }
  v1::BatchAddRequest batch;
  batch.set_pair("XBTUSD");
  for (int i = 0; i < 2; ++i) {
    auto* o = batch.add_orders();
    o->set_side(v1::SIDE_BUY);
    o->set_order_type(v1::ORDER_TYPE_LIMIT);
    o->set_volume("0.01");
    o->set_price("30000.0");
  }
  EXPECT_EQ(call(*trading_, &Stub::BatchAdd, batch).status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(sim_orders_ever(gw_->sim()), ever);
  EXPECT_EQ(gw_->sim().rest_requests(order_entry_paths()), requests);
  auto k = call(*gateway, &v1::Gateway::Stub::GetKillSwitch, v1::GetKillSwitchRequest{});
  ASSERT_TRUE(k.ok());
  EXPECT_TRUE(k.response.state().engaged());
  EXPECT_EQ(k.response.state().orders_refused(), 3u);
  // Cancels are always allowed.
  EXPECT_TRUE(call(*trading_, &Stub::CancelAllOrders, v1::CancelAllOrdersRequest{}).ok());

  v1::DisengageKillSwitchRequest disengage;
  disengage.set_reason("e2e test done");
  auto d = call(*gateway, &v1::Gateway::Stub::DisengageKillSwitch, disengage);
  ASSERT_TRUE(d.ok()) << d.status.error_message();
  EXPECT_FALSE(d.response.state().engaged());
  EXPECT_GT(d.response.state().disengaged_time_ns(), 0);
  EXPECT_EQ(d.response.state().reason(), "e2e test done");
  auto again = place(limit_order("gw-kill-3"));
  ASSERT_TRUE(again.ok()) << again.status.error_message();
  EXPECT_TRUE(sim_order(gw_->sim(), again.response.order_id()).open);
}

// One Trading call with bad input, and the request field the refusal must name.
struct BadCall {
  std::string what;
  std::function<grpc::Status(Stub&)> run;
  std::string field;
};

template <class Request, class Response>
std::function<grpc::Status(Stub&)> unary(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                                         Request req) {
  return [method, req](Stub& s) { return call(s, method, req).status; };
}

std::vector<BadCall> bad_trading_calls() {
  std::vector<BadCall> out;
  auto place = [&out](std::string what, std::function<void(v1::PlaceOrderRequest&)> edit, std::string field) {
    auto r = limit_order("gw-bad");
    edit(r);
    out.push_back({"PlaceOrder " + what, unary(&Stub::PlaceOrder, r), std::move(field)});
  };
  place("without a pair", [](auto& r) { r.clear_pair(); }, "pair");
  place("on an unknown pair", [](auto& r) { r.set_pair("NOPE"); }, "pair");
  place("without a side", [](auto& r) { r.clear_side(); }, "side");
  place("without an order type", [](auto& r) { r.clear_order_type(); }, "order_type");
  place("without a volume", [](auto& r) { r.clear_volume(); }, "volume");
  place("with a volume that is no number", [](auto& r) { r.set_volume("lots"); }, "volume");
  place("with a negative volume", [](auto& r) { r.set_volume("-0.01"); }, "volume");
  place("with a price that is no number", [](auto& r) { r.set_price("cheap"); }, "price");
  place("with a price off the tick grid", [](auto& r) { r.set_price("30000.05"); }, "price");
  place("with a volume below the minimum", [](auto& r) { r.set_volume("0.00001"); }, "volume");
  place("with a route that does not exist", [](auto& r) { r.set_route(static_cast<v1::Route>(7)); }, "route");
  place("with a time in force that does not exist", [](auto& r) { r.set_time_in_force(static_cast<v1::TimeInForce>(42)); },
        "time_in_force");
  place("with a leverage that is no level", [](auto& r) { r.set_leverage("high"); }, "leverage");
  place("with both volume and cash_order_qty", [](auto& r) { r.set_cash_order_qty("100"); }, "cash_order_qty");
  place("with a display volume on a limit order", [](auto& r) { r.set_display_volume("0.001"); }, "display_volume");
  place("with an expiry in the past", [](auto& r) { r.mutable_expire_time()->set_at_time_ns(-1); }, "expire_time");

  v1::AmendOrderRequest amend;
  out.push_back({"AmendOrder without a target", unary(&Stub::AmendOrder, amend), "txid"});
  amend.set_txid("OAAAAA-BBBBB-CCCCCC");
  amend.set_limit_price("abc");
  out.push_back({"AmendOrder with a price that is no number", unary(&Stub::AmendOrder, amend), "limit_price"});
  amend.clear_limit_price();
  amend.set_order_qty("-1");
  out.push_back({"AmendOrder with a negative quantity", unary(&Stub::AmendOrder, amend), "order_qty"});

  v1::EditOrderRequest edit;
  edit.set_txid("OAAAAA-BBBBB-CCCCCC");
  out.push_back({"EditOrder without a pair", unary(&Stub::EditOrder, edit), "pair"});
  edit.set_pair("XBTUSD");
  edit.set_volume("x");
  out.push_back({"EditOrder with a volume that is no number", unary(&Stub::EditOrder, edit), "volume"});
  edit.clear_volume();
  edit.add_oflags(v1::ORDER_FLAG_FCIB);
  out.push_back({"EditOrder changing a flag other than post", unary(&Stub::EditOrder, edit), "oflags[0]"});
  edit.clear_oflags();
  edit.clear_txid();
  out.push_back({"EditOrder without a target", unary(&Stub::EditOrder, edit), "txid"});

  v1::CancelOrderRequest cancel;
  out.push_back({"CancelOrder without a target", unary(&Stub::CancelOrder, cancel), "txid"});
  cancel.set_cl_ord_id("");
  out.push_back({"CancelOrder with an empty cl_ord_id", unary(&Stub::CancelOrder, cancel), "cl_ord_id"});

  v1::CancelAllOrdersRequest cancel_all;
  cancel_all.set_route(static_cast<v1::Route>(9));
  out.push_back({"CancelAllOrders with a route that does not exist", unary(&Stub::CancelAllOrders, cancel_all), "route"});

  v1::CancelAllOrdersAfterRequest after;
  after.set_timeout_seconds(86400);
  out.push_back({"CancelAllOrdersAfter with a day", unary(&Stub::CancelAllOrdersAfter, after), "timeout_seconds"});

  v1::BatchAddRequest batch;
  batch.set_pair("XBTUSD");
  auto add = [&batch](const char* volume) {
    auto* o = batch.add_orders();
    o->set_side(v1::SIDE_BUY);
    o->set_order_type(v1::ORDER_TYPE_LIMIT);
    o->set_volume(volume);
    o->set_price("30000.0");
  };
  add("0.01");
  out.push_back({"BatchAdd with one order", unary(&Stub::BatchAdd, batch), "orders"});
  add("many");
  out.push_back({"BatchAdd with a bad volume in its second order", unary(&Stub::BatchAdd, batch), "orders[1].volume"});
  batch.mutable_orders(1)->set_volume("0.01");
  batch.mutable_orders(1)->set_price("30000.05");
  out.push_back({"BatchAdd with a price off the grid in its second order", unary(&Stub::BatchAdd, batch), "orders[1].price"});
  batch.mutable_orders(1)->set_price("30000.0");
  for (int i = 0; i < 14; ++i) add("0.01");
  out.push_back({"BatchAdd with 16 orders", unary(&Stub::BatchAdd, batch), "orders"});
  batch.mutable_orders()->DeleteSubrange(2, 14);
  batch.set_pair("NOPE");
  out.push_back({"BatchAdd on an unknown pair", unary(&Stub::BatchAdd, batch), "pair"});

  v1::BatchCancelRequest batch_cancel;
  out.push_back({"BatchCancel without ids", unary(&Stub::BatchCancel, batch_cancel), "txids"});
  batch_cancel.add_cl_ord_ids("");
  out.push_back({"BatchCancel with an empty cl_ord_id", unary(&Stub::BatchCancel, batch_cancel), "cl_ord_ids[0]"});
  batch_cancel.clear_cl_ord_ids();
  for (int i = 0; i < 51; ++i) batch_cancel.add_txids("OAAAAA-BBBBB-CCCCCC");
  out.push_back({"BatchCancel with 51 ids", unary(&Stub::BatchCancel, batch_cancel), "txids"});

  v1::GetOrdersRequest orders;
  orders.add_pairs("NOPE");
  out.push_back({"GetOrders on an unknown pair", unary(&Stub::GetOrders, orders), "pairs[0]"});
  orders.clear_pairs();
  orders.set_rebase_multiplier("double");
  out.push_back({"GetOrders with a bad rebase multiplier", unary(&Stub::GetOrders, orders), "rebase_multiplier"});
  orders.clear_rebase_multiplier();
  orders.mutable_read()->set_policy(static_cast<v1::ReadPolicy>(5));
  out.push_back({"GetOrders with a read policy that does not exist", unary(&Stub::GetOrders, orders), "read.policy"});

  v1::QueryOrdersRequest query;
  out.push_back({"QueryOrders without ids", unary(&Stub::QueryOrders, query), "txids"});
  query.add_txids("OAAAAA-BBBBB-CCCCCC");
  query.add_txids("");
  out.push_back({"QueryOrders with an empty id", unary(&Stub::QueryOrders, query), "txids[1]"});

  v1::GetClosedOrdersRequest closed;
  closed.set_closetime(static_cast<v1::CloseTimeFilter>(8));
  out.push_back({"GetClosedOrders with a closetime that does not exist", unary(&Stub::GetClosedOrders, closed), "closetime"});

  out.push_back({"GetOrderAmends without an order id", unary(&Stub::GetOrderAmends, v1::GetOrderAmendsRequest{}), "order_id"});

  v1::GetTradesHistoryRequest history;
  history.set_type(static_cast<v1::TradeHistoryType>(12));
  out.push_back({"GetTradesHistory with a type that does not exist", unary(&Stub::GetTradesHistory, history), "type"});

  v1::QueryTradesRequest trades;
  for (int i = 0; i < 21; ++i) trades.add_txids("TAAAAA-BBBBB-CCCCCC");
  out.push_back({"QueryTrades with 21 ids", unary(&Stub::QueryTrades, trades), "txids"});

  auto stream = [](v1::StreamExecutionsRequest req) {
    return [req](Stub& s) {
      grpc::ClientContext ctx;
      with_deadline(ctx);
      auto reader = s.StreamExecutions(&ctx, req);
      v1::ExecutionsEvent e;
      while (reader->Read(&e)) {
      }
      return reader->Finish();
    };
  };
  v1::StreamExecutionsRequest executions;
  executions.add_pairs("NOPE");
  out.push_back({"StreamExecutions on an unknown pair", stream(executions), "pairs[0]"});
  executions.clear_pairs();
  executions.set_resume_after_sequence(3);
  out.push_back({"StreamExecutions resuming without an epoch", stream(executions), "resume_after_epoch"});
  return out;
}

TEST_F(TradingE2E, BadInputToEveryTradingCallIsRefusedNamingTheFieldAndNothingReachesTheSimulator) {
  // Something Kraken would show if a refused call had reached it.
  const std::string id = resting("gw-bad-input");
  const auto ever = sim_orders_ever(gw_->sim());
  const auto trades = sim_trades(gw_->sim());
  const auto requests = gw_->sim().rest_requests(order_entry_paths());
  for (const auto& c : bad_trading_calls()) {
    const grpc::Status s = c.run(*trading_);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.what << ": " << s.error_message();
    if (s.error_code() != grpc::StatusCode::INVALID_ARGUMENT) continue;
    const v1::ErrorDetail d = error_detail(s);
    EXPECT_EQ(d.field(), c.field) << c.what << ": " << s.error_message();
    EXPECT_EQ(d.classification(), v1::ERROR_CLASS_REJECTED) << c.what;
    EXPECT_EQ(d.kraken_errors_size(), 0) << c.what << ": " << s.error_message();
    EXPECT_EQ(s.error_message().rfind(c.field + ": ", 0), 0u) << c.what << ": " << s.error_message();
  }
  EXPECT_EQ(gw_->sim().rest_requests(order_entry_paths()), requests);
  EXPECT_EQ(sim_orders_ever(gw_->sim()), ever);
  EXPECT_EQ(sim_trades(gw_->sim()), trades);
  const SimOrder o = sim_order(gw_->sim(), id);
  EXPECT_TRUE(o.open);
  EXPECT_EQ(o.limit, "30000.0");
  EXPECT_EQ(o.volume, "0.01000000");
}

}  // namespace
}  // namespace kgw::test
