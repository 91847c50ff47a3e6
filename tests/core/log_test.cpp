#include "kgw/core/log.hpp"
#include "kgw/core/secret.hpp"

#include <gtest/gtest.h>

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
