#include "kgw/core/decimal.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>

namespace kgw {
namespace {

std::int64_t fixed(std::string_view s, int p) {
  auto r = parse_fixed(s, p);
  EXPECT_TRUE(r) << s;
  return r ? *r : -1;
}

errc fixed_error(std::string_view s, int p) {
  auto r = parse_fixed(s, p);
  if (r) return errc::ok;
  return static_cast<errc>(r.error().code.value());
}

TEST(ParseFixed, ReadsKrakenDecimalStringsAndJsonNumberText) {
  EXPECT_EQ(fixed("45285.2", 1), 452852);
  EXPECT_EQ(fixed("0.00100000", 8), 100000);
  EXPECT_EQ(fixed("4.0", 8), 400000000);
  EXPECT_EQ(fixed("1e-08", 8), 1);
  EXPECT_EQ(fixed("1E-8", 8), 1);
  EXPECT_EQ(fixed("2.5e3", 1), 25000);
  EXPECT_EQ(fixed("12", 2), 1200);
  EXPECT_EQ(fixed("0", 8), 0);
  EXPECT_EQ(fixed("-0.5", 1), -5);
  EXPECT_EQ(fixed("-0", 3), 0);
  EXPECT_EQ(fixed("0.566", 4), 5660);  // docs MATIC value printed without its trailing zero
  EXPECT_EQ(fixed("30300.10000", 1), 303001);  // REST padding beyond the pair precision
  EXPECT_EQ(fixed("00012.50", 2), 1250);
}

TEST(ParseFixed, RejectsNonZeroDigitsBeyondThePrecision) {
  EXPECT_EQ(fixed_error("30706.77771", 1), errc::precision_exceeded);
  EXPECT_EQ(fixed_error("0.000000001", 8), errc::precision_exceeded);
  EXPECT_EQ(fixed_error("1e-9", 8), errc::precision_exceeded);
}

TEST(ParseFixed, ReportsOverflowAtTheInt64Boundary) {
  EXPECT_EQ(fixed("9223372036854775807", 0), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(fixed("-9223372036854775808", 0), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(fixed_error("9223372036854775808", 0), errc::overflow);
  EXPECT_EQ(fixed_error("92233720368.54775808", 8), errc::overflow);
  EXPECT_EQ(fixed("92233720368.54775807", 8), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(fixed_error("1e19", 0), errc::overflow);
  EXPECT_EQ(fixed_error("1e10000", 0), errc::overflow);
  EXPECT_EQ(fixed("0e10000", 0), 0);
}

TEST(ParseFixed, RejectsGarbage) {
  for (const char* bad : {"", "-", ".5", "5.", "abc", "1.2.3", "1e", "1e+", "+1", " 1", "1 ", "0x10", "1,5",
                          "NaN", "inf", "--1", "1-"}) {
    EXPECT_EQ(fixed_error(bad, 2), errc::invalid_argument) << '"' << bad << '"';
  }
  EXPECT_EQ(fixed_error("1", 19), errc::invalid_argument);
  EXPECT_EQ(fixed_error("1", -1), errc::invalid_argument);
}

TEST(ParseFixed, CheckedVariantNamesTheFieldAndTheText) {
  auto r = parse_fixed_checked("0.123", 2, "price");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "price: '0.123' has more than 2 decimals");
  auto g = parse_fixed_checked("12abc", 2, "volume");
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().detail, "volume: '12abc' is not a decimal number");
  EXPECT_TRUE(g.error().is(errc::invalid_argument));
}

TEST(FormatFixed, WritesAtPrecisionWithTrailingZeros) {
  EXPECT_EQ(format_fixed(452852, 1), "45285.2");
  EXPECT_EQ(format_fixed(100000, 8), "0.00100000");
  EXPECT_EQ(format_fixed(-5, 1), "-0.5");
  EXPECT_EQ(format_fixed(7, 0), "7");
  EXPECT_EQ(format_fixed(0, 4), "0.0000");
  EXPECT_EQ(format_fixed(std::numeric_limits<std::int64_t>::min(), 8), "-92233720368.54775808");
  EXPECT_EQ(format_fixed(std::numeric_limits<std::int64_t>::max(), 18), "9.223372036854775807");
}

TEST(FormatFixed, RoundTripsRandomValuesAtEveryPrecision) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    const auto v = static_cast<std::int64_t>(rng());
    const int p = static_cast<int>(rng() % (kMaxScale + 1));
    const std::string s = format_fixed(v, p);
    auto back = parse_fixed(s, p);
    ASSERT_TRUE(back) << s;
    ASSERT_EQ(*back, v) << s;
  }
}

TEST(Decimal, KeepsItsOwnScale) {
  auto vwap = Decimal::parse("30706.77771");
  ASSERT_TRUE(vwap);
  EXPECT_EQ(vwap->mantissa, 3070677771);
  EXPECT_EQ(vwap->scale, 5);
  EXPECT_EQ(vwap->to_string(), "30706.77771");

  auto padded = Decimal::parse("30300.10000");
  ASSERT_TRUE(padded);
  EXPECT_EQ(padded->scale, 5);
  EXPECT_EQ(padded->to_string(), "30300.10000");
  EXPECT_EQ(padded->to_fixed(1).value(), 303001);
  EXPECT_EQ(padded->normalized().to_string(), "30300.1");
  EXPECT_TRUE(vwap->to_fixed(1).error().is(errc::precision_exceeded));

  auto exp = Decimal::parse("1e-08");
  ASSERT_TRUE(exp);
  EXPECT_EQ(exp->mantissa, 1);
  EXPECT_EQ(exp->scale, 8);
  auto big = Decimal::parse("1e3");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->mantissa, 1000);
  EXPECT_EQ(big->scale, 0);
  auto neg = Decimal::parse("-0.17");
  ASSERT_TRUE(neg);
  EXPECT_TRUE(neg->is_negative());
}

