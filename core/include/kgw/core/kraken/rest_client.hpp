#pragma once
// KrakenRestClient: typed Kraken REST calls over KrakenRestTransport (signing, nonce order,
// rate governor, retries) and the typed parsers of rest_types.hpp. Every call's parameters are
// the ones Kraken documents (PROTOCOL.md §3); Kraken's error[] strings come back verbatim in
// Error::kraken, and order entry with an unknown outcome comes back as errc::unknown_outcome
// (never resent here); so does an accepted order-entry answer that cannot be parsed. Same
// threading as the transport: one executor.

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kgw/core/kraken/rest_transport.hpp"
#include "kgw/core/instrument.hpp"
#include "kgw/core/kraken/orders.hpp"
#include "kgw/core/kraken/rest_types.hpp"

namespace kgw::kraken {

// Filters of the history lists (Kraken pages them by 50 with `ofs`).
struct HistoryQuery {
  std::optional<std::string> start, end;  // unix seconds or an id
  std::optional<std::int64_t> ofs;
  bool without_count = false;
  Params extra;  // endpoint-specific filters (type, asset, closetime, trades, userref, ...)
};

// Position in a `since`/`last`-cursored public list (Trades: a nanosecond string; OHLC and
// Spread: an integer, kept as text).
struct SinceCursor {
  std::optional<std::string> last;
};

class KrakenRestClient {
 public:
  explicit KrakenRestClient(KrakenRestTransport& transport) : t_(transport) {}
  // How long order entry may wait for the trading counter before failing with rate_limited.
  void set_trading_wait(std::chrono::nanoseconds w) noexcept { trading_wait_ = w; }
  // With a registry, the per-pair trading counter is keyed by the pair's REST id whatever
  // spelling a call used (XBTUSD, XXBTZUSD and BTC/USD are one counter at Kraken). Without
  // one, by the spelling given. The registry must outlive the client.
  void set_registry(const InstrumentRegistry* registry) noexcept { registry_ = registry; }

  // Public market data and reference data (empty lists: everything).
  boost::asio::awaitable<result<ServerTime>> time();
  boost::asio::awaitable<result<std::vector<Asset>>> assets(std::vector<std::string> assets = {});
  boost::asio::awaitable<result<std::vector<Instrument>>> asset_pairs(std::vector<std::string> pairs = {});
  boost::asio::awaitable<result<SystemStatusInfo>> system_status();
  boost::asio::awaitable<result<std::vector<Ticker>>> ticker(std::vector<std::string> pairs);
  boost::asio::awaitable<result<Depth>> depth(std::string pair, int count = 100);
  boost::asio::awaitable<result<OhlcPage>> ohlc(std::string pair, int interval = 1, std::optional<std::int64_t> since = {});
  boost::asio::awaitable<result<TradesPage>> trades(std::string pair, std::optional<std::string> since = {},
                                                    std::optional<int> count = {});
  boost::asio::awaitable<result<SpreadPage>> spread(std::string pair, std::optional<std::int64_t> since = {});

  // Account.
  // `extra`: further documented parameters (rebase_multiplier, txid, consolidation, trades, ...).
  boost::asio::awaitable<result<std::vector<AssetBalance>>> balance(Params extra = {});
  boost::asio::awaitable<result<std::vector<AssetBalance>>> balance_ex(Params extra = {});
  boost::asio::awaitable<result<TradeBalanceInfo>> trade_balance(std::string asset = "ZUSD", Params extra = {});
  boost::asio::awaitable<result<std::vector<PositionInfo>>> open_positions(bool docalcs = true, Params extra = {});
  boost::asio::awaitable<result<LedgersPage>> ledgers(HistoryQuery q);
  boost::asio::awaitable<result<LedgersPage>> query_ledgers(std::vector<std::string> ids, Params extra = {});  // ≤ 20
  boost::asio::awaitable<result<WebSocketsToken>> websockets_token();

  // Orders and trades.
  boost::asio::awaitable<result<OrdersPage>> open_orders(Params filters = {});
  boost::asio::awaitable<result<OrdersPage>> closed_orders(HistoryQuery q);
  boost::asio::awaitable<result<OrdersPage>> query_orders(std::vector<std::string> txids, bool trades = false,
                                                          Params extra = {});
  boost::asio::awaitable<result<TradesHistoryPage>> trades_history(HistoryQuery q);
  boost::asio::awaitable<result<TradesHistoryPage>> query_trades(std::vector<std::string> txids, Params extra = {});  // ≤ 20
  // The amend history of one order (the "original" entry first).
  boost::asio::awaitable<result<OrderAmendsPage>> order_amends(std::string order_id, Params extra = {});
  // Every page of ClosedOrders / TradesHistory / Ledgers (newest first), deduplicated by id, at
  // most `max_pages` pages of 50; errc::overflow if more remain (never a silently partial list).
  boost::asio::awaitable<result<std::vector<OrderInfo>>> all_closed_orders(HistoryQuery q, int max_pages = 20);
  boost::asio::awaitable<result<std::vector<TradeInfo>>> all_trades_history(HistoryQuery q, int max_pages = 20);
  boost::asio::awaitable<result<std::vector<LedgerInfo>>> all_ledgers(HistoryQuery q, int max_pages = 20);

  // Incremental polling of the `since`/`last` lists: each call returns what came since the
  // previous one and advances `cursor` (which must outlive the call). OHLC's last candle is the
  // uncommitted current one and comes back again on the next poll.
  boost::asio::awaitable<result<TradesPage>> poll_trades(std::string pair, SinceCursor& cursor);
  boost::asio::awaitable<result<OhlcPage>> poll_ohlc(std::string pair, int interval, SinceCursor& cursor);
  boost::asio::awaitable<result<SpreadPage>> poll_spread(std::string pair, SinceCursor& cursor);

  // Order entry, on the typed requests of kraken/orders.hpp (checked before anything is sent).
  boost::asio::awaitable<result<AddOrderResponse>> add_order(OrderRequest o);
  boost::asio::awaitable<result<std::string>> amend_order(AmendRequest a);  // amend_id
  boost::asio::awaitable<result<EditOrderResponse>> edit_order(EditRequest e);
  // Exactly one order id, userref or cl_ord_id.
  boost::asio::awaitable<result<CancelResponse>> cancel_order(CancelRequest c);
  boost::asio::awaitable<result<CancelResponse>> cancel_all();
  // Up to 50 order ids, userrefs and cl_ord_ids, one request (JSON body).
  boost::asio::awaitable<result<CancelResponse>> cancel_order_batch(CancelRequest c);
  boost::asio::awaitable<result<DeadManResponse>> cancel_all_orders_after(int timeout_s);
  // 2..15 orders on one pair (JSON body); each entry's `pair` must be empty or the batch's.
  boost::asio::awaitable<result<std::vector<BatchOrderResult>>> add_order_batch(std::string pair,
                                                                                std::vector<OrderRequest> orders,
                                                                                bool validate = false,
                                                                                std::optional<std::string> deadline = {});

 private:
  std::string counter_key(const std::string& pair) const;

  KrakenRestTransport& t_;
  const InstrumentRegistry* registry_ = nullptr;
  std::chrono::nanoseconds trading_wait_{std::chrono::seconds(2)};
};

}  // namespace kgw::kraken
