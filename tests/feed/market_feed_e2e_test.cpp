// MarketFeed against kraken-sim on loopback: 20 pairs over sharded connections, dropped and
// stalled connections (the watchdog, and readers seeing a silent symbol stale at once), one
// corrupted checksum, an instrument status change, the journal, and the start-up reference data
// retried through REST outages.

#include "kgw/feed/market_feed.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "kgw/feed/kraken_book_replay.hpp"
#include "kgw/feed/market_reader.hpp"
#include "kgw/feed/reference_data_loader.hpp"
#include "kgw/sim/default_market.hpp"
#include "kgw/sim/simulator.hpp"
#include "kgw_process.hpp"
#include "kgw_sim_admin.hpp"

namespace kgw::feed {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> kPairs = {"BTC/USD", "ETH/USD", "SOL/USD", "BTC/EUR", "ETH/BTC", "ADA/USD", "DOT/USD",
                                         "XRP/USD", "LTC/USD", "DOGE/USD", "LINK/USD", "MATIC/USD", "ALGO/USD", "ATOM/USD",
                                         "AVAX/USD", "UNI/USD", "XLM/USD", "BCH/USD", "SOL/EUR", "ETH/EUR"};

using test::wait_until;

class MarketFeedE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::SimulatorOptions o;
    o.pairs = kPairs;
    o.seed = 5;
    sim_ = std::make_unique<sim::Simulator>(o);
    auto ep = sim_->start();
    ASSERT_TRUE(ep) << ep.error().message();
    ep_ = *ep;
    // What the daemon fetches from REST Assets + AssetPairs at start-up.
    auto instruments = sim_->call([](sim::Exchange& ex) {
      std::vector<Instrument> out;
      for (const auto& in : ex.instruments()) out.push_back(*in);
      return out;
    });
    ASSERT_TRUE(registry_.load(sim::catalogue_assets(), instruments));
  }
  void TearDown() override {
    if (feed_) feed_->stop();
    sim_->stop();
  }

  FeedOptions options() const {
    FeedOptions f;
    f.url = ep_.ws_public;
    for (const auto& p : kPairs) f.symbols.push_back({p, 10});
    f.ohlc_intervals = {1};
    f.symbols_per_connection = 8;  // 20 symbols: three connections
    f.subscribe_interval = std::chrono::milliseconds(5);
    f.reconnect_min = std::chrono::milliseconds(20);
    f.reconnect_max = std::chrono::milliseconds(200);
    f.stale_after = std::chrono::seconds(5);  // a loaded CI machine must not trip the watchdog; the stale test sets its own
    f.ws.close_timeout = std::chrono::milliseconds(200);
    return f;
  }

  void start(FeedOptions f, const Clock& clock = SystemClock::instance()) {
    feed_ = std::make_unique<MarketFeed>(std::move(f), cache_, registry_, clock);
    auto r = feed_->start();
    ASSERT_TRUE(r) << r.error().message();
  }

  bool all_synced() const {
    for (const auto& p : kPairs) {
      const SymbolCache* c = cache_.find(p);
      if (!c || c->book_state() != BookState::synced) return false;
    }
    return true;
  }

  void admin(const std::string& target) { ASSERT_EQ(test::sim_admin_post(ep_.admin, target), 200u) << target; }

  std::uint64_t fired(const std::string& fault) {
    sim::Simulator& sim = *sim_;
    return sim.call([&sim, &fault](sim::Exchange&) { return sim.faults_unsafe().fired[fault]; });
  }

  // After a stall: no frame has arrived for 300 ms (those the simulator wrote before the stall
  // took effect are in), so nothing received later can move a receive time.
  bool feed_went_quiet() const {
    std::uint64_t seen = feed_->stats().frames.load();
    auto since = std::chrono::steady_clock::now();
    return wait_until([&] {
      if (const auto n = feed_->stats().frames.load(); n != seen) {
        seen = n;
        since = std::chrono::steady_clock::now();
      }
      return std::chrono::steady_clock::now() - since >= 300ms;
    });
  }

  std::unique_ptr<kraken::KrakenRestService> rest_service() const {
    kraken::RestTransportOptions to;
    to.http.base_url = ep_.rest;
    return kraken::KrakenRestService::start(std::move(to), SystemClock::instance()).value();
  }

  std::unique_ptr<sim::Simulator> sim_;
  sim::SimulatorEndpoints ep_;
  // Before feed_: a feed started on it reads it until TearDown stops the feed.
  ManualClock manual_clock_;
  InstrumentRegistry registry_;
  MarketCache cache_;
  std::unique_ptr<MarketFeed> feed_;
};

