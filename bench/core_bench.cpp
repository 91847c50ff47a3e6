// Micro benches for core's hot functions: decimal parse/format, CRC32 of a 20-level book
// checksum string (ours against zlib in the same run), seqlock read with a concurrent writer.
// Run: make bench (or build/release/bench/kgw_core_bench --benchmark_repetitions=5).

#include <benchmark/benchmark.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "kgw/core/book_checksum.hpp"
#include "kgw/core/crc32.hpp"
#include "kgw/core/decimal.hpp"
#include "kgw/core/seqlock.hpp"

namespace {

// Prices/quantities as the book channel writes them.
const std::vector<std::string>& number_texts() {
  static const std::vector<std::string> v = [] {
    std::mt19937 rng(1);
    std::vector<std::string> out;
    for (int i = 0; i < 1024; ++i) {
      if (i % 2) out.push_back(kgw::format_fixed(6280000 + static_cast<int>(rng() % 20000), 1));
      else out.push_back(kgw::format_fixed(static_cast<std::int64_t>(rng() % 300000000), 8));
    }
    return out;
  }();
  return v;
}

void BM_ParseFixed(benchmark::State& state) {
  const auto& texts = number_texts();
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& t = texts[i++ & 1023];
    auto r = kgw::parse_fixed(t, 8);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ParseFixed);

void BM_ParseDecimalOwnScale(benchmark::State& state) {
  const auto& texts = number_texts();
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = kgw::Decimal::parse(texts[i++ & 1023]);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ParseDecimalOwnScale);

void BM_FormatFixed(benchmark::State& state) {
  std::mt19937_64 rng(2);
  std::vector<std::int64_t> values(1024);
  for (auto& v : values) v = static_cast<std::int64_t>(rng() % 30000000000ULL);
  char buf[kgw::kMaxFormattedChars];
  std::size_t i = 0;
  for (auto _ : state) {
    const auto n = kgw::format_fixed(values[i++ & 1023], 8, buf);
    benchmark::DoNotOptimize(buf);
    benchmark::DoNotOptimize(n);
  }
}
BENCHMARK(BM_FormatFixed);

// 10 asks then 10 bids of BTC/USD at 1/8 decimals, '.' removed and leading zeros stripped —
// the string Kraken's v2 checksum hashes (~290 bytes, as in FLOORS.md §6).
std::string checksum_string() {
  std::mt19937 rng(3);
  std::string s;
  for (int side = 0; side < 2; ++side)
    for (int i = 0; i < 10; ++i) {
      const std::int64_t price = 628025 + (side ? -i : i + 1);
      const std::int64_t qty = 10000 + static_cast<std::int64_t>(rng() % 300000000);
      s += std::to_string(price);
      s += std::to_string(qty);
    }
  return s;
}

void BM_Crc32Checksum20Levels(benchmark::State& state) {
  const std::string s = checksum_string();
  for (auto _ : state) benchmark::DoNotOptimize(kgw::crc32(s));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * s.size()));
}
BENCHMARK(BM_Crc32Checksum20Levels);

void BM_ZlibCrc32Checksum20Levels(benchmark::State& state) {
  const std::string s = checksum_string();
  for (auto _ : state)
    benchmark::DoNotOptimize(::crc32(0L, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * s.size()));
}
BENCHMARK(BM_ZlibCrc32Checksum20Levels);

// The same 20 levels checksummed straight from fixed-point mantissas (what the feed does per
// update): digits via to_chars into a stack buffer, CRC fed incrementally.
void BM_BookChecksumFromLevels(benchmark::State& state) {
  std::mt19937 rng(3);
  std::vector<kgw::BookLevel> asks, bids;
  for (int i = 0; i < 10; ++i) {
    asks.push_back({628025 + i + 1, 10000 + static_cast<std::int64_t>(rng() % 300000000)});
    bids.push_back({628025 - i, 10000 + static_cast<std::int64_t>(rng() % 300000000)});
  }
  for (auto _ : state) benchmark::DoNotOptimize(kgw::book_checksum(asks, bids));
}
BENCHMARK(BM_BookChecksumFromLevels);

struct TopOfBook {
  std::int64_t bid, bid_qty, ask, ask_qty, exch_ns, recv_ns, seq, pad;
};

// Arg 0: no writer. Arg 1: a writer storing every 10 µs (~100k updates/s, a busy book; the
// FLOORS.md §7 setup). Arg 2: a writer storing back-to-back (pathological worst case).
void BM_SeqlockRead(benchmark::State& state) {
  kgw::SeqlockSlot<TopOfBook> slot;
  std::atomic<bool> stop{false};
  std::thread writer;
  if (state.range(0) > 0) {
    const bool paced = state.range(0) == 1;
    writer = std::thread([&] {
      std::int64_t i = 0;
      auto next = std::chrono::steady_clock::now();
      while (!stop.load(std::memory_order_relaxed)) {
        if (paced) {
          next += std::chrono::microseconds(10);
          while (std::chrono::steady_clock::now() < next) kgw::cpu_relax();
        }
        ++i;
        slot.store(TopOfBook{i, i, i, i, i, i, i, i});
      }
    });
  }
  for (auto _ : state) {
    TopOfBook t = slot.load();
    benchmark::DoNotOptimize(t);
  }
  stop = true;
  if (writer.joinable()) writer.join();
}
BENCHMARK(BM_SeqlockRead)->Arg(0)->Arg(1)->Arg(2)->UseRealTime();

}  // namespace
