#pragma once
// Kraken's order vocabulary, once (PROTOCOL.md §3.3, §6.5, §6.6): sides, order types, time in
// force, self-trade prevention, trigger references, price types, fee preference, order statuses
// (REST and WS v2), execution types and the system status, each with its REST and its WS v2
// spelling. Kraken spells some words differently on each API (`GTC`/`gtc`, `cancel-newest`/
// `cancel_newest`); one table per word keeps both. Reading is lenient about the dialect (either
// spelling, any ASCII case, `-` for `_`), because Kraken itself mixes them (executions report
// `GTC` for an order placed with `gtc`); writing is exact. A word Kraken sends that is not in a
// table is kept as its raw text in a Word<E> and never mapped to a default.
// Values and pure functions only: usable from any thread.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kgw::kraken {

enum class Dialect : unsigned char { rest, ws };

enum class Side : unsigned char { buy, sell };
constexpr Side opposite(Side s) noexcept { return s == Side::buy ? Side::sell : Side::buy; }

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
// Waits for a trigger price before it acts.
constexpr bool is_triggered(OrderType t) noexcept {
  return t == OrderType::stop_loss || t == OrderType::take_profit || t == OrderType::stop_loss_limit ||
         t == OrderType::take_profit_limit || t == OrderType::trailing_stop || t == OrderType::trailing_stop_limit;
}
// After triggering, rests or takes as a limit order (REST `price2`, WS `limit_price`).
constexpr bool triggers_into_limit(OrderType t) noexcept {
  return t == OrderType::stop_loss_limit || t == OrderType::take_profit_limit || t == OrderType::trailing_stop_limit;
}
// Carries a limit price of its own: limit, iceberg and the -limit variants.
constexpr bool has_limit_price(OrderType t) noexcept {
  return t == OrderType::limit || t == OrderType::iceberg || triggers_into_limit(t);
}
constexpr bool is_trailing(OrderType t) noexcept {
  return t == OrderType::trailing_stop || t == OrderType::trailing_stop_limit;
}

enum class TimeInForce : unsigned char { gtc, ioc, gtd, fok };
enum class SelfTradePrevention : unsigned char { cancel_newest, cancel_oldest, cancel_both };
enum class TriggerReference : unsigned char { last, index };
// How a price is expressed (WS v2 `*_price_type`): absolute (Kraken's `static`), a percentage
// offset or a quote-currency offset from the reference price. REST writes the offsets with a
// `+`/`-` prefix and a `%` suffix.
enum class PriceType : unsigned char { absolute, pct, quote };
// Which currency fees are taken in: REST oflags `fcib`/`fciq`, WS `fee_preference` base|quote.
enum class FeePreference : unsigned char { base, quote };

// REST order status (OpenOrders, ClosedOrders, QueryOrders).
enum class OrderStatus : unsigned char { pending, open, closed, canceled, expired };
// WS v2 `order_status` in executions (`new` is spelled new_ here).
enum class WsOrderStatus : unsigned char { pending_new, new_, partially_filled, filled, canceled, expired };
// WS v2 `exec_type` in executions.
enum class ExecType : unsigned char {
  pending_new,
  new_,
  trade,
  filled,
  iceberg_refill,
  canceled,
  expired,
  amended,
  restated,
  status,
};
// The engine's status (REST SystemStatus, WS `status` channel). `unknown`: not known yet; it is
// never a spelling of Kraken's.
enum class SystemStatus : unsigned char { unknown, online, maintenance, cancel_only, post_only };

// One row of a word's table.
template <class E>
struct Spelling {
  E value;
  std::string_view rest;
  std::string_view ws;
};

