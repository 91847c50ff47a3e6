#include "kgw/core/kraken/rate_governor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace kgw::kraken {

double DecayingCounter::value(MonoTime now) const noexcept { return decayed(value_, now - at_, decay_); }

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
    : opt_(options),
      clock_(clock),
      rest_(options.effective_limits().rest_max, options.effective_limits().rest_decay_per_s) {}

DecayingCounter& RateGovernor::pair_counter(std::string_view pair) {
  auto it = trading_.find(pair);
  if (it == trading_.end()) {
    const auto l = opt_.effective_limits();
    it = trading_.emplace(std::string(pair), DecayingCounter(l.trading_threshold, l.trading_decay_per_s)).first;
  }
  return it->second;
}

result<Permit> RateGovernor::acquire_rest(std::string_view method, Priority priority, std::chrono::nanoseconds max_wait) {
  const double cost = rest_call_cost(method, opt_.history_call_cost);
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

double RateGovernor::trading_threshold() const noexcept { return opt_.effective_limits().trading_threshold; }

}  // namespace kgw::kraken
