#include "kgw/core/decimal.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fmt/format.h>

namespace kgw {
namespace {

// The pieces of a JSON-style number, located without converting anything.
struct Scanned {
  bool negative = false;
  std::string_view int_digits;   // without sign; may be "0"
  std::string_view frac_digits;  // after '.', may be empty
  int exponent = 0;              // clamped to ±10000: beyond that only zero survives
};

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

bool scan(std::string_view s, Scanned& out) noexcept {
  std::size_t i = 0;
  const std::size_t n = s.size();
  if (i < n && s[i] == '-') {
    out.negative = true;
    ++i;
  }
  const std::size_t int_begin = i;
  while (i < n && is_digit(s[i])) ++i;
  if (i == int_begin) return false;  // needs at least one integer digit (JSON grammar)
  out.int_digits = s.substr(int_begin, i - int_begin);
  if (i < n && s[i] == '.') {
    ++i;
    const std::size_t frac_begin = i;
    while (i < n && is_digit(s[i])) ++i;
    if (i == frac_begin) return false;  // "5." is not a number
    out.frac_digits = s.substr(frac_begin, i - frac_begin);
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
      eneg = s[i] == '-';
      ++i;
    }
    const std::size_t exp_begin = i;
    int e = 0;
    while (i < n && is_digit(s[i])) {
      if (e < 10000) e = e * 10 + (s[i] - '0');
      ++i;
    }
    if (i == exp_begin) return false;
    out.exponent = eneg ? -e : e;
  }
  return i == n;
}

// Converts scanned digits to a mantissa at `precision`: digit k (0-based from the left) carries
// 10^(int_len - 1 - k + exponent + precision).
errc to_mantissa(const Scanned& sc, int precision, std::int64_t& out) noexcept {
  const int int_len = static_cast<int>(sc.int_digits.size());
  const int total = int_len + static_cast<int>(sc.frac_digits.size());
  const int top = int_len - 1 + sc.exponent + precision;  // power of ten of the first digit
  // Limit is 2^63 - 1, or 2^63 for negative numbers.
  const std::uint64_t limit = sc.negative ? (std::uint64_t{1} << 63) : (std::uint64_t{1} << 63) - 1;
  std::uint64_t acc = 0;
  int last_power = 0;
  bool any_kept = false;
  for (int k = 0; k < total; ++k) {
    const char c = k < int_len ? sc.int_digits[k] : sc.frac_digits[k - int_len];
    const unsigned d = static_cast<unsigned>(c - '0');
    const int power = top - k;
    if (power < 0) {
      if (d != 0) return errc::precision_exceeded;
      continue;
    }
    if (acc > (limit - d) / 10) return errc::overflow;
    acc = acc * 10 + d;
    last_power = power;
    any_kept = true;
  }
  if (any_kept && last_power > 0 && acc != 0) {
    if (last_power > kMaxScale) return errc::overflow;
    const auto p = static_cast<std::uint64_t>(kPow10[last_power]);
    if (acc > limit / p) return errc::overflow;
    acc *= p;
  }
  out = sc.negative ? static_cast<std::int64_t>(0 - acc) : static_cast<std::int64_t>(acc);
  return errc::ok;
}

}  // namespace

result<std::int64_t> parse_fixed(std::string_view text, int precision) noexcept {
  if (precision < 0 || precision > kMaxScale) return Error(errc::invalid_argument);
  Scanned sc;
  if (!scan(text, sc)) return Error(errc::invalid_argument);
  std::int64_t m = 0;
  if (const errc e = to_mantissa(sc, precision, m); e != errc::ok) return Error(e);
  return m;
}

result<std::int64_t> parse_fixed_checked(std::string_view text, int precision, std::string_view field) {
  auto r = parse_fixed(text, precision);
  if (r) return r;
  std::string detail;
  if (r.error().is(errc::precision_exceeded)) {
    detail = fmt::format("{}: '{}' has more than {} decimals", field, text, precision);
  } else if (r.error().is(errc::overflow)) {
    detail = fmt::format("{}: '{}' is out of range", field, text);
  } else if (precision < 0 || precision > kMaxScale) {
    detail = fmt::format("{}: precision {} is outside 0..{}", field, precision, kMaxScale);
  } else {
    detail = fmt::format("{}: '{}' is not a decimal number", field, text.substr(0, 64));
  }
  return Error(r.error().code, std::move(detail));
}

