#pragma once
// Typed Kraken REST responses (PROTOCOL.md §3), parsed from the `result` JSON of the envelope:
// market data and account balances. Numbers are Decimals that keep Kraken's printed scale
// (REST pads prices, `30300.10000`; vwap carries real extra digits), never double. Pure
// functions; errors name the field.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kgw/core/decimal.hpp"
#include "kgw/core/secret.hpp"
#include "kgw/core/error.hpp"

namespace kgw::kraken {

struct ServerTime {
  std::int64_t unixtime = 0;
  std::string rfc1123;
};

struct SystemStatusInfo {
  std::string status;     // online | maintenance | cancel_only | post_only
  std::string timestamp;  // RFC 3339
};

struct TickerQuote {
  Decimal price, whole_lot_volume, lot_volume;
};

struct Ticker {
  std::string pair;  // the REST key Kraken answered with (XXBTZUSD)
  TickerQuote ask, bid;
  Decimal last_price, last_volume;
  std::array<Decimal, 2> volume, vwap, low, high;  // [today, last 24 h]
  std::array<std::int64_t, 2> trades{};
  Decimal open;
};

struct DepthLevel {
  Decimal price, volume;
  std::int64_t timestamp = 0;
};
struct Depth {
  std::string pair;
  std::vector<DepthLevel> asks, bids;
};

struct OhlcCandle {
  std::int64_t time = 0;
  Decimal open, high, low, close, vwap, volume;
  std::int64_t count = 0;
};
struct OhlcPage {
  std::string pair;
  std::vector<OhlcCandle> candles;  // the last one is the current, uncommitted candle
  std::int64_t last = 0;            // pass as `since` to poll
};

struct RecentTrade {
  Decimal price, volume;
  Decimal time;  // unix seconds with fraction, as Kraken prints it
  char side = 'b';      // b | s (taker)
  char ordtype = 'l';   // l | m
  std::string misc;
  std::int64_t trade_id = 0;
};
struct TradesPage {
  std::string pair;
  std::vector<RecentTrade> trades;
  std::string last;  // nanosecond cursor (a string on the wire)
};

struct SpreadEntry {
  std::int64_t time = 0;
  Decimal bid, ask;
};
struct SpreadPage {
  std::string pair;
  std::vector<SpreadEntry> entries;
  std::int64_t last = 0;
};

struct AssetBalance {
  std::string asset;  // REST asset id (ZUSD, XXBT, ETH2.S, ...)
  Decimal balance;
  std::optional<Decimal> credit, credit_used, hold_trade;  // BalanceEx only
};

struct TradeBalanceInfo {
  Decimal eb, tb, m, n, c, v, e, mf;
  std::optional<Decimal> ml, uv;  // ml only while margin is used
};

result<ServerTime> parse_time(std::string_view result_json);
result<SystemStatusInfo> parse_system_status(std::string_view result_json);
result<std::vector<Ticker>> parse_ticker(std::string_view result_json);
result<Depth> parse_depth(std::string_view result_json);
result<OhlcPage> parse_ohlc(std::string_view result_json);
result<TradesPage> parse_trades(std::string_view result_json);
result<SpreadPage> parse_spread(std::string_view result_json);
result<std::vector<AssetBalance>> parse_balance(std::string_view result_json);
result<std::vector<AssetBalance>> parse_balance_ex(std::string_view result_json);
result<TradeBalanceInfo> parse_trade_balance(std::string_view result_json);

}  // namespace kgw::kraken

