#pragma once
// Kraken's rate rules, written once (PROTOCOL.md §5): each tier's limits, the REST call counter's
// cost per private endpoint (§5.1) and the trading-engine counter's cost per order action by the
// order's age (§5.2). Pure functions: the gateway's RateGovernor budgets with them and the
// simulator's exchange charges with them, so the model and the venue cannot drift apart (they
// did: the simulator charged an edit 5.5 where Kraken charges 6).

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

namespace kgw::kraken {

// Kraken's verification tiers as far as rate limits go (sub-accounts use their master's tier).
enum class Tier : unsigned char { starter, intermediate, pro };

// "starter" | "intermediate" | "pro": the spelling of kraken-sim's --tier and of configs.
std::optional<Tier> parse_tier(std::string_view s) noexcept;
std::string_view to_string(Tier t) noexcept;

struct TierLimits {
  double rest_max;                // §5.1: a call past it gets EAPI:Rate limit exceeded
  double rest_decay_per_s;        // §5.1
  double trading_threshold;       // §5.2: per pair; past it, EOrder:Rate limit exceeded
  double trading_decay_per_s;     // §5.2
  std::size_t max_open_per_pair;  // §5.2: at it, an add gets EOrder:Orders limit exceeded
};

// PROTOCOL.md §5.1 (REST counter) and §5.2 (trading counter, open orders). constexpr so that
// defaults elsewhere (the synthetic flow's budget) can be written as "the starter threshold".
constexpr TierLimits tier_limits(Tier t) noexcept {
  switch (t) {
    case Tier::starter: return {15, 0.33, 60, 1.0, 60};
    case Tier::intermediate: return {20, 0.5, 125, 2.34, 80};
    case Tier::pro: return {20, 1.0, 180, 3.75, 225};
  }
  return {20, 0.5, 125, 2.34, 80};
}

// §5.1: docs.kraken.com says ledger/trade-history calls cost +2, another copy of the page says +4;
// 2 is what the simulator charges and what the governor budgets unless told otherwise.
inline constexpr double kHistoryCallCost = 2;

// Cost of one private REST call on the call counter: 0 for order entry (AddOrder, CancelOrder, ...
// use the trading-engine counter instead), `history_cost` for Ledgers, QueryLedgers,
// TradesHistory, QueryTrades and ClosedOrders, 1 for every other private call.
double rest_call_cost(std::string_view method, double history_cost = kHistoryCallCost) noexcept;

enum class TradingAction : unsigned char { add, amend, edit, cancel, batch_add, batch_cancel };

// §5.2: the cost of `action` on the pair's trading counter. `rested` is how long the order has
// rested since its creation or last amend (amend, edit, cancel, batch cancel; a band is "less
// than" its bound, so 5 s exactly pays the <10 s column, and 300 s or more nothing decaying);
// `count` is the number of orders of a batch (at least 1; batch add costs count/2).
double trading_cost(TradingAction action, std::chrono::nanoseconds rested, std::size_t count = 1) noexcept;

// Both counters of §5 decay linearly to zero: `value` after `elapsed` at `decay_per_s`.
double decayed(double value, std::chrono::nanoseconds elapsed, double decay_per_s) noexcept;

}  // namespace kgw::kraken
