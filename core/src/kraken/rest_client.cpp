#include "kgw/core/kraken/rest_client.hpp"

#include <fmt/format.h>

#include <set>

#include "kgw/core/decimal.hpp"
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

asio::awaitable<result<std::vector<AssetBalance>>> KrakenRestClient::balance(Params extra) {
  co_return parsed(co_await t_.private_call("Balance", std::move(extra)), parse_balance);
}

asio::awaitable<result<std::vector<AssetBalance>>> KrakenRestClient::balance_ex(Params extra) {
  co_return parsed(co_await t_.private_call("BalanceEx", std::move(extra)), parse_balance_ex);
}

asio::awaitable<result<TradeBalanceInfo>> KrakenRestClient::trade_balance(std::string asset, Params extra) {
  Params p{{"asset", std::move(asset)}};
  p.insert(p.end(), extra.begin(), extra.end());
  co_return parsed(co_await t_.private_call("TradeBalance", std::move(p)), parse_trade_balance);
}

asio::awaitable<result<std::vector<PositionInfo>>> KrakenRestClient::open_positions(bool docalcs, Params extra) {
  Params p = std::move(extra);
  if (docalcs) p.emplace_back("docalcs", "true");
  co_return parsed(co_await t_.private_call("OpenPositions", std::move(p)), parse_open_positions);
}

asio::awaitable<result<LedgersPage>> KrakenRestClient::ledgers(HistoryQuery q) {
  co_return parsed(co_await t_.private_call("Ledgers", history_params(q)), parse_ledgers);
}

asio::awaitable<result<LedgersPage>> KrakenRestClient::query_ledgers(std::vector<std::string> ids, Params extra) {
  if (ids.empty() || ids.size() > 20) co_return Error(errc::invalid_argument, "id: 1 to 20 ledger ids");
  Params p{{"id", join(ids)}};
  p.insert(p.end(), extra.begin(), extra.end());
  co_return parsed(co_await t_.private_call("QueryLedgers", std::move(p)), parse_ledgers);
}

asio::awaitable<result<TradesHistoryPage>> KrakenRestClient::query_trades(std::vector<std::string> txids, Params extra) {
  if (txids.empty() || txids.size() > 20) co_return Error(errc::invalid_argument, "txid: 1 to 20 trade ids");
  Params p{{"txid", join(txids)}};
  p.insert(p.end(), extra.begin(), extra.end());
  co_return parsed(co_await t_.private_call("QueryTrades", std::move(p)), parse_trades_history);
}

asio::awaitable<result<OrderAmendsPage>> KrakenRestClient::order_amends(std::string order_id, Params extra) {
  if (order_id.empty()) co_return Error(errc::invalid_argument, "order_id: required");
  Params p{{"order_id", std::move(order_id)}};
  p.insert(p.end(), extra.begin(), extra.end());
  co_return parsed(co_await t_.private_call("OrderAmends", std::move(p)), parse_order_amends);
}

asio::awaitable<result<CancelResponse>> KrakenRestClient::cancel_order_batch(CancelRequest c) {
  auto body = rest_cancel_order_batch(c);
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

asio::awaitable<result<OrdersPage>> KrakenRestClient::query_orders(std::vector<std::string> txids, bool trades,
                                                                  Params extra) {
  if (txids.empty() || txids.size() > 50) co_return Error(errc::invalid_argument, "txid: 1 to 50 order ids");
  Params p{{"txid", join(txids)}};
  if (trades) p.emplace_back("trades", "true");
  p.insert(p.end(), extra.begin(), extra.end());
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
  const auto v = parse_integer<std::int64_t>(*cursor.last);
  if (!v) return Error(errc::invalid_argument, "since: the cursor is not an integer");
  return std::optional<std::int64_t>{*v};
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

asio::awaitable<result<AddOrderResponse>> KrakenRestClient::add_order(OrderRequest p) {
  auto params = rest_add_order(p);
  if (!params) co_return params.error();
  // The per-pair trading counter is Kraken's limit for order entry; validate-only costs nothing.
  if (!p.validate) {
    auto permit = t_.governor().acquire_trading(counter_key(p.pair), RateGovernor::Action::add, {}, 1, trading_wait_);
    if (!permit) co_return permit.error();
    co_await t_.sleep_for(permit->wait);
  }
  auto body = co_await t_.private_call("AddOrder", std::move(*params), Priority::add);
  if (!body) {
    // result::error() returns a copy: hold it while its strings are read.
    const Error failure = body.error();
    if (failure.kraken)
      for (const auto& e : failure.kraken->errors)
        if (e == "EOrder:Rate limit exceeded") t_.governor().on_trading_rate_limited(counter_key(p.pair));
  }
  co_return parsed_order_entry("AddOrder", std::move(body), parse_add_order);
}

asio::awaitable<result<std::string>> KrakenRestClient::amend_order(AmendRequest a) {
  auto p = rest_amend_order(a);
  if (!p) co_return p.error();
  co_return parsed_order_entry("AmendOrder", co_await t_.private_call("AmendOrder", std::move(*p), Priority::amend), parse_amend_order);
}

asio::awaitable<result<EditOrderResponse>> KrakenRestClient::edit_order(EditRequest e) {
  auto p = rest_edit_order(e);
  if (!p) co_return p.error();
  co_return parsed_order_entry("EditOrder", co_await t_.private_call("EditOrder", std::move(*p), Priority::amend), parse_edit_order);
}

asio::awaitable<result<CancelResponse>> KrakenRestClient::cancel_order(CancelRequest c) {
  auto p = rest_cancel_order(c);
  if (!p) co_return p.error();
  co_return parsed(co_await t_.private_call("CancelOrder", std::move(*p), Priority::cancel), parse_cancel);
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
                                                                                        std::vector<OrderRequest> orders,
                                                                                        bool validate,
                                                                                        std::optional<std::string> deadline) {
  auto body = rest_add_order_batch(pair, orders, validate, deadline);
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
