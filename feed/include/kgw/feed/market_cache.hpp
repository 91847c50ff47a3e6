#pragma once
// MarketCache: what the public feed knows, per symbol, for readers on any thread (DESIGN.md §3):
// ticker, top-N book with its integrity state, recent trades, the latest candle per interval,
// spread history, and the exchange's system status. One writer (the feed thread) publishes into
// seqlock slots and rings; readers never lock, never block the writer, never see a torn value.
// Every value carries the exchange's time, the receive time and a per-symbol sequence, so a
// reader can judge freshness. Symbols are added by the writer; lookups by canonical v2 symbol
// ("BTC/USD") are lock-free (resolve other spellings with the InstrumentRegistry first).

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "kgw/core/book_checksum.hpp"
#include "kgw/core/decimal.hpp"
#include "kgw/core/kraken/vocabulary.hpp"
#include "kgw/core/seqlock.hpp"
#include "kgw/core/seqlock_ring.hpp"
#include "kgw/core/wake_signal.hpp"

namespace kgw::feed {

// When and in which order a value was learnt. `exchange_ns`: the message's own timestamp (unix
// ns; 0 when the message had none); `receive_ns`: when the frame was read (unix ns);
// `seq`: counts the symbol's published values of that kind, from 1.
struct Stamp {
  std::int64_t exchange_ns = 0;
  std::int64_t receive_ns = 0;
  std::uint64_t seq = 0;
};

struct TickerValue {
  Stamp stamp;
  Decimal bid, bid_qty, ask, ask_qty, last, volume, vwap, low, high, change, change_pct;
  bool change_known = true;  // false from REST: Kraken's REST ticker has no 24 h change
};

// The book as readers may use it: `synced` only while the checksum verified on every message
// since the last snapshot and the book is not crossed. `stale`: verified, but its connection has
// been silent longer than the feed's bound, so it may be behind; derived when read
// (SymbolCache::book_state(now_ns), MarketReader), never stored.
enum class BookState : std::uint8_t { none = 0, synced = 1, resyncing = 2, stale = 3 };

struct BookTopValue {
  static constexpr std::size_t kMaxLevels = 25;  // the most a reader can ask for
  Stamp stamp;
  BookState state = BookState::none;
  std::int8_t price_precision = 0, qty_precision = 0;
  std::uint16_t n_bids = 0, n_asks = 0;
  // The most levels a side can hold here: the subscription's depth, capped at the levels the
  // feed publishes (0: not from the stream). Kraken keeps a subscribed side filled to its depth,
  // so a side with fewer levels than `window` is the whole side of the exchange's book.
  std::uint16_t window = 0;
  std::uint32_t checksum = 0;
  std::array<BookLevel, kMaxLevels> bids{}, asks{};  // best first

  // True when each side holds `levels` levels or is the exchange's whole side: what a read of
  // that depth may be answered with.
  bool holds(std::size_t levels) const noexcept {
    auto side = [&](std::size_t n) { return n >= levels || n < window; };
    return side(n_bids) && side(n_asks);
  }
};

enum class TradeSide : std::uint8_t { buy, sell };  // the taker's side

struct TradeValue {
  Stamp stamp;
  std::int64_t trade_id = 0;
  Decimal price, qty;
  TradeSide side = TradeSide::buy;
  bool market = false;  // the taker's order type: market (else limit)
};

struct CandleValue {
  Stamp stamp;
  std::int32_t interval = 0;        // minutes
  std::int64_t interval_begin_ns = 0;
  Decimal open, high, low, close, vwap, volume;
  std::int64_t trades = 0;
};

// Best bid/ask as the ticker saw them (Kraken's REST Spread, from the stream).
struct SpreadValue {
  Stamp stamp;
  Decimal bid, ask, bid_qty, ask_qty;
  bool sizes_known = true;  // false from REST: Kraken's REST Spread has prices only
};

using kraken::SystemStatus;

// Text into a fixed, NUL-terminated field of a cached value (truncated to fit).
template <std::size_t N>
void copy_text(std::array<char, N>& out, std::string_view s) noexcept {
  out.fill('\0');
  std::memcpy(out.data(), s.data(), std::min(s.size(), N - 1));
}

struct StatusValue {
  Stamp stamp;
  SystemStatus system = SystemStatus::unknown;
  // As Kraken wrote it: a status this build does not know stays `unknown` above and readable here.
  std::array<char, 24> system_text{};
  std::uint64_t connection_id = 0;
  std::array<char, 16> api_version{}, version{};
};

// The OHLC intervals Kraken offers (minutes), and their slot index.
inline constexpr std::array<int, 9> kOhlcIntervals = {1, 5, 15, 30, 60, 240, 1440, 10080, 21600};
std::optional<std::size_t> ohlc_interval_index(int minutes) noexcept;

// How much history one symbol's cache keeps; its rings are allocated once, when the symbol is
// added, rounded up to a power of two (0: that history is not kept, e.g. a channel the feed does
// not subscribe). At the defaults the rings take ~250 KB a symbol, nearly all of its cache.
struct SymbolCacheShape {
  std::size_t trades = 1024;          // SymbolCache::kTrades at most
  std::size_t spreads = 256;          // SymbolCache::kSpreads at most
  std::size_t candle_updates = 1024;  // SymbolCache::kCandleUpdates at most
};

class SymbolCache {
 public:
  static constexpr std::size_t kTrades = 1024;  // Kraken's REST Trades returns up to 1000
  static constexpr std::size_t kSpreads = 256;  // REST Spread keeps about 200
  // Candle updates kept in publication order, so a reader that polls sees the last value of a
  // candle that closed between two polls (Kraken's snapshot on subscribe is the longest burst).
  static constexpr std::size_t kCandleUpdates = 1024;

