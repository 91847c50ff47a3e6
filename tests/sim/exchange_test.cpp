#include "kgw/sim/exchange.hpp"

#include <gtest/gtest.h>

#include "kgw/sim/default_market.hpp"

namespace kgw::sim {
namespace {

struct Events : Exchange::Observer {
  std::vector<std::pair<AccountId, std::string>> execs;
  std::vector<PublicTrade> trades;
  std::vector<LedgerEntry> ledgers;
  void on_execution(AccountId a, const Execution& e) override {
    execs.emplace_back(a, std::string(to_string(e.type)) + " " + e.order->txid + (e.reason.empty() ? "" : " " + e.reason));
  }
  void on_public_trade(const PublicTrade& t) override { trades.push_back(t); }
  void on_ledger(AccountId, const LedgerEntry& e) override { ledgers.push_back(e); }
  int count(AccountId a, std::string_view type) const {
    int n = 0;
    for (auto& [acct, s] : execs)
      if (acct == a && s.rfind(std::string(type) + " ", 0) == 0) ++n;
    return n;
  }
};

std::string kraken_string(const Error& e) { return e.kraken ? e.kraken->joined() : e.message(); }

class ExchangeTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  Exchange ex_{{default_assets(), default_instruments(), 7, kraken::Tier::intermediate}, clock_};
  Events ev_;
  AccountId alice_ = 0, bob_ = 0;
  std::size_t usd_ = 0, xbt_ = 0;

