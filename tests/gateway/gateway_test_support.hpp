#pragma once
// Test helpers for the gateway suites: a Gateway running in process against its embedded
// simulator on ephemeral loopback ports, gRPC stubs onto it, and the error detail of a failed
// call. Every gateway stops with its fixture.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "kgw/feed/market_cache.hpp"
#include "kgw/gateway/gateway.hpp"
#include "kgw/sim/exchange.hpp"
#include "kgw/sim/simulator.hpp"
#include "kgw/v1/account.grpc.pb.h"
#include "kgw/v1/gateway.grpc.pb.h"
#include "kgw/v1/market_data.grpc.pb.h"
#include "kgw/v1/trading.grpc.pb.h"
#include "kgw_process.hpp"
#include "kgw_sim_admin.hpp"

namespace kgw::test {

// The simulator's BTC/USD and ETH/USD streamed (SOL/USD is served by REST only), books of 10
// levels, 1-minute candles; a pair goes stale after 1.5 s of silence (the simulator's heartbeat
// comes every second).
inline gateway::GatewayConfig gateway_test_config() {
  gateway::GatewayConfig c;
  c.name = "test";
  c.sim.enabled = true;
  c.sim.seed = 7;
  c.grpc.port = 0;
  c.grpc.unix_socket = "none";
  c.metrics.port = 0;
  c.feed.pairs = {"BTC/USD", "ETH/USD"};
  c.feed.ohlc_intervals = {1};
  c.feed.symbol_stale_after = std::chrono::milliseconds(1500);
  c.streams.poll_interval = std::chrono::microseconds(500);
  return c;
}

// The order manager's tests: a frozen market (no synthetic flow: what the account holds changes
// only by the test's own orders), the pro tier's rate limits, short order-entry timeouts.
inline gateway::GatewayConfig trading_test_config() {
  gateway::GatewayConfig c = gateway_test_config();
  c.sim.synthetic_flow = false;
  c.sim.tier = kraken::Tier::pro;
  c.kraken.tier = kraken::Tier::pro;
  c.trading.reply_timeout = std::chrono::milliseconds(500);
  c.trading.default_deadline = std::chrono::milliseconds(1000);
  c.trading.reconnect_min = std::chrono::milliseconds(20);
  c.trading.reconnect_max = std::chrono::milliseconds(200);
  return c;
}

// A started gateway and a channel to it.
class TestGateway {
 public:
  explicit TestGateway(gateway::GatewayConfig config = gateway_test_config(), gateway::GatewayOptions options = {})
      : gateway_(std::make_unique<gateway::Gateway>(std::move(config), std::move(options))) {
    auto ep = gateway_->start();
    if (!ep) {
      ADD_FAILURE() << "gateway did not start: " << ep.error().message();
      return;
    }
    endpoints_ = *ep;
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(ep->grpc_port), grpc::InsecureChannelCredentials());
  }
  ~TestGateway() { gateway_->stop(std::chrono::milliseconds(200)); }

  // Until every streamed pair has a ticker, a synced book and a candle, and the status is known.
  bool wait_for_feed(std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    return wait_until(
        [&] {
          v1::GetCacheFreshnessRequest req;
          v1::GetCacheFreshnessResponse resp;
          grpc::ClientContext ctx;
          if (!gateway()->GetCacheFreshness(&ctx, req, &resp).ok() || resp.entries_size() == 0) return false;
          for (const auto& e : resp.entries())
            if (!e.live() && e.kind() != v1::CACHE_KIND_INSTRUMENTS) return false;
          return true;
        },
        limit);
  }

  // Until the order manager's private session is up and its account snapshots are in.
  bool wait_for_trading(std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    return wait_until(
        [&] {
          v1::GetBalanceRequest req;
          req.mutable_read()->set_policy(v1::READ_POLICY_CACHE_ONLY);
          v1::GetBalanceResponse resp;
          grpc::ClientContext ctx;
          return account()->GetBalance(&ctx, req, &resp).ok();
        },
        limit);
  }

  gateway::Gateway& get() { return *gateway_; }
  sim::Simulator& sim() { return *gateway_->simulator(); }
  const gateway::GatewayEndpoints& endpoints() const { return endpoints_; }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  std::unique_ptr<v1::MarketData::Stub> market_data() const { return v1::MarketData::NewStub(channel_); }
  std::unique_ptr<v1::Gateway::Stub> gateway() const { return v1::Gateway::NewStub(channel_); }
  std::unique_ptr<v1::Account::Stub> account() const { return v1::Account::NewStub(channel_); }
  std::unique_ptr<v1::Trading::Stub> trading() const { return v1::Trading::NewStub(channel_); }
  unsigned admin(const std::string& target) const { return sim_admin_post(endpoints_.sim_admin, target); }