TEST_F(MarketFeedE2E, TwentyPairsOnThreeConnectionsAllSyncAndPublishEveryKind) {
  start(options());
  ASSERT_TRUE(wait_until([&] { return all_synced(); })) << "books synced: not all";
  EXPECT_EQ(feed_->stats().connections_up.load(), 3u);
  ASSERT_TRUE(wait_until([&] {
    for (const auto& p : kPairs)
      if (!cache_.find(p)->ticker() || !cache_.find(p)->candle(1)) return false;
    return cache_.status().has_value();
  }));
  EXPECT_EQ(cache_.status()->system, SystemStatus::online);
  ASSERT_TRUE(wait_until([&] {
    TradeValue t[4];
    return cache_.find("BTC/USD")->trades(t) > 0;
  }));
  const auto book = cache_.find("BTC/USD")->book().value();
  EXPECT_EQ(book.price_precision, 1);
  EXPECT_GT(book.n_bids, 0);
  EXPECT_GT(book.n_asks, 0);
  EXPECT_LT(book.bids[0].price, book.asks[0].price);
  EXPECT_GT(book.stamp.receive_ns, 0);
  EXPECT_GT(book.stamp.exchange_ns, 0);
  const auto& st = feed_->stats();
  EXPECT_GT(st.book_messages.load(), 20u);
  EXPECT_EQ(st.checksum_mismatches.load(), 0u);
  EXPECT_EQ(st.parse_errors.load(), 0u);
  EXPECT_EQ(st.subscribe_failures.load(), 0u);
  EXPECT_EQ(st.resyncs.load(), 0u);
}

TEST_F(MarketFeedE2E, ADroppedConnectionIsVisibleAndEverythingIsResubscribedAndRevalidated) {
  start(options());
  ASSERT_TRUE(wait_until([&] { return all_synced(); }));
  const auto book_seq = cache_.find("ETH/EUR")->book()->stamp.seq;
  admin("/ws/drop");
  ASSERT_TRUE(wait_until([&] { return feed_->stats().disconnects.load() >= 3; }));
  ASSERT_TRUE(wait_until([&] { return feed_->stats().connects.load() >= 6 && all_synced(); }));
  EXPECT_GT(cache_.find("ETH/EUR")->book()->stamp.seq, book_seq + 1);  // resyncing, then a fresh snapshot
  EXPECT_EQ(feed_->stats().checksum_mismatches.load(), 0u);
  // The resubscribe's trade snapshot repeats trades already held: none is stored twice.
  for (const auto& p : kPairs) {
    TradeValue t[SymbolCache::kTrades];
    const std::size_t n = cache_.find(p)->trades(t);
    for (std::size_t i = 1; i < n; ++i) ASSERT_LT(t[i - 1].trade_id, t[i].trade_id) << p;
  }
}