  void SetUp() override {
    ex_.add_observer(&ev_);
    alice_ = ex_.add_account("alice", "KEYA", Secret("c2VjcmV0YQ=="));
    bob_ = ex_.add_account("bob", "KEYB", Secret("c2VjcmV0Yg=="));
    ASSERT_TRUE(ex_.deposit(alice_, "ZUSD", "100000"));
    ASSERT_TRUE(ex_.deposit(bob_, "XXBT", "10"));
    usd_ = *ex_.asset_index("USD");
    xbt_ = *ex_.asset_index("XBT");
  }
  AddOrderRequest limit(Side side, const char* vol, const char* px, const char* pair = "XBTUSD") {
    AddOrderRequest r;
    r.pair = pair;
    r.side = side;
    r.type = OrderType::limit;
    r.volume = vol;
    r.price = px;
    return r;
  }
};

TEST_F(ExchangeTest, ListsTheDefaultPairsUnderEveryKrakenSpelling) {
  for (const char* n : {"BTC/USD", "XBTUSD", "XXBTZUSD", "ETH/USD", "SOL/USD", "XBT/EUR", "BTC/EUR", "ETH/BTC", "ETHXBT"})
    EXPECT_TRUE(ex_.pair_index(n).has_value()) << n;
}

TEST_F(ExchangeTest, RestingBuyHoldsCostPlusFeeAndReleasesItOnCancel) {
  auto r = ex_.add_order(alice_, limit(Side::buy, "1.0", "50000.0"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->txid.size(), 19u);
  EXPECT_EQ(r->txid[0], 'O');
  EXPECT_EQ(r->descr, "buy 1.00000000 XBTUSD @ limit 50000.0");
  const Account* a = ex_.account(alice_);
  EXPECT_EQ(a->hold[usd_], 500000000 + 1300000);  // 50000 + 0.26 % taker fee, at 4 decimals
  EXPECT_EQ(ex_.available(alice_, usd_), 1000000000 - 501300000);
  auto c = ex_.cancel_order(alice_, {.txid = r->txid});
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, 1);
  EXPECT_EQ(a->hold[usd_], 0);
  EXPECT_EQ(ev_.count(alice_, "canceled"), 1);
  ASSERT_EQ(ex_.closed_orders(alice_).size(), 1u);
  EXPECT_EQ(ex_.closed_orders(alice_)[0]->order.status, OrderStatus::canceled);
}

TEST_F(ExchangeTest, AFillMovesFundsChargesMakerAndTakerFeesAndWritesLedgers) {
  ASSERT_TRUE(ex_.add_order(bob_, limit(Side::sell, "0.5", "60000.0")));
  auto buy = ex_.add_order(alice_, limit(Side::buy, "0.5", "60000.0"));
  ASSERT_TRUE(buy);
  // Alice (taker) paid 30000 + 0.26 % = 78 USD fee; Bob (maker) received 30000 - 0.16 % = 48.
  EXPECT_EQ(ex_.account(alice_)->balance[usd_], 1000000000 - 300000000 - 780000);
  EXPECT_EQ(ex_.account(alice_)->balance[xbt_], 5000000000);
  EXPECT_EQ(ex_.account(bob_)->balance[usd_], 300000000 - 480000);
  EXPECT_EQ(ex_.account(bob_)->balance[xbt_], 100000000000 - 5000000000);
  EXPECT_EQ(ex_.account(alice_)->hold[usd_], 0);
  EXPECT_EQ(ex_.account(bob_)->hold[xbt_], 0);
  ASSERT_EQ(ev_.trades.size(), 1u);
  EXPECT_EQ(ev_.trades[0].taker_side, Side::buy);
  auto ta = ex_.trades(alice_);
  ASSERT_EQ(ta.size(), 1u);
  EXPECT_FALSE(ta[0]->maker);
  EXPECT_EQ(ta[0]->fee, 780000);
  EXPECT_EQ(ta[0]->ledgers.size(), 2u);
  EXPECT_TRUE(ex_.trades(bob_)[0]->maker);
  // Both sides: pending_new, new, trade, then the close as filled.
  EXPECT_EQ(ev_.count(alice_, "trade"), 1);
  EXPECT_EQ(ev_.count(alice_, "filled"), 1);
  EXPECT_EQ(ev_.count(bob_, "filled"), 1);
  const OrderRecord* rec = ex_.find_order(alice_, buy->txid);
  ASSERT_NE(rec, nullptr);
  EXPECT_EQ(rec->order.status, OrderStatus::closed);
  EXPECT_EQ(rec->cost, 300000000);
  EXPECT_EQ(rec->fee, 780000);
  // Ledger entries come in base/quote pairs sharing the trade id.
  int trade_ledgers = 0;
  for (const auto& l : ev_.ledgers)
    if (l.type == "trade") ++trade_ledgers;
  EXPECT_EQ(trade_ledgers, 4);
}

TEST_F(ExchangeTest, RejectsWithKrakensErrorStrings) {
  auto bad_pair = ex_.add_order(alice_, limit(Side::buy, "1", "100", "FOO/BAR"));
  EXPECT_EQ(kraken_string(bad_pair.error()), "EQuery:Unknown asset pair");
  EXPECT_EQ(kraken_string(ex_.add_order(alice_, limit(Side::buy, "1", "100.05")).error()),
            "EOrder:Invalid price:XBT/USD price can only be specified up to 1 decimals.");
  EXPECT_EQ(kraken_string(ex_.add_order(alice_, limit(Side::buy, "0.00001", "100.0")).error()),
            "EOrder:Order minimum not met");
  EXPECT_EQ(kraken_string(ex_.add_order(alice_, limit(Side::buy, "abc", "100.0")).error()),
            "EGeneral:Invalid arguments:volume");
  EXPECT_EQ(kraken_string(ex_.add_order(alice_, limit(Side::buy, "0.0001", "100.0")).error()),
            "EOrder:Cost minimum not met");
  EXPECT_EQ(kraken_string(ex_.add_order(alice_, limit(Side::buy, "10", "60000.0")).error()),
            "EOrder:Insufficient funds");
  EXPECT_EQ(kraken_string(ex_.cancel_order(alice_, {.txid = "OAAAAA-BBBBB-CCCCCC"}).error()), "EOrder:Invalid order");
}

TEST_F(ExchangeTest, ValidateOnlyChecksAndPlacesNothing) {
  auto r = limit(Side::buy, "1", "50000.0");
  r.validate = true;
  auto v = ex_.add_order(alice_, r);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->txid.empty());
  EXPECT_EQ(ex_.account(alice_)->hold[usd_], 0);
  EXPECT_TRUE(ex_.open_orders(alice_).empty());
}

