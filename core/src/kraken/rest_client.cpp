#include "kgw/core/kraken/rest_client.hpp"

#include <fmt/format.h>

#include <charconv>
#include <initializer_list>
#include <set>

#include "kgw/core/json_writer.hpp"
#include "kgw/core/kraken/reference_data.hpp"

namespace kgw::kraken {

namespace asio = boost::asio;

namespace {

template <class T>
result<T> parsed(result<std::string> body, result<T> (*parse)(std::string_view)) {
  if (!body) return body.error();
  return parse(*body);
}

// Order entry: Kraken accepted the request (no E... error), so an answer we cannot read does not
// mean "not placed". The order manager must look the order up, never resend it.
template <class T>
result<T> parsed_order_entry(const char* method, result<std::string> body, result<T> (*parse)(std::string_view)) {
  if (!body) return body.error();
  auto r = parse(*body);
  if (!r) return Error(errc::unknown_outcome, fmt::format("{}: accepted but the answer is not understood ({})", method, r.error().message()));
  return r;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

Params history_params(const HistoryQuery& q) {
  Params p = q.extra;
  if (q.start) p.emplace_back("start", *q.start);
  if (q.end) p.emplace_back("end", *q.end);
  if (q.ofs) p.emplace_back("ofs", std::to_string(*q.ofs));
  if (q.without_count) p.emplace_back("without_count", "true");
  return p;
}

}  // namespace

namespace {

bool one_of(std::string_view v, std::initializer_list<std::string_view> allowed) {
  for (auto a : allowed)
    if (v == a) return true;
  return false;
}

Error bad_at(std::string_view where, std::string_view field, std::string_view why) {
  return Error(errc::invalid_argument, fmt::format("{}{}: {}", where, field, why));
}

Error bad(std::string_view field, std::string_view why) { return bad_at({}, field, why); }

// The optional text fields an order has both in AddOrder and in a batch entry, in Kraken's
// names and in the order they are written.
template <class Fn>
void each_optional_field(const AddOrderParams& o, Fn&& fn) {
  fn("price", o.price);
  fn("price2", o.price2);
  fn("displayvol", o.displayvol);
  fn("trigger", o.trigger);
  fn("leverage", o.leverage);
  fn("stptype", o.stptype);
  fn("timeinforce", o.timeinforce);
  fn("starttm", o.starttm);
  fn("expiretm", o.expiretm);
  fn("cl_ord_id", o.cl_ord_id);
}

// Checks Kraken would make anyway, made before anything is sent (PROTOCOL.md §3.3).
result<void> check_order(const AddOrderParams& o, std::string_view where = {}) {
  // `where` prefixes the field in a batch: orders[1].ordertype
  auto fail = [where](std::string_view field, std::string_view why) { return bad_at(where, field, why); };
  if (o.type != "buy" && o.type != "sell") return fail("type", "must be buy or sell");
  if (!one_of(o.ordertype, {"market", "limit", "iceberg", "stop-loss", "take-profit", "stop-loss-limit", "take-profit-limit",
                            "trailing-stop", "trailing-stop-limit", "settle-position"}))
    return fail("ordertype", o.ordertype.empty() ? "required" : "unknown order type '" + o.ordertype + "'");
  if (o.volume.empty()) return fail("volume", "required");
  if (o.cl_ord_id && o.userref) return fail("cl_ord_id", "cl_ord_id and userref are mutually exclusive");
  if (o.timeinforce && !one_of(*o.timeinforce, {"GTC", "IOC", "GTD", "FOK"})) return fail("timeinforce", "must be GTC, IOC, GTD or FOK");
  if (o.timeinforce && *o.timeinforce == "GTD" && !o.expiretm) return fail("expiretm", "required with timeinforce GTD");
  if (o.stptype && !one_of(*o.stptype, {"cancel-newest", "cancel-oldest", "cancel-both"}))
    return fail("stptype", "must be cancel-newest, cancel-oldest or cancel-both");
  if (o.trigger && !one_of(*o.trigger, {"last", "index"})) return fail("trigger", "must be last or index");
  for (const auto& f : o.oflags)
    if (!one_of(f, {"post", "fcib", "fciq", "viqc", "nompp"})) return fail("oflags", "unknown flag '" + f + "'");
  if ((o.close_price || o.close_price2) && !o.close_ordertype) return fail("close[ordertype]", "required with close[price]");
  return {};
}

}  // namespace

result<Params> KrakenRestClient::add_order_params(const AddOrderParams& o) {
  if (auto ok = check_order(o); !ok) return ok.error();
  if (o.pair.empty()) return bad("pair", "required");
  Params p;
  p.emplace_back("pair", o.pair);
  p.emplace_back("type", o.type);
  p.emplace_back("ordertype", o.ordertype);
  p.emplace_back("volume", o.volume);
  auto opt = [&](const char* k, const std::optional<std::string>& v) {
    if (v) p.emplace_back(k, *v);
  };
  each_optional_field(o, opt);
  opt("deadline", o.deadline);
  opt("asset_class", o.asset_class);
  opt("broker", o.broker);
  if (o.userref) p.emplace_back("userref", std::to_string(*o.userref));
  if (o.reduce_only) p.emplace_back("reduce_only", "true");
  if (o.validate) p.emplace_back("validate", "true");
  if (!o.oflags.empty()) p.emplace_back("oflags", join(o.oflags));
  // Form encoding of the conditional close: close[ordertype], close[price], close[price2].
  opt("close[ordertype]", o.close_ordertype);
  opt("close[price]", o.close_price);
  opt("close[price2]", o.close_price2);
  return p;
}

result<std::string> KrakenRestClient::add_order_batch_body(const std::string& pair, const std::vector<AddOrderParams>& orders,
                                                           bool validate, const std::optional<std::string>& deadline) {
  if (pair.empty()) return bad("pair", "required");
  if (orders.size() < 2 || orders.size() > 15) return bad("orders", "2 to 15 per batch");
  JsonWriter w;
  w.begin_object().field("pair", pair).key("orders").begin_array();
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const auto& o = orders[i];
    const std::string where = fmt::format("orders[{}].", i);
    auto field_error = [&](std::string_view f, std::string_view why) { return bad_at(where, f, why); };
    if (auto ok = check_order(o, where); !ok) return ok.error();
    if (!o.pair.empty() && o.pair != pair) return field_error("pair", "a batch is one pair");
    if (o.deadline) return field_error("deadline", "set the batch's deadline instead");
    if (o.validate) return field_error("validate", "set the batch's validate instead");
    if (o.asset_class || o.broker) return field_error(o.asset_class ? "asset_class" : "broker", "not a batch order field");
    w.begin_object().field("type", o.type).field("ordertype", o.ordertype).field("volume", o.volume);
    auto opt = [&](const char* k, const std::optional<std::string>& v) {
      if (v) w.field(k, *v);
    };
    each_optional_field(o, opt);
    if (o.userref) w.field("userref", *o.userref);
    if (o.reduce_only) w.field("reduce_only", true);
    if (!o.oflags.empty()) w.field("oflags", join(o.oflags));
    if (o.close_ordertype) {
      w.key("close").begin_object().field("ordertype", *o.close_ordertype);
      opt("price", o.close_price);
      opt("price2", o.close_price2);
      w.end_object();
    }
    w.end_object();
  }
  w.end_array();
  if (deadline) w.field("deadline", *deadline);
  if (validate) w.field("validate", true);
  w.end_object();
  return w.take();
}

result<std::string> KrakenRestClient::cancel_order_batch_body(const std::vector<std::string>& orders,
                                                              const std::vector<std::string>& cl_ord_ids) {
  if (orders.empty() && cl_ord_ids.empty()) return bad("orders", "nothing to cancel");
  if (orders.size() + cl_ord_ids.size() > 50) return bad("orders", "at most 50 per batch");
  JsonWriter w;
  w.begin_object();
  if (!orders.empty()) {
    w.key("orders").begin_array();
    for (const auto& id : orders) {
      if (id.empty()) return bad("orders", "empty order id");
      // A userref (int32) is an integer on the wire; an order id is a string.
      std::int32_t userref = 0;
      const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), userref);
      if (ec == std::errc{} && end == id.data() + id.size()) {
        w.value(userref);
      } else if (id.find_first_not_of("-0123456789") == std::string::npos) {
        return bad("orders", fmt::format("'{}' is neither an order id nor an int32 userref", id));
      } else {
        w.value(id);
      }
    }
    w.end_array();
  }
  if (!cl_ord_ids.empty()) {
    w.key("cl_ord_ids").begin_array();
    for (const auto& id : cl_ord_ids) {
      if (id.empty()) return bad("cl_ord_ids", "empty cl_ord_id");
      w.value(id);
    }
    w.end_array();
  }
  w.end_object();
  return w.take();
}

