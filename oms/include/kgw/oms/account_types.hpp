#pragma once
// What the account view knows, as immutable values: orders (merged from Kraken's partial
// execution events and REST), own fills, balances, positions, and AccountSnapshot, the consistent
// whole that readers take. Every value carries Kraken's time, the time the gateway received it
// and where it came from (DESIGN.md §3), so readers judge its freshness. Values and immutable
// collections: any thread may read them; only the account view builds them.

#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/core/decimal.hpp"
#include "kgw/core/kraken/private_channels.hpp"
#include "kgw/core/kraken/rest_types.hpp"
#include "kgw/core/kraken/vocabulary.hpp"
#include "kgw/oms/recent_log.hpp"

namespace kgw::oms {

enum class Source : unsigned char {
  ws_snapshot,  // the executions / balances snapshot of a (re)subscription
  ws_update,    // an executions / balances update
  rest,         // REST: reconciliation, OpenPositions
};
std::string_view to_string(Source s) noexcept;

struct Stamp {
  WallTime exchange{};  // Kraken's time of the value (event timestamp, REST time); zero if none given
  WallTime received{};  // when the gateway received it
  Source source = Source::ws_update;
  friend bool operator==(const Stamp&, const Stamp&) = default;
};

// One order as merged from every event seen (PROTOCOL.md §6.5: later events carry a subset of
// the fields, so state is keyed by order_id and merged) and from REST.
struct OrderState {
  std::string order_id;
  std::string cl_ord_id;
  std::optional<std::int64_t> userref;
  std::string symbol;  // v2 symbol (BTC/USD) when the registry knows the pair, else as Kraken wrote it
  kraken::Word<kraken::Side> side;
  kraken::Word<kraken::OrderType> order_type;
  kraken::Word<kraken::TimeInForce> time_in_force;
  // WS v2 words; REST statuses are mapped (pending: pending_new, open: new or partially_filled,
  // closed: filled).
  kraken::Word<kraken::WsOrderStatus> status;
  kraken::Word<kraken::ExecType> last_exec;  // the last execution applied; empty if only REST spoke
  std::optional<Decimal> order_qty, limit_price, display_qty;
  Decimal cum_qty, cum_cost;
  std::optional<Decimal> avg_price, fee_usd_equiv;
  std::optional<bool> margin, post_only, reduce_only;
  std::optional<kraken::ExecutionTriggers> triggers;
  std::string reason;
  std::optional<WallTime> opened, closed;  // REST opentm / closetm
  Stamp stamp;

  bool is_closed() const noexcept;  // filled, canceled or expired
  friend bool operator==(const OrderState&, const OrderState&) = default;
};

// One own trade. exec_id is Kraken's trade id: `exec_id` in executions, the key of TradesHistory.
struct Fill {
  std::string exec_id;
  std::optional<std::int64_t> trade_id;  // the pair's public trade id
  std::string order_id, cl_ord_id, symbol;
  kraken::Word<kraken::Side> side;
  Decimal qty, price, cost;
  std::vector<kraken::ExecutionFee> fees;  // REST: the fee in the pair's quote currency
  std::string liquidity;                   // m (maker) | t (taker)
  std::optional<bool> margin;
  Stamp stamp;
  friend bool operator==(const Fill&, const Fill&) = default;
};

// One asset's balance, under its REST id (XXBT) and its v2 code (BTC) alike.
struct Balance {
  std::string asset;    // REST asset id (XXBT); Kraken's code when the registry does not know it
  std::string code;     // v2 code (BTC)
  std::string altname;  // XBT
  std::string asset_class;
  Decimal total;                              // across wallets
  std::vector<kraken::BalanceWallet> wallets;  // from the snapshot, moved by each ledger entry's amount − fee
  std::string ledger_id;                      // the last ledger transaction applied
  // That transaction as Kraken sent it (type, ref_id, amount, fee, wallet...), for consumers that
  // relay the balances channel's updates; absent for a value from a snapshot.
  std::optional<kraken::BalanceItem> transaction;
  Stamp stamp;
  friend bool operator==(const Balance&, const Balance&) = default;
};

struct Position {
  kraken::PositionInfo info;  // as OpenPositions reports it (txid, pair, type, vol, cost, margin, net, ...)
  std::string symbol;         // v2 symbol of info.pair
};

// The open positions from the last successful OpenPositions (WS v2 has no positions channel).
struct Positions {
  std::vector<Position> list;
  bool loaded = false;  // false until OpenPositions answered once
  Stamp stamp;
};

class OpenOrdersWriter;

// Open orders by order id and by cl_ord_id (unique among open orders, PROTOCOL.md §3.5), as of
// one snapshot. Immutable once built (by the account view's writer): any thread reads it. A
// change costs the writer O(√n), not O(n): a shared base, rebuilt now and then, plus the few
// orders changed since (a lookup checks those first).
class OpenOrders {
 public:
  using Ptr = std::shared_ptr<const OrderState>;

