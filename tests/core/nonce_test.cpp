#include "kgw/core/kraken/nonce.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace kgw::kraken {
namespace {

std::string temp_state(const char* name) {
  return (std::filesystem::temp_directory_path() / (std::string(name) + "_" + std::to_string(::getpid()))).string();
}

TEST(NonceAuthority, IsStrictlyIncreasingAcross16ThreadsEvenWithAFrozenClock) {
  ManualClock clock;  // never advances: every nonce after the first comes from previous + 1
  auto a = NonceAuthority::open("", clock).value();
  constexpr int kThreads = 16, kEach = 5000;
  std::vector<std::vector<std::uint64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      got[t].reserve(kEach);
      for (int i = 0; i < kEach; ++i) got[t].push_back(a->next().value());
    });
  for (auto& th : threads) th.join();
  std::vector<std::uint64_t> all;
  for (auto& g : got) {
    EXPECT_TRUE(std::is_sorted(g.begin(), g.end()));  // each thread sees increasing values
    all.insert(all.end(), g.begin(), g.end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());  // no duplicates
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kEach));
}

TEST(NonceAuthority, UsesNanosecondTimeAndNeverGoesBackwardsWhenTheClockDoes) {
  ManualClock clock;
  auto a = NonceAuthority::open("", clock).value();
  const auto n1 = a->next().value();
  EXPECT_EQ(n1, static_cast<std::uint64_t>(clock.wall_now().time_since_epoch().count()));
  clock.set_wall(clock.wall_now() - std::chrono::hours(1));
  EXPECT_GT(a->next().value(), n1);
}

TEST(NonceAuthority, ARestartStartsAboveEverythingThePreviousProcessCouldHaveUsed) {
  const std::string file = temp_state("kgw_nonce");
  std::filesystem::remove(file);
  ManualClock clock;
  std::uint64_t last_of_first = 0;
  {
    auto a = NonceAuthority::open(file, clock).value();
    for (int i = 0; i < 1000; ++i) last_of_first = a->next().value();
    EXPECT_GT(a->persisted_mark(), last_of_first);
  }
  // The second process's clock is behind (e.g. NTP step): it must still start above.
  ManualClock behind(clock.wall_now() - std::chrono::hours(2));
  auto b = NonceAuthority::open(file, behind).value();
  EXPECT_GT(b->next().value(), last_of_first);
  std::filesystem::remove(file);
}

TEST(NonceAuthority, ACorruptStateFileIsAClearErrorNotANonceReset) {
  const std::string file = temp_state("kgw_nonce_bad");
  std::ofstream(file) << "garbage";
  ManualClock clock;
  auto r = NonceAuthority::open(file, clock);
  std::filesystem::remove(file);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::parse_error));
}

}  // namespace
}  // namespace kgw::kraken
