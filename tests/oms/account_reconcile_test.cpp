// The account view's REST half with scripted REST answers: after a reconnect or a gap it emits
// the fills and order changes it missed, once each; a failed reconciliation changes the epoch;
// REST never moves an order backwards; positions follow margin fills.

#include <gtest/gtest.h>

#include "account_test_support.hpp"

namespace kgw::oms {
namespace {

using namespace test;
using kraken::WsOrderStatus;

class AccountReconcile : public AccountViewFixture {
 protected:
  FakeRest rest_;

  result<void> reconcile() { return run(io_, view_.reconcile(rest_)); }
  std::shared_ptr<AccountSubscription> follow() {
    auto s = view_.subscribe(view_.snapshot()->cursor);
    drain(io_);
    EXPECT_TRUE(s->next()->resumed);
    return s;
  }
  static std::vector<std::string> fills_in(const std::vector<AccountEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events)
      if (e.kind == EventKind::fill) out.push_back(e.fill->exec_id + "/" + std::string(to_string(e.fill->stamp.source)));
    return out;
  }
};

TEST_F(AccountReconcile, AReconnectEmitsTheFillsMissedWhileDisconnectedOnceEachAndKeepsTheEpoch) {
  ASSERT_TRUE(connect({order_item("O1", "new", "new", R"("symbol":"BTC/USD","order_qty":0.04)")}).reconcile);
  ASSERT_TRUE(reconcile());
  feed(frame("executions", "update", 2, {trade_item("O1", "T1", "0.01", "30000.0", "partially_filled", "0.01", "2023-09-22T10:21:00Z")}));
  const EventCursor before = view_.snapshot()->cursor;
  auto sub = follow();
  clock_.advance(std::chrono::minutes(5));
  view_.on_disconnected();  // 10:25:00
  // While disconnected T2 and T3 filled O1; the new snapshot shows the newest trade only.
  clock_.advance(std::chrono::minutes(1));
  ASSERT_TRUE(connect({order_item("O1", "new", "partially_filled", R"("cum_qty":0.03)"),
                       trade_item("O1", "T3", "0.01", "30000.0", "partially_filled", "0.03", "2023-09-22T10:26:40Z")})
                  .reconcile);
  rest_.trades = {rest_trade("T3", "O1", "0.01", "30000.0", "1695378400"), rest_trade("T2", "O1", "0.01", "30000.0", "1695378390"),
                  rest_trade("T1", "O1", "0.01", "30000.0", "1695378060")};
  rest_.open = {rest_order("O1", "open", "0.04", "0.03", "1695378000")};
  ASSERT_TRUE(reconcile());
  // Asked from the last fill seen (10:21:00) and the disconnect (10:25:00), less 2 s.
  EXPECT_EQ(rest_.trade_starts.back(), "1695378058");
  EXPECT_EQ(rest_.closed_starts.back(), "1695378298");
  const auto events = events_of(*sub);
  EXPECT_EQ(fills_in(events), (std::vector<std::string>{"T3/ws_snapshot", "T2/rest"}));
  const auto s = view_.snapshot();
  EXPECT_EQ(s->cursor.epoch, before.epoch);
  EXPECT_TRUE(s->freshness.reconciled);
  ASSERT_EQ(s->fills->size(), 3u);
  EXPECT_EQ(s->fill("T2")->cl_ord_id, "");
  EXPECT_EQ(s->fill("T2")->symbol, "BTC/USD");
  EXPECT_EQ(s->fill("T2")->stamp.exchange, WallTime{std::chrono::seconds{1695378390}});
  EXPECT_EQ(s->open_orders->find("O1")->cum_qty, dec("0.03"));
}

TEST_F(AccountReconcile, AFailedReconciliationChangesTheEpochAndTheRetryCatchesUpFromTheSamePoint) {
  connect();
  ASSERT_TRUE(reconcile());
  auto sub = follow();
  const std::uint64_t epoch = view_.snapshot()->cursor.epoch;
  clock_.advance(std::chrono::seconds(30));
  view_.on_disconnected();
  clock_.advance(std::chrono::seconds(5));
  connect();
  rest_.fail_trades = Error(errc::exchange_error, "EService:Unavailable");
  auto r = reconcile();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "reconcile: TradesHistory: EService:Unavailable");
  const auto s = view_.snapshot();
  EXPECT_GT(s->cursor.epoch, epoch);
  EXPECT_EQ(s->cursor.sequence, 0u);
  EXPECT_FALSE(s->freshness.reconciled);
  EXPECT_TRUE(s->fresh());  // the live stream is fine; its past is what is unsure
  auto events = events_of(*sub);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::reset);
  EXPECT_EQ(events[0].cursor, s->cursor);
  EXPECT_EQ(events[0].snapshot, s);
  EXPECT_EQ(view_.stats().epoch_changes.load(), 1u);
  // The retry asks from the same point and emits what was missed, in the new epoch.
  rest_.fail_trades.reset();
  rest_.trades = {rest_trade("T9", "O9", "0.5", "2000.0", "1695378032")};
  ASSERT_TRUE(reconcile());
  EXPECT_EQ(rest_.trade_starts[0], rest_.trade_starts[1]);
  events = events_of(*sub);
  EXPECT_EQ(fills_in(events), (std::vector<std::string>{"T9/rest"}));
  EXPECT_EQ(events.back().cursor.epoch, s->cursor.epoch);
}