result<Params> KrakenRestClient::amend_order_params(const AmendOrderParams& a) {
  if (a.txid.has_value() == a.cl_ord_id.has_value()) return bad("txid", "exactly one of txid and cl_ord_id");
  if (!a.order_qty && !a.display_qty && !a.limit_price && !a.trigger_price)
    return bad("order_qty", "nothing to amend (order_qty, display_qty, limit_price or trigger_price)");
  Params p;
  auto opt = [&](const char* k, const std::optional<std::string>& v) {
    if (v) p.emplace_back(k, *v);
  };
  opt("txid", a.txid);
  opt("cl_ord_id", a.cl_ord_id);
  opt("order_qty", a.order_qty);
  opt("display_qty", a.display_qty);
  opt("limit_price", a.limit_price);
  opt("trigger_price", a.trigger_price);
  opt("deadline", a.deadline);
  opt("pair", a.pair);
  if (a.post_only) p.emplace_back("post_only", "true");
  return p;
}

result<Params> KrakenRestClient::edit_order_params(const EditOrderParams& e) {
  if (e.txid.empty()) return bad("txid", "required");
  if (e.pair.empty()) return bad("pair", "required");
  for (const auto& f : e.oflags)
    if (f != "post") return bad("oflags", "only post can change on EditOrder");
  Params p{{"txid", e.txid}, {"pair", e.pair}};
  auto opt = [&](const char* k, const std::optional<std::string>& v) {
    if (v) p.emplace_back(k, *v);
  };
  opt("volume", e.volume);
  opt("displayvol", e.displayvol);
  opt("price", e.price);
  opt("price2", e.price2);
  opt("deadline", e.deadline);
  opt("asset_class", e.asset_class);
  if (e.userref) p.emplace_back("userref", std::to_string(*e.userref));
  if (!e.oflags.empty()) p.emplace_back("oflags", join(e.oflags));
  if (e.cancel_response) p.emplace_back("cancel_response", "true");
  if (e.validate) p.emplace_back("validate", "true");
  return p;
}

