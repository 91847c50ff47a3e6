#pragma once
// Vocabulary of the simulated exchange: sides, order types, time-in-force, statuses and the
// order itself as the matching engine keeps it. Values, no behaviour.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kgw/core/clock.hpp"
#include "kgw/core/decimal.hpp"

namespace kgw::sim {

using OrderId = std::uint64_t;    // internal; formatted as a Kraken txid (OUF4EM-FRGI2-MQMWZD)
using AccountId = std::uint32_t;

enum class Side : unsigned char { buy, sell };
constexpr Side opposite(Side s) noexcept { return s == Side::buy ? Side::sell : Side::buy; }
std::string_view to_string(Side s) noexcept;

// Kraken's order types (REST spelling with hyphens; WS v2 uses the same words).
enum class OrderType : unsigned char {
  market,
  limit,
  iceberg,
  stop_loss,
  take_profit,
  stop_loss_limit,
  take_profit_limit,
  trailing_stop,
  trailing_stop_limit,
  settle_position,
};
std::string_view to_string(OrderType t) noexcept;  // "stop-loss-limit"
std::optional<OrderType> parse_order_type(std::string_view s) noexcept;  // accepts - and _
constexpr bool is_triggered(OrderType t) noexcept {
  return t == OrderType::stop_loss || t == OrderType::take_profit || t == OrderType::stop_loss_limit ||
         t == OrderType::take_profit_limit || t == OrderType::trailing_stop || t == OrderType::trailing_stop_limit;
}
// After triggering, these rest/take as limit orders at price2; the others as market orders.
constexpr bool triggers_into_limit(OrderType t) noexcept {
  return t == OrderType::stop_loss_limit || t == OrderType::take_profit_limit || t == OrderType::trailing_stop_limit;
}

enum class TimeInForce : unsigned char { gtc, ioc, gtd, fok };
std::string_view to_string(TimeInForce t) noexcept;  // "GTC"
std::optional<TimeInForce> parse_time_in_force(std::string_view s) noexcept;  // case-insensitive

// Self-trade prevention (REST `stptype` cancel-newest..., WS `stp_type` cancel_newest...).
enum class SelfTradePrevention : unsigned char { cancel_newest, cancel_oldest, cancel_both };
std::optional<SelfTradePrevention> parse_stp(std::string_view s) noexcept;

// REST order status; WS v2 adds pending_new / partially_filled views of the same states.
enum class OrderStatus : unsigned char { pending, open, closed, canceled, expired };
std::string_view to_string(OrderStatus s) noexcept;

// How a trigger or limit offset is expressed: an absolute price, or an offset from the reference
// price (Kraken's `+`/`-` prefixes and `%` suffix; trailing stops always use offsets).
struct PriceOffset {
  std::int64_t value = 0;  // ticks, or basis points × 100 (i.e. 1e-4 %) when pct
  bool pct = false;
};

// An order as the engine keeps it. Quantities at the pair's qty precision, prices at its price
// precision. The intrusive links belong to the book level the order rests in.
struct Order {
  OrderId id = 0;
  AccountId account = 0;
  Side side = Side::buy;
  OrderType type = OrderType::limit;
  TimeInForce tif = TimeInForce::gtc;
  SelfTradePrevention stp = SelfTradePrevention::cancel_newest;
  Qty volume;        // total
  Qty filled;        // executed so far
  Qty display;       // iceberg visible size (0 = all visible)
  Qty visible;       // currently shown at the level (icebergs: ≤ display)
  Price limit;       // limit price (limit, iceberg, *-limit after trigger)
  Price trigger;     // stop/take-profit trigger price (absolute; trailing: current stop)
  PriceOffset trail;      // trailing offset for trailing-stop(-limit)
  PriceOffset limit_off;  // trailing-stop-limit: limit = trigger price ∓ offset
  Price peak;        // trailing: best last price since placement
  bool post_only = false;
  bool triggered = false;  // a triggered type that has fired and now behaves as market/limit
  bool has_limit = false;  // limit/iceberg/…-limit orders (market orders have none)
  OrderStatus status = OrderStatus::pending;
  WallTime opentm{};
  WallTime expiretm{};  // GTD; epoch 0 = none
  Int128 cost = 0;        // Σ price×qty of fills, at scale price_precision + qty_precision
  std::uint64_t seq = 0;  // time priority within a level (lower first)

  Order* prev = nullptr;  // level links (engine-owned)
  Order* next = nullptr;

  Qty remaining() const noexcept { return volume - filled; }
  bool is_open() const noexcept { return status == OrderStatus::open || status == OrderStatus::pending; }
};

}  // namespace kgw::sim
