#pragma once
// Exchange: the simulated Kraken spot exchange behind the REST and WS servers. It owns the
// instrument registry, one MatchingEngine per pair, the accounts (balances, holds, fees, ledger),
// the order and trade records that the query endpoints read, the system status, the dead-man
// switches and the trading rate counters. Requests come in as typed structs with the numbers
// still as text (REST form values and WS raw JSON numbers alike) and are validated the way Kraken
// validates them, failing with Kraken's own error strings. Single-threaded: all calls on the
// simulator's exchange thread; observers are called synchronously from it.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"
#include "kgw/core/instrument.hpp"
#include "kgw/core/kraken/rate_rules.hpp"
#include "kgw/sim/accounts.hpp"
#include "kgw/sim/matching_engine.hpp"

namespace kgw::sim {

using kraken::SystemStatus;
// Kraken's four statuses; `unknown` is not one.
constexpr std::optional<SystemStatus> parse_system_status(std::string_view s) noexcept {
  return kraken::parse_word<SystemStatus>(s);
}

// A conditional close order attached to an AddOrder (REST close[ordertype]/close[price]/close[price2]).
struct CloseSpec {
  OrderType type = OrderType::limit;
  std::optional<std::string> price{}, price2{};
};

struct AddOrderRequest {
  std::string pair;  // any Kraken spelling
  Side side = Side::buy;
  OrderType type = OrderType::limit;
  std::string volume;                       // base units, decimal text
  std::optional<std::string> price{};         // limit, or trigger; may be relative (+ - # %)
  std::optional<std::string> price2{};        // limit of *-limit orders; may be relative
  std::optional<std::string> displayvol{};    // iceberg visible size
  std::string trigger = "last";             // last | index
  std::optional<std::string> leverage{};      // "2", "5:1"
  bool reduce_only = false;
  std::optional<SelfTradePrevention> stp{};
  bool post_only = false, fcib = false, fciq = false, viqc = false;
  TimeInForce tif = TimeInForce::gtc;
  std::optional<WallTime> starttm{}, expiretm{};  // absolute (callers resolve +n forms)
  std::optional<std::string> cl_ord_id{};
  std::optional<std::int64_t> userref{};
  std::optional<CloseSpec> close{};
  std::optional<WallTime> deadline{};
  bool validate = false;
};

struct AddOrderResult {
  std::string txid;     // empty when validate
  std::string descr;    // "buy 1.45000000 XBTUSD @ limit 27500.0"
  std::string close_descr;
  std::optional<std::string> cl_ord_id{};
  std::optional<std::int64_t> userref{};
};

// How to select orders for cancel/amend/query: a txid, a userref, or a cl_ord_id.
struct OrderSelector {
  std::optional<std::string> txid{};
  std::optional<std::int64_t> userref{};
  std::optional<std::string> cl_ord_id{};
};

struct AmendOrderRequest {
  OrderSelector which;  // txid or cl_ord_id
  std::optional<std::string> order_qty{}, display_qty{}, limit_price{}, trigger_price{};
  bool post_only = false;
  std::optional<WallTime> deadline{};
};

struct EditOrderRequest {
  OrderSelector which;  // txid or userref
  std::string pair;
  std::optional<std::string> volume{}, displayvol{}, price{}, price2{};
  std::optional<bool> post_only{};
  std::optional<std::int64_t> new_userref{};
  bool cancel_response = false;
  std::optional<WallTime> deadline{};
  bool validate = false;
};

struct EditOrderResult {
  std::string txid, original_txid, volume, price, price2, descr;
  int orders_cancelled = 0;
};

// One entry of an order's amend history (REST OrderAmends): the order as it stood after it.
struct AmendRecord {
  std::string amend_id;
  std::string type;    // original | user | restated
  std::string reason;  // restated: why
  Qty volume, remaining, display;
  std::optional<Price> limit, trigger;
  bool post_only = false;
  WallTime at{};
};

// Everything the query endpoints and the executions channel need about one order.
struct OrderRecord {
  std::string txid;
  std::size_t pair = 0;  // index in Exchange::instruments()
  Order order;           // engine view (volume, filled, prices, status, times)
  std::optional<std::string> cl_ord_id{};
  std::optional<std::int64_t> userref{};
  std::string trigger = "last";
  std::optional<std::string> leverage{};  // "5:1" or none
  std::string oflags;                   // "fciq", "post,fciq", ...
  bool fee_in_base = false;
  bool margin = false;
  int leverage_n = 0;  // 0: spot
  bool reduce_only = false;
  std::optional<CloseSpec> close{};
  std::string descr, close_descr;
  std::int64_t cost = 0;  // quote asset decimals
  std::int64_t fee = 0;   // fee asset decimals (quote unless fcib)
  std::vector<std::string> trades;  // trade txids
  WallTime closetm{};
  std::string reason;
  std::string misc;  // "amended", "touched", ...
  std::int64_t hold_asset = -1;  // asset index holding funds for this order
  std::int64_t held = 0;          // amount currently held
  WallTime last_change{};         // creation or last amend (rate-limit penalties)
  WallTime starttm{};             // scheduled start (epoch 0: none); status pending until then
  std::vector<AmendRecord> amends;  // the original entry first, then each amend
};

// An open margin position (OpenPositions). Opened by a fill of an order with leverage, reduced
// (FIFO) by fills of opposite-side margin orders, which realise its P&L into the balance.
struct Position {
  std::string txid;  // the opening trade's postxid
  std::string ordertxid;
  std::size_t pair = 0;
  AccountId account = 0;
  Side side = Side::buy;  // buy = long, sell = short
  OrderType ordertype = OrderType::limit;
  WallTime time{};
  Qty vol, vol_closed;
  Int128 pxq = 0;            // Σ price×qty of the still-open part (entry), at the pair's scale
  std::int64_t cost = 0;     // open part, quote asset decimals
  std::int64_t fee = 0;      // opening fee, quote asset decimals
  std::int64_t margin = 0;   // open part: cost / leverage
  int leverage = 1;
  std::string oflags;
  WallTime next_rollover{};  // every 4 h a rollover fee (0.01 % of the open cost) is charged

