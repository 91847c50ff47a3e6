// Account reads and the account streams through gRPC against the embedded simulator's frozen
// market: the cache's answers agree with REST's for balances, open orders, order queries and
// positions; closed orders, trades and the ledger come from REST and show the test's own orders
// and fills; StreamExecutions and StreamBalances start with a snapshot, follow with updates that
// carry the order manager's epoch and sequence, and resume from them with updates only; a client
// that lets its bounded queue fill is ended alone with RESOURCE_EXHAUSTED.

#include <gtest/gtest.h>

#include <cstdlib>

#include <atomic>
#include <map>
#include <thread>

#include "gateway_test_support.hpp"

namespace kgw::test {
namespace {

using TradingStub = v1::Trading::Stub;
using AccountStub = v1::Account::Stub;

// A client that reads slowly: a tiny receive window, so the gateway's writes to it stall after a
// few hundred bytes instead of filling loopback buffers.
std::shared_ptr<grpc::Channel> slow_channel(const TestGateway& gw) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 1024);
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetString("kgw-test-channel", "slow-account");  // its own connection
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(gw.endpoints().grpc_port),
                                   grpc::InsecureChannelCredentials(), args);
}

class AccountE2E : public SharedTradingTest<AccountE2E> {
 public:
  static gateway::GatewayConfig config() {
    auto c = trading_test_config();
    c.streams.executions_queue = 64;
    return c;
  }

 protected:
  void SetUp() override {
    SharedGatewayTest::SetUp();
    if (IsSkipped()) return;
    trading_ = gw_->trading();
    account_ = gw_->account();
    sim_cancel_all(gw_->sim());
    ASSERT_TRUE(wait_until([&] { return cached_orders().empty(); })) << "the cache kept open orders";
  }

  std::vector<v1::Order> cached_orders() { return test::cached_orders(*trading_); }
  bool cached(const std::string& order_id) { return test::cached(*trading_, order_id); }
  std::string resting(const std::string& cl_ord_id, const std::string& price = "30000.0") {
    return test::resting(*trading_, cl_ord_id, price);
  }
  // A market buy of the demo account's that fills against a maker's resting sell: its order id.
  std::string filled_buy(const std::string& cl_ord_id, const std::string& volume = "0.01") {
    maker_order(gw_->sim(), kraken::Side::sell, volume, "62800.0");
    v1::PlaceOrderRequest req;
    req.set_pair("XBTUSD");
    req.set_side(v1::SIDE_BUY);
    req.set_order_type(v1::ORDER_TYPE_MARKET);
    req.set_volume(volume);
    req.set_cl_ord_id(cl_ord_id);
    auto a = call(*trading_, &TradingStub::PlaceOrder, req);
    EXPECT_TRUE(a.ok()) << a.status.error_message();
    return a.response.order_id();
  }

  std::unique_ptr<TradingStub> trading_;
  std::unique_ptr<AccountStub> account_;
};

std::map<std::string, std::string> by_asset(const v1::GetBalanceResponse& r) {
  std::map<std::string, std::string> out;
  for (const auto& b : r.balances()) out[b.asset()] = b.balance();
  return out;
}

TEST_F(AccountE2E, CachedAndRestBalancesAgreeAssetForAsset) {
  (void)filled_buy("gw-bal-1");  // balances that moved, not only the deposits
  v1::GetBalanceRequest req;
  *req.mutable_read() = read_policy(v1::READ_POLICY_REST_ONLY);
  auto rest = call(*account_, &AccountStub::GetBalance, req);
  ASSERT_TRUE(rest.ok()) << rest.status.error_message();
  EXPECT_EQ(rest.response.meta().source(), v1::READ_SOURCE_REST);
  EXPECT_TRUE(rest.response.meta().simulated());
  // The cache follows the balances channel: once it has the fill, it says what REST says.
  Answer<v1::GetBalanceResponse> cache;
  *req.mutable_read() = read_policy(v1::READ_POLICY_CACHE_ONLY);
  EXPECT_TRUE(wait_until([&] {
    cache = call(*account_, &AccountStub::GetBalance, req);
    return cache.ok() && by_asset(cache.response) == by_asset(rest.response);
  })) << cache.response.ShortDebugString() << "\nREST: " << rest.response.ShortDebugString();
  EXPECT_EQ(cache.response.meta().source(), v1::READ_SOURCE_WS_CACHE);
  EXPECT_GT(cache.response.meta().sequence(), 0u);
  EXPECT_EQ(by_asset(cache.response).at("ZUSD"), by_asset(rest.response).at("ZUSD"));
  for (const auto& b : cache.response.balances()) {
    EXPECT_FALSE(b.code().empty()) << b.ShortDebugString();  // the v2 code beside the REST id
  }
  // AUTO is served from the cache.
  *req.mutable_read() = read_policy(v1::READ_POLICY_AUTO);
  auto automatic = call(*account_, &AccountStub::GetBalance, req);
  ASSERT_TRUE(automatic.ok());
  EXPECT_EQ(automatic.response.meta().source(), v1::READ_SOURCE_WS_CACHE);
}

