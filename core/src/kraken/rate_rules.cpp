#include "kgw/core/kraken/rate_rules.hpp"

#include <algorithm>
#include <array>

namespace kgw::kraken {
namespace {

using namespace std::chrono_literals;

// PROTOCOL.md §5.2's table, as it reads: a fixed cost, then the decaying cost of an order that
// rested less than each column's bound.
constexpr std::array<std::chrono::nanoseconds, 6> kRestedLessThan{5s, 10s, 15s, 45s, 90s, 300s};

struct Row {
  double fixed;
  std::array<double, kRestedLessThan.size()> decaying;
};

constexpr Row kAdd{1, {0, 0, 0, 0, 0, 0}};
constexpr Row kAmend{1, {3, 2, 1, 0, 0, 0}};
constexpr Row kEdit{1, {6, 5, 4, 2, 1, 0}};
constexpr Row kCancel{0, {8, 6, 5, 4, 2, 1}};

double decaying(const Row& row, std::chrono::nanoseconds rested) noexcept {
  for (std::size_t i = 0; i < kRestedLessThan.size(); ++i)
    if (rested < kRestedLessThan[i]) return row.decaying[i];
  return 0;  // rested 300 s or more
}

double charge(const Row& row, std::chrono::nanoseconds rested) noexcept { return row.fixed + decaying(row, rested); }

}  // namespace

std::optional<Tier> parse_tier(std::string_view s) noexcept {
  for (auto t : {Tier::starter, Tier::intermediate, Tier::pro})
    if (to_string(t) == s) return t;
  return std::nullopt;
}

std::string_view to_string(Tier t) noexcept {
  switch (t) {
    case Tier::starter: return "starter";
    case Tier::intermediate: return "intermediate";
    case Tier::pro: return "pro";
  }
  return "intermediate";
}

double rest_call_cost(std::string_view m, double history_cost) noexcept {
  if (m == "AddOrder" || m == "AddOrderBatch" || m == "AmendOrder" || m == "EditOrder" || m == "CancelOrder" ||
      m == "CancelOrderBatch" || m == "CancelAll" || m == "CancelAllOrdersAfter")
    return 0;
  if (m == "Ledgers" || m == "QueryLedgers" || m == "TradesHistory" || m == "QueryTrades" || m == "ClosedOrders")
    return history_cost;
  return 1;
}

double trading_cost(TradingAction action, std::chrono::nanoseconds rested, std::size_t count) noexcept {
  const double n = static_cast<double>(std::max<std::size_t>(count, 1));
  switch (action) {
    case TradingAction::add: return charge(kAdd, rested);
    case TradingAction::amend: return charge(kAmend, rested);
    case TradingAction::edit: return charge(kEdit, rested);
    case TradingAction::cancel: return charge(kCancel, rested);
    case TradingAction::batch_add: return n / 2;
    case TradingAction::batch_cancel: return n * charge(kCancel, rested);
  }
  return 1;
}

double decayed(double value, std::chrono::nanoseconds elapsed, double decay_per_s) noexcept {
  const double s = elapsed > std::chrono::nanoseconds::zero() ? std::chrono::duration<double>(elapsed).count() : 0.0;
  return std::max(0.0, value - s * decay_per_s);
}

}  // namespace kgw::kraken
