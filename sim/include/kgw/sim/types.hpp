#pragma once
// The order as the simulated exchange's matching engine keeps it, in Kraken's vocabulary.
// Values, no behaviour.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kgw/core/clock.hpp"
#include "kgw/core/decimal.hpp"
#include "kgw/core/kraken/vocabulary.hpp"

namespace kgw::sim {

using OrderId = std::uint64_t;    // internal; formatted as a Kraken txid (OUF4EM-FRGI2-MQMWZD)
using AccountId = std::uint32_t;

// Kraken's words are core's (kraken/vocabulary.hpp); the simulator writes their REST spelling
// (executions on WS v2 report the same words: `GTC`, `stop-loss`).
using kraken::is_triggered;
using kraken::opposite;
using kraken::OrderStatus;
using kraken::OrderType;
using kraken::SelfTradePrevention;
using kraken::Side;
using kraken::TimeInForce;
using kraken::triggers_into_limit;

template <class E>
  requires requires(E e) { kraken::spellings(e); }
constexpr std::string_view to_string(E value) noexcept {
  return kraken::rest_spelling(value);
}
constexpr std::optional<OrderType> parse_order_type(std::string_view s) noexcept { return kraken::parse_word<OrderType>(s); }
constexpr std::optional<TimeInForce> parse_time_in_force(std::string_view s) noexcept {
  return kraken::parse_word<TimeInForce>(s);
}
constexpr std::optional<SelfTradePrevention> parse_stp(std::string_view s) noexcept {
  return kraken::parse_word<SelfTradePrevention>(s);
}

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