 private:
  std::unique_ptr<gateway::Gateway> gateway_;
  gateway::GatewayEndpoints endpoints_;
  std::shared_ptr<grpc::Channel> channel_;
};

// What a shared suite's gateway must be ready with before its tests run.
enum class SharedReady { feed, trading };

// A suite whose tests share one started gateway: with a filled cache (`feed`), or with the order
// manager's session up too (`trading`: a frozen simulated market unless the suite hides
// config()). `Suite::config()` (this class's, unless the suite hides it) configures it.
template <class Suite, SharedReady kReady = SharedReady::feed>
class SharedGatewayTest : public ::testing::Test {
 protected:
  static gateway::GatewayConfig config() {
    return kReady == SharedReady::trading ? trading_test_config() : gateway_test_config();
  }
  static void SetUpTestSuite() {
    gw_ = new TestGateway(Suite::config());
    if (!gw_->channel()) return;
    if (kReady == SharedReady::trading) {
      if (!gw_->wait_for_trading()) ADD_FAILURE() << "the order manager's session did not come up";
    } else if (!gw_->wait_for_feed()) {
      ADD_FAILURE() << "the feed did not fill its caches";
    }
  }
  static void TearDownTestSuite() {
    delete gw_;
    gw_ = nullptr;
  }
  void SetUp() override {
    if (!gw_ || !gw_->channel()) GTEST_SKIP() << "no gateway";
  }
  static inline TestGateway* gw_ = nullptr;
};

template <class Suite>
using SharedTradingTest = SharedGatewayTest<Suite, SharedReady::trading>;

// The simulator's truth about its demo account (the one the gateway trades with).
inline sim::AccountId demo_account(sim::Simulator& s) {
  return s.call([&s](sim::Exchange& ex) { return ex.account_by_key(s.endpoints().api_key)->id; });
}
inline std::size_t sim_open_orders(sim::Simulator& s) {
  const auto id = demo_account(s);
  return s.call([id](sim::Exchange& ex) { return ex.open_orders(id).size(); });
}
inline std::size_t sim_orders_ever(sim::Simulator& s) {
  const auto id = demo_account(s);
  return s.call([id](sim::Exchange& ex) { return ex.open_orders(id).size() + ex.closed_orders(id).size(); });
}

// One order as the simulator holds it (empty `txid`: the demo account has no such order).
struct SimOrder {
  std::string txid, cl_ord_id, volume, filled, limit;
  kraken::OrderStatus status = kraken::OrderStatus::pending;
  bool open = false;
};
inline SimOrder sim_order(sim::Simulator& s, const std::string& txid) {
  const auto id = demo_account(s);
  return s.call([&](sim::Exchange& ex) {
    SimOrder out;
    const sim::OrderRecord* r = ex.find_order(id, txid);
    if (!r) return out;
    out.txid = r->txid;
    out.cl_ord_id = r->cl_ord_id.value_or("");
    out.volume = ex.format_qty(r->pair, r->order.volume);
    out.filled = ex.format_qty(r->pair, r->order.filled);
    out.limit = r->order.has_limit ? ex.format_price(r->pair, r->order.limit) : std::string();
    out.status = r->order.status;
    out.open = r->order.is_open();
    return out;
  });
}
// The demo account's orders, open or closed, that carry `cl_ord_id`.
inline std::size_t sim_orders_with(sim::Simulator& s, const std::string& cl_ord_id) {
  const auto id = demo_account(s);
  return s.call([&](sim::Exchange& ex) {
    std::size_t n = 0;
    for (const auto* r : ex.open_orders(id)) n += r->cl_ord_id == cl_ord_id;
    for (const auto* r : ex.closed_orders(id)) n += r->cl_ord_id == cl_ord_id;
    return n;
  });
}
inline std::size_t sim_trades(sim::Simulator& s) {
  const auto id = demo_account(s);
  return s.call([id](sim::Exchange& ex) { return ex.trades(id).size(); });
}

// A resting order of another account's on `pair` (a maker for the demo account to trade with).
inline void maker_order(sim::Simulator& s, kraken::Side side, const std::string& volume, const std::string& price,
                        const std::string& pair = "XBTUSD") {
  s.call([&](sim::Exchange& ex) {
    const auto* a = ex.account_by_key("maker-key");
    sim::AccountId id = a ? a->id : ex.add_account("maker", "maker-key", Secret("c2VjcmV0"));
    if (!a) {
      (void)ex.deposit(id, "ZUSD", "10000000");
      (void)ex.deposit(id, "XXBT", "100");
      (void)ex.deposit(id, "XETH", "1000");
    }
    sim::AddOrderRequest r;
    r.pair = pair;
    r.side = side;
    r.type = kraken::OrderType::limit;
    r.volume = volume;
    r.price = price;
    auto placed = ex.add_order(id, r);
    if (!placed) ADD_FAILURE() << "maker order: " << placed.error().message();
    return 0;
  });
}