asio::awaitable<result<std::vector<Asset>>> KrakenRestClient::assets(std::vector<std::string> list) {
  std::string q = list.empty() ? std::string() : "asset=" + KrakenRestTransport::form_escape(join(list));
  auto body = co_await t_.public_call("Assets", std::move(q));
  if (!body) co_return body.error();
  // The registry parsers take the whole envelope; the transport hands back `result` only.
  co_return parse_assets_response("{\"error\":[],\"result\":" + *body + "}");
}

asio::awaitable<result<std::vector<Instrument>>> KrakenRestClient::asset_pairs(std::vector<std::string> pairs) {
  std::string q = pairs.empty() ? std::string() : "pair=" + KrakenRestTransport::form_escape(join(pairs));
  auto body = co_await t_.public_call("AssetPairs", std::move(q));
  if (!body) co_return body.error();
  co_return parse_asset_pairs_response("{\"error\":[],\"result\":" + *body + "}");
}

std::string KrakenRestClient::counter_key(const std::string& pair) const {
  if (registry_)
    if (auto in = registry_->find(pair)) return in->rest_key;
  return pair;
}

asio::awaitable<result<ServerTime>> KrakenRestClient::time() { co_return parsed(co_await t_.public_call("Time"), parse_time); }

asio::awaitable<result<SystemStatusInfo>> KrakenRestClient::system_status() {
  co_return parsed(co_await t_.public_call("SystemStatus"), parse_system_status);
}

asio::awaitable<result<std::vector<Ticker>>> KrakenRestClient::ticker(std::vector<std::string> pairs) {
  std::string q = pairs.empty() ? std::string() : "pair=" + KrakenRestTransport::form_escape(join(pairs));
  co_return parsed(co_await t_.public_call("Ticker", std::move(q)), parse_ticker);
}

