#pragma once
// KrakenRestClient: typed Kraken REST calls over KrakenRestTransport (signing, nonce order,
// rate governor, retries) and the typed parsers of rest_types.hpp. Every call's parameters are
// the ones Kraken documents (PROTOCOL.md §3); Kraken's error[] strings come back verbatim in
// Error::kraken, and order entry with an unknown outcome comes back as errc::unknown_outcome
// (never resent here). Same threading as the transport: one executor.

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kgw/core/kraken/rest_transport.hpp"
#include "kgw/core/kraken/rest_types.hpp"

namespace kgw::kraken {

using Params = std::vector<std::pair<std::string, std::string>>;

// AddOrder / AddOrderBatch entry. Numbers are decimal text as Kraken takes them (relative prices
// `+5`, `-2%`, `#1` included); the gateway formats them at the instrument's precision first.
struct AddOrderParams {
  std::string pair;       // any Kraken spelling the REST API accepts (XBTUSD, XXBTZUSD)
  std::string type;       // buy | sell
  std::string ordertype;  // market, limit, iceberg, stop-loss, ..., settle-position
  std::string volume;
  std::optional<std::string> price, price2, displayvol, trigger, leverage, stptype, timeinforce, starttm, expiretm,
      cl_ord_id, deadline;
  std::optional<std::int64_t> userref;
  bool reduce_only = false, validate = false;
  std::vector<std::string> oflags;  // post, fcib, fciq, viqc, nompp
  std::optional<std::string> close_ordertype, close_price, close_price2;
};

// Filters of the history lists (Kraken pages them by 50 with `ofs`).
struct HistoryQuery {
  std::optional<std::string> start, end;  // unix seconds or an id
  std::optional<std::int64_t> ofs;
  bool without_count = false;
  Params extra;  // endpoint-specific filters (type, asset, closetime, trades, userref, ...)
};

class KrakenRestClient {
 public:
  explicit KrakenRestClient(KrakenRestTransport& transport) : t_(transport) {}
  // How long order entry may wait for the trading counter before failing with rate_limited.
  void set_trading_wait(std::chrono::nanoseconds w) noexcept { trading_wait_ = w; }

  // Public market data.
  boost::asio::awaitable<result<ServerTime>> time();
  boost::asio::awaitable<result<SystemStatusInfo>> system_status();
  boost::asio::awaitable<result<std::vector<Ticker>>> ticker(std::vector<std::string> pairs);
  boost::asio::awaitable<result<Depth>> depth(std::string pair, int count = 100);
  boost::asio::awaitable<result<OhlcPage>> ohlc(std::string pair, int interval = 1, std::optional<std::int64_t> since = {});
  boost::asio::awaitable<result<TradesPage>> trades(std::string pair, std::optional<std::string> since = {},
                                                    std::optional<int> count = {});
  boost::asio::awaitable<result<SpreadPage>> spread(std::string pair, std::optional<std::int64_t> since = {});

  // Account.
  boost::asio::awaitable<result<std::vector<AssetBalance>>> balance();
  boost::asio::awaitable<result<std::vector<AssetBalance>>> balance_ex();
  boost::asio::awaitable<result<TradeBalanceInfo>> trade_balance(std::string asset = "ZUSD");
  boost::asio::awaitable<result<std::vector<PositionInfo>>> open_positions(bool docalcs = true);
  boost::asio::awaitable<result<LedgersPage>> ledgers(HistoryQuery q);
  boost::asio::awaitable<result<LedgersPage>> query_ledgers(std::vector<std::string> ids);  // ≤ 20
  boost::asio::awaitable<result<WebSocketsToken>> websockets_token();

  // Orders and trades.
  boost::asio::awaitable<result<OrdersPage>> open_orders(Params filters = {});
  boost::asio::awaitable<result<OrdersPage>> closed_orders(HistoryQuery q);
  boost::asio::awaitable<result<OrdersPage>> query_orders(std::vector<std::string> txids, bool trades = false);
  boost::asio::awaitable<result<TradesHistoryPage>> trades_history(HistoryQuery q);
  boost::asio::awaitable<result<TradesHistoryPage>> query_trades(std::vector<std::string> txids);  // ≤ 20
  // Every page of ClosedOrders (newest first), deduplicated by txid, at most `max_pages` pages.
  boost::asio::awaitable<result<std::vector<OrderInfo>>> all_closed_orders(HistoryQuery q, int max_pages = 20);

  // Order entry.
  boost::asio::awaitable<result<AddOrderResponse>> add_order(AddOrderParams p);
  boost::asio::awaitable<result<std::string>> amend_order(Params p);  // amend_id
  boost::asio::awaitable<result<EditOrderResponse>> edit_order(Params p);
  boost::asio::awaitable<result<CancelResponse>> cancel_order(std::string txid_or_userref_or_cl_ord_id, bool is_cl_ord_id = false);
  boost::asio::awaitable<result<CancelResponse>> cancel_all();
  // Up to 50 order ids (or userrefs) and cl_ord_ids, one request.
  boost::asio::awaitable<result<CancelResponse>> cancel_order_batch(std::vector<std::string> orders,
                                                                    std::vector<std::string> cl_ord_ids);
  boost::asio::awaitable<result<DeadManResponse>> cancel_all_orders_after(int timeout_s);
  boost::asio::awaitable<result<std::vector<BatchOrderResult>>> add_order_batch(std::string pair,
                                                                                std::vector<AddOrderParams> orders,
                                                                                bool validate = false);

  // The form parameters of an AddOrder (also each batch entry under `orders[i][...]`).
  static result<Params> add_order_params(const AddOrderParams& p, const std::string& prefix = {});

 private:
  KrakenRestTransport& t_;
  std::chrono::nanoseconds trading_wait_{std::chrono::seconds(2)};
};

}  // namespace kgw::kraken
