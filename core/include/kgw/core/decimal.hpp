#pragma once
// Fixed-point decimals (DESIGN.md §4). Prices and quantities are int64 mantissas at an
// instrument's precision, parsed from the raw JSON number text or Kraken's decimal strings,
// never through double. Values Kraken prints with more decimals than a pair's precision keep
// their own scale in Decimal. All functions are pure and thread-safe; none allocates except the
// std::string formatters.

#include "kgw/core/error.hpp"

#include <charconv>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kgw {

inline constexpr int kMaxScale = 18;

// 128-bit integer for notionals (price × qty); __extension__ keeps -Wpedantic quiet.
__extension__ typedef __int128 Int128;

inline constexpr std::int64_t kPow10[kMaxScale + 1] = {
    1LL,
    10LL,
    100LL,
    1000LL,
    10000LL,
    100000LL,
    1000000LL,
    10000000LL,
    100000000LL,
    1000000000LL,
    10000000000LL,
    100000000000LL,
    1000000000000LL,
    10000000000000LL,
    100000000000000LL,
    1000000000000000LL,
    10000000000000000LL,
    100000000000000000LL,
    1000000000000000000LL,
};

// Parses `text` (`45285.2`, `0.00100000`, `4.0`, `1e-08`, `-3`, `"12"` without quotes) into a
// mantissa at `precision` decimals (0..18), exactly: trailing zeros beyond the precision are
// fine, a non-zero digit beyond it is errc::precision_exceeded, a value beyond int64 is
// errc::overflow, anything that is not a JSON-style number is errc::invalid_argument.
// Hot path: no allocation, no exceptions. The error detail is empty here (the caller names the
// field); use parse_fixed_checked for a descriptive error.
result<std::int64_t> parse_fixed(std::string_view text, int precision) noexcept;

// As parse_fixed, but the error names `field` and quotes the offending text.
result<std::int64_t> parse_fixed_checked(std::string_view text, int precision, std::string_view field);

// A whole text that is an integer of type T in decimal (`42`, `-7`; no sign for unsigned T, no
// spaces, no fraction); nullopt otherwise, also when it does not fit T.
template <class T>
std::optional<T> parse_integer(std::string_view text) noexcept {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// Writes `mantissa` at `precision` decimals (`45285.2`, `0.00100000`, `-1.5`, `7`) into `out`,
// which must hold kMaxFormattedChars; returns the number of chars written.
inline constexpr std::size_t kMaxFormattedChars = 24;
std::size_t format_fixed(std::int64_t mantissa, int precision, char* out) noexcept;
std::string format_fixed(std::int64_t mantissa, int precision);

// A decimal with its own scale: value = mantissa × 10^-scale. Used for values that are not on an
// instrument's grid (REST padding `30300.10000`, vwap `30706.77771`, fee percentages, balances).
struct Decimal {
  std::int64_t mantissa = 0;
  int scale = 0;  // 0..kMaxScale

  // Keeps the scale as written (`4.0` has scale 1, `1e-08` scale 8, `1e3` scale 0); a value
  // written with more than 18 decimals is accepted if the excess digits are zeros.
  static result<Decimal> parse(std::string_view text) noexcept;
  static Decimal from_fixed(std::int64_t mantissa, int scale) noexcept { return {mantissa, scale}; }

  // Exact conversion to `precision` decimals; errc::precision_exceeded if digits would be lost.
  result<std::int64_t> to_fixed(int precision) const noexcept;
  // Drops trailing zero decimals (`4.0` -> `4`).
  Decimal normalized() const noexcept;
  bool is_zero() const noexcept { return mantissa == 0; }
  bool is_negative() const noexcept { return mantissa < 0; }
  std::string to_string() const { return format_fixed(mantissa, scale); }

  // Numeric comparison across scales (`4.0 == 4`).
  friend std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) noexcept;
  friend bool operator==(const Decimal& a, const Decimal& b) noexcept { return (a <=> b) == 0; }
};

// a + sign·b exactly, at the larger of the two scales; nullopt when it does not fit int64.
std::optional<Decimal> add(const Decimal& a, const Decimal& b, int sign = 1) noexcept;

// A mantissa at an instrument's precision. The precision lives with the instrument, not with
// every value, so these are 8 bytes and compare as integers. Tag keeps prices and quantities from
// being mixed up.
template <class Tag>
struct Fixed {
  std::int64_t value = 0;

  constexpr auto operator<=>(const Fixed&) const = default;
  constexpr Fixed operator+(Fixed o) const noexcept { return {value + o.value}; }
  constexpr Fixed operator-(Fixed o) const noexcept { return {value - o.value}; }
  constexpr Fixed& operator+=(Fixed o) noexcept { value += o.value; return *this; }
  constexpr Fixed& operator-=(Fixed o) noexcept { value -= o.value; return *this; }
  constexpr bool is_zero() const noexcept { return value == 0; }
};
struct PriceTag {};
struct QtyTag {};
using Price = Fixed<PriceTag>;
using Qty = Fixed<QtyTag>;

// price × qty at scale price_precision + qty_precision, in 128 bits so it cannot overflow.
constexpr Int128 notional(Price p, Qty q) noexcept { return static_cast<Int128>(p.value) * q.value; }

// True if `value` is a multiple of `increment` (both at the same precision); increment 0 = no grid.
constexpr bool on_grid(std::int64_t value, std::int64_t increment) noexcept {
  return increment <= 0 || value % increment == 0;
}

}  // namespace kgw