std::size_t format_fixed(std::int64_t mantissa, int precision, char* out) noexcept {
  char* p = out;
  std::uint64_t mag = static_cast<std::uint64_t>(mantissa);
  if (mantissa < 0) {
    *p++ = '-';
    mag = 0 - mag;
  }
  if (precision <= 0) {
    p = std::to_chars(p, out + kMaxFormattedChars, mag).ptr;
    return static_cast<std::size_t>(p - out);
  }
  const auto div = static_cast<std::uint64_t>(kPow10[precision]);
  p = std::to_chars(p, out + kMaxFormattedChars, mag / div).ptr;
  *p++ = '.';
  std::uint64_t frac = mag % div;
  for (int i = precision - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  p += precision;
  return static_cast<std::size_t>(p - out);
}

std::string format_fixed(std::int64_t mantissa, int precision) {
  char buf[kMaxFormattedChars];
  return {buf, format_fixed(mantissa, precision, buf)};
}

result<Decimal> Decimal::parse(std::string_view text) noexcept {
  Scanned sc;
  if (!scan(text, sc)) return Error(errc::invalid_argument);
  int scale = static_cast<int>(sc.frac_digits.size()) - sc.exponent;
  if (scale < 0) scale = 0;
  if (scale > kMaxScale) {
    // Accept excess decimals only if they are zeros: the scale the value really needs is set by
    // its last non-zero digit.
    const int int_len = static_cast<int>(sc.int_digits.size());
    const int total = int_len + static_cast<int>(sc.frac_digits.size());
    int sig = 0;
    for (int k = 0; k < total; ++k) {
      const char c = k < int_len ? sc.int_digits[k] : sc.frac_digits[k - int_len];
      const int needed = -(int_len - 1 - k + sc.exponent);
      if (c != '0' && needed > sig) sig = needed;
    }
    if (sig > kMaxScale) return Error(errc::precision_exceeded);
    scale = kMaxScale;
  }
  std::int64_t m = 0;
  if (const errc e = to_mantissa(sc, scale, m); e != errc::ok) return Error(e);
  return Decimal{m, scale};
}

result<std::int64_t> Decimal::to_fixed(int precision) const noexcept {
  if (precision < 0 || precision > kMaxScale) return Error(errc::invalid_argument);
  if (precision >= scale) {
    const std::int64_t f = kPow10[precision - scale];
    const Int128 v = static_cast<Int128>(mantissa) * f;
    if (v > INT64_MAX || v < INT64_MIN) return Error(errc::overflow);
    return static_cast<std::int64_t>(v);
  }
  const std::int64_t f = kPow10[scale - precision];
  if (mantissa % f != 0) return Error(errc::precision_exceeded);
  return mantissa / f;
}

Decimal Decimal::normalized() const noexcept {
  Decimal d = *this;
  while (d.scale > 0 && d.mantissa % 10 == 0) {
    d.mantissa /= 10;
    --d.scale;
  }
  return d;
}

std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) noexcept {
  const int s = a.scale > b.scale ? a.scale : b.scale;
  const Int128 x = static_cast<Int128>(a.mantissa) * kPow10[s - a.scale];
  const Int128 y = static_cast<Int128>(b.mantissa) * kPow10[s - b.scale];
  return x <=> y;
}

std::optional<Decimal> add(const Decimal& a, const Decimal& b, int sign) noexcept {
  const int scale = std::max(a.scale, b.scale);
  const Int128 x = static_cast<Int128>(a.mantissa) * kPow10[scale - a.scale];
  const Int128 y = static_cast<Int128>(b.mantissa) * kPow10[scale - b.scale];
  const Int128 r = x + sign * y;
  if (r > INT64_MAX || r < INT64_MIN) return std::nullopt;
  return Decimal{static_cast<std::int64_t>(r), scale};
}

}  // namespace kgw
