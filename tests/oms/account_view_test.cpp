// The account view's WS half with scripted frames (Kraken's documented examples where they
// exist): subscriptions, freshness, orders merged from partial events, the move to recently
// closed, fills, sequence gaps, balances keyed both ways, and the write half's hooks.

#include "kgw/oms/account_view.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <sstream>

#include "account_test_support.hpp"
#include "kgw_test_fixtures.hpp"

namespace kgw::oms {
namespace {

using namespace test;
using kraken::ExecType;
using kraken::WsOrderStatus;

class AccountViewTest : public AccountViewFixture {
 protected:
  std::shared_ptr<AccountSubscription> subscriber() {
    auto s = view_.subscribe(std::nullopt);
    drain(io_);
    return s;
  }
};

TEST_F(AccountViewTest, SubscribesToExecutionsWithOrderAndTradeSnapshotsAndToBalancesWithASnapshot) {
  const auto frames = view_.subscription_requests("TOKEN", 11, 12);
  EXPECT_EQ(frames.executions,
            R"({"method":"subscribe","params":{"channel":"executions","snap_orders":true,"snap_trades":true,)"
            R"("order_status":true,"token":"TOKEN"},"req_id":11})");
  EXPECT_EQ(frames.balances, R"({"method":"subscribe","params":{"channel":"balances","snapshot":true,"token":"TOKEN"},"req_id":12})");
}

TEST_F(AccountViewTest, IsStaleUntilBothSnapshotsArriveAndAsksForReconciliationOnce) {
  EXPECT_FALSE(view_.snapshot()->fresh());
  EXPECT_FALSE(view_.snapshot()->freshness.connected);
  (void)view_.subscription_requests("TOKEN", 1, 2);
  EXPECT_TRUE(view_.snapshot()->freshness.connected);
  EXPECT_FALSE(view_.snapshot()->fresh());
  EXPECT_FALSE(feed(frame("executions", "snapshot", 1, {})).reconcile);
  EXPECT_FALSE(view_.snapshot()->fresh());
  EXPECT_TRUE(feed(frame("balances", "snapshot", 1, {})).reconcile);
  EXPECT_TRUE(view_.snapshot()->fresh());
  EXPECT_FALSE(feed(frame("executions", "update", 2, {order_item("O1", "pending_new", "pending_new")})).reconcile);
  view_.on_disconnected();
  const auto s = view_.snapshot();
  EXPECT_FALSE(s->fresh());
  EXPECT_FALSE(s->freshness.connected);
  EXPECT_EQ(s->freshness.since, now());
}

TEST_F(AccountViewTest, MergesTheDocumentedPendingNewNewAndTradeEventsIntoOneOrder) {
  connect({}, 7);
  auto sub = subscriber();
  (void)sub->next();  // start
  clock_.advance(std::chrono::seconds(1));
  feed(kgw::test::kraken_fixture("ws_v2/docs_executions_update_pending_new.json"));
  feed(kgw::test::kraken_fixture("ws_v2/docs_executions_update_new.json"));
  feed(kgw::test::kraken_fixture("ws_v2/docs_executions_update_trade.json"));

  const auto s = view_.snapshot();
  ASSERT_EQ(s->open_orders->size(), 1u);
  const auto o = s->open_orders->find("OK4GJX-KSTLS-7DZZO5");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->symbol, "BTC/USD");  // from pending_new; the new event has no symbol
  EXPECT_EQ(o->side.value, kraken::Side::sell);
  EXPECT_EQ(o->order_type.value, kraken::OrderType::limit);
  EXPECT_EQ(o->userref, 3);
  EXPECT_EQ(o->order_qty, dec("0.005"));
  EXPECT_EQ(o->limit_price, dec("26500.0"));
  EXPECT_EQ(o->status.value, WsOrderStatus::partially_filled);
  EXPECT_EQ(o->last_exec.value, ExecType::trade);
  EXPECT_EQ(o->cum_qty, dec("0.005"));
  EXPECT_EQ(o->cum_cost, dec("132.9995"));
  EXPECT_EQ(o->avg_price, dec("26599.9"));
  EXPECT_EQ(o->stamp.exchange, parse_rfc3339("2023-09-22T10:33:05.709993Z").value());
  EXPECT_EQ(o->stamp.received, now());
  EXPECT_EQ(o->stamp.source, Source::ws_update);

