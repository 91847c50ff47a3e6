#include "kgw/core/error.hpp"

#include <gtest/gtest.h>

namespace kgw {
namespace {

TEST(KrakenErrorClassification, MatchesTheGatewayTable) {
  struct Row {
    const char* error;
    ErrorClass expected;
  };
  const Row rows[] = {
      {"EAPI:Invalid nonce", ErrorClass::retryable_not_executed},
      {"EAPI:Rate limit exceeded", ErrorClass::retryable_not_executed},
      {"EOrder:Rate limit exceeded", ErrorClass::retryable_not_executed},
      {"EService: Throttled: 1700000000", ErrorClass::retryable_not_executed},
      {"EGeneral:Too many requests", ErrorClass::retryable_not_executed},
      {"EService:Unavailable", ErrorClass::unknown_outcome},
      {"EService:Busy", ErrorClass::unknown_outcome},
      {"EGeneral:Internal error", ErrorClass::unknown_outcome},
      {"EGeneral:Internal error:12", ErrorClass::unknown_outcome},
      {"EService:Deadline elapsed", ErrorClass::unknown_outcome},
      {"EAPI:Invalid key", ErrorClass::rejected},
      {"EAPI:Invalid signature", ErrorClass::rejected},
      {"EOrder:Insufficient funds", ErrorClass::rejected},
      {"EOrder:Order minimum not met", ErrorClass::rejected},
      {"EGeneral:Invalid arguments:ordertype", ErrorClass::rejected},
      {"EQuery:Unknown asset pair", ErrorClass::rejected},
      {"EGeneral:Permission denied", ErrorClass::rejected},
      {"EGeneral:Temporary lockout", ErrorClass::rejected},
      // The rest of PROTOCOL.md §1.3, row by row.
      {"EOrder:Orders limit exceeded", ErrorClass::rejected},
      {"EOrder:Cost minimum not met", ErrorClass::rejected},
      {"EOrder:Tick size check failed", ErrorClass::rejected},
      {"EOrder:Invalid price", ErrorClass::rejected},
      {"EGeneral:Invalid arguments:Index unavailable", ErrorClass::rejected},
      {"EOrder:Unknown order", ErrorClass::rejected},
      {"EService:Market in cancel_only mode", ErrorClass::retryable_not_executed},
      {"EService:Market in post_only mode", ErrorClass::retryable_not_executed},
      {"EOrder:Reduce only:No position exists", ErrorClass::rejected},
      {"EOrder:Margin allowance exceeded", ErrorClass::rejected},
      {"EOrder:Positions limit exceeded", ErrorClass::rejected},
      {"EAuth:Rate limit exceeded", ErrorClass::retryable_not_executed},
      {"EAuth:Too many requests", ErrorClass::retryable_not_executed},
      {"EDatabase:Internal error", ErrorClass::unknown_outcome},
      {"EService:Throttled: 1700000000", ErrorClass::retryable_not_executed},  // without the space
  };
  for (const auto& r : rows) EXPECT_EQ(classify_kraken_error(r.error), r.expected) << r.error;
}

TEST(KrakenError, ARefusedSessionTokenIsRecognisedInEitherSpacing) {
  EXPECT_TRUE(kraken_token_refused("EAPI:Invalid token"));
  EXPECT_TRUE(kraken_token_refused("EAPI: Invalid token"));
  EXPECT_FALSE(kraken_token_refused("EAPI:Invalid key"));
  EXPECT_FALSE(kraken_token_refused("EGeneral:Invalid arguments"));
}

TEST(KrakenError, KeepsStringsVerbatimAndParsesTheThrottleTimestamp) {
  auto k = KrakenError::from_strings({"EService: Throttled: 1700000123"});
  EXPECT_EQ(k.classification, ErrorClass::retryable_not_executed);
  ASSERT_TRUE(k.throttled_until_unix.has_value());
  EXPECT_EQ(*k.throttled_until_unix, 1700000123);
  EXPECT_EQ(k.joined(), "EService: Throttled: 1700000123");
}

TEST(KrakenError, UnknownOutcomeWinsOverOtherErrorsAndWarningsDoNotCount) {
  auto k = KrakenError::from_strings({"WGeneral:Something", "EAPI:Invalid nonce", "EService:Busy"});
  EXPECT_EQ(k.classification, ErrorClass::unknown_outcome);
  auto w = KrakenError::from_strings({"WGeneral:Something"});
  EXPECT_EQ(w.classification, ErrorClass::rejected);
}

TEST(Error, MessageCarriesDetailAndKrakenStrings) {
  Error e(errc::exchange_error, "AddOrder");
  e.kraken = KrakenError::from_strings({"EOrder:Insufficient funds"});
  EXPECT_EQ(e.message(), "exchange error: AddOrder [kraken: EOrder:Insufficient funds]");
  EXPECT_TRUE(e.is(errc::exchange_error));
  EXPECT_FALSE(e.is(errc::timeout));
}

result<int> half(int v) {
  if (v % 2) return fail(errc::invalid_argument, "v must be even");
  return v / 2;
}

TEST(Result, CarriesValuesAndErrorsAndThrowsOnValueOfAnError) {
  EXPECT_EQ(half(4).value(), 2);
  auto r = half(3);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "v must be even");
  EXPECT_THROW((void)r.value(), ErrorException);
}

}  // namespace
}  // namespace kgw
