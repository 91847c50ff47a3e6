// Kraken's order vocabulary and the typed order-entry requests: both spellings of every word, the
// REST form and JSON bodies, and the checks made before anything is sent.

#include <gtest/gtest.h>

#include <algorithm>

#include "kgw/core/kraken/orders.hpp"
#include "kgw/core/kraken/vocabulary.hpp"

namespace kgw::kraken {
namespace {

OrderRequest limit(Side side, const char* vol, const char* px) {
  OrderRequest p;
  p.pair = "XBTUSD";
  p.side = side;
  p.type = OrderType::limit;
  p.volume = vol;
  p.price = px;
  return p;
}

TEST(KrakenVocabulary, EveryWordHasItsRestAndWsSpellingAndReadsBackFromEither) {
  EXPECT_EQ(rest_spelling(TimeInForce::gtc), "GTC");
  EXPECT_EQ(ws_spelling(TimeInForce::gtc), "gtc");
  EXPECT_EQ(rest_spelling(SelfTradePrevention::cancel_both), "cancel-both");
  EXPECT_EQ(ws_spelling(SelfTradePrevention::cancel_both), "cancel_both");
  EXPECT_EQ(rest_spelling(FeePreference::quote), "fciq");
  EXPECT_EQ(ws_spelling(FeePreference::quote), "quote");
  EXPECT_EQ(ws_spelling(PriceType::absolute), "static");
  EXPECT_EQ(ws_spelling(WsOrderStatus::new_), "new");
  EXPECT_EQ(rest_spelling(OrderType::trailing_stop_limit), "trailing-stop-limit");
  EXPECT_EQ(rest_spelling(SystemStatus::cancel_only), "cancel_only");
  // Kraken mixes the dialects (executions report GTC for an order sent as gtc): reading is lenient.
  for (std::string_view s : {"GTC", "gtc", "Gtc"}) EXPECT_EQ(parse_word<TimeInForce>(s), TimeInForce::gtc) << s;
  EXPECT_EQ(parse_word<SelfTradePrevention>("cancel_oldest"), SelfTradePrevention::cancel_oldest);
  EXPECT_EQ(parse_word<SelfTradePrevention>("cancel-oldest"), SelfTradePrevention::cancel_oldest);
  EXPECT_EQ(parse_word<OrderType>("stop_loss_limit"), OrderType::stop_loss_limit);
  EXPECT_EQ(parse_word<ExecType>("iceberg_refill"), ExecType::iceberg_refill);
  EXPECT_EQ(parse_word<WsOrderStatus>("partially_filled"), WsOrderStatus::partially_filled);
  // Every row reads back from both of its spellings.
  auto round_trips = [](auto e) {
    for (const auto& row : spellings(e))
      if (parse_word<decltype(e)>(row.rest) != row.value || parse_word<decltype(e)>(row.ws) != row.value) return false;
    return true;
  };
  EXPECT_TRUE(round_trips(Side{}));
  EXPECT_TRUE(round_trips(OrderType{}));
  EXPECT_TRUE(round_trips(TimeInForce{}));
  EXPECT_TRUE(round_trips(SelfTradePrevention{}));
  EXPECT_TRUE(round_trips(TriggerReference{}));
  EXPECT_TRUE(round_trips(PriceType{}));
  EXPECT_TRUE(round_trips(FeePreference{}));
  EXPECT_TRUE(round_trips(OrderStatus{}));
  EXPECT_TRUE(round_trips(WsOrderStatus{}));
  EXPECT_TRUE(round_trips(ExecType{}));
  EXPECT_TRUE(round_trips(SystemStatus{}));
}

TEST(KrakenVocabulary, AnUnknownWordIsKeptAsItsRawTextNeverADefault) {
  EXPECT_EQ(parse_word<OrderType>("stop"), std::nullopt);
  EXPECT_EQ(parse_word<SystemStatus>("unknown"), std::nullopt);  // `unknown` is ours, not Kraken's
  EXPECT_EQ(parse_word<SystemStatus>("reduce_only"), std::nullopt);
  const auto w = Word<WsOrderStatus>::read("pending_cancel");
  EXPECT_FALSE(w.known());
  EXPECT_EQ(w.raw, "pending_cancel");
  const auto k = Word<ExecType>::read("trade");
  EXPECT_TRUE(k.known());
  EXPECT_EQ(k.value, ExecType::trade);
}

TEST(KrakenOrders, AddOrderIsKrakensFormKeysWithEveryOptionalField) {
  OrderRequest p;
  p.pair = "XBTUSD";
  p.side = Side::sell;
  p.type = OrderType::stop_loss_limit;
  p.volume = "1.25";
  p.price = "37500";
  p.price2 = "37000";
  p.trigger = TriggerReference::index;
  p.stp = SelfTradePrevention::cancel_oldest;
  p.time_in_force = TimeInForce::ioc;
  p.flags.post = p.flags.fciq = true;
  p.close = CloseOrder{OrderType::limit, "36000", {}};
  p.asset_class = "tokenized_asset";
  p.userref = 7;
  const Params form = rest_add_order(p).value();
  auto has = [&](const std::string& k, const std::string& v) {
    return std::find(form.begin(), form.end(), std::pair{k, v}) != form.end();
  };
  EXPECT_TRUE(has("type", "sell"));
  EXPECT_TRUE(has("ordertype", "stop-loss-limit"));
  EXPECT_TRUE(has("trigger", "index"));
  EXPECT_TRUE(has("stptype", "cancel-oldest"));
  EXPECT_TRUE(has("timeinforce", "IOC"));
  EXPECT_TRUE(has("oflags", "post,fciq"));
  EXPECT_TRUE(has("close[ordertype]", "limit"));
  EXPECT_TRUE(has("close[price]", "36000"));
  EXPECT_TRUE(has("price2", "37000"));
  EXPECT_TRUE(has("asset_class", "tokenized_asset"));
  EXPECT_TRUE(has("userref", "7"));
}

TEST(KrakenOrders, BadCombinationsAreRefusedNamingTheField) {
  const OrderRequest p = limit(Side::buy, "1", "30000.0");
  auto detail = [&](auto change) {
    OrderRequest q = p;
    change(q);
    return rest_add_order(q).error().detail;
  };
  EXPECT_EQ(detail([](auto& q) { q.userref = 7, q.cl_ord_id = "x"; }), "cl_ord_id: cl_ord_id and userref are mutually exclusive");
  EXPECT_EQ(detail([](auto& q) { q.time_in_force = TimeInForce::gtd; }), "expiretm: required with timeinforce GTD");
  EXPECT_EQ(detail([](auto& q) { q.pair.clear(); }), "pair: required");
  EXPECT_EQ(detail([](auto& q) { q.volume.clear(); }), "volume: required");
  EXPECT_EQ(detail([](auto& q) { q.cl_ord_id = "this-is-nineteen-ch"; }),
            "cl_ord_id: a UUID (36 characters with dashes, or 32 hex) or at most 18 ASCII characters");
  EXPECT_EQ(detail([](auto& q) { q.flags.fcib = q.flags.fciq = true; }), "oflags: fcib and fciq are mutually exclusive");
  EXPECT_EQ(detail([](auto& q) { q.type = OrderType::iceberg; }), "displayvol: required for an iceberg order");
  EXPECT_EQ(detail([](auto& q) { q.displayvol = "0.1"; }), "displayvol: only iceberg orders take one");
  // The words themselves cannot be wrong once typed; the text is refused where it is read.
  EXPECT_EQ(parse_oflags("post,postonly").error().detail, "oflags: unknown flag 'postonly'");
  EXPECT_EQ(format_oflags(parse_oflags("fciq,post").value()), "post,fciq");
  // Both UUID forms pass (PROTOCOL.md §3.5).
  OrderRequest uuid = p;
  uuid.cl_ord_id = "f1d2a3b4-0000-4000-8000-000000000001";
  EXPECT_TRUE(rest_add_order(uuid));
  uuid.cl_ord_id = "f1d2a3b4000040008000000000000001";
  EXPECT_TRUE(rest_add_order(uuid));
}

TEST(KrakenOrders, BatchBodiesAreJsonWithArraysAndNamePerOrderFields) {
  OrderRequest a = limit(Side::buy, "0.5", "30000.0");
  a.pair.clear();
  a.cl_ord_id = "a-1";
  a.close = CloseOrder{OrderType::stop_loss, "29000.0", {}};
  OrderRequest b = limit(Side::sell, "0.25", "31000.0");
  b.userref = 42;
  b.flags.post = true;
  const std::optional<std::string> deadline("2026-11-25T10:00:00Z");
  auto body = rest_add_order_batch("XBTUSD", {a, b}, true, deadline).value();
  EXPECT_EQ(body,
            R"({"pair":"XBTUSD","orders":[{"type":"buy","ordertype":"limit","volume":"0.5","price":"30000.0","cl_ord_id":"a-1",)"
            R"("close":{"ordertype":"stop-loss","price":"29000.0"}},{"type":"sell","ordertype":"limit","volume":"0.25",)"
            R"("price":"31000.0","userref":42,"oflags":"post"}],"deadline":"2026-11-25T10:00:00Z","validate":true})");
  b.pair = "ETHUSD";
  EXPECT_EQ(rest_add_order_batch("XBTUSD", {a, b}, false, {}).error().detail, "orders[1].pair: a batch is one pair");
  b.pair.clear();
  b.volume = "";
  EXPECT_EQ(rest_add_order_batch("XBTUSD", {a, b}, false, {}).error().detail, "orders[1].volume: required");
  EXPECT_EQ(rest_add_order_batch("XBTUSD", {a}, false, {}).error().detail, "orders: 2 to 15 per batch");
  b.volume = "1";
  b.deadline = "2026-11-25T10:00:00Z";
  EXPECT_EQ(rest_add_order_batch("XBTUSD", {a, b}, false, {}).error().detail, "orders[1].deadline: set the batch's deadline instead");
}

TEST(KrakenOrders, CancelsTakeOneIdOrABatchWithUserrefsAsIntegers) {
  CancelRequest c;
  c.txids = {"OABC12-DEF34-GHIJ56"};
  c.userrefs = {123};
  c.cl_ord_ids = {"c-1"};
  EXPECT_EQ(rest_cancel_order_batch(c).value(), R"({"orders":["OABC12-DEF34-GHIJ56",123],"cl_ord_ids":["c-1"]})");
  EXPECT_EQ(rest_cancel_order_batch(CancelRequest{}).error().detail, "orders: nothing to cancel");
  CancelRequest many;
  many.txids = std::vector<std::string>(51, "OABC12-DEF34-GHIJ56");
  EXPECT_EQ(rest_cancel_order_batch(many).error().detail, "orders: at most 50 per batch");
  EXPECT_FALSE(rest_cancel_order(c));  // CancelOrder takes exactly one
  EXPECT_EQ(rest_cancel_order({.userrefs = {77}}).value(), (Params{{"txid", "77"}}));
  EXPECT_EQ(rest_cancel_order({.cl_ord_ids = {"c-1"}}).value(), (Params{{"cl_ord_id", "c-1"}}));
}

TEST(KrakenOrders, AmendAndEditNameTheFieldThatIsWrong) {
  AmendRequest a;
  EXPECT_EQ(rest_amend_order(a).error().detail, "txid: exactly one of txid and cl_ord_id");
  a.cl_ord_id = "c-1";
  EXPECT_EQ(rest_amend_order(a).error().detail, "order_qty: nothing to amend (order_qty, display_qty, limit_price or trigger_price)");
  a.limit_price = "+1.5%";
  a.post_only = true;
  EXPECT_EQ(rest_amend_order(a).value(), (Params{{"cl_ord_id", "c-1"}, {"limit_price", "+1.5%"}, {"post_only", "true"}}));
  EditRequest e;
  e.txid = "OABC12-DEF34-GHIJ56";
  EXPECT_EQ(rest_edit_order(e).error().detail, "pair: required");
  e.pair = "XBTUSD";
  e.post_only = true;
  EXPECT_EQ(rest_edit_order(e).value(), (Params{{"txid", "OABC12-DEF34-GHIJ56"}, {"pair", "XBTUSD"}, {"oflags", "post"}}));
}

TEST(KrakenOrders, RestTimeAndPriceFormsResolveToWhatWsV2Takes) {
  const WallTime now{std::chrono::seconds(1'700'000'000)};
  EXPECT_EQ(resolve_rest_time("0", now, "expiretm").value(), std::nullopt);
  EXPECT_EQ(resolve_rest_time("+60", now, "expiretm").value(), now + std::chrono::seconds(60));
  EXPECT_EQ(resolve_rest_time("1700000123", now, "expiretm").value(), WallTime{std::chrono::seconds(1'700'000'123)});
  EXPECT_EQ(resolve_rest_time("soon", now, "expiretm").error().detail, "expiretm: 'soon' is not 0, unix seconds or +seconds");
  auto split = [](const char* t) {
    auto s = split_rest_price(t, "price").value();
    return s.number + " " + std::string(ws_spelling(s.type));
  };
  EXPECT_EQ(split("30000.5"), "30000.5 static");
  EXPECT_EQ(split("+5"), "5 quote");
  EXPECT_EQ(split("-2.5%"), "-2.5 pct");
  EXPECT_EQ(split_rest_price("#1", "price").error().detail, "price: a '#' offset has no WS v2 form (send it over REST)");
  EXPECT_FALSE(split_rest_price("12abc", "price"));
  EXPECT_FALSE(split_rest_price("+-5", "price"));
}

}  // namespace
}  // namespace kgw::kraken
