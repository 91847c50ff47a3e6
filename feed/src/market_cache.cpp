#include "kgw/feed/market_cache.hpp"

#include <algorithm>
#include <cstring>
#include <functional>

namespace kgw::feed {

std::optional<std::size_t> ohlc_interval_index(int minutes) noexcept {
  for (std::size_t i = 0; i < kOhlcIntervals.size(); ++i)
    if (kOhlcIntervals[i] == minutes) return i;
  return std::nullopt;
}

SymbolCache::SymbolCache(std::string_view symbol, SymbolCacheShape shape, WakeSignal* changes)
    : trades_(std::min(shape.trades, kTrades)),
      spreads_(std::min(shape.spreads, kSpreads)),
      candle_log_(std::min(shape.candle_updates, kCandleUpdates)),
      changes_(changes) {
  name_len_ = std::min(symbol.size(), name_.size() - 1);
  std::memcpy(name_.data(), symbol.data(), name_len_);
}

std::optional<TickerValue> SymbolCache::ticker() const noexcept {
  TickerValue v = ticker_.load();
  if (v.stamp.seq == 0) return std::nullopt;
  return v;
}

std::optional<BookTopValue> SymbolCache::book() const noexcept {
  BookTopValue v = book_.load();
  if (v.stamp.seq == 0) return std::nullopt;
  return v;
}

std::optional<CandleValue> SymbolCache::candle(int interval_minutes) const noexcept {
  const auto i = ohlc_interval_index(interval_minutes);
  if (!i) return std::nullopt;
  CandleValue v = candles_[*i].load();
  if (v.stamp.seq == 0) return std::nullopt;
  return v;
}

std::size_t SymbolCache::recent_candles(int interval_minutes, std::span<CandleValue> out) const noexcept {
  // Newest first, keeping the first (latest) version of each candle; then oldest first.
  std::size_t n = 0;
  CandleValue c;
  for (std::uint64_t seq = candle_log_.size(); seq > 0 && n < out.size(); --seq) {
    if (!candle_log_.read(seq - 1, c)) break;  // lapped by the writer: older ones are gone too
    if (c.interval != interval_minutes) continue;
    if (n > 0 && out[n - 1].interval_begin_ns <= c.interval_begin_ns) continue;  // an older version
    out[n++] = c;
  }
  std::reverse(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
  return n;
}

void SymbolCache::publish_ticker(TickerValue v) noexcept {
  v.stamp.seq = ++ticker_seq_;
  // Spread history from the stream: one entry per change of the best bid/ask (or their sizes).
  const TickerValue prev = ticker_.load();
  const bool bbo_changed = prev.stamp.seq == 0 || !(prev.bid == v.bid) || !(prev.ask == v.ask) ||
                           !(prev.bid_qty == v.bid_qty) || !(prev.ask_qty == v.ask_qty);
  ticker_.store(v);
  if (bbo_changed) spreads_.push(SpreadValue{v.stamp, v.bid, v.ask, v.bid_qty, v.ask_qty, true});
  touched(v.stamp.receive_ns);
}

void SymbolCache::publish_book(BookTopValue v) noexcept {
  v.stamp.seq = ++book_seq_;
  book_.store(v);
  book_state_.store(v.state, std::memory_order_release);
  touched(v.stamp.receive_ns);
}

void SymbolCache::set_book_state(BookState s) noexcept {
  BookTopValue v = book_.load();
  if (v.state == s) return;
  v.state = s;
  v.stamp.seq = ++book_seq_;
  book_.store(v);
  book_state_.store(s, std::memory_order_release);
  tell();
}

void SymbolCache::publish_trade(TradeValue v) noexcept {
  v.stamp.seq = ++trade_seq_;
  trades_.push(v);
  touched(v.stamp.receive_ns);
}

void SymbolCache::publish_candle(CandleValue v) noexcept {
  const auto i = ohlc_interval_index(v.interval);
  if (!i) return;
  v.stamp.seq = ++candle_seq_;
  candles_[*i].store(v);
  candle_log_.push(v);
  touched(v.stamp.receive_ns);
}

MarketCache::MarketCache(std::size_t max_symbols) : max_symbols_(max_symbols) {
  // A power of two at least twice the capacity keeps probe runs short.
  table_size_ = 16;
  while (table_size_ < 2 * max_symbols_) table_size_ *= 2;
  table_ = std::make_unique<std::atomic<SymbolCache*>[]>(table_size_);
  for (std::size_t i = 0; i < table_size_; ++i) table_[i].store(nullptr, std::memory_order_relaxed);
  owned_.reserve(max_symbols_);
}

MarketCache::~MarketCache() = default;

std::size_t MarketCache::slot_of(std::string_view symbol) const noexcept {
  return std::hash<std::string_view>{}(symbol) & (table_size_ - 1);
}

const SymbolCache* MarketCache::find(std::string_view symbol) const noexcept {
  for (std::size_t i = slot_of(symbol), n = 0; n < table_size_; i = (i + 1) & (table_size_ - 1), ++n) {
    const SymbolCache* c = table_[i].load(std::memory_order_acquire);
    if (!c) return nullptr;  // entries are never removed, so an empty slot ends the probe
    if (c->symbol() == symbol) return c;
  }
  return nullptr;
}

SymbolCache* MarketCache::get_or_add(std::string_view symbol, SymbolCacheShape shape) {
  if (symbol.empty() || symbol.size() > 31) return nullptr;
  std::lock_guard lock(add_mu_);
  std::size_t i = slot_of(symbol);
  for (std::size_t n = 0; n < table_size_; i = (i + 1) & (table_size_ - 1), ++n) {
    SymbolCache* c = table_[i].load(std::memory_order_relaxed);
    if (!c) break;
    if (c->symbol() == symbol) return c;
  }
  if (owned_.size() >= max_symbols_) return nullptr;
  owned_.push_back(std::make_unique<SymbolCache>(symbol, shape, &changes_));
  // Release: a reader that finds the pointer sees a fully constructed cache.
  table_[i].store(owned_.back().get(), std::memory_order_release);
  count_.fetch_add(1, std::memory_order_release);
  return owned_.back().get();
}

std::optional<StatusValue> MarketCache::status() const noexcept {
  StatusValue v = status_.load();
  if (v.stamp.seq == 0) return std::nullopt;
  return v;
}

void MarketCache::publish_status(StatusValue v) noexcept {
  v.stamp.seq = ++status_seq_;
  status_.store(v);
  changes_.notify();
}

}  // namespace kgw::feed