  // The shape's sizes are capped at the constants above. `changes`: told when a value of this
  // symbol is published while someone watches it (MarketCache passes its own).
  explicit SymbolCache(std::string_view symbol, SymbolCacheShape shape = {}, WakeSignal* changes = nullptr);
  // What this cache keeps (after rounding) and the bytes its rings hold.
  SymbolCacheShape shape() const noexcept { return {trades_.capacity(), spreads_.capacity(), candle_log_.capacity()}; }
  std::size_t ring_bytes() const noexcept { return trades_.bytes() + spreads_.bytes() + candle_log_.bytes(); }
  std::string_view symbol() const noexcept { return {name_.data(), name_len_}; }

  // Readers.
  std::optional<TickerValue> ticker() const noexcept;
  std::optional<BookTopValue> book() const noexcept;  // none before the first snapshot
  // The most recent trades, oldest first; returns how many were written to `out`.
  std::size_t trades(std::span<TradeValue> out) const noexcept { return trades_.latest(out); }
  std::optional<CandleValue> candle(int interval_minutes) const noexcept;
  // Trades by their sequence (TradeValue::stamp.seq, from 1) for readers that must see each one
  // once, in order (gRPC trade streams): how many were published, and trade `seq` while it is
  // still among the last kTrades (false once lapped: the reader counts it lost).
  std::uint64_t trades_published() const noexcept { return trades_.size(); }
  bool trade(std::uint64_t seq, TradeValue& out) const noexcept { return seq > 0 && trades_.read(seq - 1, out); }
  // Every candle update of every interval in the same way (CandleValue::stamp.seq, from 1); the
  // last kCandleUpdates are kept.
  std::uint64_t candle_updates() const noexcept { return candle_log_.size(); }
  bool candle_update(std::uint64_t seq, CandleValue& out) const noexcept {
    return seq > 0 && candle_log_.read(seq - 1, out);
  }
  // The candles of one interval still in that log, each in its latest version, oldest first
  // (the last one may still be forming); returns how many were written to `out`.
  std::size_t recent_candles(int interval_minutes, std::span<CandleValue> out) const noexcept;
  std::size_t spreads(std::span<SpreadValue> out) const noexcept { return spreads_.latest(out); }
  // The receive time of the latest value of any kind for this symbol (unix ns; 0: nothing yet).
  std::int64_t last_receive_ns() const noexcept { return last_receive_ns_.load(std::memory_order_acquire); }
  // The last time the feed vouched that this symbol's subscriptions were live (its connection
  // receiving, heartbeats included): a quiet market's ticker is current as long as this is.
  std::int64_t live_ns() const noexcept { return live_ns_.load(std::memory_order_acquire); }
  // True at `now_ns` (unix ns, the reader's clock) when the symbol's connection has received
  // nothing for longer than the feed's bound (FeedOptions::symbol_stale_after), or never
  // vouched for it. Worked out here from live_ns(), so a reader sees it the moment the bound
  // passes, whatever the feed thread is doing. Always false when no bound is set.
  bool stale(std::int64_t now_ns) const noexcept {
    const std::int64_t bound = stale_after_ns_.load(std::memory_order_relaxed);
    return bound > 0 && now_ns - live_ns() > bound;
  }
  // The book state as the feed last set it (verification only).
  BookState book_state() const noexcept { return book_state_.load(std::memory_order_acquire); }
  // The book state a reader should act on at `now_ns`: stale instead of synced while stale().
  BookState book_state(std::int64_t now_ns) const noexcept {
    const BookState s = book_state();
    return s == BookState::synced && stale(now_ns) ? BookState::stale : s;
  }
  std::uint64_t checksum_mismatches() const noexcept { return mismatches_.load(std::memory_order_relaxed); }
  std::uint64_t resyncs() const noexcept { return resyncs_.load(std::memory_order_relaxed); }

