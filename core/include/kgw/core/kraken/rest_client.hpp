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
      cl_ord_id, deadline, asset_class, broker;  // deadline, asset_class, broker: single orders only
  std::optional<std::int64_t> userref;
  bool reduce_only = false, validate = false;
  std::vector<std::string> oflags;  // post, fcib, fciq, viqc, nompp
  std::optional<std::string> close_ordertype, close_price, close_price2;
};

// AmendOrder: in-place change keeping the order's ids and, where possible, its queue priority.
// Exactly one of txid / cl_ord_id; at least one of the quantities or prices.
struct AmendOrderParams {
  std::optional<std::string> txid, cl_ord_id;
  std::optional<std::string> order_qty, display_qty, limit_price, trigger_price;  // prices may be relative (+, -, %)
  std::optional<std::string> deadline, pair;  // pair: xStocks only
  bool post_only = false;                      // reject if the new price would take
};

// EditOrder (legacy cancel-and-replace: new txid, queue position lost, no cl_ord_id).
struct EditOrderParams {
  std::string txid;  // order id or userref
  std::string pair;  // required by Kraken
  std::optional<std::string> volume, displayvol, price, price2, deadline, asset_class;
  std::optional<std::int64_t> userref;  // new userref
  std::vector<std::string> oflags;      // only `post` can change
  bool cancel_response = false, validate = false;
};

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

  // Order entry.
  boost::asio::awaitable<result<AddOrderResponse>> add_order(AddOrderParams p);
  boost::asio::awaitable<result<std::string>> amend_order(AmendOrderParams p);  // amend_id
  boost::asio::awaitable<result<EditOrderResponse>> edit_order(EditOrderParams p);
  boost::asio::awaitable<result<CancelResponse>> cancel_order(std::string txid_or_userref_or_cl_ord_id, bool is_cl_ord_id = false);
  boost::asio::awaitable<result<CancelResponse>> cancel_all();
  // Up to 50 order ids (or userrefs: all digits) and cl_ord_ids, one request (JSON body).
  boost::asio::awaitable<result<CancelResponse>> cancel_order_batch(std::vector<std::string> orders,
                                                                    std::vector<std::string> cl_ord_ids);
  boost::asio::awaitable<result<DeadManResponse>> cancel_all_orders_after(int timeout_s);
  // 2..15 orders on one pair (JSON body); each entry's `pair` must be empty or the batch's.
  boost::asio::awaitable<result<std::vector<BatchOrderResult>>> add_order_batch(std::string pair,
                                                                                std::vector<AddOrderParams> orders,
                                                                                bool validate = false,
                                                                                std::optional<std::string> deadline = {});

  // The request bodies, checked; errors are invalid_argument naming the field. Exposed for
  // tests and benches.
  static result<Params> add_order_params(const AddOrderParams& p);
  static result<Params> amend_order_params(const AmendOrderParams& p);
  static result<Params> edit_order_params(const EditOrderParams& p);
  static result<std::string> add_order_batch_body(const std::string& pair, const std::vector<AddOrderParams>& orders,
                                                  bool validate, const std::optional<std::string>& deadline);
  static result<std::string> cancel_order_batch_body(const std::vector<std::string>& orders,
                                                     const std::vector<std::string>& cl_ord_ids);

 private:
  std::string counter_key(const std::string& pair) const;

  KrakenRestTransport& t_;
  const InstrumentRegistry* registry_ = nullptr;
  std::chrono::nanoseconds trading_wait_{std::chrono::seconds(2)};
};

}  // namespace kgw::kraken