  Qty open() const noexcept { return vol - vol_closed; }
};

struct TradeRecord {
  std::string txid;
  std::string ordertxid, postxid;
  std::size_t pair = 0;
  WallTime time{};
  Side side = Side::buy;
  OrderType ordertype = OrderType::limit;
  Price price;
  Qty vol;
  std::int64_t cost = 0, fee = 0;  // quote decimals (fee in its asset)
  bool maker = false;
  std::uint64_t trade_id = 0;
  std::vector<std::string> ledgers;
  std::int64_t margin = 0;  // initial margin of a margin trade (quote decimals), else 0
  std::string posstatus;    // margin trades: "open" (opened a position) or "closed"
};

// What the private executions channel reports (PROTOCOL.md §6.5).
using kraken::ExecType;

// The "@ ..." part of Kraken's order descriptions for an order type and its price texts.
std::string describe_type(OrderType type, std::string_view price, std::string_view price2);

struct Execution {
  ExecType type = ExecType::new_;
  const OrderRecord* order = nullptr;  // valid during the callback
  const TradeRecord* trade = nullptr;  // for trade/filled
  std::string reason;
};

struct PublicTrade {
  std::size_t pair = 0;
  Side taker_side = Side::buy;
  Price price;
  Qty qty;
  bool taker_market = false;
  std::uint64_t trade_id = 0;
  WallTime time{};
};

class Exchange {
 public:
  class Observer {
   public:
    virtual ~Observer() = default;
    virtual void on_execution(AccountId, const Execution&) {}
    virtual void on_ledger(AccountId, const LedgerEntry&) {}
    virtual void on_public_trade(const PublicTrade&) {}
    // The book of `pair` changed; the observer reads the engine for deltas.
    virtual void on_book_changed(std::size_t /*pair*/) {}
    virtual void on_status(SystemStatus) {}
    // A pair's reference data changed (status, ...): the instrument channel reports it.
    virtual void on_instrument(std::size_t /*pair*/) {}
  };

