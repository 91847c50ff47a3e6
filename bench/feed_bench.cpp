// Micro benches for the feed's book path on the real BTC/USD depth-10 capture (1 snapshot + 509
// updates): per-message ingest = parse (simdjson ondemand, raw number text) + conversion to
// mantissas + apply to the Book + CRC32 verification, and its parts. Heap allocations inside
// the timed loops are counted (global operator new of this executable) to prove the hot path
// allocates nothing.
// Run: make bench (or build/release/bench/kgw_feed_bench --benchmark_repetitions=5
//      --benchmark_report_aggregates_only=true).

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "kgw/core/kraken/book.hpp"
#include "kgw/core/kraken/book_parser.hpp"
#include "kgw/core/kraken/capture.hpp"
#include "kgw/feed/kraken_channel_parser.hpp"
#include "kgw/feed/market_feed.hpp"

#include "kgw_alloc_count.hpp"  // this executable's operator new, counted

namespace {

using kgw::kraken::Book;
using kgw::kraken::BookMessage;
using kgw::kraken::BookPrecision;
using kgw::kraken::KrakenBookParser;

constexpr BookPrecision kBtcUsd{1, 8};

// The capture's frames, compact, number text untouched: [0] snapshot, [1..509] updates, read
// as shipped by core's capture reader.
const std::vector<std::string>& capture() {
  static const std::vector<std::string> frames = [] {
    const std::string path =
        std::string(KGW_SHARED_DIR) + "/kraken/fixtures/ws_v2/capture_book_BTCUSD_depth10_2023-07-30_python-kraken-sdk.json";
    auto c = kgw::kraken::Capture::load(path);
    if (!c) throw std::runtime_error(c.error().message());
    std::vector<std::string> out;
    c->for_each([&](const kgw::kraken::CaptureEntry& e) {
      if (e.kind != kgw::kraken::CaptureEntry::Kind::frame) throw std::runtime_error("capture: " + e.error);
      out.emplace_back(e.frame);
    });
    return out;
  }();
  return frames;
}

// Per message figures: time per message (inverted rate) and allocations per message.
void per_message_counters(benchmark::State& state, std::uint64_t allocations) {
  const auto messages = static_cast<double>(capture().size());
  state.counters["per_msg"] =
      benchmark::Counter(messages, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["allocs_per_msg"] =
      benchmark::Counter(static_cast<double>(allocations) / (static_cast<double>(state.iterations()) * messages));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * capture().size()));
}

// The whole ingest per message: parse + convert + apply + checksum compare, every frame of the
// capture in order (the snapshot restarts the book each pass). Fails loudly on a mismatch.
void BM_FeedIngestCapture(benchmark::State& state) {
  const auto& frames = capture();
  KrakenBookParser parser;
  Book book(10);
  std::uint64_t failed = 0;
  auto pass = [&] {
    for (const auto& f : frames) {
      auto kind = parser.parse(f);
      auto m = parser.book_levels(kBtcUsd);
      if (!kind || !m) {
        ++failed;
        continue;
      }
      failed += !book.apply(*m).checksum_ok;
    }
  };
  pass();  // warm-up: the parser's buffers reach their size
  const std::uint64_t before = g_allocations.load();
  for (auto _ : state) pass();
  const std::uint64_t allocations = g_allocations.load() - before;
  if (failed) state.SkipWithError("checksum mismatch in the capture");
  per_message_counters(state, allocations);
}
BENCHMARK(BM_FeedIngestCapture);

// The feed's whole per-message book path: BM_FeedIngestCapture plus the publish to readers
// (top-25 copy of the book into its seqlock slot), as MarketFeed does it for every message.
// Arg 0: each frame copied into the parser's padded buffer first; arg 1: parsed in place, with
// the padding a WebSocket read leaves after each message (what the feed does); arg 2: in place,
// with a stream following the pair, so every publish also tells the cache's WakeSignal (a fence
// and a load; nobody sleeps on it here, so no system call).
void BM_FeedIngestAndPublishCapture(benchmark::State& state) {
  const bool in_place = state.range(0) >= 1;
  // Each frame followed by simdjson's padding, as the WebSocket read buffer holds it.
  std::vector<std::string> padded;
  for (const auto& f : capture()) padded.push_back(f + std::string(simdjson::SIMDJSON_PADDING, '\0'));
  const auto& frames = capture();
  KrakenBookParser parser;
  Book book(10);
  kgw::feed::MarketCache cache(16);
  kgw::feed::SymbolCache& sym = *cache.get_or_add("BTC/USD");
  if (state.range(0) == 2) sym.add_watcher();
  std::uint64_t failed = 0;
  auto pass = [&] {
    for (std::size_t i = 0; i < frames.size(); ++i) {
      auto kind = in_place ? parser.parse(std::string_view(padded[i]).substr(0, frames[i].size()), simdjson::SIMDJSON_PADDING)
                           : parser.parse(frames[i]);
      auto m = parser.book_levels(kBtcUsd);
      if (!kind || !m) {
        ++failed;
        continue;
      }
      const auto r = book.apply(*m);
      failed += !r.checksum_ok;
      sym.publish_book(kgw::feed::book_top(book, kBtcUsd, 25, r.computed));
    }
  };
  pass();
  const std::uint64_t before = g_allocations.load();
  for (auto _ : state) pass();
  const std::uint64_t allocations = g_allocations.load() - before;
  if (failed) state.SkipWithError("checksum mismatch in the capture");
  per_message_counters(state, allocations);
}
BENCHMARK(BM_FeedIngestAndPublishCapture)->Arg(0)->Arg(1)->Arg(2);