TEST_F(AccountReconcile, MoreTradesSinceTheMarkThanItReadsAreGivenUpWithTheEpochNotAskedForAgainForever) {
  connect();
  ASSERT_TRUE(reconcile());
  clock_.advance(std::chrono::seconds(30));
  view_.on_disconnected();
  clock_.advance(std::chrono::seconds(5));
  connect();
  const std::uint64_t epoch = view_.snapshot()->cursor.epoch;
  rest_.fail_trades = Error(errc::overflow, "more than 20 pages (1000 entries read); narrow the query with start/end");
  ASSERT_FALSE(reconcile());  // 10:20:35
  EXPECT_GT(view_.snapshot()->cursor.epoch, epoch);
  rest_.fail_trades.reset();
  clock_.advance(std::chrono::seconds(1));
  ASSERT_TRUE(reconcile());
  // From the failed attempt (less 2 s), not from the mark before it: that read could never end.
  EXPECT_EQ(rest_.trade_starts.back(), "1695378033");
  EXPECT_TRUE(view_.snapshot()->freshness.reconciled);
}

TEST_F(AccountReconcile, MoreOrdersClosedSinceTheDisconnectThanItReadsAreGivenUpWithTheEpoch) {
  connect();
  ASSERT_TRUE(reconcile());
  clock_.advance(std::chrono::seconds(30));
  view_.on_disconnected();
  clock_.advance(std::chrono::seconds(5));
  connect();
  rest_.fail_closed = Error(errc::overflow, "more than 20 pages (1000 entries read); narrow the query with start/end");
  ASSERT_FALSE(reconcile());  // 10:20:35
  EXPECT_EQ(rest_.closed_starts.back(), "1695378028");  // the disconnect, less 2 s
  rest_.fail_closed.reset();
  ASSERT_TRUE(reconcile());
  EXPECT_EQ(rest_.closed_starts.back(), "1695378033");  // the failed attempt, less 2 s
}

TEST_F(AccountReconcile, AGapWhoseReconciliationFailsChangesTheEpoch) {
  connect();
  ASSERT_TRUE(reconcile());
  const std::uint64_t epoch = view_.snapshot()->cursor.epoch;
  EXPECT_TRUE(feed(frame("executions", "update", 3, {order_item("O1", "new", "new")})).resync);
  ASSERT_TRUE(connect().reconcile);
  rest_.fail_open = Error(errc::timeout, "no answer");
  EXPECT_FALSE(reconcile());
  EXPECT_GT(view_.snapshot()->cursor.epoch, epoch);
}