  struct Config {
    std::vector<Asset> assets;
    std::vector<Instrument> instruments;
    std::uint64_t seed = 1;  // ids are deterministic for a seed
    kraken::Tier tier = kraken::Tier::intermediate;  // the trading counter's limits (PROTOCOL.md §5.2)
    std::optional<kraken::TierLimits> limits{};       // instead of the tier's (SimulatorOptions::limits)
    // Closed orders, trades and ledger entries kept per account; older ones are dropped (in
    // batches of 10 %) so a long paper-trading run has bounded memory.
    std::size_t history_limit = 100'000;
  };

  Exchange(Config config, const Clock& clock);
  ~Exchange();

  void add_observer(Observer* o) { observers_.push_back(o); }
  void remove_observer(Observer* o);

  // --- reference data ---
  const InstrumentRegistry& registry() const noexcept { return registry_; }
  const std::vector<std::shared_ptr<const Instrument>>& instruments() const noexcept { return instruments_; }
  const std::vector<std::shared_ptr<const Asset>>& assets() const noexcept { return assets_; }
  std::optional<std::size_t> pair_index(std::string_view any_spelling) const;
  std::optional<std::size_t> asset_index(std::string_view any_spelling) const;
  MatchingEngine& engine(std::size_t pair) { return *engines_.at(pair); }
  const MatchingEngine& engine(std::size_t pair) const { return *engines_.at(pair); }

  // --- accounts ---
  AccountId add_account(std::string name, std::string api_key, Secret api_secret, Permissions perms = {});
  Account* account(AccountId id);
  const Account* account(AccountId id) const;
  const Account* account_by_key(std::string_view api_key) const;
  // Credits (or debits) `amount` (decimal text) of an asset with a deposit/adjustment ledger entry.
  result<void> deposit(AccountId id, std::string_view asset, std::string_view amount, std::string_view type = "deposit");
  // Per-key strictly increasing nonce: false (EAPI:Invalid nonce) if nonce <= the last accepted.
  bool accept_nonce(AccountId id, std::uint64_t nonce);
  // Available = balance - hold.
  std::int64_t available(AccountId id, std::size_t asset) const;

  // --- trading ---
  result<AddOrderResult> add_order(AccountId id, const AddOrderRequest& req);
  // Batch of 2..15 on one pair: the whole batch is rejected if one order fails validation;
  // engine-level failures (funds) reject only that order (per-order Error in the result).
  result<std::vector<result<AddOrderResult>>> add_order_batch(AccountId id, const std::vector<AddOrderRequest>& reqs,
                                                              bool validate);
  result<std::string> amend_order(AccountId id, const AmendOrderRequest& req);  // amend_id
  result<EditOrderResult> edit_order(AccountId id, const EditOrderRequest& req);
  // Number of orders cancelled; EOrder:Unknown order if nothing matched.
  result<int> cancel_order(AccountId id, const OrderSelector& which);
  int cancel_all(AccountId id);
  // Dead-man switch: 0 disables. Returns (current time, trigger time).
  result<std::pair<WallTime, WallTime>> cancel_all_orders_after(AccountId id, std::int64_t timeout_s);

  // --- queries ---
  std::vector<const OrderRecord*> open_orders(AccountId id) const;
  // Newest first.
  std::vector<const OrderRecord*> closed_orders(AccountId id) const;
  const OrderRecord* find_order(AccountId id, std::string_view txid) const;
  std::vector<const TradeRecord*> trades(AccountId id) const;  // newest first
  const TradeRecord* find_trade(AccountId id, std::string_view txid) const;

