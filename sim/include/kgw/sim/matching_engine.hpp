#pragma once
// MatchingEngine: the order book of one pair with price-time priority, and every order type and
// time-in-force Kraken documents: market, limit, iceberg, stop-loss, take-profit, their -limit
// variants, trailing stops (trigger on last trade price), post-only, IOC, FOK, GTD, GTC and
// self-trade prevention. It knows nothing about accounts or the wire: it reports what happens
// through a Listener, which the exchange turns into balances, executions and market data.
// Single-threaded: the owner (the simulator's exchange thread) calls it.

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "kgw/core/book_checksum.hpp"
#include "kgw/sim/types.hpp"

namespace kgw::sim {

// Why an order left the book (Kraken's `reason` texts where it has them).
enum class CancelReason : unsigned char {
  user_requested,      // "User requested"
  post_only,           // "Post only order"
  ioc_unfilled,        // IOC/market remainder: "Insufficient liquidity" for market orders
  fok_unfillable,      // "Order could not be fully filled" (FOK)
  self_trade,          // "Self trade prevention"
  expired,             // GTD reached expiretm (status expired)
  no_liquidity,        // market order with nothing to take
  position_closed,     // reduce-only order whose position is gone
};
std::string_view to_string(CancelReason r) noexcept;

class MatchingEngine {
 public:
  // What the engine tells its owner, in the order things happen.
  class Listener {
   public:
    virtual ~Listener() = default;
    // The order is accepted and (if it rests) visible; before any fill of its own.
    virtual void on_accepted(const Order& order) = 0;
    // One match: `taker` hit `maker` for `qty` at `price` (the maker's price).
    virtual void on_fill(const Order& taker, const Order& maker, Price price, Qty qty, std::uint64_t trade_id) = 0;
    // A triggered order fired (it now behaves as market or limit).
    virtual void on_triggered(const Order& order) = 0;
    // The order left the book: filled (status closed), cancelled or expired.
    virtual void on_closed(const Order& order, std::optional<CancelReason> reason) = 0;
    // An amend changed an order in place.
    virtual void on_amended(const Order& order) = 0;
  };

  struct Config {
    int price_precision = 1;
    int qty_precision = 8;
  };

  MatchingEngine(Config config, Listener& listener);
  MatchingEngine(const MatchingEngine&) = delete;
  MatchingEngine& operator=(const MatchingEngine&) = delete;
  ~MatchingEngine();

  // Submits a new order (the engine keeps its own copy, assigns seq/status and returns the state
  // after matching: closed, cancelled or open). Listener callbacks must not re-enter the engine. The
  // order is matched at once where it crosses; triggered types wait for the last price.
  Order submit(Order order, WallTime now);
  // Cancels an open order; false if unknown or already closed.
  bool cancel(OrderId id, WallTime now, CancelReason reason = CancelReason::user_requested);
  // Amends quantity and/or prices in place. Keeps priority unless the limit price changes or the
  // quantity grows (Kraken's amend rules); a new total below the filled quantity closes the order.
  // With post_only, an amend whose new price would take is refused (returns false).
  struct Amend {
    std::optional<Qty> volume{};
    std::optional<Qty> display{};
    std::optional<Price> limit{};
    std::optional<Price> trigger{};
    bool post_only = false;
  };
  bool amend(OrderId id, const Amend& a, WallTime now);
  // Expires GTD orders whose time has come. Call on a timer.
  void expire(WallTime now);

  const Order* find(OrderId id) const;
  // Would a `side` order at `limit` take liquidity right now?
  bool would_take(Side side, Price limit) const noexcept;
  // Could a `side` order of `qty` up to `limit` (none: market) be filled completely now?
  bool fillable(Side side, Qty qty, std::optional<Price> limit, AccountId stp_account) const;

  // Aggregated visible levels, best first; at most `n`.
  void top(Side side, std::size_t n, std::vector<BookLevel>& out) const;
  std::optional<Price> best(Side side) const noexcept;
  std::optional<Price> last_price() const noexcept { return last_; }
  void set_last_price(Price p) noexcept { last_ = p; }
  std::size_t resting_count() const noexcept { return resting_; }
  std::size_t level_count(Side side) const noexcept;
  std::uint64_t trade_count() const noexcept { return next_trade_id_ - 1; }
  // Visible quantity at one price (0 if no level); used for book deltas.
  Qty level_qty(Side side, Price p) const noexcept;

  // Prices whose aggregated level changed since the last call (each side, unordered, unique).
  void take_changed_levels(std::vector<Price>& bids, std::vector<Price>& asks);

 private:
  struct Level {
    Qty visible;  // sum of the visible quantities of its orders
    Order* head = nullptr;
    Order* tail = nullptr;
  };
  using BidBook = std::map<std::int64_t, Level, std::greater<>>;
  using AskBook = std::map<std::int64_t, Level, std::less<>>;

  void match(Order& taker, WallTime now);
  template <class Book>
  void match_side(Book& book, Order& taker, WallTime now);
  void rest(Order& o);
  void unlink(Order& o);
  void close(Order& o, OrderStatus status, std::optional<CancelReason> reason);
  void after_trades(WallTime now);
  void fire_trigger(Order& o, WallTime now);
  bool trigger_hit(const Order& o, Price last) const noexcept;
  void update_trailing(Order& o, Price last) noexcept;
  Price apply_offset(Price base, PriceOffset off, bool up) const noexcept;
  void mark_changed(Side side, std::int64_t price);
  void reap();
  Level* level_of(const Order& o);

  Config cfg_;
  Listener& listener_;
  std::unordered_map<OrderId, std::unique_ptr<Order>> orders_;  // open orders only
  BidBook bids_;
  AskBook asks_;
  std::vector<Order*> waiting_;  // untriggered stops, in submission order
  std::vector<OrderId> graveyard_;  // closed during a call; erased when the call ends
  std::optional<Price> last_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t next_trade_id_ = 1;
  std::size_t resting_ = 0;
  bool in_trigger_pass_ = false;
  std::vector<std::int64_t> changed_bids_, changed_asks_;
};

}  // namespace kgw::sim