TEST_F(ExchangeTest, ClOrdIdIsUniqueAmongOpenOrdersAndSelectsForCancel) {
  auto r = limit(Side::buy, "0.1", "50000.0");
  r.cl_ord_id = "my-order-1";
  ASSERT_TRUE(ex_.add_order(alice_, r));
  EXPECT_FALSE(ex_.add_order(alice_, r));
  auto c = ex_.cancel_order(alice_, {.cl_ord_id = std::string("my-order-1")});
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, 1);
  EXPECT_TRUE(ex_.add_order(alice_, r));  // free again once the first is closed
}

TEST_F(ExchangeTest, CancelByUserrefCancelsEveryMatchingOrder) {
  auto r = limit(Side::buy, "0.1", "50000.0");
  r.userref = 42;
  ASSERT_TRUE(ex_.add_order(alice_, r));
  ASSERT_TRUE(ex_.add_order(alice_, r));
  auto c = ex_.cancel_order(alice_, {.userref = 42});
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, 2);
}

TEST_F(ExchangeTest, StatusModesAreEnforced) {
  ex_.set_status(SystemStatus::cancel_only);
  EXPECT_EQ(kraken_string(ex_.add_order(alice_, limit(Side::buy, "0.1", "50000.0")).error()),
            "EService:Market in cancel_only mode");
  ex_.set_status(SystemStatus::post_only);
  EXPECT_EQ(kraken_string(ex_.add_order(alice_, limit(Side::buy, "0.1", "50000.0")).error()),
            "EService:Market in post_only mode");
  auto p = limit(Side::buy, "0.1", "50000.0");
  p.post_only = true;
  EXPECT_TRUE(ex_.add_order(alice_, p));
  ex_.set_status(SystemStatus::maintenance);
  EXPECT_EQ(kraken_string(ex_.add_order(alice_, p).error()), "EService:Unavailable");
}

TEST_F(ExchangeTest, DeadManSwitchCancelsEverythingWhenItFires) {
  ASSERT_TRUE(ex_.add_order(alice_, limit(Side::buy, "0.1", "50000.0")));
  ASSERT_TRUE(ex_.add_order(alice_, limit(Side::buy, "0.1", "49000.0")));
  auto t = ex_.cancel_all_orders_after(alice_, 60);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->second - t->first, std::chrono::seconds(60));
  clock_.advance(std::chrono::seconds(59));
  ex_.tick();
  EXPECT_EQ(ex_.open_orders(alice_).size(), 2u);
  clock_.advance(std::chrono::seconds(1));
  ex_.tick();
  EXPECT_TRUE(ex_.open_orders(alice_).empty());
  EXPECT_FALSE(ex_.cancel_all_orders_after(alice_, 86400));
}

TEST_F(ExchangeTest, DeadManSwitchCanBeDisabledWithZero) {
  ASSERT_TRUE(ex_.add_order(alice_, limit(Side::buy, "0.1", "50000.0")));
  ASSERT_TRUE(ex_.cancel_all_orders_after(alice_, 10));
  ASSERT_TRUE(ex_.cancel_all_orders_after(alice_, 0));
  clock_.advance(std::chrono::seconds(11));
  ex_.tick();
  EXPECT_EQ(ex_.open_orders(alice_).size(), 1u);
}

TEST_F(ExchangeTest, TradingRateCounterRejectsAddsPastTheThresholdAndDecays) {
  // Intermediate tier: threshold 125, decay 2.34/s. Each add +1, each quick cancel +8.
  int rejected = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = ex_.add_order(alice_, limit(Side::buy, "0.001", "50000.0"));
    if (!r) {
      ++rejected;
      continue;
    }
    (void)ex_.cancel_order(alice_, {.txid = r->txid});
  }
  EXPECT_GT(rejected, 0);
  EXPECT_GT(ex_.rate_counter(alice_, 0), 100.0);
  clock_.advance(std::chrono::seconds(60));
  EXPECT_LT(ex_.rate_counter(alice_, 0), 1.0);
  EXPECT_TRUE(ex_.add_order(alice_, limit(Side::buy, "0.001", "50000.0")));
}