// The table of each word, found by overload on a value of the enum: spellings(Side{}).
constexpr std::array<Spelling<Side>, 2> spellings(Side) noexcept {
  return {{{Side::buy, "buy", "buy"}, {Side::sell, "sell", "sell"}}};
}
constexpr std::array<Spelling<OrderType>, 10> spellings(OrderType) noexcept {
  return {{{OrderType::market, "market", "market"},
           {OrderType::limit, "limit", "limit"},
           {OrderType::iceberg, "iceberg", "iceberg"},
           {OrderType::stop_loss, "stop-loss", "stop-loss"},
           {OrderType::take_profit, "take-profit", "take-profit"},
           {OrderType::stop_loss_limit, "stop-loss-limit", "stop-loss-limit"},
           {OrderType::take_profit_limit, "take-profit-limit", "take-profit-limit"},
           {OrderType::trailing_stop, "trailing-stop", "trailing-stop"},
           {OrderType::trailing_stop_limit, "trailing-stop-limit", "trailing-stop-limit"},
           {OrderType::settle_position, "settle-position", "settle-position"}}};
}
// WS v2 requests take lowercase (PROTOCOL.md §6.6); executions report uppercase.
constexpr std::array<Spelling<TimeInForce>, 4> spellings(TimeInForce) noexcept {
  return {{{TimeInForce::gtc, "GTC", "gtc"},
           {TimeInForce::ioc, "IOC", "ioc"},
           {TimeInForce::gtd, "GTD", "gtd"},
           {TimeInForce::fok, "FOK", "fok"}}};
}
constexpr std::array<Spelling<SelfTradePrevention>, 3> spellings(SelfTradePrevention) noexcept {
  return {{{SelfTradePrevention::cancel_newest, "cancel-newest", "cancel_newest"},
           {SelfTradePrevention::cancel_oldest, "cancel-oldest", "cancel_oldest"},
           {SelfTradePrevention::cancel_both, "cancel-both", "cancel_both"}}};
}
constexpr std::array<Spelling<TriggerReference>, 2> spellings(TriggerReference) noexcept {
  return {{{TriggerReference::last, "last", "last"}, {TriggerReference::index, "index", "index"}}};
}
constexpr std::array<Spelling<PriceType>, 3> spellings(PriceType) noexcept {
  return {{{PriceType::absolute, "static", "static"}, {PriceType::pct, "pct", "pct"}, {PriceType::quote, "quote", "quote"}}};
}
constexpr std::array<Spelling<FeePreference>, 2> spellings(FeePreference) noexcept {
  return {{{FeePreference::base, "fcib", "base"}, {FeePreference::quote, "fciq", "quote"}}};
}
constexpr std::array<Spelling<OrderStatus>, 5> spellings(OrderStatus) noexcept {
  return {{{OrderStatus::pending, "pending", "pending"},
           {OrderStatus::open, "open", "open"},
           {OrderStatus::closed, "closed", "closed"},
           {OrderStatus::canceled, "canceled", "canceled"},
           {OrderStatus::expired, "expired", "expired"}}};
}
constexpr std::array<Spelling<WsOrderStatus>, 6> spellings(WsOrderStatus) noexcept {
  return {{{WsOrderStatus::pending_new, "pending_new", "pending_new"},
           {WsOrderStatus::new_, "new", "new"},
           {WsOrderStatus::partially_filled, "partially_filled", "partially_filled"},
           {WsOrderStatus::filled, "filled", "filled"},
           {WsOrderStatus::canceled, "canceled", "canceled"},
           {WsOrderStatus::expired, "expired", "expired"}}};
}
constexpr std::array<Spelling<ExecType>, 10> spellings(ExecType) noexcept {
  return {{{ExecType::pending_new, "pending_new", "pending_new"},
           {ExecType::new_, "new", "new"},
           {ExecType::trade, "trade", "trade"},
           {ExecType::filled, "filled", "filled"},
           {ExecType::iceberg_refill, "iceberg_refill", "iceberg_refill"},
           {ExecType::canceled, "canceled", "canceled"},
           {ExecType::expired, "expired", "expired"},
           {ExecType::amended, "amended", "amended"},
           {ExecType::restated, "restated", "restated"},
           {ExecType::status, "status", "status"}}};
}
constexpr std::array<Spelling<SystemStatus>, 4> spellings(SystemStatus) noexcept {
  return {{{SystemStatus::online, "online", "online"},
           {SystemStatus::maintenance, "maintenance", "maintenance"},
           {SystemStatus::cancel_only, "cancel_only", "cancel_only"},
           {SystemStatus::post_only, "post_only", "post_only"}}};
}

namespace detail {
// ASCII case-insensitive, `-` and `_` alike.
constexpr bool same_word(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto norm = [](char c) {
      if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
      return c == '_' ? '-' : c;
    };
    if (norm(a[i]) != norm(b[i])) return false;
  }
  return true;
}
}  // namespace detail

// The exact spelling on one API; empty for a value that has none (SystemStatus::unknown).
template <class E>
constexpr std::string_view spelling(E value, Dialect d) noexcept {
  for (const auto& row : spellings(E{}))
    if (row.value == value) return d == Dialect::rest ? row.rest : row.ws;
  return {};
}
template <class E>
constexpr std::string_view rest_spelling(E value) noexcept {
  return spelling(value, Dialect::rest);
}
template <class E>
constexpr std::string_view ws_spelling(E value) noexcept {
  return spelling(value, Dialect::ws);
}

// Either API's spelling, leniently (see the header comment); nullopt for anything else.
template <class E>
constexpr std::optional<E> parse_word(std::string_view text) noexcept {
  for (const auto& row : spellings(E{}))
    if (detail::same_word(text, row.rest) || detail::same_word(text, row.ws)) return row.value;
  return std::nullopt;
}

// A word as Kraken sent it: the value when known, and always the raw text, so an unknown word
// (a new order type, a new status) is carried and reported instead of becoming a default.
template <class E>
struct Word {
  std::optional<E> value;
  std::string raw;

  bool known() const noexcept { return value.has_value(); }
  static Word read(std::string_view text) { return Word{parse_word<E>(text), std::string(text)}; }
  friend bool operator==(const Word& a, const Word& b) = default;
};

}  // namespace kgw::kraken
