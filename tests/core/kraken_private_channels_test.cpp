// core's reader of the WS v2 private channels (kraken/private_channels) on every documented
// executions and balances example (shared/kraken/fixtures/ws_v2), on fields the examples do not
// show, and on malformed frames.

#include "kgw/core/kraken/private_channels.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "kgw_test_fixtures.hpp"

namespace kgw::kraken {
namespace {

Decimal dec(std::string_view text) { return Decimal::parse(text).value(); }
WallTime at(std::string_view rfc3339) { return parse_rfc3339(rfc3339).value(); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

class PrivateChannels : public ::testing::Test {
 protected:
  const PrivateFrame& parse(const std::string& text) {
    auto r = parser_.parse_copy(text);
    EXPECT_TRUE(r) << r.error().message();
    static const PrivateFrame kNone;
    return r ? **r : kNone;
  }
  std::string error_of(const std::string& text) {
    auto r = parser_.parse_copy(text);
    EXPECT_FALSE(r) << text;
    return r ? std::string() : r.error().detail;
  }
  PrivateChannelParser parser_;
};

TEST_F(PrivateChannels, ReadsTheDocumentedPendingNewEventWithEveryField) {
  const auto& f = parse(test::kraken_fixture("ws_v2/docs_executions_update_pending_new.json"));
  EXPECT_EQ(f.kind, PrivateFrameKind::executions);
  EXPECT_FALSE(f.snapshot);
  EXPECT_EQ(f.sequence, 8u);
  ASSERT_EQ(f.executions.size(), 1u);
  const ExecutionItem& x = f.executions[0];
  EXPECT_EQ(x.order_id, "OK4GJX-KSTLS-7DZZO5");
  EXPECT_EQ(x.order_userref, 3);
  EXPECT_EQ(x.symbol, "BTC/USD");
  EXPECT_EQ(x.order_qty, dec("0.005"));
  EXPECT_EQ(x.cum_cost, dec("0"));
  EXPECT_EQ(x.time_in_force.value, TimeInForce::gtc);
  EXPECT_EQ(x.time_in_force.raw, "GTC");
  EXPECT_EQ(x.exec_type.value, ExecType::pending_new);
  EXPECT_EQ(x.side.value, Side::sell);
  EXPECT_EQ(x.order_type.value, OrderType::limit);
  EXPECT_EQ(x.limit_price_type.value, PriceType::absolute);
  EXPECT_EQ(x.limit_price, dec("26500"));
  EXPECT_EQ(x.limit_price->scale, 1);  // 26500.0 as written, not through double
  EXPECT_EQ(x.stop_price, dec("0"));
  EXPECT_EQ(x.order_status.value, WsOrderStatus::pending_new);
  EXPECT_EQ(x.fee_usd_equiv, dec("0"));
  EXPECT_EQ(x.fee_ccy_pref.value, FeePreference::quote);
  EXPECT_EQ(x.timestamp, at("2023-09-22T10:33:05.709950Z"));
  EXPECT_FALSE(x.is_trade());
  EXPECT_EQ(f.unknown_words, 0u);
}

TEST_F(PrivateChannels, ReadsTheDocumentedNewEventWhoseFieldsAreASubset) {
  const auto& f = parse(test::kraken_fixture("ws_v2/docs_executions_update_new.json"));
  EXPECT_EQ(f.sequence, 9u);
  ASSERT_EQ(f.executions.size(), 1u);
  const ExecutionItem& x = f.executions[0];
  EXPECT_EQ(x.exec_type.value, ExecType::new_);
  EXPECT_EQ(x.order_status.value, WsOrderStatus::new_);
  EXPECT_EQ(x.order_id, "OK4GJX-KSTLS-7DZZO5");
  EXPECT_EQ(x.order_userref, 3);
  EXPECT_EQ(x.timestamp, at("2023-09-22T10:33:05.709982Z"));
  EXPECT_TRUE(x.symbol.empty());
  EXPECT_FALSE(x.side.known());
  EXPECT_FALSE(x.order_qty);
  EXPECT_FALSE(x.limit_price);
}

TEST_F(PrivateChannels, ReadsTheDocumentedTradeEventWithItsTradeFieldsAndFees) {
  const auto& f = parse(test::kraken_fixture("ws_v2/docs_executions_update_trade.json"));
  EXPECT_EQ(f.sequence, 10u);
  ASSERT_EQ(f.executions.size(), 1u);
  const ExecutionItem& x = f.executions[0];
  EXPECT_TRUE(x.is_trade());
  EXPECT_EQ(x.exec_id, "TGBB7L-HT5LX-J3BZ4A");
  EXPECT_EQ(x.exec_type.value, ExecType::trade);
  EXPECT_EQ(x.trade_id, 62887576);
  EXPECT_EQ(x.last_qty, dec("0.005"));
  EXPECT_EQ(x.last_price, dec("26599.9"));
  EXPECT_EQ(x.liquidity_ind, "t");
  EXPECT_EQ(x.cost, dec("132.9995"));
  EXPECT_EQ(x.order_status.value, WsOrderStatus::partially_filled);
  EXPECT_EQ(x.cum_qty, dec("0.005"));
  EXPECT_EQ(x.cum_cost, dec("132.9995"));
  EXPECT_EQ(x.avg_price, dec("26599.9"));
  EXPECT_EQ(x.fee_usd_equiv, dec("0.3458"));
  ASSERT_EQ(x.fees.size(), 1u);
  EXPECT_EQ(x.fees[0].asset, "USD");
  EXPECT_EQ(x.fees[0].qty, dec("0.3458"));
  EXPECT_EQ(x.timestamp, at("2023-09-22T10:33:05.709993Z"));
}

TEST_F(PrivateChannels, ReadsTheDocumentedBalancesSnapshotWhoseTypeComesAfterItsData) {
  const auto& f = parse(test::kraken_fixture("ws_v2/docs_balances_snapshot.json"));
  EXPECT_EQ(f.kind, PrivateFrameKind::balances);
  EXPECT_TRUE(f.snapshot);
  EXPECT_EQ(f.sequence, 1u);
  ASSERT_EQ(f.balances.size(), 3u);
  EXPECT_EQ(f.balances[0].asset, "BTC");
  EXPECT_EQ(f.balances[0].asset_class, "currency");
  EXPECT_EQ(f.balances[0].balance, dec("1.2"));
  const BalanceItem& matic = f.balances[1];
  EXPECT_EQ(matic.asset, "MATIC");
  EXPECT_EQ(matic.balance, dec("500"));
  ASSERT_EQ(matic.wallets.size(), 2u);
  EXPECT_EQ(matic.wallets[0], (BalanceWallet{"spot", "main", dec("300")}));
  EXPECT_EQ(matic.wallets[1], (BalanceWallet{"earn", "flex", dec("200")}));
  EXPECT_EQ(f.balances[2].asset, "USD");
  EXPECT_EQ(f.balances[2].balance, dec("80595.4943"));
}

TEST_F(PrivateChannels, ReadsTheDocumentedDepositUpdateAsOneLedgerTransaction) {
  const auto& f = parse(test::kraken_fixture("ws_v2/docs_balances_update_deposit.json"));
  EXPECT_FALSE(f.snapshot);
  EXPECT_EQ(f.sequence, 2u);
  ASSERT_EQ(f.balances.size(), 1u);
  const BalanceItem& x = f.balances[0];
  EXPECT_EQ(x.ledger_id, "ADKKFF-WEA5A-CNUBHG");
  EXPECT_EQ(x.ref_id, "AGBWUJRU-LAREZ-W3UFAN");
  EXPECT_EQ(x.timestamp, at("2023-09-22T10:23:42.925034Z"));
  EXPECT_EQ(x.type, "deposit");
  EXPECT_EQ(x.asset, "BTC");
  EXPECT_EQ(x.asset_class, "currency");
  EXPECT_EQ(x.category, "deposit");
  EXPECT_EQ(x.wallet_type, "spot");
  EXPECT_EQ(x.wallet_id, "main");
  EXPECT_EQ(x.amount, dec("0.01"));
  EXPECT_EQ(x.fee, dec("0"));
  EXPECT_EQ(x.balance, dec("0.02"));
  EXPECT_TRUE(x.wallets.empty());
}

TEST_F(PrivateChannels, ReadsTheDocumentedTradeUpdatesAsOneTransactionPerAssetSharingRefId) {
  const auto lines = lines_of(test::kraken_fixture("ws_v2/docs_balances_update_trade.jsonl"));
  ASSERT_EQ(lines.size(), 2u);
  std::vector<BalanceItem> items;
  std::vector<std::uint64_t> sequences;
  for (const auto& line : lines) {
    const auto& f = parse(line);
    ASSERT_EQ(f.balances.size(), 1u);
    items.push_back(f.balances[0]);
    sequences.push_back(f.sequence.value_or(0));
  }
  EXPECT_EQ(sequences, (std::vector<std::uint64_t>{9, 10}));
  EXPECT_EQ(items[0].asset, "BTC");
  EXPECT_EQ(items[0].amount, dec("-0.005"));
  EXPECT_EQ(items[0].balance, dec("0.005"));
  EXPECT_EQ(items[1].asset, "USD");
  EXPECT_EQ(items[1].amount, dec("132.9995"));
  EXPECT_EQ(items[1].fee, dec("0.3458"));
  EXPECT_EQ(items[0].ref_id, "AGBB7L-HT5LX-J3BB4A");
  EXPECT_EQ(items[1].ref_id, items[0].ref_id);
}

TEST_F(PrivateChannels, LeavesMethodRepliesToTheReplyParser) {
  for (const char* name : {"ws_v2/docs_executions_subscribe_ack.json", "ws_v2/docs_balances_subscribe_ack.json",
                           "ws_v2/docs_executions_unsubscribe_ack.json"})
    EXPECT_EQ(parse(test::kraken_fixture(name)).kind, PrivateFrameKind::method) << name;
  EXPECT_EQ(parse(R"({"Error":"Exceeded msg rate"})").kind, PrivateFrameKind::method);
}

TEST_F(PrivateChannels, TellsHeartbeatStatusAndOtherChannelsApart) {
  EXPECT_EQ(parse(test::kraken_fixture("ws_v2/docs_heartbeat.json")).kind, PrivateFrameKind::heartbeat);
  EXPECT_EQ(parse(test::kraken_fixture("ws_v2/docs_status_update.json")).kind, PrivateFrameKind::status);
  EXPECT_EQ(parse(test::kraken_fixture("ws_v2/docs_ticker_update_ALGOUSD.json")).kind, PrivateFrameKind::other);
}

TEST_F(PrivateChannels, ReadsTriggersContingentAndTheRarerOrderFields) {
  const auto& f = parse(
      R"({"channel":"executions","type":"snapshot","data":[{"order_id":"OQCLML-BW3P3-BUCMWZ","exec_type":"new",)"
      R"("order_status":"new","cl_ord_id":"7d6a3f86-1ca8-4a7e-9b0c-1d2e3f4a5b6c","symbol":"ETH/USD","side":"buy",)"
      R"("order_type":"trailing-stop-limit","order_qty":1.25,"cash_order_qty":0,"display_qty":0.1,"display_qty_remain":0.05,)"
      R"("limit_price":-10.5,"limit_price_type":"quote","time_in_force":"GTD","post_only":false,"reduce_only":true,)"
      R"("margin":true,"margin_borrow":true,"effective_time":"2023-09-22T10:00:00Z","expire_time":"2023-09-23T10:00:00.5Z",)"
      R"("amended":true,"liquidated":false,"position_status":"opened","reason":"User requested","sender_sub_id":"sub-1",)"
      R"("ord_ref_id":"OABCDE-FGHIJ-KLMNOP","fee_ccy_pref":"fcib","trigger":"index","triggered_price":0,)"
      R"("cancel_reason":"","triggers":{"reference":"index","price":2.5,"price_type":"pct","actual_price":1800.1,)"
      R"("peak_price":1850.2,"last_price":1849,"status":"untriggered","timestamp":"2023-09-22T10:00:01Z"},)"
      R"("contingent":{"order_type":"stop-loss-limit","trigger_price":1700,"trigger_price_type":"static",)"
      R"("limit_price":1690.5,"limit_price_type":"static"},"some_future_field":{"nested":[1,2,{"x":3}]}}],"sequence":1})");
  ASSERT_EQ(f.executions.size(), 1u);
  EXPECT_TRUE(f.snapshot);
  const ExecutionItem& x = f.executions[0];
  EXPECT_EQ(x.cl_ord_id, "7d6a3f86-1ca8-4a7e-9b0c-1d2e3f4a5b6c");
  EXPECT_EQ(x.order_type.value, OrderType::trailing_stop_limit);
  EXPECT_EQ(x.cash_order_qty, dec("0"));
  EXPECT_EQ(x.display_qty, dec("0.1"));
  EXPECT_EQ(x.display_qty_remain, dec("0.05"));
  EXPECT_EQ(x.limit_price, dec("-10.5"));
  EXPECT_EQ(x.limit_price_type.value, PriceType::quote);
  EXPECT_EQ(x.time_in_force.value, TimeInForce::gtd);
  EXPECT_EQ(x.post_only, false);
  EXPECT_EQ(x.reduce_only, true);
  EXPECT_EQ(x.margin, true);
  EXPECT_EQ(x.margin_borrow, true);
  EXPECT_EQ(x.effective_time, at("2023-09-22T10:00:00Z"));
  EXPECT_EQ(x.expire_time, at("2023-09-23T10:00:00.5Z"));
  EXPECT_EQ(x.amended, true);
  EXPECT_EQ(x.liquidated, false);
  EXPECT_EQ(x.position_status, "opened");
  EXPECT_EQ(x.reason, "User requested");
  EXPECT_EQ(x.sender_sub_id, "sub-1");
  EXPECT_EQ(x.ord_ref_id, "OABCDE-FGHIJ-KLMNOP");
  EXPECT_EQ(x.fee_ccy_pref.value, FeePreference::base);
  EXPECT_EQ(x.trigger, "index");
  EXPECT_EQ(x.triggered_price, dec("0"));
  ASSERT_TRUE(x.triggers);
  EXPECT_EQ(x.triggers->reference.value, TriggerReference::index);
  EXPECT_EQ(x.triggers->price, dec("2.5"));
  EXPECT_EQ(x.triggers->price_type.value, PriceType::pct);
  EXPECT_EQ(x.triggers->actual_price, dec("1800.1"));
  EXPECT_EQ(x.triggers->peak_price, dec("1850.2"));
  EXPECT_EQ(x.triggers->last_price, dec("1849"));
  EXPECT_EQ(x.triggers->status, "untriggered");
  EXPECT_EQ(x.triggers->timestamp, at("2023-09-22T10:00:01Z"));
  ASSERT_TRUE(x.contingent);
  EXPECT_EQ(x.contingent->order_type.value, OrderType::stop_loss_limit);
  EXPECT_EQ(x.contingent->trigger_price, dec("1700"));
  EXPECT_EQ(x.contingent->trigger_price_type.value, PriceType::absolute);
  EXPECT_EQ(x.contingent->limit_price, dec("1690.5"));
  EXPECT_EQ(x.contingent->limit_price_type.value, PriceType::absolute);
}

TEST_F(PrivateChannels, KeepsAnUnknownWordRawAndReportsIt) {
  const auto& f = parse(R"({"channel":"executions","type":"update","data":[{"order_id":"O1","exec_type":"teleported",)"
                        R"("order_status":"new"},{"order_id":"O2","exec_type":"new","order_status":"dreaming"}],"sequence":3})");
  ASSERT_EQ(f.executions.size(), 2u);
  EXPECT_FALSE(f.executions[0].exec_type.known());
  EXPECT_EQ(f.executions[0].exec_type.raw, "teleported");
  EXPECT_EQ(f.executions[1].order_status.raw, "dreaming");
  EXPECT_EQ(f.unknown_words, 2u);
  EXPECT_EQ(f.first_unknown, "exec_type 'teleported'");
}

TEST_F(PrivateChannels, AReusedItemHoldsNothingOfThePreviousFrame) {
  // A trade event with nearly every field, then the sparse `new` event: the second parse on the
  // same parser must equal a parse by a fresh one (no field left over from the first).
  (void)parse(test::kraken_fixture("ws_v2/docs_executions_update_trade.json"));
  (void)parse(test::kraken_fixture("ws_v2/docs_executions_update_pending_new.json"));
  const ExecutionItem reused = parse(test::kraken_fixture("ws_v2/docs_executions_update_new.json")).executions[0];
  PrivateChannelParser fresh;
  auto r = fresh.parse_copy(test::kraken_fixture("ws_v2/docs_executions_update_new.json"));
  ASSERT_TRUE(r);
  EXPECT_EQ(reused, (*r)->executions[0]);
  (void)parse(test::kraken_fixture("ws_v2/docs_balances_snapshot.json"));
  const BalanceItem reused_balance = parse(test::kraken_fixture("ws_v2/docs_balances_update_deposit.json")).balances[0];
  auto b = fresh.parse_copy(test::kraken_fixture("ws_v2/docs_balances_update_deposit.json"));
  ASSERT_TRUE(b);
  EXPECT_EQ(reused_balance, (*b)->balances[0]);
}

TEST_F(PrivateChannels, ManyItemsInOneFrameAreAllRead) {
  std::string frame = R"({"channel":"executions","type":"snapshot","data":[)";
  for (int i = 0; i < 300; ++i)
    frame += (i ? "," : "") + std::string(R"({"order_id":"O)") + std::to_string(i) + R"(","exec_type":"new","order_qty":)" +
             std::to_string(i) + ".5}";
  frame += R"(],"sequence":1})";
  const auto& f = parse(frame);
  ASSERT_EQ(f.executions.size(), 300u);
  EXPECT_EQ(f.executions[299].order_id, "O299");
  EXPECT_EQ(f.executions[299].order_qty, dec("299.5"));
}

TEST_F(PrivateChannels, MalformedFramesAreErrorsNamingTheField) {
  EXPECT_EQ(error_of(R"({"channel":"executions","type":"update","data":[{"order_id":"O1","exec_type":"new","order_qty":"x1"}]})"),
            "executions: order_qty: 'x1' is not a decimal");
  EXPECT_EQ(error_of(R"({"channel":"executions","type":"update","data":[{"order_id":"O1","exec_type":"new","timestamp":"yesterday"}]})"),
            "executions `timestamp`: 'yesterday' is not an RFC 3339 time");
  EXPECT_EQ(error_of(R"({"channel":"executions","type":"update","data":[{"exec_type":"new"}]})"),
            "executions `order_id`: missing in item 0");
  EXPECT_EQ(error_of(R"({"channel":"executions","type":"update","data":[{"order_id":"O1"}]})"),
            "executions `exec_type`: missing in item 0");
  EXPECT_EQ(error_of(R"({"channel":"executions","type":"update","data":[{"order_id":"O1","exec_type":"new","post_only":"yes"}]})")
                .substr(0, 24),
            "executions `post_only`: ");
  EXPECT_EQ(error_of(R"({"channel":"executions","type":"update","data":[{"order_id":"O1","exec_type":"trade","fees":[{"asset":"USD"}]}]})"),
            "executions `fees`: an entry without asset or qty");
  EXPECT_EQ(error_of(R"({"channel":"balances","type":"update","data":[{"asset":"BTC","balance":1}]})"),
            "balances `amount`: missing in update item 0");
  EXPECT_EQ(error_of(R"({"channel":"balances","type":"snapshot","data":[{"asset":"BTC"}]})"),
            "balances `balance`: missing in item 0");
  EXPECT_EQ(error_of(R"({"channel":"executions","type":"bogus","data":[]})"), "executions `type`: must be snapshot or update");
  EXPECT_EQ(error_of(R"({"channel":"executions","type":"update"})"), "executions `data`: missing");
  EXPECT_EQ(error_of(R"({"channel":"executions","type":"update","data":{}})").substr(0, 19), "executions `data`: ");
  EXPECT_EQ(error_of(R"({"data":[],"channel":"executions"})"), "frame: `data` before `channel`");
  EXPECT_EQ(error_of(R"({"channel":"executions","type":"update","data":[],"sequence":-1})").substr(0, 12), "`sequence`: ");
  EXPECT_FALSE(error_of(R"({"channel":"executions","type":"update","data":[]} 5)").empty());
  EXPECT_EQ(error_of(R"({"type":"update"})"), "frame has neither `channel` nor `method`");
  EXPECT_FALSE(error_of(R"([1,2,3])").empty());
  EXPECT_FALSE(error_of(R"({"channel":"executions","type":"update","data":[{"order_id":"O1","exec_type":"new",)").empty());
  EXPECT_FALSE(error_of("").empty());
}

TEST_F(PrivateChannels, TooManyFeesInOneItemAreRefused) {
  std::string fees;
  for (std::size_t i = 0; i <= PrivateChannelParser::kMaxFees; ++i) fees += (i ? "," : "") + std::string(R"({"asset":"USD","qty":1})");
  EXPECT_EQ(error_of(R"({"channel":"executions","type":"update","data":[{"order_id":"O1","exec_type":"trade","fees":[)" + fees + "]}]}"),
            "executions `fees`: more than 16 entries");
}

}  // namespace
}  // namespace kgw::kraken