TEST_F(ExchangeTest, BatchRejectsWholeOnValidationAndPlacesInOrder) {
  std::vector<AddOrderRequest> batch{limit(Side::buy, "0.1", "50000.0"), limit(Side::buy, "0.1", "50000.05")};
  auto bad = ex_.add_order_batch(alice_, batch, false);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(ex_.open_orders(alice_).empty());
  batch[1] = limit(Side::buy, "0.1", "49000.0");
  auto ok = ex_.add_order_batch(alice_, batch, false);
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_TRUE((*ok)[0]);
  EXPECT_TRUE((*ok)[1]);
  EXPECT_EQ(ex_.open_orders(alice_).size(), 2u);
  EXPECT_FALSE(ex_.add_order_batch(alice_, {batch[0]}, false));
}

TEST_F(ExchangeTest, AmendKeepsTheTxidAndEditReplacesTheOrder) {
  auto r = ex_.add_order(alice_, limit(Side::buy, "0.1", "50000.0"));
  ASSERT_TRUE(r);
  auto a = ex_.amend_order(alice_, {.which = {.txid = r->txid}, .order_qty = std::string("0.2")});
  ASSERT_TRUE(a) << a.error().message();
  const OrderRecord* rec = ex_.find_order(alice_, r->txid);
  EXPECT_EQ(rec->order.volume.value, 20000000);
  EXPECT_EQ(ev_.count(alice_, "amended"), 1);
  EditOrderRequest e;
  e.which.txid = r->txid;
  e.pair = "XBTUSD";
  e.price = "49000.0";
  auto ed = ex_.edit_order(alice_, e);
  ASSERT_TRUE(ed) << ed.error().message();
  EXPECT_NE(ed->txid, r->txid);
  EXPECT_EQ(ed->original_txid, r->txid);
  EXPECT_EQ(ex_.open_orders(alice_).size(), 1u);
  EXPECT_EQ(ex_.open_orders(alice_)[0]->txid, ed->txid);
}

TEST_F(ExchangeTest, GtdOrderExpiresOnTick) {
  auto r = limit(Side::buy, "0.1", "50000.0");
  r.tif = TimeInForce::gtd;
  r.expiretm = clock_.wall_now() + std::chrono::seconds(30);
  ASSERT_TRUE(ex_.add_order(alice_, r));
  clock_.advance(std::chrono::seconds(31));
  ex_.tick();
  EXPECT_TRUE(ex_.open_orders(alice_).empty());
  EXPECT_EQ(ex_.closed_orders(alice_)[0]->order.status, OrderStatus::expired);
  EXPECT_EQ(ex_.account(alice_)->hold[usd_], 0);
}

TEST_F(ExchangeTest, NonceMustStrictlyIncreasePerKey) {
  EXPECT_TRUE(ex_.accept_nonce(alice_, 100));
  EXPECT_FALSE(ex_.accept_nonce(alice_, 100));
  EXPECT_FALSE(ex_.accept_nonce(alice_, 99));
  EXPECT_TRUE(ex_.accept_nonce(bob_, 1));
}

TEST_F(ExchangeTest, IdsAreDeterministicForASeed) {
  ManualClock c2;
  Exchange other{{default_assets(), default_instruments(), 7, kraken::Tier::intermediate}, c2};
  AccountId a2 = other.add_account("alice", "KEYA", Secret("c2VjcmV0YQ=="));
  ASSERT_TRUE(other.deposit(a2, "ZUSD", "100000"));
  // Same sequence of id draws: deposit ledger ids in SetUp used the same generator calls.
  auto x = ex_.add_order(alice_, limit(Side::buy, "0.1", "50000.0"));
  ASSERT_TRUE(other.deposit(a2, "XXBT", "10"));  // mirrors bob's deposit in SetUp
  auto y = other.add_order(a2, limit(Side::buy, "0.1", "50000.0"));
  ASSERT_TRUE(x && y);
  EXPECT_EQ(x->txid, y->txid);
}

}  // namespace
}  // namespace kgw::sim