asio::awaitable<result<Depth>> KrakenRestClient::depth(std::string pair, int count) {
  co_return parsed(co_await t_.public_call("Depth", fmt::format("pair={}&count={}", KrakenRestTransport::form_escape(pair), count)),
                   parse_depth);
}

asio::awaitable<result<OhlcPage>> KrakenRestClient::ohlc(std::string pair, int interval, std::optional<std::int64_t> since) {
  std::string q = fmt::format("pair={}&interval={}", KrakenRestTransport::form_escape(pair), interval);
  if (since) q += fmt::format("&since={}", *since);
  co_return parsed(co_await t_.public_call("OHLC", std::move(q)), parse_ohlc);
}

asio::awaitable<result<TradesPage>> KrakenRestClient::trades(std::string pair, std::optional<std::string> since,
                                                             std::optional<int> count) {
  std::string q = "pair=" + KrakenRestTransport::form_escape(pair);
  if (since) q += "&since=" + KrakenRestTransport::form_escape(*since);
  if (count) q += fmt::format("&count={}", *count);
  co_return parsed(co_await t_.public_call("Trades", std::move(q)), parse_trades);
}

asio::awaitable<result<SpreadPage>> KrakenRestClient::spread(std::string pair, std::optional<std::int64_t> since) {
  std::string q = "pair=" + KrakenRestTransport::form_escape(pair);
  if (since) q += fmt::format("&since={}", *since);
  co_return parsed(co_await t_.public_call("Spread", std::move(q)), parse_spread);
}

asio::awaitable<result<std::vector<AssetBalance>>> KrakenRestClient::balance() {
  co_return parsed(co_await t_.private_call("Balance", {}), parse_balance);
}

asio::awaitable<result<std::vector<AssetBalance>>> KrakenRestClient::balance_ex() {
  co_return parsed(co_await t_.private_call("BalanceEx", {}), parse_balance_ex);
}

asio::awaitable<result<TradeBalanceInfo>> KrakenRestClient::trade_balance(std::string asset) {
  Params p{{"asset", std::move(asset)}};
  co_return parsed(co_await t_.private_call("TradeBalance", std::move(p)), parse_trade_balance);
}

asio::awaitable<result<std::vector<PositionInfo>>> KrakenRestClient::open_positions(bool docalcs) {
  Params p;
  if (docalcs) p.emplace_back("docalcs", "true");
  co_return parsed(co_await t_.private_call("OpenPositions", std::move(p)), parse_open_positions);
}

asio::awaitable<result<LedgersPage>> KrakenRestClient::ledgers(HistoryQuery q) {
  co_return parsed(co_await t_.private_call("Ledgers", history_params(q)), parse_ledgers);
}

asio::awaitable<result<LedgersPage>> KrakenRestClient::query_ledgers(std::vector<std::string> ids) {
  if (ids.empty() || ids.size() > 20) co_return Error(errc::invalid_argument, "id: 1 to 20 ledger ids");
  Params p{{"id", join(ids)}};
  co_return parsed(co_await t_.private_call("QueryLedgers", std::move(p)), parse_ledgers);
}

asio::awaitable<result<TradesHistoryPage>> KrakenRestClient::query_trades(std::vector<std::string> txids) {
  if (txids.empty() || txids.size() > 20) co_return Error(errc::invalid_argument, "txid: 1 to 20 trade ids");
  Params p{{"txid", join(txids)}};
  co_return parsed(co_await t_.private_call("QueryTrades", std::move(p)), parse_trades_history);
}

asio::awaitable<result<CancelResponse>> KrakenRestClient::cancel_order_batch(std::vector<std::string> orders,
                                                                            std::vector<std::string> cl_ord_ids) {
  auto body = cancel_order_batch_body(orders, cl_ord_ids);
  if (!body) co_return body.error();
  co_return parsed(co_await t_.private_call_json("CancelOrderBatch", std::move(*body), Priority::cancel), parse_cancel);
}

asio::awaitable<result<WebSocketsToken>> KrakenRestClient::websockets_token() {
  co_return parsed(co_await t_.private_call("GetWebSocketsToken", {}), parse_websockets_token);
}

asio::awaitable<result<OrdersPage>> KrakenRestClient::open_orders(Params filters) {
  co_return parsed(co_await t_.private_call("OpenOrders", std::move(filters)), parse_orders);
}

