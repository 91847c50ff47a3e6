#pragma once
// Pre-trade checks: what the order manager verifies before an order leaves, so a bad order is
// refused here with the rule and the numbers named, instead of at Kraken (or, worse, accepted):
// the pair's grid (price increment, lot increment), ordermin, costmin, the pair's and the
// engine's status, a configured maximum notional per order and a maximum of open orders.
// Pure functions of their inputs: any thread.

#include <cstddef>
#include <optional>
#include <string>

#include "kgw/core/decimal.hpp"
#include "kgw/core/error.hpp"
#include "kgw/core/instrument.hpp"
#include "kgw/core/kraken/orders.hpp"
#include "kgw/core/kraken/vocabulary.hpp"

namespace kgw::oms {

struct PreTradeLimits {
  // Largest value of one order in its quote currency (price × volume); absent: no limit. A market
  // order (or a relative price) is valued at the reference price; without one it is refused.
  std::optional<Decimal> max_notional;
  // Most open orders the account may hold (all pairs); absent: only Kraken's per-pair limit.
  std::optional<std::size_t> max_open_orders;
};

// What the checks need to know besides the order.
struct PreTradeContext {
  const Instrument* instrument = nullptr;  // the order's pair, resolved
  kraken::SystemStatus system = kraken::SystemStatus::unknown;  // unknown: not known, not refused
  std::size_t open_orders = 0;              // currently open, all pairs
  std::optional<Decimal> reference_price;   // last/mid price of the pair, to value market orders
};

// errc::invalid_argument whose detail names the field or rule and the numbers, e.g.
// `price: 62000.05 is not on BTC/USD's tick of 0.1`, `volume: 0.00001 is below ordermin 0.0001`,
// `system status: post_only accepts only post-only limit orders`.
result<void> check_new_order(const kraken::OrderRequest& o, const PreTradeContext& ctx, const PreTradeLimits& limits);
// Amend/edit: the new price and quantity on the grid; the pair and engine must accept changes.
result<void> check_change(const std::optional<std::string>& new_qty, const std::optional<std::string>& new_price,
                          const PreTradeContext& ctx);
// Cancels pass unless the engine is in maintenance.
result<void> check_cancel(kraken::SystemStatus system);

}  // namespace kgw::oms