  // Writer (the feed thread only). Each stamps `seq` itself.
  void publish_ticker(TickerValue v) noexcept;
  void publish_book(BookTopValue v) noexcept;
  void set_book_state(BookState s) noexcept;
  void publish_trade(TradeValue v) noexcept;
  void publish_candle(CandleValue v) noexcept;
  void mark_live(std::int64_t now_ns) noexcept { live_ns_.store(now_ns, std::memory_order_release); }
  // The bound stale() applies; set once when the feed starts (0: none).
  void set_stale_after(std::chrono::nanoseconds bound) noexcept {
    stale_after_ns_.store(bound.count(), std::memory_order_relaxed);
  }
  // A reader that wants to be told of this symbol's changes (MarketCache::changes()) says so
  // while it does; each publish then notifies the cache's signal (a fence and a load; a system
  // call only when the watcher sleeps). Unwatched symbols cost the writer one load.
  void add_watcher() const noexcept { watchers_.fetch_add(1, std::memory_order_relaxed); }
  void remove_watcher() const noexcept { watchers_.fetch_sub(1, std::memory_order_relaxed); }

  void count_mismatch() noexcept { mismatches_.fetch_add(1, std::memory_order_relaxed); }
  void count_resync() noexcept { resyncs_.fetch_add(1, std::memory_order_relaxed); }

 private:
  void touched(std::int64_t receive_ns) noexcept {
    last_receive_ns_.store(receive_ns, std::memory_order_release);
    tell();
  }
  void tell() noexcept {
    if (changes_ && watchers_.load(std::memory_order_relaxed) > 0) changes_->notify();
  }

  std::array<char, 32> name_{};
  std::size_t name_len_ = 0;
  std::uint64_t ticker_seq_ = 0, book_seq_ = 0, trade_seq_ = 0, candle_seq_ = 0;  // writer only
  SeqlockSlot<TickerValue> ticker_;
  SeqlockSlot<BookTopValue> book_;
  std::array<SeqlockSlot<CandleValue>, kOhlcIntervals.size()> candles_;
  SeqlockRing<TradeValue> trades_;
  SeqlockRing<SpreadValue> spreads_;
  SeqlockRing<CandleValue> candle_log_;
  std::atomic<std::int64_t> last_receive_ns_{0}, live_ns_{0};
  std::atomic<std::int64_t> stale_after_ns_{0};  // a setting, ordered with nothing: relaxed
  std::atomic<BookState> book_state_{BookState::none};
  std::atomic<std::uint64_t> mismatches_{0}, resyncs_{0};
  WakeSignal* changes_ = nullptr;
  mutable std::atomic<int> watchers_{0};
};

class MarketCache {
 public:
  // Room for `max_symbols` symbols; the lookup table is sized once so readers never see it move.
  explicit MarketCache(std::size_t max_symbols = 4096);
  ~MarketCache();
  MarketCache(const MarketCache&) = delete;
  MarketCache& operator=(const MarketCache&) = delete;

  // Readers (any thread): the symbol's cache by canonical v2 name, or null.
  const SymbolCache* find(std::string_view symbol) const noexcept;
  std::optional<StatusValue> status() const noexcept;
  // The last time a live connection vouched for the status (status frames come only on connect
  // and on change, so their own receive time says nothing about freshness).
  std::int64_t status_live_ns() const noexcept { return status_live_ns_.load(std::memory_order_acquire); }
  std::size_t size() const noexcept { return count_.load(std::memory_order_acquire); }

  // Told after every publish of a watched symbol (SymbolCache::add_watcher) and of the status,
  // so a reader can sleep until something changed instead of polling (the gateway's
  // MarketWatch). One per cache: one sleeper.
  WakeSignal& changes() const noexcept { return changes_; }

  // Writer: the symbol's cache, created on first use with `shape` (null when the table is full or
  // the name is longer than 31 bytes; a symbol already there keeps its shape). Not on the
  // per-message path: the feed keeps the pointer.
  SymbolCache* get_or_add(std::string_view symbol, SymbolCacheShape shape = {});
  void publish_status(StatusValue v) noexcept;
  void mark_status_live(std::int64_t ns) noexcept { status_live_ns_.store(ns, std::memory_order_release); }

 private:
  std::size_t slot_of(std::string_view symbol) const noexcept;

  std::mutex add_mu_;  // writers only; readers never take it
  std::vector<std::unique_ptr<SymbolCache>> owned_;
  std::unique_ptr<std::atomic<SymbolCache*>[]> table_;  // open addressing, linear probing
  std::size_t table_size_;
  std::size_t max_symbols_;
  std::atomic<std::size_t> count_{0};
  std::uint64_t status_seq_ = 0;
  std::atomic<std::int64_t> status_live_ns_{0};
  SeqlockSlot<StatusValue> status_;
  mutable WakeSignal changes_;
};

}  // namespace kgw::feed