asio::awaitable<result<OrdersPage>> KrakenRestClient::closed_orders(HistoryQuery q) {
  co_return parsed(co_await t_.private_call("ClosedOrders", history_params(q)), parse_orders);
}

asio::awaitable<result<OrdersPage>> KrakenRestClient::query_orders(std::vector<std::string> txids, bool trades) {
  if (txids.empty() || txids.size() > 50) co_return Error(errc::invalid_argument, "txid: 1 to 50 order ids");
  Params p{{"txid", join(txids)}};
  if (trades) p.emplace_back("trades", "true");
  co_return parsed(co_await t_.private_call("QueryOrders", std::move(p)), parse_orders);
}

asio::awaitable<result<TradesHistoryPage>> KrakenRestClient::trades_history(HistoryQuery q) {
  co_return parsed(co_await t_.private_call("TradesHistory", history_params(q)), parse_trades_history);
}

namespace {

// Every page of an `ofs`-paged list (newest first, 50 a page), deduplicated by id: entries that
// arrive between pages shift the offsets and would otherwise show twice (PROTOCOL.md §3.4).
template <class Item, class Page, class Fetch, class ItemsOf, class IdOf>
asio::awaitable<result<std::vector<Item>>> all_pages(HistoryQuery q, int max_pages, Fetch fetch, ItemsOf items_of, IdOf id_of) {
  std::vector<Item> out;
  std::set<std::string> seen;
  std::int64_t ofs = q.ofs.value_or(0);
  for (int page = 0; page < max_pages; ++page) {
    HistoryQuery pq = q;
    pq.ofs = ofs;
    result<Page> r = co_await fetch(std::move(pq));
    if (!r) co_return r.error();
    auto& items = items_of(*r);
    for (auto& it : items)
      if (seen.insert(id_of(it)).second) out.push_back(std::move(it));
    ofs += static_cast<std::int64_t>(items.size());
    if (items.empty() || (r->count && ofs >= *r->count)) co_return out;
  }
  // More remain: a partial list must not pass for the whole (a reconciliation that does not
  // find an order in it would conclude it does not exist).
  co_return Error(errc::overflow, fmt::format("more than {} pages ({} entries read); narrow the query with start/end",
                                              max_pages, out.size()));
}

}  // namespace

asio::awaitable<result<std::vector<OrderInfo>>> KrakenRestClient::all_closed_orders(HistoryQuery q, int max_pages) {
  co_return co_await all_pages<OrderInfo, OrdersPage>(
      std::move(q), max_pages, [this](HistoryQuery pq) { return closed_orders(std::move(pq)); },
      [](OrdersPage& p) -> auto& { return p.orders; }, [](const OrderInfo& o) { return o.txid; });
}

asio::awaitable<result<std::vector<TradeInfo>>> KrakenRestClient::all_trades_history(HistoryQuery q, int max_pages) {
  co_return co_await all_pages<TradeInfo, TradesHistoryPage>(
      std::move(q), max_pages, [this](HistoryQuery pq) { return trades_history(std::move(pq)); },
      [](TradesHistoryPage& p) -> auto& { return p.trades; }, [](const TradeInfo& t) { return t.txid; });
}

asio::awaitable<result<std::vector<LedgerInfo>>> KrakenRestClient::all_ledgers(HistoryQuery q, int max_pages) {
  co_return co_await all_pages<LedgerInfo, LedgersPage>(
      std::move(q), max_pages, [this](HistoryQuery pq) { return ledgers(std::move(pq)); },
      [](LedgersPage& p) -> auto& { return p.entries; }, [](const LedgerInfo& l) { return l.id; });
}

asio::awaitable<result<TradesPage>> KrakenRestClient::poll_trades(std::string pair, SinceCursor& cursor) {
  auto r = co_await trades(std::move(pair), cursor.last);
  if (r && !r->last.empty()) cursor.last = r->last;
  co_return r;
}

namespace {

result<std::optional<std::int64_t>> cursor_value(const SinceCursor& cursor) {
  if (!cursor.last) return std::optional<std::int64_t>{};
  std::int64_t v = 0;
  const auto& t = *cursor.last;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc{} || end != t.data() + t.size()) return Error(errc::invalid_argument, "since: the cursor is not an integer");
  return std::optional<std::int64_t>{v};
}

}  // namespace

