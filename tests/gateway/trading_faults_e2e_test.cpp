// Trading through gRPC while the simulator's fault API breaks the private WebSocket: with the
// session dropped (and kept down by a long reconnect backoff), orders and account reads go over
// REST and say so, and a WS-only order is refused as not executed; with the connection held
// still, a WS-only order's reply never comes and the call ends with the contract's unknown-outcome
// status naming the cl_ord_id to look up, after which the order exists at most once.

#include <gtest/gtest.h>

#include "gateway_test_support.hpp"

namespace kgw::test {
namespace {

using Stub = v1::Trading::Stub;

class TradingFaultsE2E : public SharedTradingTest<TradingFaultsE2E> {
 public:
  // After a drop the private session waits 2 to 4 s before connecting again: long enough to
  // see it down, short enough for a test.
  static gateway::GatewayConfig config() {
    auto c = trading_test_config();
    c.trading.reconnect_min = std::chrono::milliseconds(4'000);
    c.trading.reconnect_max = std::chrono::milliseconds(4'000);
    return c;
  }

 protected:
  void SetUp() override {
    SharedGatewayTest::SetUp();
    if (IsSkipped()) return;
    trading_ = gw_->trading();
    // Every case starts with the session up and the account caches in.
    ASSERT_TRUE(wait_until([&] { return private_state() == v1::CONNECTION_STATE_READY; }, std::chrono::seconds(20)));
    ASSERT_TRUE(gw_->wait_for_trading());
  }
  void TearDown() override {
    if (gw_ && gw_->channel()) {
      EXPECT_EQ(gw_->admin("/ws/stall?on=false"), 200u);
    }
  }

  v1::ConnectionState private_state() {
    auto a = call(*gw_->gateway(), &v1::Gateway::Stub::GetUpstreamStatus, v1::GetUpstreamStatusRequest{});
    if (!a.ok() || a.response.connections_size() != 3) return v1::CONNECTION_STATE_UNSPECIFIED;
    return a.response.connections(1).state();
  }

  std::unique_ptr<Stub> trading_;
};

TEST_F(TradingFaultsE2E, WithThePrivateWebSocketDownOrdersAndReadsGoOverRestAndSaySo) {
  grpc::ClientContext watch_ctx;
  with_deadline(watch_ctx, std::chrono::seconds(20));
  auto gateway = gw_->gateway();
  auto watch = gateway->StreamUpstreamStatus(&watch_ctx, {});
  v1::UpstreamStatusEvent u;
  ASSERT_TRUE(watch->Read(&u));
  ASSERT_EQ(u.connections_size(), 3);
  EXPECT_EQ(u.connections(1).state(), v1::CONNECTION_STATE_READY);

  ASSERT_EQ(gw_->admin("/ws/drop"), 200u);
  // The upstream stream shows it (the drop ends the public feed's connection as well, and an
  // event names one connection as `changed`: either may come first).
  bool private_down = false;
  while (!private_down && watch->Read(&u)) private_down = u.connections(1).state() != v1::CONNECTION_STATE_READY;
  EXPECT_TRUE(private_down);
  EXPECT_NE(u.changed(), v1::UPSTREAM_KIND_UNSPECIFIED) << u.ShortDebugString();
  watch_ctx.TryCancel();
  (void)watch->Finish();
  ASSERT_TRUE(wait_until([&] { return private_state() != v1::CONNECTION_STATE_READY; }));

  auto a = call(*trading_, &Stub::PlaceOrder, limit_order("gw-fallback-1"));
  ASSERT_TRUE(a.ok()) << a.status.error_message();
  EXPECT_EQ(a.response.route(), v1::ROUTE_REST);
  EXPECT_EQ(sim_order(gw_->sim(), a.response.order_id()).cl_ord_id, "gw-fallback-1");
  EXPECT_TRUE(sim_order(gw_->sim(), a.response.order_id()).open);

  // WS only: refused before anything was sent, safe to send again.
  const auto ever = sim_orders_ever(gw_->sim());
  auto ws_only = limit_order("gw-fallback-2");
  ws_only.set_route(v1::ROUTE_WS);
  auto refused = call(*trading_, &Stub::PlaceOrder, ws_only);
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.status.error_message();
  EXPECT_EQ(error_detail(refused.status).classification(), v1::ERROR_CLASS_RETRYABLE_NOT_EXECUTED);
  EXPECT_EQ(sim_orders_ever(gw_->sim()), ever);

  // Reads: AUTO falls back to REST and says why; CACHE_ONLY refuses.
  v1::GetBalanceRequest balance;
  auto b = call(*gw_->account(), &v1::Account::Stub::GetBalance, balance);
  ASSERT_TRUE(b.ok()) << b.status.error_message();
  EXPECT_EQ(b.response.meta().source(), v1::READ_SOURCE_REST);
  EXPECT_FALSE(b.response.meta().fallback_reason().empty());
  v1::GetOrdersRequest orders;
  auto o = call(*trading_, &Stub::GetOrders, orders);
  ASSERT_TRUE(o.ok()) << o.status.error_message();
  EXPECT_EQ(o.response.meta().source(), v1::READ_SOURCE_REST);
  ASSERT_EQ(o.response.orders_size(), 1);
  EXPECT_EQ(o.response.orders(0).order_id(), a.response.order_id());
  *orders.mutable_read() = read_policy(v1::READ_POLICY_CACHE_ONLY);
  EXPECT_EQ(call(*trading_, &Stub::GetOrders, orders).status.error_code(), grpc::StatusCode::UNAVAILABLE);

  // The cancel goes over REST too.
  v1::CancelOrderRequest cancel;
  cancel.set_cl_ord_id("gw-fallback-1");
  auto c = call(*trading_, &Stub::CancelOrder, cancel);
  ASSERT_TRUE(c.ok()) << c.status.error_message();
  EXPECT_EQ(c.response.route(), v1::ROUTE_REST);
  EXPECT_EQ(sim_open_orders(gw_->sim()), 0u);

  // The session comes back by itself, and orders take the WebSocket again.
  ASSERT_TRUE(wait_until([&] { return private_state() == v1::CONNECTION_STATE_READY; }, std::chrono::seconds(20)));
  auto back = call(*trading_, &Stub::PlaceOrder, limit_order("gw-fallback-3"));
  ASSERT_TRUE(back.ok()) << back.status.error_message();
  EXPECT_EQ(back.response.route(), v1::ROUTE_WS);
  EXPECT_TRUE(call(*trading_, &Stub::CancelAllOrders, v1::CancelAllOrdersRequest{}).ok());
}

TEST_F(TradingFaultsE2E, AWsOrderWhoseReplyNeverComesEndsAsAnUnknownOutcomeNamingItsClOrdId) {
  ASSERT_EQ(gw_->admin("/ws/stall?on=true"), 200u);  // the simulator neither reads nor writes
  auto req = limit_order("gw-unknown-1");
  req.set_route(v1::ROUTE_WS);
  auto a = call(*trading_, &Stub::PlaceOrder, req);
  ASSERT_EQ(gw_->admin("/ws/stall?on=false"), 200u);
  EXPECT_EQ(a.status.error_code(), grpc::StatusCode::UNKNOWN) << a.status.error_message();
  const v1::ErrorDetail d = error_detail(a.status);
  EXPECT_EQ(d.classification(), v1::ERROR_CLASS_UNKNOWN_OUTCOME);
  EXPECT_EQ(d.gateway_code(), "unknown_outcome");
  ASSERT_EQ(d.cl_ord_ids_size(), 1);
  EXPECT_EQ(d.cl_ord_ids(0), "gw-unknown-1");

  // Sent again with the same cl_ord_id, it is answered once its outcome is known (the order
  // found, or known absent and placed now): never two orders.
  Answer<v1::PlaceOrderResponse> again;
  req.set_route(v1::ROUTE_AUTO);
  ASSERT_TRUE(wait_until(
      [&] {
        again = call(*trading_, &Stub::PlaceOrder, req);
        if (!again.ok()) {
          EXPECT_EQ(again.status.error_code(), grpc::StatusCode::UNKNOWN) << again.status.error_message();
        }
        return again.ok();
      },
      std::chrono::seconds(20)));
  EXPECT_EQ(again.response.cl_ord_id(), "gw-unknown-1");
  EXPECT_EQ(sim_orders_with(gw_->sim(), "gw-unknown-1"), 1u);
  EXPECT_TRUE(sim_order(gw_->sim(), again.response.order_id()).open);
  EXPECT_TRUE(call(*trading_, &Stub::CancelAllOrders, v1::CancelAllOrdersRequest{}).ok());
}

}  // namespace
}  // namespace kgw::test
