#include "kgw/core/kraken/rate_rules.hpp"

#include <gtest/gtest.h>

namespace kgw::kraken {
namespace {

using namespace std::chrono_literals;

TEST(KrakenRateRules, ReadsTheThreeTierSpellingsAndNothingElse) {
  for (auto t : {Tier::starter, Tier::intermediate, Tier::pro}) EXPECT_EQ(parse_tier(to_string(t)), t);
  EXPECT_EQ(to_string(Tier::intermediate), "intermediate");
  for (std::string_view bad : {"", "Pro", "gold", "starter ", "intermediat"}) EXPECT_FALSE(parse_tier(bad)) << bad;
}

TEST(KrakenRateRules, ACounterDecaysLinearlyToZeroAndNeverBackwards) {
  EXPECT_DOUBLE_EQ(decayed(50, 10s, 2.34), 26.6);  // vectors.json engine_rate_counter_example_decay
  EXPECT_DOUBLE_EQ(decayed(5, 10s, 1), 0);
  EXPECT_DOUBLE_EQ(decayed(5, -3s, 1), 5);  // a clock read out of order does not add to the counter
}

}  // namespace
}  // namespace kgw::kraken