TEST_F(MarketFeedE2E, RepeatedMismatchesBackOffAndTheSymbolStillRecovers) {
  start(options());
  ASSERT_TRUE(wait_until([&] { return all_synced(); }));
  // The next three BTC/USD book updates carry a wrong checksum. Those arriving before the
  // resubscription's snapshot land on a cleared book and are ignored; the others fail a fresh
  // book again, within the resync backoff.
  admin("/book/corrupt_checksum?symbol=BTC/USD&count=3");
  ASSERT_TRUE(wait_until([&] {
    sim::Simulator& sim = *sim_;
    return sim.call([&sim](sim::Exchange&) { return sim.faults_unsafe().fired["corrupt_checksum"]; }) == 3;
  }));
  ASSERT_TRUE(wait_until([&] { return all_synced() && feed_->stats().resynced.load() == feed_->stats().checksum_mismatches.load(); }));
  const SymbolCache& btc = *cache_.find("BTC/USD");
  EXPECT_GE(btc.checksum_mismatches(), 1u);
  EXPECT_LE(btc.checksum_mismatches(), 3u);
  EXPECT_EQ(btc.resyncs(), btc.checksum_mismatches());  // no timed-out retries against a healthy exchange
  for (const auto& p : kPairs) {
    if (p == "BTC/USD") continue;
    EXPECT_EQ(cache_.find(p)->resyncs(), 0u) << p;
  }
}