  ASSERT_EQ(s->fills->size(), 1u);
  const auto f = s->fill("TGBB7L-HT5LX-J3BZ4A");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->order_id, "OK4GJX-KSTLS-7DZZO5");
  EXPECT_EQ(f->trade_id, 62887576);
  EXPECT_EQ(f->qty, dec("0.005"));
  EXPECT_EQ(f->price, dec("26599.9"));
  EXPECT_EQ(f->cost, dec("132.9995"));
  EXPECT_EQ(f->liquidity, "t");
  ASSERT_EQ(f->fees.size(), 1u);
  EXPECT_EQ(f->fees[0].asset, "USD");
  EXPECT_EQ(f->fees[0].qty, dec("0.3458"));

  const auto events = events_of(*sub);
  std::vector<EventKind> kinds;
  for (const auto& e : events) kinds.push_back(e.kind);
  EXPECT_EQ(kinds, (std::vector<EventKind>{EventKind::order, EventKind::order, EventKind::fill, EventKind::order}));
  for (std::size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].cursor.sequence, i + 1);
  EXPECT_EQ(events[0].order->status.value, WsOrderStatus::pending_new);
  EXPECT_EQ(events[1].order->status.value, WsOrderStatus::new_);
  EXPECT_EQ(s->cursor, events.back().cursor);
}

TEST_F(AccountViewTest, AFilledOrderMovesToRecentlyClosedAndStaysFoundByItsClOrdId) {
  connect();
  feed(frame("executions", "update", 2,
             {order_item("O1", "pending_new", "pending_new", R"("cl_ord_id":"mine-1","symbol":"BTC/USD","order_qty":0.01)")}));
  EXPECT_EQ(view_.snapshot()->open_orders->find_by_cl_ord_id("mine-1")->order_id, "O1");
  feed(frame("executions", "update", 3, {trade_item("O1", "T1", "0.01", "30000.0", "filled", "0.01")}));
  feed(frame("executions", "update", 4, {order_item("O1", "filled", "filled")}));
  const auto s = view_.snapshot();
  EXPECT_EQ(s->open_orders->size(), 0u);
  EXPECT_FALSE(s->open_orders->find_by_cl_ord_id("mine-1"));
  const auto closed = s->order_by_cl_ord_id("mine-1");
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->status.value, WsOrderStatus::filled);
  EXPECT_EQ(closed->last_exec.value, ExecType::filled);
  EXPECT_EQ(s->fill("T1")->cl_ord_id, "mine-1");  // the trade event itself carries no cl_ord_id
  EXPECT_EQ(s->order("O1"), closed);
}

