#include "kgw/core/log.hpp"
#include "kgw/core/secret.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace kgw {
namespace {

TEST(Redact, MasksHeadersTokensAndOtp) {
  EXPECT_EQ(log::redact("API-Key: abcDEF123\r\nAPI-Sign: xyz==\r\n"),
            "API-Key: <redacted>\r\nAPI-Sign: <redacted>\r\n");
  EXPECT_EQ(log::redact(R"({"method":"subscribe","params":{"channel":"executions","token":"1Dwc4lzSwNWOAwkM"}})"),
            R"({"method":"subscribe","params":{"channel":"executions","token":"<redacted>"}})");
  EXPECT_EQ(log::redact("nonce=1&otp=123456&pair=XBTUSD"), "nonce=1&otp=<redacted>&pair=XBTUSD");
  EXPECT_EQ(log::redact(R"({"otp": "654321", "secret":"abc"})"), R"({"otp": "<redacted>", "secret":"<redacted>"})");
  EXPECT_EQ(log::redact("nothing to hide"), "nothing to hide");
}

TEST(Secret, FormatsAsRedactedAndMasksItsValueWhileAlive) {
  const std::string raw = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18f";
  {
    Secret s(raw);
    EXPECT_EQ(fmt::format("{}", s), "<redacted>");
    EXPECT_EQ(s.reveal(), raw);
    EXPECT_EQ(log::redact("signing with " + raw + " now"), "signing with <redacted> now");
    Secret copy = s;
    Secret moved = std::move(copy);
    EXPECT_EQ(moved.reveal(), raw);
  }
  // Once every holder is gone the value is no longer tracked.
  EXPECT_EQ(log::redact(raw), raw);
}

// The mapping of /proc/self/smaps that contains `p`, and its VmFlags line.
std::string vm_flags_of(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  const auto addr = reinterpret_cast<std::uintptr_t>(p);
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    unsigned long lo = 0, hi = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2) {  // a mapping's header line
      inside = addr >= lo && addr < hi;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return {};
}

TEST(Secret, LivesInANoDumpMappingAndIsZeroedWhenItDies) {
  const std::string raw = "q+INlIikVemcqFtJu9CZk0QIXBMYRFpwKblA/N9iP61uGCMpsMa06ycI8VuwdxeqAvXnGPAnMIBYeiY1AoG67w==";
  const char* bytes = nullptr;
  {
    Secret s(raw);
    bytes = s.reveal().data();
    ASSERT_TRUE(secret_arena_contains(bytes));
    // "dd": the kernel leaves this mapping out of core dumps.
    EXPECT_NE(vm_flags_of(bytes).find(" dd"), std::string::npos) << vm_flags_of(bytes);
    Secret copy = s;
    EXPECT_NE(copy.reveal().data(), bytes);
    EXPECT_TRUE(secret_arena_contains(copy.reveal().data()));
  }
  // The arena stays mapped, so the slot can be inspected: every byte was wiped.
  EXPECT_EQ(std::string_view(bytes, raw.size()), std::string(raw.size(), '\0'));
  // Too large for a slot: still a Secret (heap, wiped), just not in the arena.
  Secret big(std::string(1000, 'x'));
  EXPECT_FALSE(secret_arena_contains(big.reveal().data()));
  EXPECT_EQ(big.reveal(), std::string(1000, 'x'));
}

TEST(Logger, WritesRedactedLinesToTheFileSink) {
  const auto path = std::filesystem::temp_directory_path() / ("kgw_log_test_" + std::to_string(::getpid()) + ".log");
  log::init({.level = "debug", .file = path.string(), .to_stderr = false});
  Secret key("VERYSECRETKEYVALUE0123456789");
  spdlog::info("request API-Sign: abc==\r\n with key {}", key.reveal());
  log::shutdown();
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::filesystem::remove(path);
  EXPECT_NE(text.find("API-Sign: <redacted>"), std::string::npos) << text;
  EXPECT_EQ(text.find("VERYSECRETKEYVALUE"), std::string::npos) << text;
  EXPECT_EQ(text.find("abc=="), std::string::npos) << text;
}

TEST(Logger, CallsAfterShutdownGoToStderrRedactedInsteadOfCrashing) {
  log::init({.level = "info", .file = "", .to_stderr = false});
  log::shutdown();
  Secret key("ANOTHERSECRETVALUE987654321");
  ::testing::internal::CaptureStderr();
  spdlog::warn("late warning with {}", key.reveal());
  spdlog::info("late info");  // below the fallback's level
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("late warning with <redacted>"), std::string::npos) << err;
  EXPECT_EQ(err.find("late info"), std::string::npos) << err;
}

TEST(RateLimiter, AllowsABurstPerIntervalAndReportsWhatItSuppressed) {
  log::RateLimiter rl(2, std::chrono::seconds(1));
  std::uint64_t sup = 0;
  const std::int64_t t0 = 1'000'000'000;
  EXPECT_TRUE(rl.allow(t0, sup));
  EXPECT_TRUE(rl.allow(t0 + 1, sup));
  EXPECT_FALSE(rl.allow(t0 + 2, sup));
  EXPECT_FALSE(rl.allow(t0 + 3, sup));
  EXPECT_TRUE(rl.allow(t0 + 1'000'000'001, sup));
  EXPECT_EQ(sup, 2u);
}

}  // namespace
}  // namespace kgw
