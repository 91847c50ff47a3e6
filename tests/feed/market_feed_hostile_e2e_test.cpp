// MarketFeed against a hostile server on loopback (issue #9): one that accepts TCP and never
// answers the upgrade, and one that sends book frames no book can take. The feed must stay up,
// stop on time, and say what it refused.

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "kgw/feed/market_feed.hpp"
#include "kgw/sim/default_market.hpp"
#include "kgw_hostile_server.hpp"
#include "kgw_process.hpp"

namespace kgw::feed {
namespace {

using namespace std::chrono_literals;
using test::HostileWsServer;
using test::wait_until;

// What is logged (spdlog's default logger) while it lives; create it before the feed and let it
// go after the feed has stopped.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256)), previous_(spdlog::default_logger()) {
    sink_->set_pattern("%l %v");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink_));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::vector<std::string> lines_with(std::string_view needle) const {
    std::vector<std::string> out;
    for (auto& line : sink_->last_formatted())
      if (line.find(needle) != std::string::npos) out.push_back(line);
    return out;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

// A BTC/USD book snapshot (price precision 1, qty precision 8) with one bid as given.
std::string snapshot_with_bid(std::string_view price, std::string_view qty, std::string_view checksum = "1") {
  return std::string(R"({"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":)") +
         std::string(price) + R"(,"qty":)" + std::string(qty) +
         R"(}],"asks":[{"price":62800.0,"qty":0.5}],"checksum":)" + std::string(checksum) +
         R"(,"timestamp":"2026-12-03T08:00:00.000000Z"}]})";
}

class MarketFeedHostile : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(registry_.load(sim::catalogue_assets(), sim::catalogue_instruments())); }

  FeedOptions options(const HostileWsServer& server) const {
    FeedOptions f;
    f.url = server.url();
    f.symbols = {{"BTC/USD", 10}};
    f.instrument = false;
    f.subscribe_interval = 5ms;
    f.reconnect_min = 20ms;
    f.reconnect_max = 200ms;
    f.ws.close_timeout = 200ms;
    return f;
  }

  InstrumentRegistry registry_;
  MarketCache cache_;
};

TEST_F(MarketFeedHostile, StopAbandonsAConnectTheServerNeverAnswers) {
  HostileWsServer server;  // accepts TCP, never answers the upgrade
  ASSERT_TRUE(server.ok());
  auto o = options(server);
  o.ws.connect_timeout = 10s;  // the default: stop() must not wait for it
  MarketFeed feed(o, cache_, registry_, SystemClock::instance());
  ASSERT_TRUE(feed.start());
  ASSERT_TRUE(wait_until([&] { return server.accepted() >= 1; }));
  const auto before = std::chrono::steady_clock::now();
  feed.stop();
  const auto took = std::chrono::steady_clock::now() - before;
  EXPECT_LT(took, 1s) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
  EXPECT_EQ(feed.stats().connects.load(), 0u);
}

TEST_F(MarketFeedHostile, LogsEachRejectedBookFrameWithItsReason) {
  HostileWsServer server({snapshot_with_bid("62787.45", "1.0"),        // a decimal beyond the pair's 1
                          snapshot_with_bid("62787.4", "-1.0"),        // a negative quantity
                          snapshot_with_bid("1e30", "1.0")});          // beyond int64 at any scale
  ASSERT_TRUE(server.ok());
  LogCapture log;
  ManualClock clock;  // one rate-limit window for the whole test
  MarketFeed feed(options(server), cache_, registry_, clock);
  ASSERT_TRUE(feed.start());
  ASSERT_TRUE(wait_until([&] { return feed.stats().parse_errors.load() == 3; }));
  EXPECT_EQ(cache_.find("BTC/USD")->book_state(), BookState::resyncing);
  feed.stop();
  const auto rejected = log.lines_with("BTC/USD book frame rejected");
  ASSERT_EQ(rejected.size(), 3u);
  EXPECT_NE(rejected[0].find("bids[0].price"), std::string::npos) << rejected[0];
  EXPECT_NE(rejected[0].find("precision"), std::string::npos) << rejected[0];
  EXPECT_NE(rejected[1].find("bids[0].qty '-1.0' is negative"), std::string::npos) << rejected[1];
  EXPECT_NE(rejected[2].find("bids[0].price"), std::string::npos) << rejected[2];
  EXPECT_NE(rejected[2].find("overflow"), std::string::npos) << rejected[2];
  EXPECT_EQ(feed.stats().resyncs.load(), 3u);
}

TEST_F(MarketFeedHostile, RateLimitsTheLogOfRejectedBookFrames) {
  std::vector<std::string> frames(8, snapshot_with_bid("62787.4", "-1.0"));
  HostileWsServer server(frames);
  ASSERT_TRUE(server.ok());
  LogCapture log;
  ManualClock clock;
  MarketFeed feed(options(server), cache_, registry_, clock);
  ASSERT_TRUE(feed.start());
  ASSERT_TRUE(wait_until([&] { return feed.stats().parse_errors.load() == 8; }));
  feed.stop();
  EXPECT_EQ(log.lines_with("book frame rejected").size(), 5u);  // 5 per 10 s; the clock stood still
}

TEST_F(MarketFeedHostile, AChecksumThatIsNotACrc32IsSaidInKrakensTermsAndResyncsTheBook) {
  HostileWsServer server({snapshot_with_bid("62787.4", "1.0", "18446744073709551616")});
  ASSERT_TRUE(server.ok());
  LogCapture log;
  ManualClock clock;
  MarketFeed feed(options(server), cache_, registry_, clock);
  ASSERT_TRUE(feed.start());
  ASSERT_TRUE(wait_until([&] { return feed.stats().parse_errors.load() == 1; }));
  ASSERT_TRUE(wait_until([&] { return feed.stats().resyncs.load() == 1; }));
  feed.stop();
  const auto lines = log.lines_with("book checksum: 18446744073709551616 is not a CRC32 (0..4294967295)");
  EXPECT_EQ(lines.size(), 1u);
}

}  // namespace
}  // namespace kgw::feed
