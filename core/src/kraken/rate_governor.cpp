#include "kgw/core/kraken/rate_governor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace kgw::kraken {
namespace {

struct TierLimits {
  double rest_max, rest_decay, trading_threshold, trading_decay;
};

// PROTOCOL.md §5.1 and §5.2.
TierLimits limits(Tier t) {
  switch (t) {
    case Tier::starter: return {15, 0.33, 60, 1.0};
    case Tier::intermediate: return {20, 0.5, 125, 2.34};
    case Tier::pro: return {20, 1.0, 180, 3.75};
  }
  return {20, 0.5, 125, 2.34};
}

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

std::optional<Tier> parse_tier(std::string_view s) noexcept {
  if (s == "starter") return Tier::starter;
  if (s == "intermediate") return Tier::intermediate;
  if (s == "pro") return Tier::pro;
  return std::nullopt;
}

double DecayingCounter::value(MonoTime now) const noexcept {
  const double elapsed = now > at_ ? seconds(now - at_) : 0.0;
  return std::max(0.0, value_ - elapsed * decay_);
}

void DecayingCounter::add(double cost, MonoTime now) noexcept {
  value_ = value(now) + cost;
  at_ = std::max(at_, now);
}

std::optional<std::chrono::nanoseconds> DecayingCounter::reserve(double cost, double ceiling,
                                                                 std::chrono::nanoseconds max_wait, MonoTime now) noexcept {
  const double v = value(now);
  const double over = v + cost - ceiling;
  std::chrono::nanoseconds wait{0};
  if (over > 0) {
    if (decay_ <= 0) return std::nullopt;
    wait = std::chrono::nanoseconds(static_cast<std::int64_t>(std::ceil(over / decay_ * 1e9)));
    if (wait > max_wait) return std::nullopt;
  }
  // Booked now: the next caller sees this charge and queues behind it.
  value_ = v + cost;
  at_ = std::max(at_, now);
  return wait;
}

void DecayingCounter::snap_to_limit(MonoTime now) noexcept {
  value_ = std::max(value(now), limit_);
  at_ = std::max(at_, now);
}

RateGovernor::RateGovernor(GovernorOptions options, const Clock& clock)
    : opt_(options), clock_(clock), rest_(limits(options.tier).rest_max, limits(options.tier).rest_decay) {}

double RateGovernor::rest_cost(std::string_view m, double history_cost) noexcept {
  if (m == "AddOrder" || m == "AddOrderBatch" || m == "AmendOrder" || m == "EditOrder" || m == "CancelOrder" ||
      m == "CancelOrderBatch" || m == "CancelAll" || m == "CancelAllOrdersAfter")
    return 0;  // order entry uses the trading-engine counter
  if (m == "Ledgers" || m == "QueryLedgers" || m == "TradesHistory" || m == "QueryTrades" || m == "ClosedOrders")
    return history_cost;
  return 1;
}

double RateGovernor::trading_cost(Action action, std::chrono::nanoseconds age, std::size_t count) noexcept {
  const double s = seconds(age);
  auto bucket = [s](double a, double b, double c, double d, double e, double f) {
    // <5 s, <10 s, <15 s, <45 s, <90 s, <300 s
    return s < 5 ? a : s < 10 ? b : s < 15 ? c : s < 45 ? d : s < 90 ? e : s < 300 ? f : 0.0;
  };
  const double n = static_cast<double>(std::max<std::size_t>(count, 1));
  switch (action) {
    case Action::add: return 1;
    case Action::amend: return 1 + bucket(3, 2, 1, 0, 0, 0);
    case Action::edit: return 1 + bucket(6, 5, 4, 2, 1, 0);
    case Action::cancel: return bucket(8, 6, 5, 4, 2, 1);
    case Action::batch_add: return n / 2;
    case Action::batch_cancel: return n * bucket(8, 6, 5, 4, 2, 1);
  }
  return 1;
}

DecayingCounter& RateGovernor::pair_counter(std::string_view pair) {
  auto it = trading_.find(pair);
  if (it == trading_.end()) {
    const auto l = limits(opt_.tier);
    it = trading_.emplace(std::string(pair), DecayingCounter(l.trading_threshold, l.trading_decay)).first;
  }
  return it->second;
}

result<Permit> RateGovernor::acquire_rest(std::string_view method, Priority priority, std::chrono::nanoseconds max_wait) {
  const double cost = rest_cost(method, opt_.history_call_cost);
  if (cost == 0) return Permit{};
  std::lock_guard lock(mu_);
  const double ceiling = rest_.limit() - (priority == Priority::query ? opt_.rest_reserve : 0);
  auto wait = rest_.reserve(cost, ceiling, max_wait, clock_.mono_now());
  if (!wait)
    return Error(errc::rate_limited,
                 fmt::format("{}: REST call counter at {:.1f}/{:.0f}; the wait exceeds the deadline", method,
                             rest_.value(clock_.mono_now()), rest_.limit()));
  return Permit{*wait};
}

result<Permit> RateGovernor::acquire_trading(std::string_view pair, Action action, std::chrono::nanoseconds order_age,
                                             std::size_t count, std::chrono::nanoseconds max_wait) {
  const double cost = trading_cost(action, order_age, count);
  std::lock_guard lock(mu_);
  DecayingCounter& c = pair_counter(pair);
  // Cancels may use the whole threshold (and a batch cancel is accepted past it, PROTOCOL.md
  // §5.2); amends leave the cancel reserve; adds leave the amend reserve too.
  if (action == Action::batch_cancel) {
    c.add(cost, clock_.mono_now());
    return Permit{};
  }
  double ceiling = c.limit();
  if (action == Action::amend || action == Action::edit) ceiling -= opt_.cancel_reserve;
  if (action == Action::add || action == Action::batch_add) ceiling -= opt_.cancel_reserve + opt_.add_reserve;
  auto wait = c.reserve(cost, ceiling, max_wait, clock_.mono_now());
  if (!wait)
    return Error(errc::rate_limited, fmt::format("{}: trading counter at {:.1f}/{:.0f}; the wait exceeds the deadline",
                                                 pair, c.value(clock_.mono_now()), c.limit()));
  return Permit{*wait};
}

void RateGovernor::on_rest_rate_limited() {
  std::lock_guard lock(mu_);
  rest_.snap_to_limit(clock_.mono_now());
}

void RateGovernor::on_trading_rate_limited(std::string_view pair) {
  std::lock_guard lock(mu_);
  pair_counter(pair).snap_to_limit(clock_.mono_now());
}

double RateGovernor::rest_counter() const {
  std::lock_guard lock(mu_);
  return rest_.value(clock_.mono_now());
}

double RateGovernor::trading_counter(std::string_view pair) const {
  std::lock_guard lock(mu_);
  auto it = trading_.find(pair);
  return it == trading_.end() ? 0.0 : it->second.value(clock_.mono_now());
}

double RateGovernor::trading_threshold() const noexcept { return limits(opt_.tier).trading_threshold; }

}  // namespace kgw::kraken