namespace kgw::sim {
namespace {

TEST_F(ExchangeTest, AmendingASellMovesItsHoldAndCannotExceedTheBalance) {
  auto r = ex_.add_order(bob_, limit(Side::sell, "4", "70000.0"));
  ASSERT_TRUE(r);
  EXPECT_EQ(ex_.account(bob_)->hold[xbt_], 40000000000);
  ASSERT_TRUE(ex_.amend_order(bob_, {.which = {.txid = r->txid}, .order_qty = std::string("2")}));
  EXPECT_EQ(ex_.account(bob_)->hold[xbt_], 20000000000);
  auto too_much = ex_.amend_order(bob_, {.which = {.txid = r->txid}, .order_qty = std::string("11")});
  ASSERT_FALSE(too_much);
  EXPECT_EQ(kraken_string(too_much.error()), "EOrder:Insufficient funds");
  EXPECT_EQ(ex_.account(bob_)->hold[xbt_], 20000000000);  // unchanged by the refused amend
}

TEST_F(ExchangeTest, OpenOrderIndexesStayRightAcrossALongHistory) {
  // Order entry reads open-order indexes instead of scanning the history (speed: kgw_sim_bench
  // BM_ExchangeAddCancel/history); here every lookup must still find the right order.
  std::string last;
  for (int i = 0; i < 3000; ++i) {
    clock_.advance(std::chrono::seconds(5));  // add +1 and quick cancel +8 decay in 5 s
    auto r = ex_.add_order(alice_, limit(Side::buy, "0.001", "50000.0"));
    ASSERT_TRUE(r) << i << ": " << r.error().message();
    ASSERT_TRUE(ex_.cancel_order(alice_, {.txid = r->txid}));
    last = r->txid;
  }
  EXPECT_TRUE(ex_.open_orders(alice_).empty());
  EXPECT_EQ(ex_.closed_orders(alice_).size(), 3000u);
  EXPECT_EQ(ex_.closed_orders(alice_).front()->txid, last);
}

}  // namespace
}  // namespace kgw::sim

namespace kgw::sim {
namespace {

TEST_F(ExchangeTest, LeveragedBuyOpensALongPositionWithoutMovingBaseOrQuote) {
  ASSERT_TRUE(ex_.add_order(bob_, limit(Side::sell, "1", "50000.0")));
  auto r = limit(Side::buy, "1", "50000.0");
  r.leverage = "5";
  auto placed = ex_.add_order(alice_, r);
  ASSERT_TRUE(placed) << placed.error().message();
  auto pos = ex_.positions(alice_);
  ASSERT_EQ(pos.size(), 1u);
  EXPECT_EQ(pos[0]->side, Side::buy);
  EXPECT_EQ(pos[0]->vol.value, 100000000);
  EXPECT_EQ(pos[0]->cost, 500000000);   // 50000 USD at 4 decimals
  EXPECT_EQ(pos[0]->margin, 100000000); // / 5
  EXPECT_EQ(ex_.account(alice_)->balance[xbt_], 0);
  // Only the fee left the balance (taker 0.26 % of 50000 = 130 USD).
  EXPECT_EQ(ex_.account(alice_)->balance[usd_], 1000000000 - 1300000);
  EXPECT_EQ(ex_.find_order(alice_, placed->txid)->descr, "buy 1.00000000 XBTUSD @ limit 50000.0 with 5:1 leverage");
  EXPECT_EQ(ex_.margin_used(alice_, usd_), 100000000);
}

TEST_F(ExchangeTest, OppositeMarginOrderClosesThePositionAndRealisesPnl) {
  ASSERT_TRUE(ex_.add_order(bob_, limit(Side::sell, "1", "50000.0")));
  auto open = limit(Side::buy, "1", "50000.0");
  open.leverage = "2";
  ASSERT_TRUE(ex_.add_order(alice_, open));
  ASSERT_TRUE(ex_.deposit(bob_, "ZUSD", "100000"));
  ASSERT_TRUE(ex_.add_order(bob_, limit(Side::buy, "1", "51000.0")));
  auto close = limit(Side::sell, "1", "51000.0");
  close.leverage = "2";
  close.reduce_only = true;
  ASSERT_TRUE(ex_.add_order(alice_, close));
  EXPECT_TRUE(ex_.positions(alice_).empty());
  // +1000 USD realised, minus two taker fees: 0.26 % of 50000, then 0.24 % of 51000 (the first
  // trade's 50,000 USD of volume moved alice into the next fee tier).
  EXPECT_EQ(ex_.account(alice_)->balance[usd_], 1000000000 + 10000000 - 1300000 - 1224000);
  auto hist = ex_.trades(alice_);
  ASSERT_EQ(hist.size(), 2u);
  EXPECT_EQ(hist[0]->posstatus, "closed");
  EXPECT_EQ(hist[1]->posstatus, "open");
}

TEST_F(ExchangeTest, MarginRulesUseKrakensErrors) {
  auto r = limit(Side::buy, "1", "50000.0");
  r.leverage = "7";  // XBTUSD offers 2..5
  EXPECT_EQ(kraken_string(ex_.add_order(alice_, r).error()), "EGeneral:Invalid arguments:leverage");
  r.leverage = "5";
  r.reduce_only = true;
  EXPECT_EQ(kraken_string(ex_.add_order(alice_, r).error()), "EOrder:Reduce only:No position exists");
  r.reduce_only = false;
  r.volume = "100";  // 5,000,000 USD of exposure on 100,000 of collateral at 5x
  EXPECT_EQ(kraken_string(ex_.add_order(alice_, r).error()), "EOrder:Insufficient initial margin");
  auto spot = limit(Side::buy, "1", "50000.0");
  spot.reduce_only = true;
  EXPECT_EQ(kraken_string(ex_.add_order(alice_, spot).error()), "EOrder:Reduce only:Non-PC");
}

TEST_F(ExchangeTest, ReduceOnlyIsClampedToTheOpenPositionSoItNeverFlips) {
  ASSERT_TRUE(ex_.add_order(bob_, limit(Side::sell, "0.5", "50000.0")));
  auto open = limit(Side::buy, "0.5", "50000.0");
  open.leverage = "3";
  ASSERT_TRUE(ex_.add_order(alice_, open));
  auto close = limit(Side::sell, "2", "60000.0");
  close.leverage = "3";
  close.reduce_only = true;
  auto placed = ex_.add_order(alice_, close);
  ASSERT_TRUE(placed);
  EXPECT_EQ(ex_.find_order(alice_, placed->txid)->order.volume.value, 50000000);
}

}  // namespace
}  // namespace kgw::sim

