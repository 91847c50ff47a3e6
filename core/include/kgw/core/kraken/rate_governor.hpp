#pragma once
// Local models of Kraken's two rate limits (PROTOCOL.md §5), so the gateway never hits them:
// the REST call counter per API key and the trading-engine counter per pair. The limits and
// costs are Kraken's rules in rate_rules.hpp; this file only keeps the counters and decides.
// A caller asks before sending: go now, go after a wait (the charge is booked now, so callers
// queue behind each other), or refused at once when the wait would exceed its deadline.
// Priorities keep headroom: cancels (and the dead-man switch) may use the whole threshold,
// amends all but a cancel reserve, adds all but a larger one, so cancels are never starved.
// Thread-safe (one mutex per counter; calls are per request, not per market-data message).

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"
#include "kgw/core/kraken/rate_rules.hpp"

namespace kgw::kraken {

enum class Priority : unsigned char { cancel = 0, amend = 1, add = 2, query = 3 };

// A counter that decays linearly to zero: value(t) = max(0, value(t0) - decay × (t - t0)).
class DecayingCounter {
 public:
  DecayingCounter(double limit, double decay_per_s) : limit_(limit), decay_(decay_per_s) {}
  double value(MonoTime now) const noexcept;
  double limit() const noexcept { return limit_; }
  double decay_per_s() const noexcept { return decay_; }
  // Books `cost` now if value + cost ≤ ceiling after waiting at most `max_wait`; returns the
  // wait (zero: go now) or nullopt (refused, nothing booked).
  std::optional<std::chrono::nanoseconds> reserve(double cost, double ceiling, std::chrono::nanoseconds max_wait,
                                                  MonoTime now) noexcept;
  // The exchange said we are over: assume the counter is at its limit now.
  void snap_to_limit(MonoTime now) noexcept;
  void add(double cost, MonoTime now) noexcept;

 private:
  double limit_, decay_;
  double value_ = 0;
  MonoTime at_{};
};

struct GovernorOptions {
  Tier tier = Tier::intermediate;
  // Instead of the tier's: a venue set up with other limits (kraken-sim, for tests that reconnect
  // more often than Kraken's counters would allow).
  std::optional<TierLimits> limits{};
  TierLimits effective_limits() const noexcept { return limits ? *limits : tier_limits(tier); }
  double history_call_cost = kHistoryCallCost;  // Ledgers, QueryLedgers, TradesHistory, QueryTrades, ClosedOrders
  double cancel_reserve = 16;    // trading-counter headroom adds and amends leave for cancels
  double add_reserve = 8;        // extra headroom adds leave for amends
  double rest_reserve = 2;       // REST counter headroom queries leave for urgent calls
};

// The answer to "may I send this now?".
struct Permit {
  std::chrono::nanoseconds wait{0};  // sleep this long, then send
};

class RateGovernor {
 public:
  RateGovernor(GovernorOptions options, const Clock& clock);

  // REST call counter. `method` is the private endpoint name (AddOrder, Ledgers, ...).
  result<Permit> acquire_rest(std::string_view method, Priority priority, std::chrono::nanoseconds max_wait);
  // Trading counter of `pair` for an order-entry action. `order_age` is the time since the
  // order's creation or last amend (amend/edit/cancel penalties); `count` for batches.
  using Action = TradingAction;
  result<Permit> acquire_trading(std::string_view pair, Action action, std::chrono::nanoseconds order_age,
                                 std::size_t count, std::chrono::nanoseconds max_wait);
  // The exchange answered EAPI:Rate limit exceeded / EOrder:Rate limit exceeded.
  void on_rest_rate_limited();
  void on_trading_rate_limited(std::string_view pair);

  // Headroom, for metrics and the Gateway service.
  double rest_counter() const;
  double rest_limit() const noexcept { return rest_.limit(); }
  double trading_counter(std::string_view pair) const;
  double trading_threshold() const noexcept;

 private:
  DecayingCounter& pair_counter(std::string_view pair);

  GovernorOptions opt_;
  const Clock& clock_;
  mutable std::mutex mu_;
  DecayingCounter rest_;
  std::map<std::string, DecayingCounter, std::less<>> trading_;
};

}  // namespace kgw::kraken
