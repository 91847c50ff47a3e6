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

}  // namespace
}  // namespace kgw::gateway