namespace kgw::sim {
namespace {

TEST_F(ExchangeTest, ConditionalCloseIsPlacedWhenThePrimaryFills) {
  auto r = limit(Side::buy, "0.5", "50000.0");
  r.close = CloseSpec{OrderType::limit, std::string("55000.0"), std::nullopt};
  auto primary = ex_.add_order(alice_, r);
  ASSERT_TRUE(primary);
  EXPECT_EQ(primary->close_descr, "close position @ limit 55000.0");
  EXPECT_EQ(ex_.open_orders(alice_).size(), 1u);
  ASSERT_TRUE(ex_.add_order(bob_, limit(Side::sell, "0.5", "50000.0")));  // fills the primary
  auto open = ex_.open_orders(alice_);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0]->order.side, Side::sell);
  EXPECT_EQ(open[0]->order.volume.value, 50000000);
  EXPECT_EQ(open[0]->order.limit.value, 550000);
}

}  // namespace
}  // namespace kgw::sim

namespace kgw::sim {
namespace {

TEST_F(ExchangeTest, DescriptionsReadLikeKrakens) {
  auto stop = limit(Side::sell, "0.4", "49000.0");
  stop.type = OrderType::stop_loss_limit;
  stop.price = "49000.0";
  stop.price2 = "48900.0";
  stop.close = CloseSpec{OrderType::stop_loss_limit, std::string("22000.0"), std::string("21000.0")};
  ASSERT_TRUE(ex_.deposit(alice_, "XXBT", "1"));
  auto r = ex_.add_order(alice_, stop);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->descr, "sell 0.40000000 XBTUSD @ stop loss 49000.0 -> limit 48900.0");
  EXPECT_EQ(r->close_descr, "close position @ stop loss 22000.0 -> limit 21000.0");
  auto trail = limit(Side::sell, "0.1", "+5.0%");
  trail.type = OrderType::trailing_stop;
  auto t = ex_.add_order(alice_, trail);
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->descr, "sell 0.10000000 XBTUSD @ trailing stop +5.0000%");
}

}  // namespace
}  // namespace kgw::sim