TEST_F(AccountE2E, CachedAndRestOpenOrdersAgreeFieldByField) {
  const std::string a = resting("gw-open-a");
  auto with_userref = limit_order({}, "30100.0", "0.02");
  with_userref.set_userref(42);
  auto placed = call(*trading_, &TradingStub::PlaceOrder, with_userref);
  ASSERT_TRUE(placed.ok()) << placed.status.error_message();
  const std::string b = placed.response.order_id();
  ASSERT_TRUE(wait_until([&] { return cached(b); }));

  v1::GetOrdersRequest req;
  *req.mutable_read() = read_policy(v1::READ_POLICY_CACHE_ONLY);
  auto cache = call(*trading_, &TradingStub::GetOrders, req);
  *req.mutable_read() = read_policy(v1::READ_POLICY_REST_ONLY);
  auto rest = call(*trading_, &TradingStub::GetOrders, req);
  ASSERT_TRUE(cache.ok()) << cache.status.error_message();
  ASSERT_TRUE(rest.ok()) << rest.status.error_message();
  EXPECT_EQ(cache.response.meta().source(), v1::READ_SOURCE_WS_CACHE);
  EXPECT_EQ(rest.response.meta().source(), v1::READ_SOURCE_REST);
  ASSERT_EQ(cache.response.orders_size(), 2);
  ASSERT_EQ(rest.response.orders_size(), 2);
  for (int i = 0; i < 2; ++i) {
    const v1::Order& c = cache.response.orders(i);
    const v1::Order& r = rest.response.orders(i);
    const std::string both = "\ncache: " + c.ShortDebugString() + "\nREST:  " + r.ShortDebugString();
    EXPECT_EQ(c.order_id(), r.order_id()) << both;  // newest first in both
    EXPECT_EQ(c.cl_ord_id(), r.cl_ord_id()) << both;
    EXPECT_EQ(c.has_userref(), r.has_userref()) << both;
    EXPECT_EQ(c.userref(), r.userref()) << both;
    EXPECT_EQ(c.status(), r.status()) << both;
    EXPECT_EQ(c.vol(), r.vol()) << both;
    EXPECT_EQ(c.vol_exec(), r.vol_exec()) << both;
    EXPECT_EQ(c.pair(), r.pair()) << both;
    EXPECT_EQ(c.symbol(), r.symbol()) << both;
    EXPECT_EQ(c.descr().pair(), r.descr().pair()) << both;
    EXPECT_EQ(c.descr().type(), r.descr().type()) << both;
    EXPECT_EQ(c.descr().ordertype(), r.descr().ordertype()) << both;
    EXPECT_EQ(c.descr().price(), r.descr().price()) << both;
    // The same moment within a millisecond: REST's opentm has 4 decimals and the executions
    // stream's timestamp is its own reading; dividing both by 1 ms failed when they straddled
    // a millisecond boundary (837.9 vs 838.003).
    EXPECT_LT(std::llabs(c.open_time_ns() - r.open_time_ns()), 1'000'000LL) << both;
  }
  EXPECT_EQ(cache.response.orders(0).order_id(), b);
  EXPECT_EQ(cache.response.orders(1).order_id(), a);
  EXPECT_EQ(cache.response.orders(0).userref(), 42);
  EXPECT_EQ(cache.response.orders(1).cl_ord_id(), "gw-open-a");
  // Filters: by cl_ord_id, by userref, by pair.
  v1::GetOrdersRequest one;
  one.set_cl_ord_id("gw-open-a");
  auto only_a = call(*trading_, &TradingStub::GetOrders, one);
  ASSERT_TRUE(only_a.ok());
  ASSERT_EQ(only_a.response.orders_size(), 1);
  EXPECT_EQ(only_a.response.orders(0).order_id(), a);
  one.clear_cl_ord_id();
  one.set_userref(42);
  auto only_b = call(*trading_, &TradingStub::GetOrders, one);
  ASSERT_TRUE(only_b.ok());
  ASSERT_EQ(only_b.response.orders_size(), 1);
  EXPECT_EQ(only_b.response.orders(0).order_id(), b);
  one.clear_userref();
  one.add_pairs("ETH/USD");
  auto none = call(*trading_, &TradingStub::GetOrders, one);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none.response.orders_size(), 0);
}