TEST_F(AccountViewTest, TheWritersLookupsFindClosedOrdersAsLongAsTheClosedLogKeepsThem) {
  AccountViewOptions o;
  o.closed_orders = 2;
  AccountView view(io_.get_executor(), catalogue(), clock_, o);
  auto feed_view = [&](const std::string& f) { ASSERT_TRUE(view.on_frame(f, now())); };
  (void)view.subscription_requests("TOKEN", 1, 2);
  feed_view(frame("executions", "snapshot", 1, {}));
  feed_view(frame("balances", "snapshot", 1, {}));
  std::uint64_t seq = 2;
  for (const char* id : {"O1", "O2", "O3"}) {
    const std::string cl = std::string("cl-") + id;
    feed_view(frame("executions", "update", seq++,
                    {order_item(id, "new", "new", fmt::format(R"("cl_ord_id":"{}","symbol":"BTC/USD","order_qty":0.01)", cl))}));
    EXPECT_EQ(view.find_order_by_cl_ord_id(cl)->order_id, id);  // open
    feed_view(frame("executions", "update", seq++, {order_item(id, "canceled", "canceled")}));
  }
  // The log keeps the newest two: O1 is forgotten by both lookups, as by the snapshot's scan.
  EXPECT_FALSE(view.find_order_by_cl_ord_id("cl-O1"));
  EXPECT_FALSE(view.find_order("O1"));
  EXPECT_FALSE(view.snapshot()->order_by_cl_ord_id("cl-O1"));
  for (const char* id : {"O2", "O3"}) {
    const auto by_cl = view.find_order_by_cl_ord_id(std::string("cl-") + id);
    ASSERT_TRUE(by_cl) << id;
    EXPECT_EQ(by_cl->status.value, WsOrderStatus::canceled);
    EXPECT_EQ(view.find_order(id), by_cl);
    EXPECT_EQ(view.snapshot()->order_by_cl_ord_id(std::string("cl-") + id), by_cl);
  }
  EXPECT_FALSE(view.find_order_by_cl_ord_id(""));
  EXPECT_FALSE(view.find_order_by_cl_ord_id("never-seen"));
}

TEST_F(AccountViewTest, UpdatesBeforeTheSnapshotAreLeftToTheSnapshot) {
  (void)view_.subscription_requests("TOKEN", 1, 2);
  feed(frame("executions", "update", 5, {order_item("O1", "pending_new", "pending_new")}));
  EXPECT_EQ(view_.snapshot()->open_orders->size(), 0u);
  feed(frame("executions", "snapshot", 1, {order_item("O1", "new", "new")}));
  EXPECT_EQ(view_.snapshot()->open_orders->find("O1")->stamp.source, Source::ws_snapshot);
}

TEST_F(AccountViewTest, ASequenceGapStopsTheStreamUntilTheConnectionIsReplaced) {
  connect();
  feed(frame("executions", "update", 2, {order_item("O1", "pending_new", "pending_new")}));
  const auto gap = feed(frame("executions", "update", 4, {order_item("O1", "new", "new")}));
  EXPECT_TRUE(gap.resync);
  EXPECT_FALSE(view_.snapshot()->fresh());
  EXPECT_EQ(view_.stats().sequence_gaps.load(), 1u);
  feed(frame("executions", "update", 5, {order_item("O1", "canceled", "canceled")}));
  EXPECT_EQ(view_.snapshot()->open_orders->find("O1")->status.value, WsOrderStatus::pending_new);  // ignored
  // Replaced: new subscriptions, fresh snapshots, sequences from 1 again.
  const auto back = connect({order_item("O1", "new", "new")});
  EXPECT_TRUE(back.reconcile);
  EXPECT_TRUE(view_.snapshot()->fresh());
  EXPECT_EQ(view_.snapshot()->open_orders->find("O1")->status.value, WsOrderStatus::new_);
}

TEST_F(AccountViewTest, ABalancesGapIsAGapToo) {
  connect({}, 1, {}, 1);
  EXPECT_FALSE(feed(kgw::test::kraken_fixture("ws_v2/docs_balances_update_deposit.json")).resync);  // sequence 2
  EXPECT_TRUE(feed(kgw::test::kraken_fixture("ws_v2/docs_balances_update_deposit.json")).resync);   // 2 again
}

TEST_F(AccountViewTest, AnUnreadableFrameIsAnErrorNamingTheFieldAndStopsTheStream) {
  connect();
  auto r = view_.on_frame(frame("executions", "update", 2, {R"({"order_id":"O1","exec_type":"new","order_qty":"lots"})"}), now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "executions: order_qty: 'lots' is not a decimal");
  EXPECT_FALSE(view_.snapshot()->fresh());
  EXPECT_EQ(view_.stats().parse_errors.load(), 1u);
}

