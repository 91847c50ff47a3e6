#include "kgw/core/kraken/rest_client.hpp"

#include <fmt/format.h>

#include <set>

namespace kgw::kraken {

namespace asio = boost::asio;

namespace {

template <class T>
result<T> parsed(result<std::string> body, result<T> (*parse)(std::string_view)) {
  if (!body) return body.error();
  return parse(*body);
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

result<Params> KrakenRestClient::add_order_params(const AddOrderParams& o, const std::string& prefix) {
  auto key = [&](const std::string& k) { return prefix.empty() ? k : prefix + "[" + k + "]"; };
  if (o.type != "buy" && o.type != "sell") return Error(errc::invalid_argument, "type: must be buy or sell");
  if (o.ordertype.empty()) return Error(errc::invalid_argument, "ordertype: required");
  if (o.volume.empty()) return Error(errc::invalid_argument, "volume: required");
  if (o.cl_ord_id && o.userref) return Error(errc::invalid_argument, "cl_ord_id and userref are mutually exclusive");
  Params p;
  if (prefix.empty()) p.emplace_back("pair", o.pair);
  p.emplace_back(key("type"), o.type);
  p.emplace_back(key("ordertype"), o.ordertype);
  p.emplace_back(key("volume"), o.volume);
  auto opt = [&](const char* k, const std::optional<std::string>& v) {
    if (v) p.emplace_back(key(k), *v);
  };
  opt("price", o.price);
  opt("price2", o.price2);
  opt("displayvol", o.displayvol);
  opt("trigger", o.trigger);
  opt("leverage", o.leverage);
  opt("stptype", o.stptype);
  opt("timeinforce", o.timeinforce);
  opt("starttm", o.starttm);
  opt("expiretm", o.expiretm);
  opt("cl_ord_id", o.cl_ord_id);
  opt("deadline", o.deadline);
  if (o.userref) p.emplace_back(key("userref"), std::to_string(*o.userref));
  if (o.reduce_only) p.emplace_back(key("reduce_only"), "true");
  if (o.validate && prefix.empty()) p.emplace_back("validate", "true");
  if (!o.oflags.empty()) p.emplace_back(key("oflags"), join(o.oflags));
  if (o.close_ordertype) {
    // Form encoding of the conditional close: close[ordertype], close[price], close[price2].
    p.emplace_back(prefix.empty() ? "close[ordertype]" : prefix + "[close][ordertype]", *o.close_ordertype);
    if (o.close_price) p.emplace_back(prefix.empty() ? "close[price]" : prefix + "[close][price]", *o.close_price);
    if (o.close_price2) p.emplace_back(prefix.empty() ? "close[price2]" : prefix + "[close][price2]", *o.close_price2);
  }
  return p;
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
  if (since) q += "&since=" + *since;
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
  if (orders.empty() && cl_ord_ids.empty()) co_return Error(errc::invalid_argument, "orders: nothing to cancel");
  if (orders.size() + cl_ord_ids.size() > 50) co_return Error(errc::invalid_argument, "orders: at most 50 per batch");
  // Nested form keys (orders[0], cl_ord_ids[0]); Kraken also takes a JSON body.
  Params p;
  for (std::size_t i = 0; i < orders.size(); ++i) p.emplace_back(fmt::format("orders[{}]", i), orders[i]);
  for (std::size_t i = 0; i < cl_ord_ids.size(); ++i) p.emplace_back(fmt::format("cl_ord_ids[{}]", i), cl_ord_ids[i]);
  co_return parsed(co_await t_.private_call("CancelOrderBatch", std::move(p), Priority::cancel), parse_cancel);
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

asio::awaitable<result<std::vector<OrderInfo>>> KrakenRestClient::all_closed_orders(HistoryQuery q, int max_pages) {
  // Pages of 50 by `ofs`; new orders closing between pages shift the offsets, so ids are
  // deduplicated (PROTOCOL.md §3.4).
  std::vector<OrderInfo> out;
  std::set<std::string> seen;
  std::int64_t ofs = q.ofs.value_or(0);
  for (int page = 0; page < max_pages; ++page) {
    HistoryQuery pq = q;
    pq.ofs = ofs;
    auto r = co_await closed_orders(pq);
    if (!r) co_return r.error();
    for (auto& o : r->orders)
      if (seen.insert(o.txid).second) out.push_back(std::move(o));
    ofs += static_cast<std::int64_t>(r->orders.size());
    if (r->orders.empty() || (r->count && ofs >= *r->count)) break;
  }
  co_return out;
}

asio::awaitable<result<AddOrderResponse>> KrakenRestClient::add_order(AddOrderParams p) {
  auto params = add_order_params(p);
  if (!params) co_return params.error();
  // The per-pair trading counter is Kraken's limit for order entry; validate-only costs nothing.
  if (!p.validate) {
    auto permit = t_.governor().acquire_trading(p.pair, RateGovernor::Action::add, {}, 1, trading_wait_);
    if (!permit) co_return permit.error();
    co_await t_.sleep_for(permit->wait);
  }
  auto body = co_await t_.private_call("AddOrder", std::move(*params), Priority::add);
  if (!body && body.error().kraken)
    for (const auto& e : body.error().kraken->errors)
      if (e == "EOrder:Rate limit exceeded") t_.governor().on_trading_rate_limited(p.pair);
  co_return parsed(std::move(body), parse_add_order);
}

asio::awaitable<result<std::string>> KrakenRestClient::amend_order(Params p) {
  co_return parsed(co_await t_.private_call("AmendOrder", std::move(p), Priority::amend), parse_amend_order);
}

asio::awaitable<result<EditOrderResponse>> KrakenRestClient::edit_order(Params p) {
  co_return parsed(co_await t_.private_call("EditOrder", std::move(p), Priority::amend), parse_edit_order);
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
                                                                                        bool validate) {
  if (orders.size() < 2 || orders.size() > 15) co_return Error(errc::invalid_argument, "orders: 2 to 15 per batch");
  Params p{{"pair", std::move(pair)}};
  for (std::size_t i = 0; i < orders.size(); ++i) {
    auto one = add_order_params(orders[i], fmt::format("orders[{}]", i));
    if (!one) co_return Error(one.error().code, fmt::format("orders[{}]: {}", i, one.error().detail));
    p.insert(p.end(), one->begin(), one->end());
  }
  if (validate) p.emplace_back("validate", "true");
  if (!validate) {
    auto permit = t_.governor().acquire_trading(p.front().second, RateGovernor::Action::batch_add, {}, orders.size(),
                                                trading_wait_);
    if (!permit) co_return permit.error();
    co_await t_.sleep_for(permit->wait);
  }
  co_return parsed(co_await t_.private_call("AddOrderBatch", std::move(p), Priority::add), parse_add_order_batch);
}

}  // namespace kgw::kraken
