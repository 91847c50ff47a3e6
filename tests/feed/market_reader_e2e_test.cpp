// MarketReader: cached reads with no network hop, REST fallback when a symbol is not subscribed
// or its cache is stale, and every answer saying where it came from.

#include "kgw/feed/market_reader.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "kgw/feed/market_feed.hpp"
#include "kgw/sim/default_market.hpp"
#include "kgw/sim/simulator.hpp"
#include "kgw_process.hpp"

namespace kgw::feed {
namespace {

using test::wait_until;

// Runs one reader call and waits for its answer (REST answers arrive on the service thread).
template <class T, class Call>
result<Sourced<T>> get(Call call) {
  std::promise<result<Sourced<T>>> p;
  auto f = p.get_future();
  call([&p](result<Sourced<T>> r) { p.set_value(std::move(r)); });
  return f.get();
}

class MarketReaderE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::SimulatorOptions o;
    o.seed = 9;
    sim_ = std::make_unique<sim::Simulator>(o);
    auto ep = sim_->start();
    ASSERT_TRUE(ep) << ep.error().message();
    ASSERT_TRUE(registry_.load(sim::default_assets(), sim::default_instruments()));
    kraken::RestTransportOptions to;
    to.http.base_url = ep->rest;
    rest_ = kraken::KrakenRestService::start(std::move(to), SystemClock::instance()).value();
    FeedOptions f;
    f.url = ep->ws_public;
    f.symbols = {{"BTC/USD", 10}, {"ETH/USD", 10}};
    f.ohlc_intervals = {5};
    f.subscribe_interval = std::chrono::milliseconds(5);
    feed_ = std::make_unique<MarketFeed>(f, cache_, registry_, SystemClock::instance());
    ASSERT_TRUE(feed_->start());
    ASSERT_TRUE(wait_until([&] {
      const SymbolCache* c = cache_.find("BTC/USD");
      return c && c->book_state() == BookState::synced && c->ticker() && c->live_ns() > 0 && cache_.status();
    }));
  }
  void TearDown() override {
    feed_->stop();
    rest_.reset();
    sim_->stop();
  }

  MarketReader reader(std::chrono::milliseconds max_age = std::chrono::seconds(5)) {
    return MarketReader(cache_, registry_, rest_.get(), SystemClock::instance(), ReaderOptions{max_age});
  }

  std::unique_ptr<sim::Simulator> sim_;
  InstrumentRegistry registry_;
  MarketCache cache_;
  std::unique_ptr<kraken::KrakenRestService> rest_;
  std::unique_ptr<MarketFeed> feed_;
};

TEST_F(MarketReaderE2E, ASubscribedFreshSymbolIsServedFromTheCacheInAnySpelling) {
  auto r = reader();
  for (const char* name : {"BTC/USD", "XBTUSD", "XXBTZUSD", "XBT/USD"}) {
    auto t = get<TickerValue>([&](auto done) { r.ticker(name, ReadMode::automatic, done); });
    ASSERT_TRUE(t) << name << ": " << t.error().message();
    EXPECT_EQ(t->source, Source::ws_cache) << name;
    EXPECT_GE(t->age_ns, 0);
    EXPECT_TRUE(t->fresh);
  }
  auto b = get<BookTopValue>([&](auto done) { r.book("BTC/USD", 10, ReadMode::automatic, done); });
  ASSERT_TRUE(b);
  EXPECT_EQ(b->source, Source::ws_cache);
  EXPECT_EQ(b->value.state, BookState::synced);
  EXPECT_LT(b->value.bids[0].price, b->value.asks[0].price);
  // Candles exist once the synthetic flow has traded.
  ASSERT_TRUE(wait_until([&] { return cache_.find("BTC/USD")->candle(5).has_value(); }));
  auto c = get<std::vector<CandleValue>>([&](auto done) { r.candles("BTC/USD", 5, ReadMode::automatic, done); });
  ASSERT_TRUE(c);
  EXPECT_EQ(c->source, Source::ws_cache);
  auto s = get<StatusValue>([&](auto done) { r.system_status(ReadMode::automatic, done); });
  ASSERT_TRUE(s);
  EXPECT_EQ(s->source, Source::ws_cache);
  EXPECT_EQ(s->value.system, SystemStatus::online);
}

TEST_F(MarketReaderE2E, AnUnsubscribedSymbolFallsBackToRestAndSaysSo) {
  auto r = reader();
  auto t = get<TickerValue>([&](auto done) { r.ticker("SOLUSD", ReadMode::automatic, done); });
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->source, Source::rest);
  EXPECT_GT(t->value.ask.mantissa, 0);
  auto b = get<BookTopValue>([&](auto done) { r.book("SOL/USD", 5, ReadMode::automatic, done); });
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ(b->source, Source::rest);
  EXPECT_EQ(b->value.price_precision, 2);
  EXPECT_LE(b->value.n_bids, 5);
  auto tr = get<std::vector<TradeValue>>([&](auto done) { r.trades("SOL/USD", 10, ReadMode::automatic, done); });
  ASSERT_TRUE(tr) << tr.error().message();
  EXPECT_EQ(tr->source, Source::rest);
  auto sp = get<std::vector<SpreadValue>>([&](auto done) { r.spread("SOL/USD", ReadMode::automatic, done); });
  ASSERT_TRUE(sp) << sp.error().message();
  EXPECT_EQ(sp->source, Source::rest);
  auto c = get<std::vector<CandleValue>>([&](auto done) { r.candles("SOL/USD", 60, ReadMode::automatic, done); });
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->source, Source::rest);  // empty until the simulated market has traded
  // cache_only never goes to the network.
  auto none = get<TickerValue>([&](auto done) { r.ticker("SOL/USD", ReadMode::cache_only, done); });
  ASSERT_FALSE(none);
  EXPECT_TRUE(none.error().is(errc::not_found));
  EXPECT_EQ(none.error().detail, "symbol: nothing cached for SOL/USD (not subscribed, or no data yet)");
}