TEST_F(AccountReconcile, AGapFilledByReconciliationKeepsTheEpoch) {
  connect();
  ASSERT_TRUE(reconcile());
  const std::uint64_t epoch = view_.snapshot()->cursor.epoch;
  EXPECT_TRUE(feed(frame("executions", "update", 3, {order_item("O1", "new", "new")})).resync);
  ASSERT_TRUE(connect({order_item("O1", "new", "new")}).reconcile);
  rest_.open = {rest_order("O1", "open", "1", "0", "1695378000")};
  ASSERT_TRUE(reconcile());
  EXPECT_EQ(view_.snapshot()->cursor.epoch, epoch);
}

TEST_F(AccountReconcile, AnOrderMissingFromTheReSnapshotIsAskedForByIdAndClosed) {
  connect({order_item("O1", "new", "new", R"("symbol":"BTC/USD")"), order_item("O2", "new", "new", R"("symbol":"BTC/USD")")});
  ASSERT_TRUE(reconcile());
  view_.on_disconnected();
  connect({order_item("O1", "new", "new")});
  ASSERT_TRUE(view_.snapshot()->open_orders->find("O2"));  // until REST says how it ended
  auto canceled = rest_order("O2", "canceled", "1", "0", "1695378000", "1695378100");
  canceled.reason = "User requested";
  rest_.by_id = {canceled};
  rest_.open = {rest_order("O1", "open", "1", "0", "1695378000")};
  ASSERT_TRUE(reconcile());
  ASSERT_EQ(rest_.queried.size(), 1u);
  EXPECT_EQ(rest_.queried[0], (std::vector<std::string>{"O2"}));
  const auto s = view_.snapshot();
  EXPECT_FALSE(s->open_orders->find("O2"));
  const auto o2 = s->order("O2");
  ASSERT_TRUE(o2);
  EXPECT_EQ(o2->status.value, WsOrderStatus::canceled);
  EXPECT_EQ(o2->reason, "User requested");
  EXPECT_EQ(o2->closed, WallTime{std::chrono::seconds{1695378100}});
  EXPECT_EQ(o2->stamp.source, Source::rest);
  EXPECT_EQ(o2->stamp.exchange, WallTime{std::chrono::seconds{1695378100}});
}

TEST_F(AccountReconcile, AnOrderPlacedWhileDisconnectedArrivesFromRestWithItsFields) {
  connect();
  rest_.open = {rest_order("O7", "open", "0.5", "0.2", "1695378000.5")};
  rest_.open[0].cl_ord_id = "placed-over-rest";
  rest_.open[0].cost = dec("6000");
  rest_.open[0].price = dec("30000.0");
  ASSERT_TRUE(reconcile());
  const auto o = view_.snapshot()->open_orders->find_by_cl_ord_id("placed-over-rest");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->symbol, "BTC/USD");
  EXPECT_EQ(o->side.value, kraken::Side::buy);
  EXPECT_EQ(o->status.value, WsOrderStatus::partially_filled);
  EXPECT_EQ(o->order_qty, dec("0.5"));
  EXPECT_EQ(o->cum_qty, dec("0.2"));
  EXPECT_EQ(o->limit_price, dec("30000"));
  EXPECT_EQ(o->avg_price, dec("30000"));
  EXPECT_EQ(o->margin, false);
  EXPECT_EQ(o->opened, WallTime{std::chrono::milliseconds{1695378000500}});
}

TEST_F(AccountReconcile, RestNeverMovesAnOrderBackwards) {
  connect({order_item("O1", "new", "new")});
  feed(frame("executions", "update", 2, {order_item("O1", "filled", "filled", R"("cum_qty":1)")}));
  auto sub = follow();
  rest_.open = {rest_order("O1", "open", "1", "0.5", "1695378000")};  // an older view
  ASSERT_TRUE(reconcile());
  EXPECT_EQ(view_.snapshot()->order("O1")->status.value, WsOrderStatus::filled);
  EXPECT_EQ(view_.snapshot()->order("O1")->cum_qty, dec("1"));
  for (const auto& e : events_of(*sub)) {  // REST may fill in fields (side, type), never the state
    if (e.kind == EventKind::order) {
      EXPECT_EQ(e.order->status.value, WsOrderStatus::filled);
    }
  }
}