TEST_F(MarketFeedE2E, ACorruptedChecksumResyncsThatSymbolAloneOnTheSameConnection) {
  start(options());
  ASSERT_TRUE(wait_until([&] { return all_synced(); }));
  const auto connects = feed_->stats().connects.load();
  admin("/book/corrupt_checksum?symbol=BTC/USD&count=1");
  ASSERT_TRUE(wait_until([&] { return feed_->stats().checksum_mismatches.load() == 1; }));
  // Issue #5: the symbol is back (fresh snapshot, verified) within a second.
  const auto seen = std::chrono::steady_clock::now();
  ASSERT_TRUE(wait_until([&] { return feed_->stats().resynced.load() == 1 && all_synced(); }, std::chrono::seconds(1)));
  std::printf("resynced %lld ms after the mismatch was seen\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - seen).count()));
  const SymbolCache& btc = *cache_.find("BTC/USD");
  EXPECT_EQ(btc.checksum_mismatches(), 1u);
  EXPECT_EQ(btc.resyncs(), 1u);
  for (const auto& p : kPairs) {
    if (p == "BTC/USD") continue;
    EXPECT_EQ(cache_.find(p)->resyncs(), 0u) << p;
  }
  EXPECT_EQ(feed_->stats().connects.load(), connects);  // no reconnect
  auto report = feed_->last_mismatch();
  ASSERT_TRUE(report);
  EXPECT_EQ(report->symbol, "BTC/USD");
  EXPECT_NE(report->expected, report->computed);
  ASSERT_FALSE(report->recent_frames.empty());
  EXPECT_NE(report->recent_frames.back().find("BTC/USD"), std::string::npos);
}

TEST_F(MarketFeedE2E, AStalledFeedIsReplacedByTheWatchdog) {
  auto o = options();
  o.symbols.resize(3);
  o.symbols_per_connection = 50;
  o.stale_after = std::chrono::milliseconds(400);
  start(o);
  ASSERT_TRUE(wait_until([&] { return cache_.find("BTC/USD") && cache_.find("BTC/USD")->book_state() == BookState::synced; }));
  admin("/ws/stall?on=true");
  ASSERT_TRUE(wait_until([&] { return feed_->stats().stale_reconnects.load() >= 1; }));
  ASSERT_TRUE(wait_until([&] {
    return feed_->stats().connects.load() >= 2 && cache_.find("BTC/USD")->book_state() == BookState::synced;
  }));
}

std::int64_t wall_ns(const Clock& clock) { return clock.wall_now().time_since_epoch().count(); }

// A connection that goes silent (kraken-sim stops writing to it, heartbeats included): readers
// must not take its books for current until the watchdog (stale_after) replaces it.
TEST_F(MarketFeedE2E, MarksASilentSymbolStaleWithinTheBound) {
  ManualClock& clock = manual_clock_;  // every frame is stamped with the test's time: ages move only when it says
  auto o = options();
  o.symbols.resize(2);
  o.symbols_per_connection = 50;
  o.symbol_stale_after = 3s;
  o.stale_after = 10s;
  start(o, clock);
  const SymbolCache* btc = nullptr;
  ASSERT_TRUE(wait_until([&] {
    btc = cache_.find("BTC/USD");
    return btc && btc->book_state() == BookState::synced && btc->live_ns() == wall_ns(clock);
  }));
  admin("/ws/stall?on=true");
  ASSERT_TRUE(feed_went_quiet());
  clock.advance(3s);
  EXPECT_FALSE(btc->stale(wall_ns(clock)));
  EXPECT_EQ(btc->book_state(wall_ns(clock)), BookState::synced);
  clock.advance(1ms);
  // Seen by the reader itself, at once: the feed thread has had nothing to run for this.
  EXPECT_TRUE(btc->stale(wall_ns(clock)));
  EXPECT_EQ(btc->book_state(wall_ns(clock)), BookState::stale);
  EXPECT_TRUE(cache_.find("ETH/USD")->stale(wall_ns(clock)));
  EXPECT_EQ(btc->book_state(), BookState::synced);  // what the feed verified stands
  EXPECT_EQ(feed_->stats().stale_reconnects.load(), 0u);
}

TEST_F(MarketFeedE2E, ReadersGoToRestForASymbolTheFeedHoldsStale) {
  ManualClock& clock = manual_clock_;
  auto o = options();
  o.symbols.resize(1);
  o.symbol_stale_after = 3s;
  o.stale_after = 10s;
  start(o, clock);
  auto rest = rest_service();
  // max_age (5 s) is beyond the feed's bound: only the bound sends these reads to REST.
  const MarketReader reader(cache_, registry_, rest.get(), clock, ReaderOptions{5s});
  auto book = [&](ReadMode mode) {
    std::promise<result<Sourced<BookTopValue>>> p;
    reader.book("XBTUSD", 5, mode, [&p](result<Sourced<BookTopValue>> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  };
  ASSERT_TRUE(wait_until([&] {
    const SymbolCache* c = cache_.find("BTC/USD");
    return c && c->book_state() == BookState::synced && c->live_ns() == wall_ns(clock);
  }));
  admin("/ws/stall?on=true");
  ASSERT_TRUE(feed_went_quiet());
  clock.advance(3s);
  auto within = book(ReadMode::automatic);
  ASSERT_TRUE(within) << within.error().message();
  EXPECT_EQ(within->source, Source::ws_cache);
  EXPECT_EQ(within->value.state, BookState::synced);
  clock.advance(1ms);
  auto beyond = book(ReadMode::automatic);
  ASSERT_TRUE(beyond) << beyond.error().message();
  EXPECT_EQ(beyond->source, Source::rest);
  EXPECT_EQ(beyond->value.n_bids, 5);
  auto held = book(ReadMode::cache_only);
  ASSERT_TRUE(held) << held.error().message();
  EXPECT_EQ(held->source, Source::ws_cache);
  EXPECT_EQ(held->value.state, BookState::stale);
  EXPECT_EQ(held->age_ns, within->age_ns + 1'000'000);
}

// What kgw-feed (and the daemon) do before the feed starts: Assets + AssetPairs from REST.
TEST_F(MarketFeedE2E, ReferenceDataIsRetriedAfterA502AtStart) {
  admin("/rest/http_status?code=502&count=1");
  auto rest = rest_service();
  InstrumentRegistry registry;
  const auto give_up = std::chrono::steady_clock::now() + 10s;  // bounds the test if retries never end
  auto r = load_reference_data(*rest, registry, options(), [&] { return std::chrono::steady_clock::now() > give_up; },
                               SystemClock::instance());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(fired("http_status"), 1u);
  EXPECT_EQ(registry.size(), registry_.size());
  EXPECT_TRUE(registry.find("XBTUSD"));
}

TEST_F(MarketFeedE2E, ReferenceDataRetriesEndWhenTheCallerStops) {
  admin("/rest/http_status?code=502&count=1000");
  auto rest = rest_service();
  InstrumentRegistry registry;
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  auto r = load_reference_data(
      *rest, registry, options(), [&] { return fired("http_status") >= 3 || std::chrono::steady_clock::now() > give_up; },
      SystemClock::instance());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::cancelled)) << r.error().message();
  EXPECT_GE(fired("http_status"), 3u);
  EXPECT_EQ(registry.size(), 0u);
}

TEST_F(MarketFeedE2E, AKrakenRejectionOfTheReferenceDataIsNotRetried) {
  admin("/rest/error?error=EGeneral:Invalid%20arguments&count=2");
  auto rest = rest_service();
  InstrumentRegistry registry;
  auto r = load_reference_data(*rest, registry, options(), [] { return false; }, SystemClock::instance());
  ASSERT_FALSE(r);
  ASSERT_TRUE(r.error().kraken) << r.error().message();
  EXPECT_EQ(r.error().kraken->errors, std::vector<std::string>{"EGeneral:Invalid arguments"});
  EXPECT_EQ(fired("rest_error"), 1u);
}

TEST_F(MarketFeedE2E, AnInstrumentStatusChangeReachesTheRegistry) {
  auto o = options();
  o.symbols.resize(2);
  start(o);
  ASSERT_TRUE(wait_until([&] { return feed_->stats().frames.load() > 5; }));
  EXPECT_EQ(registry_.find("BTC/USD")->status, PairStatus::online);
  admin("/pair/status?pair=XBTUSD&value=cancel_only");
  EXPECT_TRUE(wait_until([&] { return registry_.find("XXBTZUSD")->status == PairStatus::cancel_only; }));
}

TEST_F(MarketFeedE2E, TheJournalReplaysThroughTheBookEngineWithEveryChecksumVerified) {
  const auto path = std::filesystem::temp_directory_path() / ("kgw_feed_journal_" + std::to_string(::getpid()) + ".ndjson");
  std::filesystem::remove(path);
  auto o = options();
  o.symbols.resize(4);
  o.journal_file = path.string();
  start(o);
  ASSERT_TRUE(wait_until([&] { return feed_->stats().book_messages.load() > 50; }));
  feed_->stop();
  const auto lines = feed_->stats().journal_lines.load();
  KrakenBookReplay replay({.symbol = "ETH/USD", .depth = 10, .precision = BookPrecision{2, 8}, .max_reported = 5}, nullptr);
  std::ifstream in(path);
  std::uint64_t n = 0;
  for (std::string line; std::getline(in, line);) replay.line(line, ++n);
  std::filesystem::remove(path);
  EXPECT_EQ(n, lines);
  EXPECT_TRUE(replay.report().ok()) << replay.report().checksum_line();
  EXPECT_GT(replay.report().verified, 0u);
}

TEST(MarketFeed, BadOptionsNameTheFieldAndStartNothing) {
  MarketCache cache;
  InstrumentRegistry reg;
  ASSERT_TRUE(reg.load(sim::catalogue_assets(), sim::catalogue_instruments()));
  auto start = [&](FeedOptions f) {
    MarketFeed feed(std::move(f), cache, reg, SystemClock::instance());
    auto r = feed.start();
    return r ? std::string() : r.error().detail;
  };
  FeedOptions f;
  f.url = "ws://127.0.0.1:1/v2";
  f.symbols = {{"BTC/USD", 10}, {"NOPE/USD", 10}};
  EXPECT_EQ(start(f), "symbols[1].symbol: unknown symbol 'NOPE/USD'");
  f.symbols = {{"XBTUSD", 15}};
  EXPECT_EQ(start(f), "symbols[0].book_depth: 15 is not 10, 25, 100, 500 or 1000");
  f.symbols = {{"XBTUSD", 10}, {"BTC/USD", 10}};
  EXPECT_EQ(start(f), "symbols[1].symbol: BTC/USD twice");
  f.symbols_per_connection = 1;  // the same pair on two connections is caught too
  EXPECT_EQ(start(f), "symbols[1].symbol: BTC/USD twice");
  f.symbols = {{"XBTUSD", 10}};
  f.ohlc_intervals = {2};
  EXPECT_EQ(start(f), "ohlc_intervals: 2 is not a Kraken interval");
  f.ohlc_intervals = {};
  f.recent_trades = 0;
  EXPECT_EQ(start(f), "recent_trades: 1 to 1024");
  f.recent_trades = 1025;
  EXPECT_EQ(start(f), "recent_trades: 1 to 1024");
  f.recent_trades = 10;
  f.recent_spreads = 257;
  EXPECT_EQ(start(f), "recent_spreads: 1 to 256");
}

// A whole-exchange daemon must not pay ~250 KB a pair for history it never receives.
TEST(MarketFeed, EachSymbolsCacheKeepsOnlyTheHistoryOfTheChannelsSubscribed) {
  InstrumentRegistry reg;
  ASSERT_TRUE(reg.load(sim::catalogue_assets(), sim::catalogue_instruments()));
  auto shape_of = [&](FeedOptions f) {
    MarketCache cache;
    f.url = "ws://127.0.0.1:1/v2";  // never reached: the caches are made when the feed starts
    f.symbols = {{"BTC/USD", 10}};
    MarketFeed feed(std::move(f), cache, reg, SystemClock::instance());
    EXPECT_TRUE(feed.start());
    const SymbolCacheShape s = cache.find("BTC/USD")->shape();
    feed.stop();
    return s;
  };
  FeedOptions f;
  f.ohlc_intervals = {1};
  auto s = shape_of(f);
  EXPECT_EQ(s.trades, SymbolCache::kTrades);
  EXPECT_EQ(s.spreads, SymbolCache::kSpreads);
  EXPECT_EQ(s.candle_updates, SymbolCache::kCandleUpdates);
  f.ohlc_intervals = {};
  f.trade = false;
  f.recent_spreads = 64;
  s = shape_of(f);
  EXPECT_EQ(s.trades, 0u);
  EXPECT_EQ(s.spreads, 64u);
  EXPECT_EQ(s.candle_updates, 0u);
  f.trade = true;
  f.ticker = false;
  f.recent_trades = 100;
  s = shape_of(f);
  EXPECT_EQ(s.trades, 128u);
  EXPECT_EQ(s.spreads, 0u);
}

// Issue #9: retried for good before, because every connect failed the same way.
TEST(MarketFeed, RefusesAUrlThatCannotWorkNamingTheOption) {
  MarketCache cache;
  InstrumentRegistry reg;
  ASSERT_TRUE(reg.load(sim::catalogue_assets(), sim::catalogue_instruments()));
  auto start = [&](std::string url) {
    FeedOptions f;
    f.url = std::move(url);
    f.symbols = {{"BTC/USD", 10}};
    MarketFeed feed(std::move(f), cache, reg, SystemClock::instance());
    auto r = feed.start();
    return r ? std::string() : r.error().detail;
  };
  EXPECT_EQ(start("ws://127.0.0.1:/v2"), "url: URL 'ws://127.0.0.1:/v2': empty port");
  EXPECT_EQ(start("https://127.0.0.1/v2"), "url: URL 'https://127.0.0.1/v2': expected ws:// or wss://");
  EXPECT_EQ(start("wss://ws..kraken.com/v2"),
            "url: URL 'wss://ws..kraken.com/v2': empty label in host name ('..' or a leading '.')");
  EXPECT_EQ(cache.find("BTC/USD"), nullptr);  // nothing started
}

}  // namespace
}  // namespace kgw::feed
