#pragma once
// MarketFeed: Kraken's public WS v2 stream into the MarketCache (DESIGN.md §3). One io_context on
// its own thread; one coroutine per connection (symbols are sharded across connections); every
// frame is parsed in place, books are applied and CRC32-verified on every message, and values are
// published to the cache. A checksum mismatch, a crossed book or a bad book frame resyncs that
// symbol alone (unsubscribe + subscribe on the same connection) while the others carry on. A
// dropped or stale connection is reconnected with jittered exponential backoff and everything is
// resubscribed in order; readers see it in the book states and in stats(), never silently.
// Thread safety: start()/stop() from one owner thread; stats(), last_mismatch() and the cache are
// for any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/core/instrument.hpp"
#include "kgw/core/kraken/book.hpp"
#include "kgw/core/kraken/book_parser.hpp"
#include "kgw/core/kraken/ws_connection.hpp"
#include "kgw/core/net/ws_session.hpp"
#include "kgw/feed/market_cache.hpp"

namespace kgw::feed {

// The feed's book engine and book-frame parser are core's (core/kraken), shared with the replays
// and kgw-selfcheck; the feed names them as its own.
using kraken::Book;
using kraken::BookApplyResult;
using kraken::BookPrecision;
using kraken::FrameKind;
using kraken::KrakenBookParser;
using kraken::book_precision;

struct FeedSymbol {
  std::string symbol;  // v2 symbol as Kraken's WS wants it ("BTC/USD")
  int book_depth = 10; // 0: no book; else 10, 25, 100, 500 or 1000
};

struct FeedOptions {
  std::string url = "wss://ws.kraken.com/v2";
  std::vector<FeedSymbol> symbols;
  bool ticker = true;
  bool ticker_bbo = false;      // event_trigger: bbo (a ticker on every best bid/ask change)
  bool trade = true;
  std::vector<int> ohlc_intervals;  // of kOhlcIntervals
  bool instrument = true;       // feeds the registry's precisions, increments and pair status
  std::size_t book_top_levels = 25;  // published to readers, at most BookTopValue::kMaxLevels
  // History kept per symbol for readers (GetTrades, GetSpread): 1 to SymbolCache::kTrades /
  // kSpreads, rounded up to a power of two; the rings are allocated when the feed starts, and
  // only for the channels subscribed (no trade ring without `trade`, no spread ring without
  // `ticker`, no candle log without `ohlc_intervals`). About 80 B a trade and 100 B a spread.
  std::size_t recent_trades = SymbolCache::kTrades;
  std::size_t recent_spreads = SymbolCache::kSpreads;

  std::size_t symbols_per_connection = 50;
  std::size_t symbols_per_message = 25;
  // Pause between subscribe messages on a connection: Kraken's message rate limit is dynamic
  // and undocumented (PROTOCOL.md §5.3), so subscriptions are paced.
  std::chrono::milliseconds subscribe_interval{50};
  // Between connection attempts, jittered (Backoff); load_reference_data waits the same way.
  std::chrono::milliseconds reconnect_min{250}, reconnect_max{30'000};
  // Nothing received (data or heartbeat) this long: the connection is stale and is replaced.
  std::chrono::milliseconds stale_after{10'000};
  // Nothing received on a symbol's connection this long (Kraken sends a heartbeat about once a
  // second): readers see the symbol stale at once (SymbolCache::stale), its book included, and
  // MarketReader goes to REST for it, while the watchdog above still waits before reconnecting.
  // 0: no such bound.
  std::chrono::milliseconds symbol_stale_after{3'000};
  // Nothing sent this long: an application ping goes out (Kraken closes idle connections).
  std::chrono::milliseconds ping_idle{30'000};
  net::WsOptions ws;
  // Connection attempts are drawn from it (null: the process's, shared with the order manager:
  // Kraken's limit is per IP).
  kraken::ConnectBudget* connect_budget = nullptr;
  // Non-empty: every inbound frame, in the simulator's replay format, written by a background
  // thread (FrameJournal) so the feed thread never waits on the disk.
  std::string journal_file;
};

// The connection counters (connects, disconnects, stale_reconnects, pings_sent, connections_up,
// connect_failures) come from the connection supervisor; the rest are the feed's.
struct FeedStats : kraken::WsConnectionStats {
  std::atomic<std::uint64_t> frames{0}, parse_errors{0}, book_messages{0}, checksum_mismatches{0}, crossed_books{0},
      resyncs{0}, resynced{0}, subscribe_failures{0}, journal_lines{0};
};

// What the last checksum mismatch looked like, for diagnosis.
struct MismatchReport {
  std::string symbol;
  std::uint32_t expected = 0, computed = 0;
  std::int64_t receive_ns = 0;
  std::vector<std::string> recent_frames;  // the connection's last frames, oldest first
};

// What readers get of a verified book: its best `levels` per side (at most
// BookTopValue::kMaxLevels), state synced; the caller stamps it. The feed's per-message publish.
BookTopValue book_top(const Book& book, BookPrecision precision, std::size_t levels, std::uint32_t checksum) noexcept;

class MarketFeed {
 public:
  MarketFeed(FeedOptions options, MarketCache& cache, InstrumentRegistry& registry, const Clock& clock);
  ~MarketFeed();  // stop()
  MarketFeed(const MarketFeed&) = delete;
  MarketFeed& operator=(const MarketFeed&) = delete;

  // Validates the options (errors name the field: bad url, unknown symbol, bad depth or
  // interval) and starts the feed thread. Nothing is started on error.
  result<void> start();
  // Closes the connections and joins the thread. Idempotent. A connection attempt in progress
  // (a server that never answers the upgrade) is abandoned at once, not waited for.
  void stop();

  const FeedStats& stats() const noexcept { return stats_; }
  std::optional<MismatchReport> last_mismatch() const;

 private:
  struct Shard;
  struct SymbolState;
  class Connection;
  kraken::WsConnectionOptions connection_options(std::size_t shard) const;

  FeedOptions opt_;
  MarketCache& cache_;
  InstrumentRegistry& registry_;
  const Clock& clock_;
  FeedStats stats_;
  mutable std::mutex mismatch_mu_;
  std::optional<MismatchReport> last_mismatch_;
  struct Runtime;
  std::unique_ptr<Runtime> rt_;
};

}  // namespace kgw::feed