// A ticker frame (Kraken's documented example) through the feed's frame routing: before,
// every frame went through the book parser first (which classifies it as "other") and was then
// parsed again by the channel parser; now a frame that starts with its channel name goes to
// its parser once. Arg 0: the old double parse; arg 1: the channel parser alone.
void BM_FeedTickerFrame(benchmark::State& state) {
  const std::string frame =
      R"({"channel":"ticker","type":"update","data":[{"symbol":"ALGO/USD","bid":0.10025,"bid_qty":740.0,"ask":0.10036,)"
      R"("ask_qty":1361.44813783,"last":0.10035,"volume":997038.98383185,"vwap":0.10148,"low":0.09979,"high":0.10285,)"
      R"("change":-0.00017,"change_pct":-0.17,"timestamp":"2023-09-25T09:04:31.742648Z"}]})";
  KrakenBookParser books;
  kgw::feed::KrakenChannelParser channels;
  const bool direct = state.range(0) == 1;
  for (auto _ : state) {
    if (!direct) benchmark::DoNotOptimize(books.parse(frame));
    benchmark::DoNotOptimize(channels.parse(frame));
  }
}
BENCHMARK(BM_FeedTickerFrame)->Arg(0)->Arg(1);

// Parse + convert only.
void BM_FeedParseCapture(benchmark::State& state) {
  const auto& frames = capture();
  KrakenBookParser parser;
  for (const auto& f : frames) (void)parser.parse(f);
  const std::uint64_t before = g_allocations.load();
  for (auto _ : state)
    for (const auto& f : frames) {
      auto kind = parser.parse(f);
      auto m = parser.book_levels(kBtcUsd);
      benchmark::DoNotOptimize(kind);
      benchmark::DoNotOptimize(m);
    }
  per_message_counters(state, g_allocations.load() - before);
}
BENCHMARK(BM_FeedParseCapture);

// Apply + checksum only, on messages parsed beforehand.
void BM_FeedApplyCapture(benchmark::State& state) {
  const auto& frames = capture();
  KrakenBookParser parser;
  std::vector<std::vector<kgw::BookLevel>> bids, asks;
  std::vector<BookMessage> msgs;
  for (const auto& f : frames) {
    (void)parser.parse(f);
    const BookMessage m = *parser.book_levels(kBtcUsd);
    bids.emplace_back(m.bids.begin(), m.bids.end());
    asks.emplace_back(m.asks.begin(), m.asks.end());
    msgs.push_back(m);
  }
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    msgs[i].bids = bids[i];
    msgs[i].asks = asks[i];
    msgs[i].symbol = {};
    msgs[i].timestamp = {};
  }
  Book book(10);
  std::uint64_t failed = 0;
  const std::uint64_t before = g_allocations.load();
  for (auto _ : state)
    for (const auto& m : msgs) failed += !book.apply(m).checksum_ok;
  if (failed) state.SkipWithError("checksum mismatch in the capture");
  per_message_counters(state, g_allocations.load() - before);
}
BENCHMARK(BM_FeedApplyCapture);

// The checksum alone over the capture's final book (10 + 10 levels).
void BM_FeedBookChecksum(benchmark::State& state) {
  KrakenBookParser parser;
  Book book(10);
  for (const auto& f : capture()) {
    (void)parser.parse(f);
    book.apply(*parser.book_levels(kBtcUsd));
  }
  for (auto _ : state) {
    auto c = book.checksum();
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_FeedBookChecksum);

}  // namespace