  Ptr find(std::string_view order_id) const;
  Ptr find_by_cl_ord_id(std::string_view cl_ord_id) const;
  std::vector<Ptr> list() const;  // every open order, by order_id (allocates: for listings)
  std::size_t size() const noexcept { return size_; }

 private:
  friend class OpenOrdersWriter;
  struct Base {
    std::vector<Ptr> by_id;  // sorted by order_id
    // Sorted by cl_ord_id; the views and pointers are into orders by_id keeps alive.
    std::vector<std::pair<std::string_view, const OrderState*>> by_cl_ord_id;
  };
  // An order changed since the base: its new state, or its removal (then `order` is its last
  // state, kept for its id).
  struct Change {
    Ptr order;
    bool removed = false;
  };
  const Change* change_of(std::string_view order_id) const noexcept;

  std::shared_ptr<const Base> base_ = std::make_shared<const Base>();
  std::vector<Change> changes_;  // sorted by order_id
  std::size_t size_ = 0;
};

// Balances by REST id, v2 code or altname (XXBT, BTC, XBT), exactly as spelt, as of one
// snapshot. Immutable once built by the account view: any thread reads it.
class Balances {
 public:
  using Ptr = std::shared_ptr<const Balance>;
  Balances() = default;
  // `balances` sorted by code.
  explicit Balances(std::vector<Ptr> balances);

  Ptr find(std::string_view asset) const;
  std::span<const Ptr> all() const noexcept { return balances_; }  // by code

 private:
  std::vector<Ptr> balances_;
  std::vector<std::pair<std::string_view, std::uint32_t>> names_;  // every spelling, sorted
};

// Where a stream of numbered account events is: the epoch changes whenever continuity cannot be
// promised (a restart, a reconnect whose reconciliation failed); sequence counts events within
// an epoch from 1.
struct EventCursor {
  std::uint64_t epoch = 0;
  std::uint64_t sequence = 0;
  friend auto operator<=>(const EventCursor&, const EventCursor&) = default;
};

struct Freshness {
  bool connected = false;            // the private connection is up
  bool executions_snapshot = false;  // arrived on this connection (and no gap since)
  bool balances_snapshot = false;
  bool reconciled = false;           // REST reconciliation after the last (re)connect succeeded
  WallTime since{};                  // when this state began (connect, snapshot, disconnect, gap)
  WallTime last_frame{};             // when the last private channel frame arrived

  // Fresh: the caches follow the live stream. Stale: the connection is down, or its snapshots
  // have not arrived yet (or a gap stopped them).
  bool fresh() const noexcept { return connected && executions_snapshot && balances_snapshot; }
  friend bool operator==(const Freshness&, const Freshness&) = default;
};

// Everything the account view knows, consistent as of `cursor` (the last event it includes).
struct AccountSnapshot {
  EventCursor cursor;
  Freshness freshness;
  std::shared_ptr<const OpenOrders> open_orders;
  std::shared_ptr<const RecentLog<OrderState>> closed_orders;  // recently closed, oldest first
  std::shared_ptr<const RecentLog<Fill>> fills;                // own trades, oldest first
  std::shared_ptr<const Balances> balances;
  std::shared_ptr<const Positions> positions;

  // An open order, else a recently closed one.
  std::shared_ptr<const OrderState> order(std::string_view order_id) const;
  std::shared_ptr<const OrderState> order_by_cl_ord_id(std::string_view cl_ord_id) const;
  std::shared_ptr<const Fill> fill(std::string_view exec_id) const;
  std::shared_ptr<const Balance> balance(std::string_view asset) const { return balances->find(asset); }
  bool fresh() const noexcept { return freshness.fresh(); }
};

}  // namespace kgw::oms
