// Cached read latency with the writer running (issue #5): a reader thread loads the top-25 book
// and the ticker of one symbol from the MarketCache while a writer thread publishes at a given
// rate. Each read is timed on its own; the counters are percentiles in ns (timer overhead, about
// one steady_clock::now(), included). Compare rows of one run: the machine is shared.
// Run: build/release/bench/kgw_feed_bench --benchmark_filter=Cached

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kgw/feed/market_cache.hpp"

namespace {

using kgw::Decimal;
using kgw::feed::BookTopValue;
using kgw::feed::MarketCache;
using kgw::feed::SymbolCache;
using kgw::feed::TickerValue;
using Clock = std::chrono::steady_clock;

// Publishes book + ticker `rate` times per second (0: as fast as possible) until stopped.
class Writer {
 public:
  Writer(SymbolCache& s, std::int64_t rate) : s_(s), rate_(rate), t_([this] { run(); }) {}
  ~Writer() {
    stop_.store(true, std::memory_order_release);
    t_.join();
  }
  std::uint64_t writes() const { return writes_.load(std::memory_order_relaxed); }

 private:
  void run() {
    BookTopValue b;
    b.state = kgw::feed::BookState::synced;
    b.n_bids = b.n_asks = BookTopValue::kMaxLevels;
    TickerValue t;
    const auto period = rate_ > 0 ? std::chrono::nanoseconds(1'000'000'000 / rate_) : std::chrono::nanoseconds(0);
    auto next = Clock::now();
    for (std::int64_t i = 1; !stop_.load(std::memory_order_acquire); ++i) {
      for (std::size_t l = 0; l < BookTopValue::kMaxLevels; ++l) {
        b.bids[l] = {600000 - static_cast<std::int64_t>(l) + i % 7, i};
        b.asks[l] = {600010 + static_cast<std::int64_t>(l) + i % 7, i};
      }
      s_.publish_book(b);
      t.bid = Decimal::from_fixed(b.bids[0].price, 1);
      t.ask = Decimal::from_fixed(b.asks[0].price, 1);
      s_.publish_ticker(t);
      writes_.fetch_add(1, std::memory_order_relaxed);
      if (rate_ > 0) {
        next += period;
        while (Clock::now() < next && !stop_.load(std::memory_order_relaxed)) std::this_thread::yield();
      }
    }
  }
  SymbolCache& s_;
  std::int64_t rate_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> writes_{0};
  std::thread t_;
};

template <class Read>
void percentiles(benchmark::State& state, Read read) {
  MarketCache cache(16);
  SymbolCache& s = *cache.get_or_add("BTC/USD");
  std::vector<std::int64_t> samples;
  samples.reserve(1 << 20);
  {
    std::optional<Writer> writer;  // -1: no writer at all
    if (state.range(0) >= 0) writer.emplace(s, state.range(0));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the writer is running
    for (auto _ : state) {
      const auto t0 = Clock::now();
      read(s);
      const auto t1 = Clock::now();
      if (samples.size() < samples.capacity()) samples.push_back((t1 - t0).count());
    }
    state.counters["writes"] = writer ? static_cast<double>(writer->writes()) : 0.0;
  }
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) { return samples.empty() ? 0.0 : static_cast<double>(samples[static_cast<std::size_t>(q * (samples.size() - 1))]); };
  state.counters["p50_ns"] = at(0.50);
  state.counters["p99_ns"] = at(0.99);
  state.counters["p999_ns"] = at(0.999);
}

void BM_CachedBookRead(benchmark::State& state) {
  percentiles(state, [](const SymbolCache& s) { benchmark::DoNotOptimize(s.book()); });
}
void BM_CachedTickerRead(benchmark::State& state) {
  percentiles(state, [](const SymbolCache& s) { benchmark::DoNotOptimize(s.ticker()); });
}
void BM_CachedLookupAndTickerRead(benchmark::State& state) {
  // What a gRPC handler does per call: find the symbol, then read.
  MarketCache cache(4096);
  for (int i = 0; i < 500; ++i) cache.get_or_add("SYM" + std::to_string(i) + "/USD");
  SymbolCache& s = *cache.get_or_add("BTC/USD");
  Writer writer(s, state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(cache.find("BTC/USD")->ticker());
}

// Writer rates: none (-1), 10k/s (a busy pair), 100k/s, and flat out (0).
BENCHMARK(BM_CachedBookRead)->Arg(-1)->Arg(10'000)->Arg(100'000)->Arg(0)->UseRealTime();
BENCHMARK(BM_CachedTickerRead)->Arg(-1)->Arg(10'000)->Arg(100'000)->Arg(0)->UseRealTime();
BENCHMARK(BM_CachedLookupAndTickerRead)->Arg(100'000)->UseRealTime();

}  // namespace