asio::awaitable<result<OhlcPage>> KrakenRestClient::poll_ohlc(std::string pair, int interval, SinceCursor& cursor) {
  auto cv = cursor_value(cursor);
  if (!cv) co_return cv.error();
  const std::optional<std::int64_t> since = *cv;
  auto r = co_await ohlc(std::move(pair), interval, since);
  if (r && r->last > 0) cursor.last = std::to_string(r->last);
  co_return r;
}

asio::awaitable<result<SpreadPage>> KrakenRestClient::poll_spread(std::string pair, SinceCursor& cursor) {
  auto cv = cursor_value(cursor);
  if (!cv) co_return cv.error();
  const std::optional<std::int64_t> since = *cv;
  auto r = co_await spread(std::move(pair), since);
  if (r && r->last > 0) cursor.last = std::to_string(r->last);
  co_return r;
}

asio::awaitable<result<AddOrderResponse>> KrakenRestClient::add_order(AddOrderParams p) {
  auto params = add_order_params(p);
  if (!params) co_return params.error();
  // The per-pair trading counter is Kraken's limit for order entry; validate-only costs nothing.
  if (!p.validate) {
    auto permit = t_.governor().acquire_trading(counter_key(p.pair), RateGovernor::Action::add, {}, 1, trading_wait_);
    if (!permit) co_return permit.error();
    co_await t_.sleep_for(permit->wait);
  }
  auto body = co_await t_.private_call("AddOrder", std::move(*params), Priority::add);
  if (!body && body.error().kraken)
    for (const auto& e : body.error().kraken->errors)
      if (e == "EOrder:Rate limit exceeded") t_.governor().on_trading_rate_limited(counter_key(p.pair));
  co_return parsed_order_entry("AddOrder", std::move(body), parse_add_order);
}

asio::awaitable<result<std::string>> KrakenRestClient::amend_order(AmendOrderParams a) {
  auto p = amend_order_params(a);
  if (!p) co_return p.error();
  co_return parsed_order_entry("AmendOrder", co_await t_.private_call("AmendOrder", std::move(*p), Priority::amend), parse_amend_order);
}

asio::awaitable<result<EditOrderResponse>> KrakenRestClient::edit_order(EditOrderParams e) {
  auto p = edit_order_params(e);
  if (!p) co_return p.error();
  co_return parsed_order_entry("EditOrder", co_await t_.private_call("EditOrder", std::move(*p), Priority::amend), parse_edit_order);
}

asio::awaitable<result<CancelResponse>> KrakenRestClient::cancel_order(std::string id, bool is_cl_ord_id) {
  Params p{{is_cl_ord_id ? "cl_ord_id" : "txid", std::move(id)}};
  co_return parsed(co_await t_.private_call("CancelOrder", std::move(p), Priority::cancel), parse_cancel);
}

asio::awaitable<result<CancelResponse>> KrakenRestClient::cancel_all() {
  co_return parsed(co_await t_.private_call("CancelAll", {}, Priority::cancel), parse_cancel);
}

asio::awaitable<result<DeadManResponse>> KrakenRestClient::cancel_all_orders_after(int timeout_s) {
  Params p{{"timeout", std::to_string(timeout_s)}};
  co_return parsed(co_await t_.private_call("CancelAllOrdersAfter", std::move(p), Priority::cancel),
                   parse_cancel_all_orders_after);
}

asio::awaitable<result<std::vector<BatchOrderResult>>> KrakenRestClient::add_order_batch(std::string pair,
                                                                                        std::vector<AddOrderParams> orders,
                                                                                        bool validate,
                                                                                        std::optional<std::string> deadline) {
  auto body = add_order_batch_body(pair, orders, validate, deadline);
  if (!body) co_return body.error();
  if (!validate) {
    auto permit = t_.governor().acquire_trading(counter_key(pair), RateGovernor::Action::batch_add, {}, orders.size(), trading_wait_);
    if (!permit) co_return permit.error();
    co_await t_.sleep_for(permit->wait);
  }
  co_return parsed_order_entry("AddOrderBatch", co_await t_.private_call_json("AddOrderBatch", std::move(*body), Priority::add),
                               parse_add_order_batch);
}

}  // namespace kgw::kraken