TEST_F(AccountViewTest, ATradeSeenAgainInAReSnapshotIsEmittedOnce) {
  connect();
  feed(frame("executions", "update", 2, {order_item("O1", "new", "new", R"("symbol":"BTC/USD","order_qty":0.02)")}));
  feed(frame("executions", "update", 3, {trade_item("O1", "T1", "0.01", "30000.0", "partially_filled", "0.01", "2023-09-22T10:21:00Z")}));
  view_.on_disconnected();
  auto sub = view_.subscribe(view_.snapshot()->cursor);
  drain(io_);
  // Kraken's snapshot lists the newest trades first: T2 (missed) and T1 (seen).
  connect({order_item("O1", "new", "filled"), trade_item("O1", "T2", "0.01", "30000.0", "filled", "0.02", "2023-09-22T10:22:00Z"),
           trade_item("O1", "T1", "0.01", "30000.0", "partially_filled", "0.01", "2023-09-22T10:21:00Z")});
  std::vector<std::string> fills;
  for (const auto& e : events_of(*sub))
    if (e.kind == EventKind::fill) fills.push_back(e.fill->exec_id);
  EXPECT_EQ(fills, (std::vector<std::string>{"T2"}));
  EXPECT_EQ(view_.stats().duplicate_fills.load(), 1u);
  const auto s = view_.snapshot();
  ASSERT_EQ(s->fills->size(), 2u);
  EXPECT_EQ(s->fills->newest(0)->exec_id, "T2");
  EXPECT_EQ(s->fills->newest(0)->stamp.source, Source::ws_snapshot);
}

TEST_F(AccountViewTest, BalancesAreFoundByRestIdV2CodeAndAltname) {
  clock_.advance(std::chrono::seconds(3));
  (void)view_.subscription_requests("TOKEN", 1, 2);
  feed(frame("executions", "snapshot", 1, {}));
  EXPECT_TRUE(feed(kgw::test::kraken_fixture("ws_v2/docs_balances_snapshot.json")).reconcile);
  const auto s = view_.snapshot();
  for (const char* name : {"XXBT", "BTC", "XBT"}) {
    const auto b = s->balance(name);
    ASSERT_TRUE(b) << name;
    EXPECT_EQ(b->asset, "XXBT");
    EXPECT_EQ(b->code, "BTC");
    EXPECT_EQ(b->total, dec("1.2"));
  }
  EXPECT_EQ(s->balance("ZUSD")->total, dec("80595.4943"));
  EXPECT_EQ(s->balance("USD"), s->balance("ZUSD"));
  const auto matic = s->balance("MATIC");
  ASSERT_TRUE(matic);
  EXPECT_EQ(matic->total, dec("500"));
  ASSERT_EQ(matic->wallets.size(), 2u);
  EXPECT_EQ(matic->wallets[1], (kraken::BalanceWallet{"earn", "flex", dec("200")}));
  EXPECT_EQ(matic->stamp.source, Source::ws_snapshot);
  EXPECT_EQ(matic->stamp.received, now());
  EXPECT_FALSE(s->balance("ETH"));
}