namespace kgw::sim {
namespace {

TEST_F(ExchangeTest, ScheduledOrderWaitsForItsStartTime) {
  auto r = limit(Side::buy, "0.1", "50000.0");
  r.starttm = clock_.wall_now() + std::chrono::seconds(30);
  auto placed = ex_.add_order(alice_, r);
  ASSERT_TRUE(placed);
  EXPECT_EQ(ex_.find_order(alice_, placed->txid)->order.status, OrderStatus::pending);
  EXPECT_EQ(ex_.engine(0).resting_count(), 0u);
  EXPECT_GT(ex_.account(alice_)->hold[usd_], 0);  // funded at acceptance
  clock_.advance(std::chrono::seconds(30));
  ex_.tick();
  EXPECT_EQ(ex_.find_order(alice_, placed->txid)->order.status, OrderStatus::open);
  EXPECT_EQ(ex_.engine(0).resting_count(), 1u);

  auto later = limit(Side::buy, "0.1", "49000.0");
  later.starttm = clock_.wall_now() + std::chrono::seconds(60);
  auto second = ex_.add_order(alice_, later);
  ASSERT_TRUE(second);
  ASSERT_TRUE(ex_.cancel_order(alice_, {.txid = second->txid}));
  EXPECT_EQ(ex_.find_order(alice_, second->txid)->order.status, OrderStatus::canceled);
  clock_.advance(std::chrono::seconds(61));
  ex_.tick();
  EXPECT_EQ(ex_.engine(0).resting_count(), 1u);
}

TEST_F(ExchangeTest, ViqcBuysForAQuoteAmountWalkingTheBook) {
  ASSERT_TRUE(ex_.add_order(bob_, limit(Side::sell, "0.01", "50000.0")));  // 500 USD
  ASSERT_TRUE(ex_.add_order(bob_, limit(Side::sell, "1", "50100.0")));
  AddOrderRequest m;
  m.pair = "XBTUSD";
  m.side = Side::buy;
  m.type = OrderType::market;
  m.volume = "1001.00";  // 500 at 50000, then 501 at 50100 = 0.01 XBT
  m.viqc = true;
  auto r = ex_.add_order(alice_, m);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(ex_.account(alice_)->balance[xbt_], 200000000);  // 0.02 XBT at 10 decimals
  auto sell = m;
  sell.side = Side::sell;
  EXPECT_EQ(kraken_string(ex_.add_order(alice_, sell).error()), "EGeneral:Invalid arguments:viqc");
}

}  // namespace
}  // namespace kgw::sim

namespace kgw::sim {
namespace {

TEST_F(ExchangeTest, OpenPositionsPayRolloverEveryFourHours) {
  ASSERT_TRUE(ex_.add_order(bob_, limit(Side::sell, "1", "50000.0")));
  auto r = limit(Side::buy, "1", "50000.0");
  r.leverage = "5";
  ASSERT_TRUE(ex_.add_order(alice_, r));
  const auto before = ex_.account(alice_)->balance[usd_];
  clock_.advance(std::chrono::hours(4));
  ex_.tick();
  EXPECT_EQ(ex_.account(alice_)->balance[usd_], before - 50000);  // 0.01 % of 50000 USD = 5 USD
  EXPECT_EQ(ex_.account(alice_)->ledger.back().type, "rollover");
  clock_.advance(std::chrono::hours(3));
  ex_.tick();
  EXPECT_EQ(ex_.account(alice_)->balance[usd_], before - 50000);
}

}  // namespace
}  // namespace kgw::sim