TEST_F(AccountE2E, QueryOrdersAnswersOpenOrdersFromTheCacheAndOthersFromRestAlike) {
  const std::string open = resting("gw-query-open");
  const std::string gone = resting("gw-query-gone", "30100.0");
  v1::CancelOrderRequest cancel;
  cancel.set_txid(gone);
  ASSERT_TRUE(call(*trading_, &TradingStub::CancelOrder, cancel).ok());

  v1::QueryOrdersRequest req;
  req.add_txids(open);
  req.add_txids(gone);
  *req.mutable_read() = read_policy(v1::READ_POLICY_REST_ONLY);
  auto rest = call(*trading_, &TradingStub::QueryOrders, req);
  ASSERT_TRUE(rest.ok()) << rest.status.error_message();
  ASSERT_EQ(rest.response.orders_size(), 2);
  EXPECT_EQ(rest.response.orders(0).order_id(), open);  // request order
  EXPECT_EQ(rest.response.orders(0).status(), v1::ORDER_STATUS_OPEN);
  EXPECT_EQ(rest.response.orders(1).order_id(), gone);
  EXPECT_EQ(rest.response.orders(1).status(), v1::ORDER_STATUS_CANCELED);
  EXPECT_EQ(rest.response.meta().source(), v1::READ_SOURCE_REST);

  v1::QueryOrdersRequest open_only;
  open_only.add_txids(open);
  auto cache = call(*trading_, &TradingStub::QueryOrders, open_only);
  ASSERT_TRUE(cache.ok()) << cache.status.error_message();
  EXPECT_EQ(cache.response.meta().source(), v1::READ_SOURCE_WS_CACHE);
  ASSERT_EQ(cache.response.orders_size(), 1);
  const v1::Order& c = cache.response.orders(0);
  const v1::Order& r = rest.response.orders(0);
  EXPECT_EQ(c.order_id(), r.order_id());
  EXPECT_EQ(c.cl_ord_id(), r.cl_ord_id());
  EXPECT_EQ(c.status(), r.status());
  EXPECT_EQ(c.vol(), r.vol());
  EXPECT_EQ(c.descr().price(), r.descr().price());
  EXPECT_EQ(c.pair(), r.pair());

  // An id nobody knows: REST leaves it out; CACHE_ONLY says it is not cached.
  v1::QueryOrdersRequest unknown;
  unknown.add_txids("OAAAAA-BBBBB-CCCCCC");
  *unknown.mutable_read() = read_policy(v1::READ_POLICY_CACHE_ONLY);
  auto miss = call(*trading_, &TradingStub::QueryOrders, unknown);
  EXPECT_EQ(miss.status.error_code(), grpc::StatusCode::UNAVAILABLE) << miss.status.error_message();
  EXPECT_EQ(error_detail(miss.status).gateway_code(), "cache_miss");
}