TEST_F(AccountViewTest, LedgerUpdatesSetTheTotalAndMoveTheWalletByAmountLessFee) {
  connect({}, 1,
          {R"({"asset":"BTC","asset_class":"currency","balance":0.01,"wallets":[{"type":"spot","id":"main","balance":0.01}]})",
           R"({"asset":"USD","asset_class":"currency","balance":367.3463,"wallets":[{"type":"spot","id":"main","balance":367.3463}]})"},
          8);
  for (const auto& line : {std::string(R"({"channel":"balances","type":"update","data":[{"ledger_id":"AAICKV-NMQSR-ZO5IJD","ref_id":"AGBB7L-HT5LX-J3BB4A","timestamp":"2023-09-22T10:33:05.710082Z","type":"trade","asset":"BTC","asset_class":"currency","category":"trade","wallet_type":"spot","wallet_id":"main","amount":-0.005,"fee":0.0,"balance":0.005}],"sequence":9})"),
                           std::string(R"({"channel":"balances","type":"update","data":[{"ledger_id":"A5KS77-LQRMP-SMMN4B","ref_id":"AGBB7L-HT5LX-J3BB4A","timestamp":"2023-09-22T10:33:05.710082Z","type":"trade","asset":"USD","asset_class":"currency","category":"trade","wallet_type":"spot","wallet_id":"main","amount":132.9995,"fee":0.3458,"balance":500}],"sequence":10})")})
    feed(line);
  const auto s = view_.snapshot();
  const auto btc = s->balance("XBT");
  EXPECT_EQ(btc->total, dec("0.005"));
  EXPECT_EQ(btc->wallets.at(0).balance, dec("0.005"));
  EXPECT_EQ(btc->ledger_id, "AAICKV-NMQSR-ZO5IJD");
  EXPECT_EQ(btc->stamp.exchange, parse_rfc3339("2023-09-22T10:33:05.710082Z").value());
  EXPECT_EQ(btc->stamp.source, Source::ws_update);
  const auto usd = s->balance("ZUSD");
  EXPECT_EQ(usd->total, dec("500"));
  EXPECT_EQ(usd->wallets.at(0).balance, dec("500"));
  // The transaction itself travels with the value, for the gateway's balances stream.
  ASSERT_TRUE(usd->transaction);
  EXPECT_EQ(usd->transaction->ref_id, "AGBB7L-HT5LX-J3BB4A");
  EXPECT_EQ(usd->transaction->category, "trade");
  EXPECT_EQ(usd->transaction->amount, dec("132.9995"));
  EXPECT_EQ(usd->transaction->fee, dec("0.3458"));
  EXPECT_EQ(view_.stats().balance_updates.load(), 2u);
}

TEST_F(AccountViewTest, TheDocumentedTradeUpdatesFollowASnapshotWithoutAGap) {
  connect({}, 1, {}, 8);
  for (const auto& line : [] {
         std::vector<std::string> out;
         std::istringstream in(kgw::test::kraken_fixture("ws_v2/docs_balances_update_trade.jsonl"));
         for (std::string l; std::getline(in, l);)
           if (!l.empty()) out.push_back(l);
         return out;
       }())
    EXPECT_FALSE(feed(line).resync);
  EXPECT_EQ(view_.snapshot()->balance("BTC")->total, dec("0.005"));
  EXPECT_EQ(view_.snapshot()->balance("USD")->total, dec("500"));
}

TEST_F(AccountViewTest, AnAssetMissingFromANewSnapshotWentToZero) {
  connect({}, 1, {R"({"asset":"ETH","asset_class":"currency","balance":2,"wallets":[]})"});
  auto sub = view_.subscribe(view_.snapshot()->cursor);
  drain(io_);
  view_.on_disconnected();
  connect({}, 1, {});
  const auto eth = view_.snapshot()->balance("XETH");
  ASSERT_TRUE(eth);
  EXPECT_TRUE(eth->total.is_zero());
  const auto events = events_of(*sub);
  ASSERT_EQ(events.size(), 2u);  // start, balance
  EXPECT_EQ(events[1].kind, EventKind::balance);
  EXPECT_EQ(events[1].balance->code, "ETH");
}

