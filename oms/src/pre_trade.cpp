#include "kgw/oms/pre_trade.hpp"

#include <fmt/format.h>

namespace kgw::oms {
namespace {

using kraken::OrderType;
using kraken::SystemStatus;

Error refuse(std::string detail) { return Error(errc::invalid_argument, std::move(detail)); }

Int128 pow10_128(int n) noexcept {
  Int128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

// a (a mantissa at scale_a) compared with b, exactly: <0, 0, >0.
int compare(Int128 a, int scale_a, const Decimal& b) noexcept {
  const Int128 lhs = a * pow10_128(b.scale), rhs = static_cast<Int128>(b.mantissa) * pow10_128(scale_a);
  return lhs < rhs ? -1 : lhs > rhs ? 1 : 0;
}

// A number for a message, without trailing zeros (`1054`, `0.0001`).
std::string text(Int128 mantissa, int scale) {
  // Notionals fit in int64 at these scales for any order Kraken takes; clamp for the message.
  const auto m = static_cast<std::int64_t>(mantissa > INT64_MAX ? INT64_MAX : mantissa);
  return Decimal::from_fixed(m, scale).normalized().to_string();
}

bool relative(std::string_view price) noexcept {
  return !price.empty() && (price.front() == '+' || price.front() == '-' || price.front() == '#' || price.back() == '%');
}

// An absolute price of the order, exactly on the pair's tick grid.
result<std::int64_t> grid_price(std::string_view field, std::string_view p, const Instrument& in) {
  auto m = parse_fixed(p, in.price_precision);
  if (!m) {
    if (m.error().is(errc::precision_exceeded))
      return refuse(fmt::format("{}: {} has more decimals than {}'s {}", field, p, in.symbol, in.price_precision));
    return refuse(fmt::format("{}: '{}' is not a price", field, p));
  }
  if (*m <= 0) return refuse(fmt::format("{}: {} must be positive", field, p));
  if (!on_grid(*m, in.price_increment))
    return refuse(fmt::format("{}: {} is not on {}'s tick of {}", field, p, in.symbol,
                              text(in.price_increment, in.price_precision)));
  return *m;
}

result<std::int64_t> grid_qty(std::string_view field, std::string_view q, const Instrument& in) {
  auto m = parse_fixed(q, in.qty_precision);
  if (!m) {
    if (m.error().is(errc::precision_exceeded))
      return refuse(fmt::format("{}: {} has more decimals than {}'s lot of {}", field, q, in.symbol,
                                  text(in.qty_increment, in.qty_precision)));
    return refuse(fmt::format("{}: '{}' is not a quantity", field, q));
  }
  if (*m < 0) return refuse(fmt::format("{}: {} must not be negative", field, q));
  if (!on_grid(*m, in.qty_increment))
    return refuse(fmt::format("{}: {} is not on {}'s lot of {}", field, q, in.symbol, text(in.qty_increment, in.qty_precision)));
  return *m;
}

// The statuses that refuse new orders outright, or limit them to some kinds.
result<void> status_allows(const kraken::OrderRequest& o, const PreTradeContext& ctx) {
  const Instrument& in = *ctx.instrument;
  const bool post_limit = o.flags.post && (o.type == OrderType::limit || o.type == OrderType::iceberg);
  switch (ctx.system) {
    case SystemStatus::maintenance: return refuse("system status: maintenance accepts no orders");
    case SystemStatus::cancel_only: return refuse("system status: cancel_only accepts only cancels");
    case SystemStatus::post_only:
      if (!post_limit) return refuse("system status: post_only accepts only post-only limit orders");
      break;
    case SystemStatus::online:
    case SystemStatus::unknown: break;
  }
  switch (in.status) {
    case PairStatus::online: break;
    case PairStatus::cancel_only: return refuse(fmt::format("pair status: {} is cancel_only", in.symbol));
    case PairStatus::post_only:
      if (!post_limit) return refuse(fmt::format("pair status: {} is post_only (post-only limit orders only)", in.symbol));
      break;
    case PairStatus::limit_only:
      if (!kraken::has_limit_price(o.type) || kraken::is_triggered(o.type))
        return refuse(fmt::format("pair status: {} is limit_only (limit orders only)", in.symbol));
      break;
    case PairStatus::reduce_only:
      if (!o.reduce_only) return refuse(fmt::format("pair status: {} is reduce_only (reduce-only orders only)", in.symbol));
      break;
    case PairStatus::maintenance:
    case PairStatus::delisted:
    case PairStatus::work_in_progress:
    case PairStatus::unknown:
      return refuse(fmt::format("pair status: {} is {} and takes no orders", in.symbol, to_string(in.status)));
  }
  // Kraken: market orders only while the engine is fully online.
  if (o.type == OrderType::market && ctx.system != SystemStatus::online && ctx.system != SystemStatus::unknown)
    return refuse(fmt::format("system status: no market orders while {}", kraken::rest_spelling(ctx.system)));
  return {};
}

}  // namespace

result<void> check_new_order(const kraken::OrderRequest& o, const PreTradeContext& ctx, const PreTradeLimits& limits) {
  if (ctx.instrument == nullptr) return refuse("pair: unknown");
  const Instrument& in = *ctx.instrument;
  if (auto ok = kraken::check(o); !ok) return ok.error();
  if (auto ok = status_allows(o, ctx); !ok) return ok;
  if (limits.max_open_orders && ctx.open_orders >= *limits.max_open_orders)
    return refuse(fmt::format("max_open_orders: {} orders are open, the limit is {}", ctx.open_orders, *limits.max_open_orders));

  // The price the order is valued at: its own absolute limit price, else the reference price.
  const bool limit_on_price = kraken::has_limit_price(o.type) && !kraken::is_triggered(o.type);
  std::optional<std::int64_t> price;
  if (o.price && !relative(*o.price)) {
    auto p = grid_price("price", *o.price, in);
    if (!p) return p.error();
    if (limit_on_price || kraken::is_triggered(o.type)) price = *p;
  }
  if (o.price2 && !relative(*o.price2)) {
    auto p2 = grid_price("price2", *o.price2, in);
    if (!p2) return p2.error();
    if (kraken::triggers_into_limit(o.type)) price = *p2;
  }
  if (kraken::has_limit_price(o.type) && !o.price && !o.price2)
    return refuse(fmt::format("price: required for a {} order", kraken::rest_spelling(o.type)));
  if (!price && ctx.reference_price) {
    // A reference price may carry more decimals than the grid (a mid price): truncated to it.
    const Decimal& r = *ctx.reference_price;
    const Int128 at = r.scale <= in.price_precision ? r.mantissa * pow10_128(in.price_precision - r.scale)
                                                     : r.mantissa / pow10_128(r.scale - in.price_precision);
    price = static_cast<std::int64_t>(at);
  }

  // viqc: the volume is in quote currency (Kraken: buy market orders only), so it is the cost.
  if (o.flags.viqc) {
    auto cost = parse_fixed(o.volume, in.cost_precision > 0 ? in.cost_precision : in.price_precision);
    if (!cost || *cost <= 0) return refuse(fmt::format("volume: '{}' is not a quote amount", o.volume));
    const int scale = in.cost_precision > 0 ? in.cost_precision : in.price_precision;
    if (!in.cost_min.is_zero() && compare(*cost, scale, in.cost_min) < 0)
      return refuse(fmt::format("volume: {} {} is below costmin {}", o.volume, in.quote, in.cost_min.to_string()));
    if (limits.max_notional && compare(*cost, scale, *limits.max_notional) > 0)
      return refuse(fmt::format("max_notional: {} {} is above the limit of {}", o.volume, in.quote, limits.max_notional->to_string()));
    return {};
  }

  auto qty = grid_qty("volume", o.volume, in);
  if (!qty) return qty.error();
  // Volume 0 closes a whole margin position (PROTOCOL.md §3.3): nothing to size.
  if (*qty == 0) {
    if (!o.leverage) return refuse("volume: 0 only closes a margin position (set leverage)");
    return {};
  }
  if (*qty < in.qty_min)
    return refuse(fmt::format("volume: {} is below {}'s ordermin {}", o.volume, in.symbol, text(in.qty_min, in.qty_precision)));
  if (o.displayvol) {
    auto d = grid_qty("displayvol", *o.displayvol, in);
    if (!d) return d.error();
    if (*d * 15 < *qty) return refuse(fmt::format("displayvol: {} is below 1/15 of the volume {}", *o.displayvol, o.volume));
  }

  const int scale = in.price_precision + in.qty_precision;
  if (!price) {
    if (limits.max_notional)
      return refuse(fmt::format("max_notional: no reference price for {} to value a {} order", in.symbol,
                                kraken::rest_spelling(o.type)));
    return {};  // costmin is Kraken's to check then
  }
  const Int128 value = notional(Price{*price}, Qty{*qty});
  if (!in.cost_min.is_zero() && compare(value, scale, in.cost_min) < 0)
    return refuse(fmt::format("cost: {} {} is below {}'s costmin {}", text(value, scale), in.quote, in.symbol,
                              in.cost_min.to_string()));
  if (limits.max_notional && compare(value, scale, *limits.max_notional) > 0)
    return refuse(fmt::format("max_notional: {} {} is above the limit of {}", text(value, scale), in.quote,
                              limits.max_notional->to_string()));
  return {};
}

result<void> check_change(const std::optional<std::string>& new_qty, const std::optional<std::string>& new_price,
                          const PreTradeContext& ctx) {
  if (ctx.system == SystemStatus::maintenance) return refuse("system status: maintenance accepts no orders");
  if (ctx.system == SystemStatus::cancel_only) return refuse("system status: cancel_only accepts only cancels");
  if (ctx.instrument == nullptr) return {};  // the order's pair is Kraken's to know
  const Instrument& in = *ctx.instrument;
  if (in.status == PairStatus::cancel_only) return refuse(fmt::format("pair status: {} is cancel_only", in.symbol));
  if (new_price && !relative(*new_price))
    if (auto p = grid_price("limit_price", *new_price, in); !p) return p.error();
  if (new_qty)
    if (auto q = grid_qty("order_qty", *new_qty, in); !q) return q.error();
  return {};
}

result<void> check_cancel(SystemStatus system) {
  if (system == SystemStatus::maintenance) return refuse("system status: maintenance accepts no orders, cancels included");
  return {};
}

}  // namespace kgw::oms
