#pragma once
// MarketReader: the read side of market data as the gateway serves it (DESIGN.md §6): from the
// WS cache with no network hop when the symbol is subscribed and fresh, otherwise from Kraken's
// REST API through the REST service, and every answer says which it was and how old it is.
// Modes: auto (cache, REST fallback), cache_only, rest_only. Cache answers complete on the
// calling thread before the call returns; REST answers complete on the REST service's thread.
// Thread-safe: any thread may call; the cache, registry and REST service are shared.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/core/instrument.hpp"
#include "kgw/core/kraken/rest_service.hpp"
#include "kgw/feed/market_cache.hpp"

namespace kgw::feed {

enum class ReadMode : std::uint8_t { automatic, cache_only, rest_only };
enum class Source : std::uint8_t { ws_cache, rest };

template <class T>
struct Sourced {
  T value{};
  Source source = Source::ws_cache;
  // Cache: now minus the value's receive time. REST: 0 (fetched for this call).
  std::int64_t age_ns = 0;
  // False for a cached value whose stream is not vouching for it (stale, or a book not synced):
  // one automatic mode would not serve. cache_only answers carry it so a caller can refuse them;
  // completeness (fewer levels or trades than asked) is not part of it, the value shows that.
  bool fresh = true;
};

struct ReaderOptions {
  // A cached value whose connection last vouched for it longer ago than this, or a symbol the
  // feed already holds stale (FeedOptions::symbol_stale_after, SymbolCache::stale), or a book
  // that is not synced, is stale: automatic mode goes to REST, cache_only mode returns it anyway
  // with its age (a book with state BookState::stale).
  std::chrono::milliseconds max_age{5'000};
};

class MarketReader {
 public:
  template <class T>
  using Done = std::function<void(result<Sourced<T>>)>;

  // `rest` may be null (no REST fallback: automatic behaves as cache_only).
  MarketReader(const MarketCache& cache, const InstrumentRegistry& registry, kraken::KrakenRestService* rest,
               const Clock& clock, ReaderOptions options = {});

  // `symbol` in any Kraken spelling. Errors: invalid_argument naming `symbol` (unknown pair),
  // not_found (cache_only and nothing cached), or the REST call's error (Kraken's strings kept).
  // REST tickers carry no 24 h change (Kraken's REST ticker has only today's open):
  // change_known is false there.
  void ticker(std::string_view symbol, ReadMode mode, Done<TickerValue> done) const;
  // Best `depth` levels per side (at most BookTopValue::kMaxLevels); a cached book must be synced.
  void book(std::string_view symbol, std::size_t depth, ReadMode mode, Done<BookTopValue> done) const;
  // Up to `count` most recent trades, oldest first (automatic mode goes to REST when the cache
  // holds fewer than `count`).
  void trades(std::string_view symbol, std::size_t count, ReadMode mode, Done<std::vector<TradeValue>> done) const;
  // The cache holds the candles streamed since subscription (Kraken's snapshot included, up to
  // SymbolCache::kCandleUpdates updates back), oldest first; REST returns Kraken's history (up to 720).
  void candles(std::string_view symbol, int interval, ReadMode mode, Done<std::vector<CandleValue>> done) const;
  // REST spreads have prices only (sizes_known false).
  void spread(std::string_view symbol, ReadMode mode, Done<std::vector<SpreadValue>> done) const;
  void system_status(ReadMode mode, Done<StatusValue> done) const;
  // Pair reference data (precisions, increments, minimums, status). The cache is the instrument
  // registry (loaded from REST at start-up, kept current by the instrument channel); REST is
  // AssetPairs. Empty `pairs`: every pair. An unknown pair is invalid_argument naming it.
  void asset_pairs(std::vector<std::string> pairs, ReadMode mode, Done<std::vector<Instrument>> done) const;

 private:
  struct Resolved;
  result<Resolved> resolve(std::string_view symbol) const;
  bool fresh(std::int64_t live_ns) const noexcept;
  // fresh(live_ns()) and not stale by the feed's own bound.
  bool fresh(const SymbolCache& sc) const noexcept;
  std::int64_t age(std::int64_t receive_ns) const noexcept;

  const MarketCache& cache_;
  const InstrumentRegistry& registry_;
  kraken::KrakenRestService* rest_;
  const Clock& clock_;
  ReaderOptions opt_;
};

}  // namespace kgw::feed