TEST_F(MarketReaderE2E, RestOnlyAndDeeperBooksThanCachedGoToRest) {
  auto r = reader();
  auto t = get<TickerValue>([&](auto done) { r.ticker("BTC/USD", ReadMode::rest_only, done); });
  ASSERT_TRUE(t);
  EXPECT_EQ(t->source, Source::rest);
  auto deep = get<BookTopValue>([&](auto done) { r.book("BTC/USD", 25, ReadMode::automatic, done); });
  ASSERT_TRUE(deep) << deep.error().message();
  EXPECT_EQ(deep->source, Source::rest);  // the subscription holds 10 levels
}

TEST_F(MarketReaderE2E, AStaleCacheGoesToRestWhileCacheOnlyStillAnswersWithItsAge) {
  feed_->stop();
  EXPECT_EQ(cache_.find("BTC/USD")->book_state(), BookState::resyncing);  // a stopped feed vouches for nothing
  auto r = reader(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  auto t = get<TickerValue>([&](auto done) { r.ticker("BTC/USD", ReadMode::automatic, done); });
  ASSERT_TRUE(t);
  EXPECT_EQ(t->source, Source::rest);
  auto old = get<TickerValue>([&](auto done) { r.ticker("BTC/USD", ReadMode::cache_only, done); });
  ASSERT_TRUE(old);
  EXPECT_EQ(old->source, Source::ws_cache);
  EXPECT_GE(old->age_ns, 50'000'000);
  EXPECT_FALSE(old->fresh);
  auto book = get<BookTopValue>([&](auto done) { r.book("BTC/USD", 5, ReadMode::cache_only, done); });
  ASSERT_TRUE(book);
  EXPECT_FALSE(book->fresh);
}

TEST_F(MarketReaderE2E, AssetPairsComeFromTheRegistryOrFromRest) {
  auto r = reader();
  std::vector<std::string> which{"XBTUSD", "SOL/USD"};
  auto cached = get<std::vector<Instrument>>([&](auto done) { r.asset_pairs(which, ReadMode::automatic, done); });
  ASSERT_TRUE(cached) << cached.error().message();
  EXPECT_EQ(cached->source, Source::ws_cache);
  ASSERT_EQ(cached->value.size(), 2u);
  EXPECT_EQ(cached->value[0].symbol, "BTC/USD");
  auto fetched = get<std::vector<Instrument>>([&](auto done) { r.asset_pairs(which, ReadMode::rest_only, done); });
  ASSERT_TRUE(fetched) << fetched.error().message();
  EXPECT_EQ(fetched->source, Source::rest);
  ASSERT_EQ(fetched->value.size(), 2u);
  for (const auto& in : fetched->value) EXPECT_EQ(in.price_precision, in.symbol == "SOL/USD" ? 2 : 1) << in.symbol;
  std::vector<std::string> bad{"XBTUSD", "NOPE"};
  auto unknown = get<std::vector<Instrument>>([&](auto done) { r.asset_pairs(bad, ReadMode::automatic, done); });
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().detail, "pairs[1]: unknown pair 'NOPE'");
}

TEST_F(MarketReaderE2E, BadArgumentsNameTheFieldAndSendNothing) {
  auto r = reader();
  const auto calls = rest_->stats().calls.load();
  auto t = get<TickerValue>([&](auto done) { r.ticker("NOPE/USD", ReadMode::automatic, done); });
  ASSERT_FALSE(t);
  EXPECT_TRUE(t.error().is(errc::invalid_argument));
  EXPECT_NE(t.error().detail.find("symbol"), std::string::npos) << t.error().detail;
  auto b = get<BookTopValue>([&](auto done) { r.book("BTC/USD", 26, ReadMode::automatic, done); });
  EXPECT_EQ(b.error().detail, "depth: 1 to 25");
  auto c = get<std::vector<CandleValue>>([&](auto done) { r.candles("BTC/USD", 2, ReadMode::automatic, done); });
  EXPECT_TRUE(c.error().is(errc::invalid_argument));
  auto tr = get<std::vector<TradeValue>>([&](auto done) { r.trades("BTC/USD", 0, ReadMode::automatic, done); });
  EXPECT_TRUE(tr.error().is(errc::invalid_argument));
  EXPECT_EQ(rest_->stats().calls.load(), calls);
}

}  // namespace
}  // namespace kgw::feed
