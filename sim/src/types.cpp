#include "kgw/sim/types.hpp"

#include <cctype>

namespace kgw::sim {
namespace {

constexpr std::pair<std::string_view, OrderType> kOrderTypes[] = {
    {"market", OrderType::market},
    {"limit", OrderType::limit},
    {"iceberg", OrderType::iceberg},
    {"stop-loss", OrderType::stop_loss},
    {"take-profit", OrderType::take_profit},
    {"stop-loss-limit", OrderType::stop_loss_limit},
    {"take-profit-limit", OrderType::take_profit_limit},
    {"trailing-stop", OrderType::trailing_stop},
    {"trailing-stop-limit", OrderType::trailing_stop_limit},
    {"settle-position", OrderType::settle_position},
};

bool iequal_dash(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = static_cast<char>(std::tolower(static_cast<unsigned char>(a[i])));
    char y = static_cast<char>(std::tolower(static_cast<unsigned char>(b[i])));
    if (x == '_') x = '-';
    if (y == '_') y = '-';
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(Side s) noexcept { return s == Side::buy ? "buy" : "sell"; }

std::string_view to_string(OrderType t) noexcept {
  for (const auto& [name, v] : kOrderTypes)
    if (v == t) return name;
  return "limit";
}

std::optional<OrderType> parse_order_type(std::string_view s) noexcept {
  for (const auto& [name, v] : kOrderTypes)
    if (iequal_dash(name, s)) return v;
  return std::nullopt;
}

std::string_view to_string(TimeInForce t) noexcept {
  switch (t) {
    case TimeInForce::gtc: return "GTC";
    case TimeInForce::ioc: return "IOC";
    case TimeInForce::gtd: return "GTD";
    case TimeInForce::fok: return "FOK";
  }
  return "GTC";
}

std::optional<TimeInForce> parse_time_in_force(std::string_view s) noexcept {
  for (auto t : {TimeInForce::gtc, TimeInForce::ioc, TimeInForce::gtd, TimeInForce::fok})
    if (iequal_dash(to_string(t), s)) return t;
  return std::nullopt;
}

std::optional<SelfTradePrevention> parse_stp(std::string_view s) noexcept {
  if (iequal_dash(s, "cancel-newest")) return SelfTradePrevention::cancel_newest;
  if (iequal_dash(s, "cancel-oldest")) return SelfTradePrevention::cancel_oldest;
  if (iequal_dash(s, "cancel-both")) return SelfTradePrevention::cancel_both;
  return std::nullopt;
}

std::string_view to_string(OrderStatus s) noexcept {
  switch (s) {
    case OrderStatus::pending: return "pending";
    case OrderStatus::open: return "open";
    case OrderStatus::closed: return "closed";
    case OrderStatus::canceled: return "canceled";
    case OrderStatus::expired: return "expired";
  }
  return "open";
}

}  // namespace kgw::sim
