#pragma once
// The account view's writer state (private to oms/src): the caches as the single writer keeps
// them, the per-connection stream state, the continuity marks reconciliation starts from, and
// the merge rules shared by the WS path (account_view.cpp) and the REST path
// (account_reconcile.cpp). oms thread only.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "kgw/core/kraken/private_channels.hpp"
#include "kgw/core/log.hpp"
#include "kgw/core/string_hash.hpp"
#include "kgw/oms/account_view.hpp"
#include "open_orders_writer.hpp"

namespace kgw::oms {

// The recently closed orders by order_id and by cl_ord_id: the newest state of each, while the
// closed log keeps it. Placing an order asks whether Kraken already knows its cl_ord_id, and a
// fresh one is known nowhere: scanning the log (1,000 orders by default) for it cost ~20 us.
class ClosedIndex {
 public:
  using Ptr = std::shared_ptr<const OrderState>;
  // `o` joined the closed log; `forgotten` (may be null) left it.
  void added(const Ptr& o, const Ptr& forgotten);
  Ptr by_order_id(std::string_view id) const { return find(by_id_, id); }
  Ptr by_cl_ord_id(std::string_view id) const { return find(by_cl_, id); }

 private:
  using Map = std::unordered_map<std::string, Ptr, StringHash, std::equal_to<>>;
  static Ptr find(const Map& m, std::string_view id) {
    if (id.empty()) return nullptr;
    auto it = m.find(id);
    return it == m.end() ? nullptr : it->second;
  }
  Map by_id_, by_cl_;
};

// Fill ids seen, bounded: the newest `capacity` are remembered (oldest forgotten first).
class FillIds {
 public:
  explicit FillIds(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  // True if `id` was new (and is now remembered).
  bool insert(const std::string& id);

 private:
  std::size_t capacity_;
  std::unordered_set<std::string> set_;
  std::deque<std::string> order_;
};

struct AccountView::Writer {
  Writer(const InstrumentRegistry& r, const Clock& c, const AccountViewOptions& o, AccountViewStats& s);

  const InstrumentRegistry& registry;
  const Clock& clock;
  const AccountViewOptions opt;
  AccountViewStats& stats;
  AccountHooks hooks;
  kraken::PrivateChannelParser parser;
  std::string copy;  // a frame given without read padding, padded
  EventHub hub;
  log::RateLimiter log_limit{5, std::chrono::seconds(60)};

  // Caches, as the writer keeps them.
  OpenOrdersWriter open;
  RecentLogWriter<OrderState> closed;
  ClosedIndex closed_index;
  RecentLogWriter<Fill> fills;
  FillIds fill_ids;
  std::map<std::string, std::shared_ptr<const Balance>, std::less<>> balances;  // by v2 code
  std::shared_ptr<const Positions> positions;
  // What the last snapshot published; rebuilt when dirty.
  std::shared_ptr<const OpenOrders> open_view;
  std::shared_ptr<const RecentLog<OrderState>> closed_view;
  std::shared_ptr<const RecentLog<Fill>> fills_view;
  std::shared_ptr<const Balances> balances_view;
  bool open_dirty = true, closed_dirty = true, fills_dirty = true, balances_dirty = true;
  std::shared_ptr<const AccountSnapshot> latest;
  Freshness fresh;

  // The connection's streams.
  std::optional<std::uint64_t> exec_seq, balance_seq;
  bool stopped = false;                // a gap or an unreadable frame: ignore frames until replaced
  std::vector<std::string> vanished;   // open orders the last executions snapshot did not list

  // Continuity: while lost, fills after fills_mark and closures after orders_mark may have been
  // missed; a successful reconciliation restores it.
  bool continuity_lost = true;
  WallTime fills_mark{}, orders_mark{};
  std::optional<WallTime> last_fill;   // Kraken's time of the newest fill seen
  std::uint64_t reconcile_token = 0;   // a newer reconcile (or a disconnect) overtakes an older one
  std::uint64_t positions_token = 0;
  bool positions_due = false;          // a fill on a margin order since the last frame outcome

  // Orders: the current state of an order, open or recently closed (null if unknown).
  std::shared_ptr<const OrderState> find_order(std::string_view order_id) const;
  std::shared_ptr<const OrderState> find_order_by_cl_ord_id(std::string_view cl_ord_id) const;
  // Stores a new state: open orders by id, a closed one moves to the closed log.
  void put_order(const std::shared_ptr<const OrderState>& next);
  void emit_order(std::shared_ptr<const OrderState> o);
  // A fill, once per exec_id; false for a duplicate.
  bool add_fill(std::shared_ptr<const Fill> f);
  void emit_balance(std::shared_ptr<const Balance> b);
  void set_positions(std::vector<kraken::PositionInfo> list, WallTime received);
  void emit(AccountEvent e);

  // Frames.
  void apply_execution(const kraken::ExecutionItem& x, WallTime received);
  void apply_executions_snapshot(const kraken::PrivateFrame& f, WallTime received);
  void apply_balances_snapshot(const kraken::PrivateFrame& f, WallTime received);
  void apply_ledger(const kraken::BalanceItem& b, WallTime received);
  std::string code_of(std::string_view asset) const;  // a balances asset as our key (v2 code)
  const Balance* balance_of(const std::string& code) const;

  // The stream can no longer be followed (disconnect, gap, unreadable frame).
  void lose_continuity(WallTime now);
  void stop_stream(WallTime now);
  // A rate-limited warning (floods of bad frames stay bounded).
  void warn(std::string_view what);
};

// Merge rules (account_merge.cpp).
// Any spelling of a pair as its v2 symbol (BTC/USD); as given when the registry does not know it.
std::string symbol_of(const InstrumentRegistry& registry, std::string_view pair);
// An execution merged into an order's state: fields Kraken sent replace the known ones.
OrderState merge_execution(const OrderState* prev, const kraken::ExecutionItem& x, const Stamp& stamp,
                           const InstrumentRegistry& registry);
// A trade execution as a fill; what the item lacks (Kraken sends a subset) comes from the order.
Fill fill_of_execution(const kraken::ExecutionItem& x, const OrderState* order, const Stamp& stamp,
                       const InstrumentRegistry& registry);
// A REST order merged into an order's state, forward only: the status never goes back, the
// filled quantity never shrinks, fields are only filled in. nullopt when nothing changed.
std::optional<OrderState> merge_rest_order(const OrderState* prev, const kraken::OrderInfo& r, WallTime received,
                                           const InstrumentRegistry& registry);
// A TradesHistory entry as a fill; cl_ord_id and margin from the order when known.
Fill fill_of_trade(const kraken::TradeInfo& t, const OrderState* order, WallTime received,
                   const InstrumentRegistry& registry);
// A balances snapshot item, and a ledger update applied to an asset's balance.
Balance balance_of_snapshot(const kraken::BalanceItem& b, const Balance* prev, WallTime received,
                            const InstrumentRegistry& registry);
Balance balance_after_ledger(const kraken::BalanceItem& b, const Balance* prev, WallTime received,
                             const InstrumentRegistry& registry);
// Equal but for the stamp and the last execution type.
bool same_state(const OrderState& a, const OrderState& b);
// Kraken's REST time (unix seconds with a fraction) as a WallTime.
WallTime from_unix(const Decimal& seconds);

}  // namespace kgw::oms
