// MarketWatch: wakes exactly the stream sinks whose followed symbols (or status, or upstream)
// changed, also when a symbol merely goes stale, and closes them all when it stops.

#include "kgw/gateway/market_watch.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "kgw_process.hpp"

namespace kgw::gateway {
namespace {

using test::wait_until;

struct CountingSink final : StreamSink {
  void wake() noexcept override { wakes.fetch_add(1); }
  void close() noexcept override { closes.fetch_add(1); }
  std::atomic<int> wakes{0}, closes{0};
};

class MarketWatchTest : public ::testing::Test {
 protected:
  MarketWatchTest() : btc_(*cache_.get_or_add("BTC/USD")), eth_(*cache_.get_or_add("ETH/USD")) {}

  void publish_ticker(feed::SymbolCache& s) {
    feed::TickerValue t;
    t.stamp.receive_ns = clock_.wall_now().time_since_epoch().count();
    s.publish_ticker(t);
  }

  ManualClock clock_;
  feed::MarketCache cache_;
  feed::SymbolCache& btc_;
  feed::SymbolCache& eth_;
  std::atomic<bool> upstream_changed_{false};
  MarketWatch watch_{cache_, clock_, std::chrono::microseconds(200), [this] { return upstream_changed_.exchange(false); }};
};

TEST_F(MarketWatchTest, WakesOnlyTheSinksFollowingWhatChanged) {
  auto on_btc = std::make_shared<CountingSink>(), on_eth = std::make_shared<CountingSink>();
  auto on_status = std::make_shared<CountingSink>(), on_upstream = std::make_shared<CountingSink>();
  watch_.add(on_btc, Interest{{&btc_}, false, false});
  watch_.add(on_eth, Interest{{&eth_}, false, false});
  watch_.add(on_status, Interest{{}, true, false});
  watch_.add(on_upstream, Interest{{}, false, true});
  watch_.start();
  // Each is woken once on joining.
  for (auto* s : {on_btc.get(), on_eth.get(), on_status.get(), on_upstream.get()})
    ASSERT_TRUE(wait_until([&] { return s->wakes.load() == 1; }));
  publish_ticker(btc_);
  ASSERT_TRUE(wait_until([&] { return on_btc->wakes.load() == 2; }));
  // Changes are handled in order: once ETH's sink has woken, BTC's change is long done.
  publish_ticker(eth_);
  ASSERT_TRUE(wait_until([&] { return on_eth->wakes.load() == 2; }));
  EXPECT_EQ(on_btc->wakes.load(), 2);
  feed::StatusValue st;
  st.system = kraken::SystemStatus::online;
  cache_.publish_status(st);
  ASSERT_TRUE(wait_until([&] { return on_status->wakes.load() == 2; }));
  upstream_changed_ = true;
  ASSERT_TRUE(wait_until([&] { return on_upstream->wakes.load() == 2; }));
  EXPECT_EQ(on_btc->wakes.load(), 2);
  EXPECT_EQ(on_eth->wakes.load(), 2);
  EXPECT_EQ(on_status->wakes.load(), 2);
}

TEST_F(MarketWatchTest, ASymbolGoingStaleWakesItsSinksWithoutNewData) {
  btc_.set_stale_after(std::chrono::seconds(3));
  btc_.mark_live(clock_.wall_now().time_since_epoch().count());
  auto sink = std::make_shared<CountingSink>();
  watch_.add(sink, Interest{{&btc_}, false, false});
  watch_.start();
  ASSERT_TRUE(wait_until([&] { return sink->wakes.load() == 1; }));  // on joining
  clock_.advance(std::chrono::seconds(4));
  ASSERT_TRUE(wait_until([&] { return sink->wakes.load() == 2; }));
  // Live again: one more.
  btc_.mark_live(clock_.wall_now().time_since_epoch().count());
  ASSERT_TRUE(wait_until([&] { return sink->wakes.load() == 3; }));
}

TEST_F(MarketWatchTest, StoppingClosesEverySinkAndOnesAddedLaterAtOnce) {
  auto a = std::make_shared<CountingSink>(), b = std::make_shared<CountingSink>();
  watch_.add(a, Interest{{&btc_}, false, false});
  watch_.start();
  watch_.stop();
  EXPECT_EQ(a->closes.load(), 1);
  watch_.add(b, Interest{{&btc_}, false, false});
  EXPECT_EQ(b->closes.load(), 1);
  EXPECT_EQ(watch_.sinks(), 1u);  // only `a`, which was never removed
}

TEST_F(MarketWatchTest, ARemovedOrDestroyedSinkIsNotCalled) {
  auto kept = std::make_shared<CountingSink>(), removed = std::make_shared<CountingSink>();
  auto gone = std::make_shared<CountingSink>();
  watch_.add(kept, Interest{{&btc_}, false, false});
  watch_.add(removed, Interest{{&btc_}, false, false});
  watch_.add(gone, Interest{{&btc_}, false, false});
  watch_.remove(removed.get());
  gone.reset();
  EXPECT_EQ(watch_.sinks(), 2u);
  watch_.start();
  ASSERT_TRUE(wait_until([&] { return kept->wakes.load() == 1; }));
  publish_ticker(btc_);
  ASSERT_TRUE(wait_until([&] { return kept->wakes.load() == 2; }));
  EXPECT_EQ(removed->wakes.load(), 0);
}

// The feed signals what a stream follows: with a poll interval no test outlives, every wake
// below can only come from the publish (or the join, or the status) itself.
TEST(MarketWatch, APublishWakesTheSinksAtOnceWithoutWaitingForThePoll) {
  ManualClock clock;
  feed::MarketCache cache;
  feed::SymbolCache& btc = *cache.get_or_add("BTC/USD");
  MarketWatch watch(cache, clock, std::chrono::hours(1));
  auto on_btc = std::make_shared<CountingSink>(), on_status = std::make_shared<CountingSink>();
  watch.start();
  watch.add(on_btc, Interest{{&btc}, false, false});
  watch.add(on_status, Interest{{}, true, false});
  ASSERT_TRUE(wait_until([&] { return on_btc->wakes.load() == 1 && on_status->wakes.load() == 1; }));  // joining
  const std::uint32_t sleeps = cache.changes().epoch();
  for (int i = 2; i <= 50; ++i) {
    feed::TickerValue t;
    t.stamp.receive_ns = i;
    btc.publish_ticker(t);
    ASSERT_TRUE(wait_until([&] { return on_btc->wakes.load() == i; })) << "publish " << i;
  }
  feed::BookTopValue b;
  b.state = feed::BookState::synced;
  b.stamp.receive_ns = 51;
  btc.publish_book(b);
  ASSERT_TRUE(wait_until([&] { return on_btc->wakes.load() == 51; }));
  btc.set_book_state(feed::BookState::resyncing);  // a state change alone wakes too
  ASSERT_TRUE(wait_until([&] { return on_btc->wakes.load() == 52; }));
  EXPECT_GT(cache.changes().epoch(), sleeps);  // the watch slept between them and was woken
  feed::StatusValue st;
  st.system = kraken::SystemStatus::online;
  cache.publish_status(st);
  ASSERT_TRUE(wait_until([&] { return on_status->wakes.load() == 2; }));
  EXPECT_EQ(on_btc->wakes.load(), 52);
  watch.stop();
}

// A symbol nobody follows costs the feed no signal; following starts and stops with the sinks.
TEST(MarketWatch, OnlyFollowedSymbolsSignalTheWatch) {
  ManualClock clock;
  feed::MarketCache cache;
  feed::SymbolCache& btc = *cache.get_or_add("BTC/USD");
  feed::SymbolCache& eth = *cache.get_or_add("ETH/USD");
  MarketWatch watch(cache, clock, std::chrono::hours(1));
  auto on_btc = std::make_shared<CountingSink>();
  watch.add(on_btc, Interest{{&btc}, false, false});
  watch.start();
  ASSERT_TRUE(wait_until([&] { return on_btc->wakes.load() == 1; }));
  // The watch has looked once and sleeps armed (it armed before looking): ETH publishes are not
  // signalled, the first BTC one is.
  const std::uint32_t before = cache.changes().epoch();
  feed::TickerValue t;
  for (int i = 0; i < 100; ++i) eth.publish_ticker(t);
  EXPECT_EQ(cache.changes().epoch(), before);
  t.stamp.receive_ns = 1;
  btc.publish_ticker(t);
  EXPECT_EQ(cache.changes().epoch(), before + 1);
  ASSERT_TRUE(wait_until([&] { return on_btc->wakes.load() == 2; }));
  watch.remove(on_btc.get());
  on_btc.reset();
  watch.stop();
  // After stop nothing is followed: publishing never touches the signal.
  const std::uint32_t after = cache.changes().epoch();
  btc.publish_ticker(t);
  EXPECT_EQ(cache.changes().epoch(), after);
}

}  // namespace
}  // namespace kgw::gateway