TEST_F(AccountE2E, ClosedOrdersTradesAndTheLedgerShowAFill) {
  const std::string id = filled_buy("gw-fill-1");
  ASSERT_FALSE(id.empty());

  v1::GetClosedOrdersRequest closed;
  closed.set_cl_ord_id("gw-fill-1");
  auto c = call(*trading_, &TradingStub::GetClosedOrders, closed);
  ASSERT_TRUE(c.ok()) << c.status.error_message();
  ASSERT_EQ(c.response.orders_size(), 1);
  EXPECT_EQ(c.response.orders(0).order_id(), id);
  EXPECT_EQ(c.response.orders(0).status(), v1::ORDER_STATUS_CLOSED);
  EXPECT_EQ(c.response.orders(0).vol_exec(), "0.01000000");
  EXPECT_EQ(c.response.orders(0).descr().ordertype(), v1::ORDER_TYPE_MARKET);
  EXPECT_EQ(c.response.meta().source(), v1::READ_SOURCE_REST);
  // CACHE_ONLY cannot be served: no stream has the closed history.
  *closed.mutable_read() = read_policy(v1::READ_POLICY_CACHE_ONLY);
  EXPECT_EQ(call(*trading_, &TradingStub::GetClosedOrders, closed).status.error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  auto h = call(*trading_, &TradingStub::GetTradesHistory, v1::GetTradesHistoryRequest{});
  ASSERT_TRUE(h.ok()) << h.status.error_message();
  ASSERT_GE(h.response.trades_size(), 1);
  const v1::Trade& t = h.response.trades(0);  // newest first
  EXPECT_EQ(t.ordertxid(), id);
  EXPECT_EQ(t.pair(), "XXBTZUSD");
  EXPECT_EQ(t.symbol(), "BTC/USD");
  EXPECT_EQ(t.type(), v1::SIDE_BUY);
  EXPECT_EQ(t.vol(), "0.01000000");
  EXPECT_EQ(t.price(), "62800.00000");  // REST pads trade prices to five decimals, as Kraken does
  EXPECT_FALSE(t.maker());
  EXPECT_EQ(h.response.count(), static_cast<std::int64_t>(sim_trades(gw_->sim())));

  v1::QueryTradesRequest q;
  q.add_txids(t.trade_txid());
  auto qt = call(*trading_, &TradingStub::QueryTrades, q);
  ASSERT_TRUE(qt.ok()) << qt.status.error_message();
  ASSERT_EQ(qt.response.trades_size(), 1);
  EXPECT_EQ(qt.response.trades(0).ordertxid(), id);
  EXPECT_EQ(qt.response.trades(0).cost(), t.cost());
  EXPECT_EQ(qt.response.trades(0).fee(), t.fee());

  v1::GetLedgersRequest ledgers;
  auto l = call(*account_, &AccountStub::GetLedgers, ledgers);
  ASSERT_TRUE(l.ok()) << l.status.error_message();
  int of_the_trade = 0;
  for (const auto& e : l.response.entries())
    if (e.refid() == t.trade_txid()) ++of_the_trade;
  EXPECT_EQ(of_the_trade, 2) << l.response.ShortDebugString();  // the BTC bought, the USD paid
  v1::QueryLedgersRequest by_id;
  for (const auto& e : l.response.entries())
    if (e.refid() == t.trade_txid()) by_id.add_ids(e.ledger_id());
  auto ql = call(*account_, &AccountStub::QueryLedgers, by_id);
  ASSERT_TRUE(ql.ok()) << ql.status.error_message();
  ASSERT_EQ(ql.response.entries_size(), 2);
  for (const auto& e : ql.response.entries()) {
    EXPECT_EQ(e.refid(), t.trade_txid());
    EXPECT_EQ(e.type(), "trade");
  }
}

TEST_F(AccountE2E, PositionsAndTheTradeBalanceAreServedAndAgreeAcrossSources) {
  v1::GetPositionsRequest req;
  *req.mutable_read() = read_policy(v1::READ_POLICY_REST_ONLY);
  auto rest = call(*account_, &AccountStub::GetPositions, req);
  ASSERT_TRUE(rest.ok()) << rest.status.error_message();
  EXPECT_EQ(rest.response.meta().source(), v1::READ_SOURCE_REST);
  *req.mutable_read() = read_policy(v1::READ_POLICY_AUTO);
  auto automatic = call(*account_, &AccountStub::GetPositions, req);
  ASSERT_TRUE(automatic.ok()) << automatic.status.error_message();
  EXPECT_EQ(automatic.response.positions_size(), rest.response.positions_size());  // spot only: none
  auto tb = call(*account_, &AccountStub::GetTradeBalance, v1::GetTradeBalanceRequest{});
  ASSERT_TRUE(tb.ok()) << tb.status.error_message();
  EXPECT_EQ(tb.response.meta().source(), v1::READ_SOURCE_REST);
  EXPECT_FALSE(tb.response.equivalent_balance().empty());
  // The extended balances list the assets Balance does.
  auto ex = call(*account_, &AccountStub::GetBalanceEx, v1::GetBalanceExRequest{});
  ASSERT_TRUE(ex.ok()) << ex.status.error_message();
  v1::GetBalanceRequest plain;
  *plain.mutable_read() = read_policy(v1::READ_POLICY_REST_ONLY);
  auto b = call(*account_, &AccountStub::GetBalance, plain);
  ASSERT_TRUE(b.ok()) << b.status.error_message();
  std::map<std::string, std::string> extended;
  for (const auto& e : ex.response.balances()) extended[e.asset()] = e.balance();
  EXPECT_EQ(extended, by_asset(b.response));
}

// Reads one message, or fails the test when the stream ends.
template <class Reader, class Event>
bool next(Reader& r, Event& e) {
  if (r.Read(&e)) return true;
  ADD_FAILURE() << "the stream ended: " << r.Finish().error_message();
  return false;
}

bool has_order(const v1::ExecutionsEvent& e, const std::string& order_id, v1::ExecType type) {
  for (const auto& x : e.executions())
    if (x.order_id() == order_id && (type == v1::EXEC_TYPE_UNSPECIFIED || x.exec_type() == type)) return true;
  return false;
}

TEST_F(AccountE2E, StreamExecutionsSendsASnapshotThenUpdatesAndResumesWithUpdatesOnly) {
  const std::string before = resting("gw-exec-before");
  grpc::ClientContext ctx;
  with_deadline(ctx, std::chrono::seconds(20));
  auto reader = trading_->StreamExecutions(&ctx, {});
  v1::ExecutionsEvent e;
  ASSERT_TRUE(next(*reader, e));
  EXPECT_EQ(e.type(), v1::STREAM_MESSAGE_TYPE_SNAPSHOT);
  ASSERT_EQ(e.executions_size(), 1) << e.ShortDebugString();
  EXPECT_EQ(e.executions(0).order_id(), before);
  EXPECT_EQ(e.executions(0).cl_ord_id(), "gw-exec-before");
  EXPECT_EQ(e.executions(0).symbol(), "BTC/USD");
  EXPECT_EQ(e.executions(0).limit_price(), "30000.0");
  EXPECT_EQ(e.meta().source(), v1::READ_SOURCE_WS_CACHE);
  EXPECT_TRUE(e.meta().simulated());
  EXPECT_NE(e.epoch(), 0u);
  const std::uint64_t epoch = e.epoch(), snapshot_sequence = e.sequence();

  auto placed = call(*trading_, &TradingStub::PlaceOrder, limit_order("gw-exec-after", "30100.0"));
  ASSERT_TRUE(placed.ok()) << placed.status.error_message();
  const std::string after = placed.response.order_id();
  std::uint64_t last = snapshot_sequence;
  do {
    ASSERT_TRUE(next(*reader, e));
    EXPECT_EQ(e.type(), v1::STREAM_MESSAGE_TYPE_UPDATE);
    EXPECT_EQ(e.epoch(), epoch);
    EXPECT_GT(e.sequence(), last);
    EXPECT_EQ(e.dropped(), 0u);
    last = e.sequence();
  } while (!has_order(e, after, v1::EXEC_TYPE_NEW));
  ctx.TryCancel();
  (void)reader->Finish();

  // Resumed after the snapshot: the updates since, no snapshot.
  v1::StreamExecutionsRequest resume;
  resume.set_resume_after_epoch(epoch);
  resume.set_resume_after_sequence(snapshot_sequence);
  grpc::ClientContext ctx2;
  with_deadline(ctx2, std::chrono::seconds(20));
  auto resumed = trading_->StreamExecutions(&ctx2, resume);
  ASSERT_TRUE(next(*resumed, e));
  EXPECT_EQ(e.type(), v1::STREAM_MESSAGE_TYPE_UPDATE);
  EXPECT_EQ(e.epoch(), epoch);
  EXPECT_GT(e.sequence(), snapshot_sequence);
  EXPECT_TRUE(has_order(e, after, v1::EXEC_TYPE_UNSPECIFIED)) << e.ShortDebugString();
  EXPECT_FALSE(has_order(e, before, v1::EXEC_TYPE_UNSPECIFIED)) << e.ShortDebugString();
  ctx2.TryCancel();
  (void)resumed->Finish();

  // From another epoch: continuity cannot be promised, so a snapshot, now of both orders.
  resume.set_resume_after_epoch(epoch + 1);
  grpc::ClientContext ctx3;
  with_deadline(ctx3, std::chrono::seconds(20));
  auto fresh = trading_->StreamExecutions(&ctx3, resume);
  ASSERT_TRUE(next(*fresh, e));
  EXPECT_EQ(e.type(), v1::STREAM_MESSAGE_TYPE_SNAPSHOT);
  EXPECT_EQ(e.epoch(), epoch);
  EXPECT_EQ(e.executions_size(), 2) << e.ShortDebugString();
  ctx3.TryCancel();
  (void)fresh->Finish();
}

TEST_F(AccountE2E, StreamBalancesSendsASnapshotThenTheLedgerOfAFillAndResumesWithUpdatesOnly) {
  grpc::ClientContext ctx;
  with_deadline(ctx, std::chrono::seconds(20));
  auto reader = account_->StreamBalances(&ctx, {});
  v1::BalancesEvent e;
  ASSERT_TRUE(next(*reader, e));
  EXPECT_EQ(e.type(), v1::STREAM_MESSAGE_TYPE_SNAPSHOT);
  std::map<std::string, std::string> snapshot;
  for (const auto& b : e.snapshot()) snapshot[b.asset()] = b.balance();
  EXPECT_EQ(snapshot.count("ZUSD"), 1u) << e.ShortDebugString();
  EXPECT_EQ(snapshot.count("XXBT"), 1u) << e.ShortDebugString();
  EXPECT_NE(e.epoch(), 0u);
  EXPECT_EQ(e.meta().source(), v1::READ_SOURCE_WS_CACHE);
  const std::uint64_t epoch = e.epoch(), snapshot_sequence = e.sequence();

  const std::string id = filled_buy("gw-balances-1");
  ASSERT_FALSE(id.empty());
  std::map<std::string, std::string> moved;  // v2 asset code -> balance after
  std::uint64_t last = snapshot_sequence;
  while (moved.size() < 2) {
    ASSERT_TRUE(next(*reader, e));
    EXPECT_EQ(e.type(), v1::STREAM_MESSAGE_TYPE_UPDATE);
    EXPECT_EQ(e.epoch(), epoch);
    EXPECT_GT(e.sequence(), last);
    last = e.sequence();
    for (const auto& u : e.updates()) {
      EXPECT_EQ(u.type(), "trade") << u.ShortDebugString();
      moved[u.asset()] = u.balance();
    }
  }
  EXPECT_EQ(moved.count("BTC"), 1u);
  EXPECT_EQ(moved.count("USD"), 1u);
  ctx.TryCancel();
  (void)reader->Finish();

  v1::StreamBalancesRequest resume;
  resume.set_resume_after_epoch(epoch);
  resume.set_resume_after_sequence(snapshot_sequence);
  grpc::ClientContext ctx2;
  with_deadline(ctx2, std::chrono::seconds(20));
  auto resumed = account_->StreamBalances(&ctx2, resume);
  ASSERT_TRUE(next(*resumed, e));
  EXPECT_EQ(e.type(), v1::STREAM_MESSAGE_TYPE_UPDATE);
  EXPECT_EQ(e.snapshot_size(), 0);
  EXPECT_GT(e.updates_size(), 0);
  EXPECT_GT(e.sequence(), snapshot_sequence);
  ctx2.TryCancel();
  (void)resumed->Finish();
}

TEST_F(AccountE2E, ASlowExecutionsClientIsEndedAloneWithResourceExhausted) {
  auto slow_stub = v1::Trading::NewStub(slow_channel(*gw_));
  grpc::ClientContext slow_ctx, fast_ctx;
  with_deadline(slow_ctx, std::chrono::seconds(30));
  with_deadline(fast_ctx, std::chrono::seconds(30));
  auto slow = slow_stub->StreamExecutions(&slow_ctx, {});
  v1::ExecutionsEvent e;
  ASSERT_TRUE(next(*slow, e));  // streaming; now it stops reading
  auto fast = trading_->StreamExecutions(&fast_ctx, {});
  ASSERT_TRUE(next(*fast, e));
  std::atomic<int> fast_cancels{0};
  std::thread reader([&] {
    v1::ExecutionsEvent x;
    while (fast->Read(&x))
      for (const auto& ex : x.executions()) fast_cancels += ex.exec_type() == v1::EXEC_TYPE_CANCELED;
  });
  // Orders of the demo account made and cancelled in the simulator itself (no trading counter):
  // far more events than the slow client's queue (64) and receive window hold, in bursts a
  // client that keeps up takes without overflowing.
  const auto demo = demo_account(gw_->sim());
  constexpr int kRounds = 30, kPerRound = 5;
  for (int round = 0; round < kRounds; ++round) {
    gw_->sim().call([demo](sim::Exchange& ex) {
      for (int i = 0; i < kPerRound; ++i) {
        sim::AddOrderRequest r;
        r.pair = "XBTUSD";
        r.side = kraken::Side::buy;
        r.volume = "0.01";
        r.price = "30000.0";
        if (auto placed = ex.add_order(demo, r); !placed) ADD_FAILURE() << placed.error().message();
      }
      return ex.cancel_all(demo);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(wait_until([&] { return fast_cancels.load() >= kRounds * kPerRound; }, std::chrono::seconds(20)))
      << fast_cancels.load();
  while (slow->Read(&e)) {
  }
  const auto s = slow->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_EQ(error_detail(s).gateway_code(), "client_too_slow");
  // The fast client's stream goes on.
  const int before = fast_cancels.load();
  resting("gw-slow-after");
  EXPECT_EQ(call(*trading_, &TradingStub::CancelAllOrders, v1::CancelAllOrdersRequest{}).status.error_code(), grpc::StatusCode::OK);
  EXPECT_TRUE(wait_until([&] { return fast_cancels.load() > before; }));
  fast_ctx.TryCancel();
  reader.join();
  (void)fast->Finish();
}

// Bad input to the Account calls: INVALID_ARGUMENT naming the field, and nothing sent.
TEST_F(AccountE2E, BadInputToAccountCallsIsRefusedNamingTheFieldAndNothingReachesTheSimulator) {
  // What these calls would reach (OpenPositions is also the order manager's timer: not counted).
  const std::vector<std::string> paths = {"/0/private/Balance", "/0/private/BalanceEx", "/0/private/TradeBalance",
                                          "/0/private/Ledgers", "/0/private/QueryLedgers"};
  const auto requests = gw_->sim().rest_requests(paths);
  auto expect_field = [](const grpc::Status& s, const std::string& field) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field << ": " << s.error_message();
    if (s.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      EXPECT_EQ(error_detail(s).field(), field) << s.error_message();
    }
  };
  v1::GetBalanceRequest balance;
  balance.set_rebase_multiplier("triple");
  expect_field(call(*account_, &AccountStub::GetBalance, balance).status, "rebase_multiplier");
  balance.clear_rebase_multiplier();
  balance.mutable_read()->set_max_age_ns(-1);
  expect_field(call(*account_, &AccountStub::GetBalance, balance).status, "read.max_age_ns");
  v1::GetPositionsRequest positions;
  positions.mutable_read()->set_policy(static_cast<v1::ReadPolicy>(3));
  expect_field(call(*account_, &AccountStub::GetPositions, positions).status, "read.policy");
  v1::QueryLedgersRequest ledgers;
  expect_field(call(*account_, &AccountStub::QueryLedgers, ledgers).status, "ids");
  ledgers.add_ids("LAAAAA-BBBBB-CCCCCC");
  ledgers.add_ids("");
  expect_field(call(*account_, &AccountStub::QueryLedgers, ledgers).status, "ids[1]");
  v1::GetLedgersRequest history;
  history.add_assets("NOPE");
  expect_field(call(*account_, &AccountStub::GetLedgers, history).status, "assets[0]");
  history.clear_assets();
  history.set_type(static_cast<v1::LedgerType>(99));
  expect_field(call(*account_, &AccountStub::GetLedgers, history).status, "type");
  v1::GetTradeBalanceRequest trade_balance;
  trade_balance.set_asset("NOPE");
  expect_field(call(*account_, &AccountStub::GetTradeBalance, trade_balance).status, "asset");
  v1::GetBalanceExRequest extended;
  extended.set_rebase_multiplier("triple");
  expect_field(call(*account_, &AccountStub::GetBalanceEx, extended).status, "rebase_multiplier");
  {
    v1::StreamBalancesRequest req;
    req.set_resume_after_epoch(1);
    grpc::ClientContext ctx;
    with_deadline(ctx);
    auto reader = account_->StreamBalances(&ctx, req);
    v1::BalancesEvent e;
    EXPECT_FALSE(reader->Read(&e));
    expect_field(reader->Finish(), "resume_after_sequence");
  }
  EXPECT_EQ(gw_->sim().rest_requests(paths), requests);
}

}  // namespace
}  // namespace kgw::test