TEST(Decimal, AcceptsExcessZeroDecimalsButNotExcessDigits) {
  auto z = Decimal::parse("1.0000000000000000000000");
  ASSERT_TRUE(z);
  EXPECT_EQ(z->normalized().to_string(), "1");
  auto tiny = Decimal::parse("100e-20");
  ASSERT_TRUE(tiny);
  EXPECT_EQ(tiny->normalized().to_string(), "0.000000000000000001");
  EXPECT_TRUE(Decimal::parse("0.0000000000000000001").error().is(errc::precision_exceeded));
  EXPECT_TRUE(Decimal::parse("99999999999999999999").error().is(errc::overflow));
}

TEST(Decimal, ComparesNumericallyAcrossScales) {
  EXPECT_EQ(Decimal::parse("4.0").value(), Decimal::parse("4").value());
  EXPECT_LT(Decimal::parse("0.26").value(), Decimal::parse("0.3").value());
  EXPECT_GT(Decimal::parse("-0.1").value(), Decimal::parse("-0.11").value());
}

TEST(Decimal, AddsExactlyAtTheLargerScaleAndRefusesOverflow) {
  const auto a = Decimal::parse("1.5").value(), b = Decimal::parse("0.25").value();
  EXPECT_EQ(add(a, b)->to_string(), "1.75");
  EXPECT_EQ(add(a, b, -1)->to_string(), "1.25");
  EXPECT_EQ(add(b, a, -1)->to_string(), "-1.25");
  EXPECT_FALSE(add(Decimal::from_fixed(INT64_MAX, 0), Decimal::from_fixed(1, 0)));
  EXPECT_FALSE(add(Decimal::from_fixed(INT64_MAX / 10, 0), Decimal::from_fixed(1, 2)));  // rescaled: too wide
}

TEST(Fixed, NotionalUses128BitsAndGridChecksAreExact) {
  const Price p{452852};        // 45285.2 at 1 decimal
  const Qty q{125000000};       // 1.25 at 8 decimals
  EXPECT_EQ(static_cast<std::int64_t>(notional(p, q)), 452852LL * 125000000LL);
  const Price huge{std::numeric_limits<std::int64_t>::max()};
  EXPECT_GT(notional(huge, Qty{std::numeric_limits<std::int64_t>::max()}), 0);
  EXPECT_TRUE(on_grid(452850, 5));
  EXPECT_FALSE(on_grid(452852, 5));
  EXPECT_TRUE(on_grid(452852, 0));
  EXPECT_LT(Price{1}, Price{2});
}

}  // namespace
}  // namespace kgw