namespace kgw::kraken {

// An order as OpenOrders / ClosedOrders / QueryOrders report it.
struct OrderDescr {
  std::string pair, type, ordertype, price, price2, leverage, order, close;
};
struct OrderInfo {
  std::string txid;
  std::optional<std::string> refid;  // null (or the docs' literal "None")
  std::int64_t userref = 0;
  std::optional<std::string> cl_ord_id;
  std::string status;  // pending | open | closed | canceled | expired
  std::optional<std::string> reason;
  Decimal opentm, closetm, starttm, expiretm;  // unix seconds with fraction
  OrderDescr descr;
  Decimal vol, vol_exec, cost, fee, price, stopprice, limitprice;
  std::string misc, oflags, trigger;
  std::vector<std::string> trades;
};
struct OrdersPage {
  std::vector<OrderInfo> orders;
  std::optional<std::int64_t> count;  // ClosedOrders
};

struct TradeInfo {
  std::string txid, ordertxid, postxid, pair, type, ordertype, misc, posstatus, leverage;
  Decimal time, price, cost, fee, vol, margin;
  std::int64_t trade_id = 0;
  bool maker = false;
  std::vector<std::string> ledgers;
  // A trade that closed (part of) a position: the closed part, and the closing trades.
  std::optional<Decimal> cprice, ccost, cfee, cvol, cmargin, net;
  std::vector<std::string> trades;
};
struct TradesHistoryPage {
  std::vector<TradeInfo> trades;
  std::optional<std::int64_t> count;
};

struct LedgerInfo {
  std::string id, refid, type, subtype, aclass, asset;
  Decimal time, amount, fee, balance;
};
struct LedgersPage {
  std::vector<LedgerInfo> entries;
  std::optional<std::int64_t> count;
};

struct PositionInfo {
  std::string txid, ordertxid, posstatus, pair, type, ordertype, terms, rollovertm, misc, oflags;
  Decimal time, cost, fee, vol, vol_closed, margin;
  std::optional<Decimal> value, net;  // with docalcs
};

// One entry of OrderAmends `amends` (the "original" entry first).
struct OrderAmendInfo {
  std::string amend_id, amend_type, reason;
  std::optional<Decimal> order_qty, display_qty, remaining_qty, limit_price, trigger_price;
  bool post_only = false;
  std::int64_t timestamp = 0;  // Kraken's nanoseconds
};
struct OrderAmendsPage {
  std::vector<OrderAmendInfo> amends;
  std::int64_t count = 0;
};

struct AddOrderResponse {
  std::vector<std::string> txid;  // an array in AddOrder
  std::string descr_order, descr_close;
};
struct EditOrderResponse {
  std::string txid;  // a string in EditOrder
  std::optional<std::string> originaltxid, status;
  std::string descr_order;
};
struct CancelResponse {
  std::int64_t count = 0;
  bool pending = false;
};
struct DeadManResponse {
  std::string current_time, trigger_time;  // camelCase on the wire
};
struct BatchOrderResult {
  std::optional<std::string> txid;
  std::string descr_order, close;
  std::optional<std::string> error;  // per-order engine failure
};
struct WebSocketsToken {
  Secret token;  // a credential for the private WS channels: redacted, wiped
  std::int64_t expires = 0;
};

// OpenOrders ({"open":{...}}), ClosedOrders ({"closed":{...},"count"}) and QueryOrders ({txid:...}).
result<OrdersPage> parse_orders(std::string_view result_json);
// TradesHistory ({"trades":{...},"count"}) and QueryTrades ({txid:...}).
result<TradesHistoryPage> parse_trades_history(std::string_view result_json);
// Ledgers ({"ledger":{...},"count"}) and QueryLedgers ({id:...}).
result<LedgersPage> parse_ledgers(std::string_view result_json);
result<std::vector<PositionInfo>> parse_open_positions(std::string_view result_json);
result<OrderAmendsPage> parse_order_amends(std::string_view result_json);
result<AddOrderResponse> parse_add_order(std::string_view result_json);
result<EditOrderResponse> parse_edit_order(std::string_view result_json);
result<std::string> parse_amend_order(std::string_view result_json);  // amend_id
result<CancelResponse> parse_cancel(std::string_view result_json);     // CancelOrder, CancelAll, CancelOrderBatch
result<DeadManResponse> parse_cancel_all_orders_after(std::string_view result_json);
result<std::vector<BatchOrderResult>> parse_add_order_batch(std::string_view result_json);
result<WebSocketsToken> parse_websockets_token(std::string_view result_json);

}  // namespace kgw::kraken
