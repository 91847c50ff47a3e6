// MarketCache: single writer, lock-free readers (DESIGN.md §3). The stress test is the one the
// tsan preset runs for the feed's caches.

#include "kgw/feed/market_cache.hpp"
#include "kgw/feed/market_feed.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace kgw::feed {
namespace {

Decimal dec(std::int64_t m, int scale) { return Decimal::from_fixed(m, scale); }

TEST(MarketCache, FindsSymbolsByCanonicalNameAndCreatesThemOnce) {
  MarketCache cache(8);
  EXPECT_EQ(cache.find("BTC/USD"), nullptr);
  SymbolCache* btc = cache.get_or_add("BTC/USD");
  ASSERT_NE(btc, nullptr);
  EXPECT_EQ(cache.get_or_add("BTC/USD"), btc);
  EXPECT_EQ(cache.find("BTC/USD"), btc);
  EXPECT_EQ(cache.find("ETH/USD"), nullptr);
  for (int i = 0; i < 7; ++i) ASSERT_NE(cache.get_or_add("SYM" + std::to_string(i) + "/USD"), nullptr);
  EXPECT_EQ(cache.size(), 8u);
  EXPECT_EQ(cache.get_or_add("ONE/MORE"), nullptr);  // full
  EXPECT_EQ(cache.get_or_add(std::string(40, 'X')), nullptr);
  for (int i = 0; i < 7; ++i) EXPECT_NE(cache.find("SYM" + std::to_string(i) + "/USD"), nullptr);
}

TEST(MarketCache, ASymbolKeepsTheHistoryItsShapeAsksForAndNoMore) {
  MarketCache cache(8);
  const SymbolCache* full = cache.get_or_add("BTC/USD");
  EXPECT_EQ(full->shape().trades, SymbolCache::kTrades);
  EXPECT_EQ(full->shape().spreads, SymbolCache::kSpreads);
  EXPECT_EQ(full->shape().candle_updates, SymbolCache::kCandleUpdates);
  SymbolCache* lean = cache.get_or_add("ETH/USD", SymbolCacheShape{100, 0, 0});
  EXPECT_EQ(lean->shape().trades, 128u);  // rounded up to a power of two
  EXPECT_EQ(lean->shape().spreads, 0u);
  EXPECT_EQ(lean->shape().candle_updates, 0u);
  EXPECT_LT(lean->ring_bytes() * 20, full->ring_bytes());
  // Added once: a later call does not reshape it.
  EXPECT_EQ(cache.get_or_add("ETH/USD"), lean);
  EXPECT_EQ(lean->shape().trades, 128u);
  for (std::int64_t id = 1; id <= 200; ++id) {
    TradeValue t;
    t.trade_id = id;
    lean->publish_trade(t);
  }
  TradeValue out[SymbolCache::kTrades];
  ASSERT_EQ(lean->trades(out), 128u);
  EXPECT_EQ(out[0].trade_id, 73);
  EXPECT_EQ(out[127].trade_id, 200);
  TickerValue tv;
  tv.bid = dec(1, 0);
  lean->publish_ticker(tv);  // no spread ring: the ticker is kept, no history
  EXPECT_TRUE(lean->ticker().has_value());
  SpreadValue sp[4];
  EXPECT_EQ(lean->spreads(sp), 0u);
  // Capped at the most a reader may ask for.
  EXPECT_EQ(cache.get_or_add("SOL/USD", SymbolCacheShape{1 << 20, 1 << 20, 1 << 20})->shape().trades, SymbolCache::kTrades);
}

// A depth-10 subscription whose bid side has 8 levels: Kraken keeps a subscribed side filled to
// its depth, so those 8 are every bid there is and a read of 10 may be answered with them. A
// side cut by what the feed publishes (book_top_levels) is not the whole side.
TEST(MarketCache, ASideThinnerThanItsSubscriptionIsTheWholeSideButACutOneIsNot) {
  Book book(10);
  std::vector<BookLevel> bids, asks;
  for (int i = 0; i < 8; ++i) bids.push_back({294300 - i, 100000000});
  for (int i = 0; i < 10; ++i) asks.push_back({294301 + i, 100000000});
  kraken::BookMessage m;
  m.symbol = "BTC/USD";
  m.snapshot = true;
  m.bids = bids;
  m.asks = asks;
  ASSERT_TRUE(book.apply(m).applied);
  const BookTopValue all = book_top(book, {1, 8}, 25, 0);
  EXPECT_EQ(all.window, 10);
  EXPECT_EQ(all.n_bids, 8);
  EXPECT_TRUE(all.holds(10));  // 8 bids: the whole side; 10 asks
  EXPECT_TRUE(all.holds(5));
  EXPECT_FALSE(all.holds(11));  // more than a depth-10 subscription can know of the asks
  const BookTopValue cut = book_top(book, {1, 8}, 5, 0);  // the feed publishes 5 levels
  EXPECT_EQ(cut.window, 5);
  EXPECT_TRUE(cut.holds(5));
  EXPECT_FALSE(cut.holds(8));  // 5 of 8 bids: cut, not whole
  BookTopValue rest;  // from REST: no window, only what it holds
  rest.n_bids = rest.n_asks = 3;
  EXPECT_TRUE(rest.holds(3));
  EXPECT_FALSE(rest.holds(4));
}

TEST(MarketCache, ValuesAreAbsentUntilPublishedAndCarryTheirStamps) {
  MarketCache cache;
  SymbolCache& s = *cache.get_or_add("BTC/USD");
  EXPECT_FALSE(s.ticker());
  EXPECT_FALSE(s.book());
  EXPECT_FALSE(s.candle(5));
  EXPECT_EQ(s.last_receive_ns(), 0);
  TickerValue t;
  t.bid = dec(300001, 1);
  t.ask = dec(300002, 1);
  t.stamp = {.exchange_ns = 10, .receive_ns = 20, .seq = 0};
  s.publish_ticker(t);
  ASSERT_TRUE(s.ticker());
  EXPECT_EQ(s.ticker()->stamp.seq, 1u);
  EXPECT_EQ(s.ticker()->stamp.exchange_ns, 10);
  EXPECT_EQ(s.last_receive_ns(), 20);
  CandleValue c;
  c.interval = 5;
  c.close = dec(7, 0);
  s.publish_candle(c);
  EXPECT_EQ(s.candle(5)->close.to_string(), "7");
  EXPECT_FALSE(s.candle(1));
  EXPECT_FALSE(s.candle(7));  // not a Kraken interval
}

TEST(MarketCache, TradesAreReadableBySequenceUntilTheRingLapsThem) {
  MarketCache cache;
  SymbolCache& s = *cache.get_or_add("BTC/USD");
  TradeValue out;
  EXPECT_EQ(s.trades_published(), 0u);
  EXPECT_FALSE(s.trade(1, out));
  for (std::int64_t id = 1; id <= static_cast<std::int64_t>(SymbolCache::kTrades) + 3; ++id) {
    TradeValue t;
    t.trade_id = id;
    s.publish_trade(t);
  }
  EXPECT_EQ(s.trades_published(), SymbolCache::kTrades + 3);
  EXPECT_FALSE(s.trade(3, out));  // lapped
  ASSERT_TRUE(s.trade(4, out));
  EXPECT_EQ(out.trade_id, 4);
  EXPECT_EQ(out.stamp.seq, 4u);
  ASSERT_TRUE(s.trade(SymbolCache::kTrades + 3, out));
  EXPECT_EQ(out.trade_id, static_cast<std::int64_t>(SymbolCache::kTrades) + 3);
  EXPECT_FALSE(s.trade(SymbolCache::kTrades + 4, out));  // not published yet
  EXPECT_FALSE(s.trade(0, out));
}

TEST(MarketCache, EveryCandleUpdateIsKeptInPublicationOrderAcrossIntervals) {
  MarketCache cache;
  SymbolCache& s = *cache.get_or_add("BTC/USD");
  const int intervals[] = {1, 5, 1, 7, 1};  // 7 is not a Kraken interval: not published at all
  for (int i = 0; i < 5; ++i) {
    CandleValue c;
    c.interval = intervals[i];
    c.interval_begin_ns = i;
    s.publish_candle(c);
  }
  ASSERT_EQ(s.candle_updates(), 4u);
  CandleValue out;
  const std::int64_t begins[] = {0, 1, 2, 4};
  for (std::uint64_t seq = 1; seq <= 4; ++seq) {
    ASSERT_TRUE(s.candle_update(seq, out)) << seq;
    EXPECT_EQ(out.interval_begin_ns, begins[seq - 1]) << seq;
    EXPECT_EQ(out.stamp.seq, seq);
  }
  EXPECT_EQ(s.candle(1)->interval_begin_ns, 4);  // the latest per interval is unchanged
  EXPECT_EQ(s.candle(5)->interval_begin_ns, 1);
}

TEST(MarketCache, RecentCandlesAreTheLatestVersionOfEachCandleOldestFirst) {
  MarketCache cache;
  SymbolCache& s = *cache.get_or_add("BTC/USD");
  // Three 1-minute candles updated in place, a 5-minute one in between.
  const std::pair<int, std::int64_t> updates[] = {{1, 60}, {1, 60}, {5, 0}, {1, 120}, {1, 120}, {1, 180}};
  std::int64_t close = 0;
  for (const auto& [interval, begin] : updates) {
    CandleValue c;
    c.interval = interval;
    c.interval_begin_ns = begin;
    c.close = dec(++close, 0);
    s.publish_candle(c);
  }
  CandleValue out[8];
  ASSERT_EQ(s.recent_candles(1, out), 3u);
  EXPECT_EQ(out[0].interval_begin_ns, 60);
  EXPECT_EQ(out[0].close.to_string(), "2");  // its last version
  EXPECT_EQ(out[1].close.to_string(), "5");
  EXPECT_EQ(out[2].close.to_string(), "6");
  CandleValue two[2];
  ASSERT_EQ(s.recent_candles(1, two), 2u);  // the newest ones when out is short
  EXPECT_EQ(two[0].interval_begin_ns, 120);
  ASSERT_EQ(s.recent_candles(5, out), 1u);
  EXPECT_EQ(s.recent_candles(15, out), 0u);
}

TEST(MarketCache, SpreadHistoryGrowsOnlyWhenTheBestBidOrAskChanges) {
  MarketCache cache;
  SymbolCache& s = *cache.get_or_add("BTC/USD");
  TickerValue t;
  t.bid = dec(300001, 1);
  t.ask = dec(300002, 1);
  s.publish_ticker(t);
  t.last = dec(300001, 1);  // a trade, same book top
  s.publish_ticker(t);
  t.ask = dec(300003, 1);
  s.publish_ticker(t);
  SpreadValue out[8];
  ASSERT_EQ(s.spreads(out), 2u);
  EXPECT_EQ(out[0].ask.to_string(), "30000.2");
  EXPECT_EQ(out[1].ask.to_string(), "30000.3");
}

TEST(MarketCache, BookStateChangesAreVisibleWithTheLastBook) {
  MarketCache cache;
  SymbolCache& s = *cache.get_or_add("BTC/USD");
  BookTopValue b;
  b.state = BookState::synced;
  b.n_bids = 1;
  b.bids[0] = {300001, 100000000};
  s.publish_book(b);
  EXPECT_EQ(s.book_state(), BookState::synced);
  s.set_book_state(BookState::resyncing);
  ASSERT_TRUE(s.book());
  EXPECT_EQ(s.book()->state, BookState::resyncing);
  EXPECT_EQ(s.book()->bids[0].price, 300001);
  EXPECT_EQ(s.book()->stamp.seq, 2u);
}

TEST(MarketCache, ASymbolIsStaleOnceItsConnectionIsSilentLongerThanTheBound) {
  MarketCache cache;
  SymbolCache& s = *cache.get_or_add("BTC/USD");
  BookTopValue b;
  b.state = BookState::synced;
  s.publish_book(b);
  constexpr std::int64_t t0 = 1'700'000'000'000'000'000;
  s.mark_live(t0);
  EXPECT_FALSE(s.stale(t0 + 60'000'000'000));  // no bound set: only readers' own max_age applies
  s.set_stale_after(std::chrono::seconds(3));
  EXPECT_FALSE(s.stale(t0 + 3'000'000'000));
  EXPECT_EQ(s.book_state(t0 + 3'000'000'000), BookState::synced);
  EXPECT_TRUE(s.stale(t0 + 3'000'000'001));
  EXPECT_EQ(s.book_state(t0 + 3'000'000'001), BookState::stale);
  EXPECT_EQ(s.book_state(), BookState::synced);  // derived when read, never stored
  s.mark_live(t0 + 3'000'000'001);  // a heartbeat arrived
  EXPECT_FALSE(s.stale(t0 + 3'000'000'001));
  s.set_book_state(BookState::resyncing);
  EXPECT_EQ(s.book_state(t0 + 9'000'000'000), BookState::resyncing);  // stale only ever replaces synced
  EXPECT_FALSE(cache.get_or_add("ETH/USD")->stale(t0));  // a new symbol: no bound yet
}

TEST(MarketCache, ReadersOnOtherThreadsNeverSeeATornBookOrTickerWhileTheWriterRuns) {
  MarketCache cache;
  SymbolCache& s = *cache.get_or_add("BTC/USD");
  std::atomic<bool> go{false}, done{false};
  constexpr std::int64_t kWrites = 100000;
  std::thread writer([&] {
    while (!go.load(std::memory_order_acquire)) cpu_relax();
    for (std::int64_t i = 1; i <= kWrites; ++i) {
      BookTopValue b;
      b.state = BookState::synced;
      b.n_bids = b.n_asks = BookTopValue::kMaxLevels;
      for (std::size_t l = 0; l < BookTopValue::kMaxLevels; ++l) {
        b.bids[l] = {i, i};
        b.asks[l] = {i, i};
      }
      s.publish_book(b);
      TickerValue t;
      t.bid = t.ask = t.last = dec(i, 1);
      s.publish_ticker(t);
      TradeValue tr;
      tr.trade_id = i;
      tr.price = tr.qty = dec(i, 2);
      s.publish_trade(tr);
    }
    done.store(true, std::memory_order_release);
  });
  std::atomic<std::uint64_t> torn{0}, reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r)
    readers.emplace_back([&] {
      std::uint64_t n = 0, bad = 0;
      TradeValue trades[64];
      do {
        if (auto b = s.book()) {
          for (std::size_t l = 0; l < BookTopValue::kMaxLevels; ++l)
            if (b->bids[l].price != b->bids[0].price || b->asks[l].qty != b->bids[0].price) ++bad;
        }
        if (auto t = s.ticker(); t && !(t->bid == t->ask && t->ask == t->last)) ++bad;
        const std::size_t k = s.trades(trades);
        for (std::size_t i = 0; i < k; ++i)
          if (trades[i].price.mantissa != trades[i].trade_id || (i > 0 && trades[i].trade_id != trades[i - 1].trade_id + 1)) ++bad;
        ++n;
      } while (!done.load(std::memory_order_acquire) && n < 5'000'000);
      torn += bad;
      reads += n;
    });
  go.store(true, std::memory_order_release);
  writer.join();
  for (auto& r : readers) r.join();
  EXPECT_EQ(torn.load(), 0u);
  EXPECT_GT(reads.load(), 0u);
  EXPECT_EQ(s.book()->stamp.seq, static_cast<std::uint64_t>(kWrites));
}

}  // namespace
}  // namespace kgw::feed