TEST_F(AccountViewTest, HooksSeeEveryExecutionWithTheMergedOrderAndEveryEvent) {
  std::vector<std::string> seen;
  AccountHooks hooks;
  hooks.on_execution = [&](const kraken::ExecutionItem& x, const OrderState& o, bool snapshot) {
    seen.push_back(fmt::format("{}:{}:{}:{}", snapshot ? "snap" : "upd", x.exec_type.raw, o.order_id, o.symbol));
  };
  std::shared_ptr<AccountSubscription> sub;
  hooks.on_event = [&](const AccountEvent& e) {
    seen.push_back(fmt::format("event {}", e.cursor.sequence));
    while (auto queued = sub->next()) EXPECT_NE(queued->cursor, e.cursor);  // not yet for subscribers
  };
  view_.set_hooks(std::move(hooks));
  sub = subscriber();
  connect({order_item("O1", "new", "new", R"("symbol":"BTC/USD")")});
  feed(frame("executions", "update", 2, {order_item("O1", "canceled", "canceled")}));
  EXPECT_EQ(seen, (std::vector<std::string>{"snap:new:O1:BTC/USD", "event 1", "upd:canceled:O1:BTC/USD", "event 2"}));
}

TEST_F(AccountViewTest, AnUnknownExecTypeIsKeptRawAndCounted) {
  connect({order_item("O1", "new", "new")});
  feed(frame("executions", "update", 2, {order_item("O1", "teleported", "new")}));
  EXPECT_EQ(view_.snapshot()->open_orders->find("O1")->last_exec.raw, "teleported");
  EXPECT_EQ(view_.stats().unknown_words.load(), 1u);
}

TEST_F(AccountViewTest, OpenOrdersStayFoundThroughThousandsOfChangesAndOldSnapshotsStayAsTheyWere) {
  connect();
  std::mt19937 rng(7);
  struct Ref {
    std::string cl;
  };
  std::map<std::string, Ref> open;  // the model: open orders and their cl_ord_id
  std::uint64_t seq = 1;
  std::shared_ptr<const AccountSnapshot> kept;
  std::map<std::string, Ref> kept_model;
  auto check = [](const AccountSnapshot& s, const std::map<std::string, Ref>& model) {
    ASSERT_EQ(s.open_orders->size(), model.size());
    const auto list = s.open_orders->list();
    ASSERT_EQ(list.size(), model.size());
    auto it = model.begin();
    for (const auto& o : list) {
      EXPECT_EQ(o->order_id, (it++)->first);
      EXPECT_EQ(s.open_orders->find(o->order_id), o);
      if (!o->cl_ord_id.empty()) {
        EXPECT_EQ(s.open_orders->find_by_cl_ord_id(o->cl_ord_id), o);
      }
    }
  };
  for (int step = 0; step < 3000; ++step) {
    const std::string id = fmt::format("O{:03}", rng() % 300);
    std::string item;
    if (!open.count(id) || rng() % 3 == 0) {
      // A new order, or an open one getting a new cl_ord_id (an amend by another client id is
      // not Kraken's, but the index must follow whatever the order says).
      const std::string cl = rng() % 4 ? fmt::format("cl-{}-{}", id, step) : std::string();
      item = order_item(id, "new", "new", cl.empty() ? "" : fmt::format(R"("cl_ord_id":"{}")", cl));
      if (cl.empty() && open.count(id)) open[id];  // keeps the cl it had
      else open[id].cl = cl;
    } else if (rng() % 2) {
      item = order_item(id, "canceled", "canceled");
      open.erase(id);
    } else {
      item = order_item(id, "amended", "new", R"("order_qty":1.5)");
    }
    feed(frame("executions", "update", ++seq, {item}));
    if (step % 97 == 0) check(*view_.snapshot(), open);
    if (step == 1000) {
      kept = view_.snapshot();
      kept_model = open;
    }
  }
  check(*view_.snapshot(), open);
  check(*kept, kept_model);
  for (const auto& [id, ref] : open) {
    if (!ref.cl.empty()) {
      EXPECT_EQ(view_.snapshot()->open_orders->find_by_cl_ord_id(ref.cl)->order_id, id);
    }
  }
}

}  // namespace
}  // namespace kgw::oms