namespace kgw::sim {
namespace {

TEST(ExchangeHistory, KeepsAtMostTheHistoryLimitOfClosedOrdersTradesAndLedgerEntries) {
  ManualClock clock;
  Exchange::Config cfg{default_assets(), default_instruments(), 3, kraken::Tier::pro};
  cfg.history_limit = 100;
  Exchange ex(cfg, clock);
  const AccountId a = ex.add_account("a", "A", Secret("c2VjcmV0"));
  const AccountId b = ex.add_account("b", "B", Secret("c2VjcmV0"));
  ASSERT_TRUE(ex.deposit(a, "ZUSD", "10000000"));
  ASSERT_TRUE(ex.deposit(b, "XXBT", "1000"));
  std::string last_trade;
  for (int i = 0; i < 300; ++i) {
    clock.advance(std::chrono::seconds(1));
    AddOrderRequest s;
    s.pair = "XBTUSD";
    s.side = Side::sell;
    s.volume = "0.01";
    s.price = "50000.0";
    ASSERT_TRUE(ex.add_order(b, s));
    s.side = Side::buy;
    ASSERT_TRUE(ex.add_order(a, s));
    ex.tick();
  }
  EXPECT_LE(ex.closed_orders(a).size(), 111u);
  EXPECT_LE(ex.trades(a).size(), 111u);
  EXPECT_LE(ex.account(a)->ledger.size(), 111u);
  // What is kept is the newest, and it is still consistent.
  const TradeRecord* newest = ex.trades(a).front();
  EXPECT_EQ(ex.find_trade(a, newest->txid), newest);
  EXPECT_NE(ex.find_order(a, newest->ordertxid), nullptr);
}

}  // namespace
}  // namespace kgw::sim

namespace kgw::sim {
namespace {

TEST_F(ExchangeTest, SettlePositionPaysTheBorrowedCostAndDeliversTheBase) {
  ASSERT_TRUE(ex_.add_order(bob_, limit(Side::sell, "1", "50000.0")));
  auto open = limit(Side::buy, "1", "50000.0");
  open.leverage = "5";
  ASSERT_TRUE(ex_.add_order(alice_, open));
  const auto usd_before = ex_.account(alice_)->balance[usd_];
  AddOrderRequest settle;
  settle.pair = "XBTUSD";
  settle.side = Side::sell;  // settles the long
  settle.type = OrderType::settle_position;
  settle.volume = "0";       // all of it
  settle.leverage = "5";
  auto r = ex_.add_order(alice_, settle);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(ex_.positions(alice_).empty());
  EXPECT_EQ(ex_.account(alice_)->balance[xbt_], 10000000000);        // 1 XBT received
  EXPECT_EQ(ex_.account(alice_)->balance[usd_], usd_before - 500000000);  // 50000 USD paid
  EXPECT_EQ(ex_.find_order(alice_, r->txid)->order.status, OrderStatus::closed);
  EXPECT_EQ(ex_.account(alice_)->ledger.back().type, "settled");
  EXPECT_EQ(kraken_string(ex_.add_order(alice_, settle).error()), "EOrder:Reduce only:No position exists");
}

}  // namespace
}  // namespace kgw::sim

namespace kgw::sim {
namespace {

TEST_F(ExchangeTest, ReduceOnlyOrdersAreRestatedWhenTheirPositionShrinks) {
  ASSERT_TRUE(ex_.add_order(bob_, limit(Side::sell, "1", "50000.0")));
  auto open = limit(Side::buy, "1", "50000.0");
  open.leverage = "5";
  ASSERT_TRUE(ex_.add_order(alice_, open));
  // A resting reduce-only take-profit for the whole position...
  auto tp = limit(Side::sell, "1", "60000.0");
  tp.leverage = "5";
  tp.reduce_only = true;
  auto resting = ex_.add_order(alice_, tp);
  ASSERT_TRUE(resting);
  // ...then half the position is closed by another order: the reduce-only order is restated.
  ASSERT_TRUE(ex_.deposit(bob_, "ZUSD", "100000"));
  ASSERT_TRUE(ex_.add_order(bob_, limit(Side::buy, "0.5", "51000.0")));
  auto half = limit(Side::sell, "0.5", "51000.0");
  half.leverage = "5";
  ASSERT_TRUE(ex_.add_order(alice_, half));
  EXPECT_EQ(ex_.find_order(alice_, resting->txid)->order.volume.value, 50000000);
  EXPECT_EQ(ev_.count(alice_, "restated"), 1);
  // Settling the rest leaves it nothing to reduce: it is cancelled.
  AddOrderRequest settle;
  settle.pair = "XBTUSD";
  settle.side = Side::sell;
  settle.type = OrderType::settle_position;
  settle.volume = "0";
  settle.leverage = "5";
  ASSERT_TRUE(ex_.add_order(alice_, settle));
  EXPECT_EQ(ex_.find_order(alice_, resting->txid)->order.status, OrderStatus::canceled);
}

}  // namespace
}  // namespace kgw::sim