TEST_F(AccountReconcile, AReconcileOvertakenByADisconnectChangesNothing) {
  connect();
  const auto before = view_.snapshot()->cursor;
  struct Disconnecting final : AccountRest {
    AccountView* view = nullptr;
    asio::awaitable<result<std::vector<kraken::TradeInfo>>> trades_since(std::string) override {
      view->on_disconnected();  // the connection drops while TradesHistory is in flight
      co_return std::vector<kraken::TradeInfo>{rest_trade("T1", "O1", "1", "1", "1695378001")};
    }
    asio::awaitable<result<std::vector<kraken::OrderInfo>>> open_orders() override { co_return std::vector<kraken::OrderInfo>{}; }
    asio::awaitable<result<std::vector<kraken::OrderInfo>>> closed_since(std::string) override {
      co_return std::vector<kraken::OrderInfo>{};
    }
    asio::awaitable<result<std::vector<kraken::OrderInfo>>> query_orders(std::vector<std::string>) override {
      co_return std::vector<kraken::OrderInfo>{};
    }
    asio::awaitable<result<std::vector<kraken::PositionInfo>>> open_positions() override {
      co_return std::vector<kraken::PositionInfo>{};
    }
  } rest;
  rest.view = &view_;
  auto r = run(io_, view_.reconcile(rest));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::cancelled));
  EXPECT_EQ(view_.snapshot()->cursor, before);
  EXPECT_EQ(view_.snapshot()->fills->size(), 0u);
}

TEST_F(AccountReconcile, ReconcilingBeforeTheSnapshotsIsRefused) {
  (void)view_.subscription_requests("TOKEN", 1, 2);
  auto r = reconcile();
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::cancelled));
  EXPECT_TRUE(rest_.trade_starts.empty());
}

TEST_F(AccountReconcile, AFillOnAMarginOrderAsksForPositionsWhichComeFromRest) {
  connect({order_item("O1", "new", "new", R"("symbol":"BTC/USD","margin":true)")});
  const auto out = feed(frame("executions", "update", 2, {trade_item("O1", "T1", "0.01", "30000.0", "partially_filled", "0.01")}));
  EXPECT_TRUE(out.refresh_positions);
  EXPECT_EQ(view_.snapshot()->fill("T1")->margin, true);
  EXPECT_FALSE(view_.snapshot()->positions->loaded);
  kraken::PositionInfo p;
  p.txid = "TPOS1";
  p.ordertxid = "O1";
  p.pair = "XXBTZUSD";
  p.type = "buy";
  p.vol = dec("0.01");
  p.time = dec("1695378060");
  rest_.positions = {p};
  clock_.advance(std::chrono::seconds(1));
  ASSERT_TRUE(run(io_, view_.refresh_positions(rest_)));
  const auto s = view_.snapshot();
  ASSERT_TRUE(s->positions->loaded);
  ASSERT_EQ(s->positions->list.size(), 1u);
  EXPECT_EQ(s->positions->list[0].symbol, "BTC/USD");
  EXPECT_EQ(s->positions->list[0].info.txid, "TPOS1");
  EXPECT_EQ(s->positions->stamp.source, Source::rest);
  EXPECT_EQ(s->positions->stamp.received, now());
  EXPECT_FALSE(feed(frame("executions", "update", 3, {order_item("O1", "amended", "partially_filled")})).refresh_positions);
}

TEST_F(AccountReconcile, ASpotFillDoesNotAskForPositions) {
  connect({order_item("O1", "new", "new", R"("symbol":"BTC/USD")")});
  EXPECT_FALSE(feed(frame("executions", "update", 2, {trade_item("O1", "T1", "0.01", "30000.0", "partially_filled", "0.01")}))
                   .refresh_positions);
}

}  // namespace
}  // namespace kgw::oms