// Kraken's REST paths of order entry and of the reads only a caller makes: what a refused
// Trading call would have reached. The order manager's own background calls (OpenPositions,
// reconciliation's OpenOrders/ClosedOrders/TradesHistory, tokens) are left out, so a count of
// these does not move while the gateway goes about its business.
inline std::vector<std::string> order_entry_paths() {
  std::vector<std::string> out;
  for (const char* m : {"AddOrder", "AddOrderBatch", "AmendOrder", "EditOrder", "CancelOrder", "CancelAll",
                        "CancelAllOrdersAfter", "CancelOrderBatch", "OrderAmends", "QueryOrders", "QueryTrades"})
    out.push_back(std::string("/0/private/") + m);
  return out;
}

// The machine-readable half of a failed call (common.proto ErrorDetail).
inline v1::ErrorDetail error_detail(const grpc::Status& s) {
  v1::RpcStatus rpc;
  v1::ErrorDetail d;
  if (!rpc.ParseFromString(s.error_details()) || rpc.details_size() != 1 || !rpc.details(0).UnpackTo(&d))
    ADD_FAILURE() << "no ErrorDetail in the status: " << s.error_message();
  return d;
}

// A deadline for unary calls in tests.
inline void with_deadline(grpc::ClientContext& ctx, std::chrono::milliseconds d = std::chrono::seconds(10)) {
  ctx.set_deadline(std::chrono::system_clock::now() + d);
}

// A unary call's status and response.
template <class Response>
struct Answer {
  grpc::Status status;
  Response response;
  bool ok() const { return status.ok(); }
};

// One unary call with a deadline: `call(*stub, &v1::Trading::Stub::PlaceOrder, request)`.
template <class Stub, class Request, class Response>
Answer<Response> call(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                      const Request& request) {
  grpc::ClientContext ctx;
  with_deadline(ctx);
  Answer<Response> a;
  a.status = (stub.*method)(&ctx, request, &a.response);
  return a;
}

// A limit order that rests in the frozen simulated market (BTC/USD last 62800.0): a buy far below.
inline v1::PlaceOrderRequest limit_order(const std::string& cl_ord_id = {}, const std::string& price = "30000.0",
                                         const std::string& volume = "0.01", v1::Side side = v1::SIDE_BUY) {
  v1::PlaceOrderRequest r;
  r.set_pair("XBTUSD");
  r.set_side(side);
  r.set_order_type(v1::ORDER_TYPE_LIMIT);
  r.set_volume(volume);
  r.set_price(price);
  r.set_cl_ord_id(cl_ord_id);
  return r;
}

// A read policy for a read request's `read` field.
inline v1::ReadOptions read_policy(v1::ReadPolicy policy) {
  v1::ReadOptions o;
  o.set_policy(policy);
  return o;
}

// Every open order of the demo account and of the simulator's maker cancelled in the simulator
// itself (no trading counter, nothing through the gateway).
inline void sim_cancel_all(sim::Simulator& s) {
  const auto demo = demo_account(s);
  s.call([demo](sim::Exchange& ex) {
    (void)ex.cancel_all(demo);
    if (const auto* maker = ex.account_by_key("maker-key")) (void)ex.cancel_all(maker->id);
    return 0;
  });
}

// The open orders the gateway's executions cache holds now; when the call fails, one empty
// order: not known to be empty.
inline std::vector<v1::Order> cached_orders(v1::Trading::Stub& trading) {
  v1::GetOrdersRequest req;
  *req.mutable_read() = read_policy(v1::READ_POLICY_CACHE_ONLY);
  auto a = call(trading, &v1::Trading::Stub::GetOrders, req);
  if (!a.ok()) return {std::vector<v1::Order>(1)};
  return {a.response.orders().begin(), a.response.orders().end()};
}
inline bool cached(v1::Trading::Stub& trading, const std::string& order_id) {
  for (const auto& o : cached_orders(trading))
    if (o.order_id() == order_id) return true;
  return false;
}

// A resting limit buy placed through the gateway and seen in its cache; its order id.
inline std::string resting(v1::Trading::Stub& trading, const std::string& cl_ord_id, const std::string& price = "30000.0") {
  auto a = call(trading, &v1::Trading::Stub::PlaceOrder, limit_order(cl_ord_id, price));
  EXPECT_TRUE(a.ok()) << a.status.error_message();
  const std::string id = a.response.order_id();
  EXPECT_TRUE(wait_until([&] { return cached(trading, id); })) << id;
  return id;
}

}  // namespace kgw::test