  // --- exchange state ---
  SystemStatus status() const noexcept { return status_; }
  // The trading counter's and open orders' limits: the tier's, or Config::limits.
  kraken::TierLimits limits() const noexcept { return cfg_.limits.value_or(kraken::tier_limits(cfg_.tier)); }
  void set_status(SystemStatus s);
  // Trading status of one pair (online, cancel_only, post_only, limit_only, reduce_only,
  // maintenance, ...), enforced on order entry and published on the instrument channel.
  result<void> set_pair_status(std::string_view pair, PairStatus status);
  // Expires GTD orders, fires dead-man switches, starts scheduled orders. Call periodically.
  void tick();
  const Clock& clock() const noexcept { return clock_; }
  WallTime now() const noexcept { return clock_.wall_now(); }

  // Formatting helpers shared by the wire layers.
  std::string format_price(std::size_t pair, Price p) const;
  std::string format_qty(std::size_t pair, Qty q) const;
  std::string format_asset(std::size_t asset, std::int64_t amount) const;
  int asset_decimals(std::size_t asset) const { return assets_.at(asset)->decimals; }
  std::size_t base_asset(std::size_t pair) const { return pair_base_.at(pair); }
  std::size_t quote_asset(std::size_t pair) const { return pair_quote_.at(pair); }

  // Open margin positions of an account, oldest first.
  std::vector<const Position*> positions(AccountId id) const;
  // Value of `amount` of asset `from` in asset `to` at last trade prices (direct pair, inverse
  // pair, or through XBT); nullopt when no route has a price.
  std::optional<Int128> value_in(std::size_t from, Int128 amount, std::size_t to) const;
  // Margin figures of one position at the pair's last price, in its quote asset's decimals.
  struct PositionValue {
    std::int64_t value = 0;  // current valuation of the open part
    std::int64_t net = 0;    // unrealised P&L
  };
  PositionValue position_value(const Position& p) const;
  // Equity available as margin collateral, in asset `in` (balances valued at last prices plus
  // unrealised P&L), and the margin in use, both in `in`'s decimals.
  std::int64_t collateral(AccountId id, std::size_t in) const;
  std::int64_t margin_used(AccountId id, std::size_t in) const;

  // Trading-engine rate counter of an account on a pair (Kraken's per-pair counter, decayed to now).
  double rate_counter(AccountId id, std::size_t pair) const;

 private:
  class EngineListener;
  struct Pending;

  result<AddOrderResult> place(AccountId id, const AddOrderRequest& req, bool charge_add);
  result<AddOrderResult> settle_position(AccountId id, std::size_t pair, const AddOrderRequest& req);
  std::string next_id(char prefix);
  // Appends the order as it stands now to its amend history.
  void record_amend(OrderRecord& r, std::string amend_id, std::string type, std::string reason = {});
  result<Order> build_order(AccountId id, std::size_t pair, const AddOrderRequest& req, OrderRecord& rec);
  result<Price> parse_price(std::size_t pair, Side side, std::string_view text, std::string_view field, bool allow_relative,
                            PriceOffset* offset_out) const;
  result<void> check_status_allows(const OrderRecord& rec, bool post_only) const;
  result<void> reserve(AccountId id, OrderRecord& rec, const Order& o);
  void release_hold(OrderRecord& rec, std::int64_t amount);
  void settle_fill(OrderRecord& taker, OrderRecord& maker, Price price, Qty qty, std::uint64_t trade_id);
  // A fill of a margin order: closes opposite positions FIFO (realising P&L), opens the rest.
  void margin_fill(OrderRecord& r, TradeRecord& tr, Price price, Qty qty, std::int64_t fee);
  void post_ledger(AccountId id, std::size_t asset, std::int64_t amount, std::int64_t fee, std::string refid,
                   std::string type, std::string subtype = {});
  void emit(AccountId id, ExecType type, const OrderRecord& rec, const TradeRecord* trade = nullptr,
            std::string reason = {});
  void on_engine_closed(const Order& o, std::optional<CancelReason> reason);
  void run_pending_closes();
  void restate_reduce_only(AccountId id, std::size_t pair);
  void prune_history(AccountId id);
  void submit_to_engine(OrderRecord& rec);
  bool cancel_scheduled(OrderRecord& rec, std::optional<CancelReason> reason);
  void index_open(const OrderRecord& rec);
  void unindex_open(const OrderRecord& rec);
  OrderRecord* record(OrderId oid);
  std::vector<OrderRecord*> select(AccountId id, const OrderSelector& which);
  std::int64_t to_asset_amount(std::size_t pair, Int128 price_x_qty, std::size_t asset, bool round_up) const;
  std::int64_t fee_for(AccountId id, std::size_t pair, std::int64_t cost, bool maker) const;
  // Books `amount` on the account's trading counter of `pair` (kraken::trading_cost) and refuses
  // when the counter passes the tier's threshold; the charge stays booked either way.
  result<void> charge_rate(AccountId id, std::size_t pair, double amount);
  // How long an order has rested since its creation or last amend: the age §5.2 prices by.
  std::chrono::nanoseconds rested(const OrderRecord& rec) const noexcept { return now() - rec.last_change; }
  std::string describe(std::size_t pair, const OrderRecord& rec) const;

  const Clock& clock_;
  Config cfg_;
  InstrumentRegistry registry_;
  std::vector<std::shared_ptr<const Instrument>> instruments_;
  std::vector<std::shared_ptr<const Asset>> assets_;
  std::vector<std::size_t> pair_base_, pair_quote_;
  std::unique_ptr<EngineListener> listener_;
  std::vector<std::unique_ptr<MatchingEngine>> engines_;
  std::vector<std::unique_ptr<Account>> accounts_;
  std::unordered_map<std::string, AccountId> by_key_;
  std::unordered_map<OrderId, std::unique_ptr<OrderRecord>> orders_;  // every order ever
  std::unordered_map<std::string, OrderId> by_txid_;
  // Open-order indexes, so order entry never scans the order history: per account (ascending
  // ids), per (account, pair) counts for the open-order limit, and open cl_ord_ids.
  std::unordered_map<AccountId, std::set<OrderId>> open_by_account_;
  std::map<std::pair<AccountId, std::size_t>, std::size_t> open_per_pair_;
  std::map<std::pair<AccountId, std::string>, OrderId> open_cl_ord_id_;
  std::unordered_map<std::size_t, std::unique_ptr<TradeRecord>> trades_;  // by trade sequence
  std::size_t next_trade_seq_ = 0;
  std::vector<std::unique_ptr<Position>> positions_;  // open positions, oldest first
  // Orders whose conditional close (OTO) is due: placed once the engine call that filled them
  // has returned, since engine callbacks must not re-enter the engine.
  std::vector<OrderId> pending_close_;
  // (account, pair) whose positions shrank: their reduce-only orders are restated afterwards.
  std::vector<std::pair<AccountId, std::size_t>> pending_restate_;
  // Orders with a future starttm: accepted (status pending, funds held) but not yet in the book.
  std::vector<std::pair<WallTime, OrderId>> scheduled_;
  std::unordered_map<std::string, std::size_t> trade_by_txid_;
  std::map<AccountId, std::vector<OrderId>> closed_by_account_;  // close order
  std::map<AccountId, std::vector<std::size_t>> trades_by_account_;
  std::map<AccountId, WallTime> deadman_;  // trigger times
  std::map<std::pair<AccountId, std::size_t>, std::pair<double, WallTime>> rate_;  // counter, as of
  std::vector<Observer*> observers_;
  SystemStatus status_ = SystemStatus::online;
  OrderId next_order_ = 1;
  std::uint64_t id_state_;
};

}  // namespace kgw::sim
