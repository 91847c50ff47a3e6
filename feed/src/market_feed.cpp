// MarketFeed: subscriptions, the per-frame path (parse, apply, verify, publish) and per-symbol
// resync, on core's connection supervisor (kraken/ws_connection: connect, ping, stale watchdog,
// reconnect). Requests are built by kraken/ws_requests; frames are read by the kraken_* parsers.
#include "kgw/feed/market_feed.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <random>
#include <unordered_map>

#include "kgw/core/kraken/ws_requests.hpp"
#include "kgw/core/log.hpp"
#include "kgw/core/string_hash.hpp"
#include "kgw/feed/frame_journal.hpp"
#include "kgw/feed/kraken_channel_parser.hpp"
#include "kgw/core/thread_name.hpp"

namespace kgw::feed {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kRecentFrames = 16;  // kept per connection for mismatch reports
constexpr int kMaxResyncAttempts = 6;      // then the connection is replaced
constexpr std::int64_t kResyncTimeoutNs = 3'000'000'000;  // subscribe to verified snapshot

std::int64_t ns_of(WallTime t) noexcept { return static_cast<std::int64_t>(t.time_since_epoch().count()); }

// Completion of a background coroutine (a session close): nothing to return, but never silent.
void log_failure(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("feed: background task ended with an exception: {}", ex.what());
  } catch (...) {
    spdlog::error("feed: background task ended with an unknown exception");
  }
}

}  // namespace

struct MarketFeed::SymbolState {
  std::string symbol;
  int depth = 0;
  SymbolCache* cache = nullptr;
  std::unique_ptr<Book> book;  // when depth > 0
  BookPrecision precision;
  bool resyncing = false;
  // Resync pacing: a book that fails again right after its snapshot must not turn into an
  // unsubscribe/subscribe storm, and a resubscribe that is refused (or rate limited) must be
  // tried again rather than leave the symbol `resyncing` for good.
  int resync_attempts = 0;
  bool resync_pending = false;            // waiting for resync_next_mono to send
  std::int64_t resync_next_mono = 0;      // earliest time for the next unsubscribe/subscribe
  std::int64_t resync_deadline_mono = 0;  // no verified snapshot by then: try again
  bool seen_since_connect = false;        // data for it arrived on the current connection
  std::int64_t last_trade_id = 0;         // every (re)subscribe resends the last 50 trades
};

// One connection's share of the symbols, and what its coroutines share.
struct MarketFeed::Shard {
  std::size_t index = 0;
  bool instrument = false;  // the instrument channel rides on shard 0 only
  std::vector<SymbolState> symbols;
  // Every frame's symbol is looked up here: a hash, not a tree of string compares (with 1,500
  // pairs the tree's cache misses were 12 % of the feed thread).
  std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>> by_symbol;
  std::unique_ptr<kraken::KrakenWsConnection> ws;
  bool status_seen = false;  // a `status` frame arrived on the current connection
  std::array<std::string, kRecentFrames> recent;
  std::size_t recent_next = 0;
  std::unique_ptr<KrakenBookParser> books = std::make_unique<KrakenBookParser>();
  std::unique_ptr<KrakenChannelParser> channels = std::make_unique<KrakenChannelParser>();
};

struct MarketFeed::Runtime {
  asio::io_context io{1};
  std::vector<std::unique_ptr<Shard>> shards;
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::atomic<int> running{0};
  std::unique_ptr<FrameJournal> journal;
  std::minstd_rand rng;  // seeds each connection's backoff
  log::RateLimiter parse_log{5, std::chrono::seconds(10)}, mismatch_log{5, std::chrono::seconds(10)},
      rejected_book_log{5, std::chrono::seconds(10)};
};

// One shard's side of its connection: what to subscribe, what to do with each frame, and the
// per-symbol resyncs. Runs on the feed thread.
class MarketFeed::Connection final : public kraken::WsConnectionHandler {
 public:
  Connection(MarketFeed& feed, Shard& shard) : f_(feed), s_(shard) {}

  void on_connected() override;
  asio::awaitable<void> on_open(kraken::KrakenWsConnection& conn) override;
  void on_frame(const net::WsMessage& m) override { on_frame(m.data, m.padding); }
  void on_tick() override;
  void on_close() override { lose_books(); }
  std::chrono::nanoseconds min_reconnect_pause() override;

 private:
  void on_frame(std::string_view frame, std::size_t padding);
  void on_book(SymbolState& sym, std::int64_t rx_ns);
  void on_instruments();
  void on_channels(std::string_view frame, std::size_t padding, std::int64_t rx_ns);
  void on_reply(const kraken::MethodReply& r, std::int64_t rx_ns);
  void resync(SymbolState& sym, const char* why);
  void send_resync(SymbolState& sym);
  void retry_resyncs();
  void lose_books();
  bool send(std::string_view msg);
  std::vector<std::string> subscriptions();
  kraken::SubscribeRequest request(const char* channel, std::vector<std::string> symbols, int depth_or_interval) const;
  std::int64_t mono_ns() const noexcept { return f_.clock_.mono_now().time_since_epoch().count(); }
  std::int64_t wall_ns() const noexcept { return ns_of(f_.clock_.wall_now()); }

  MarketFeed& f_;
  Shard& s_;
  kraken::WsReplyParser replies_;
};

void MarketFeed::Connection::on_connected() {
  s_.status_seen = false;
  const std::int64_t connected_at = mono_ns();
  for (auto& sym : s_.symbols) {
    sym.seen_since_connect = false;
    sym.resync_attempts = 0;
    sym.resync_pending = false;
    sym.resync_next_mono = 0;
    // The initial subscriptions count as the first attempt; allow for their pacing.
    sym.resync_deadline_mono = connected_at + kResyncTimeoutNs + std::chrono::nanoseconds(f_.opt_.subscribe_interval).count() * 64;
  }
}

asio::awaitable<void> MarketFeed::Connection::on_open(kraken::KrakenWsConnection& conn) {
  // Subscriptions, paced; the reader is already draining acks and snapshots.
  for (const auto& msg : subscriptions()) {
    if (!conn.is_open() || conn.stopping()) co_return;
    send(msg);
    co_await conn.sleep(f_.opt_.subscribe_interval);
  }
}

// Each tick publishes the connection's last receive time to its symbols (mark_live), which
// readers hold against symbol_stale_after.
void MarketFeed::Connection::on_tick() {
  // Heartbeats keep last_rx fresh on a quiet connection: vouch, as of the last byte received,
  // for the symbols whose data has arrived on this connection (a refused subscription never
  // makes an old value look current), and for the system status.
  const std::int64_t last_rx = ns_of(s_.ws->last_rx_wall());
  for (auto& sym : s_.symbols)
    if (sym.seen_since_connect) sym.cache->mark_live(last_rx);
  if (s_.status_seen) f_.cache_.mark_status_live(last_rx);
  retry_resyncs();
}

// After maintenance Kraken asks for no more than one reconnect every 5 s (PROTOCOL.md §5.3).
std::chrono::nanoseconds MarketFeed::Connection::min_reconnect_pause() {
  if (auto st = f_.cache_.status(); st && st->system == SystemStatus::maintenance) return std::chrono::seconds(5);
  return {};
}

bool MarketFeed::Connection::send(std::string_view msg) { return s_.ws && s_.ws->send(msg); }

kraken::SubscribeRequest MarketFeed::Connection::request(const char* channel, std::vector<std::string> symbols,
                                                         int depth_or_interval) const {
  kraken::SubscribeRequest r;
  r.channel = channel;
  r.symbols = std::move(symbols);
  const std::string_view ch(channel);
  if (ch == "book") r.depth = depth_or_interval;
  if (ch == "ohlc") r.interval = depth_or_interval;
  if (ch == "ticker" && f_.opt_.ticker_bbo) r.event_trigger = "bbo";
  // The trade channel sends no snapshot unless asked; the recent-trades cache wants one.
  if (ch == "trade") r.snapshot = true;
  return r;
}

// Every subscribe message of this connection, always in the same order: instrument, books by
// depth, ticker, trade, then ohlc by interval; symbols in chunks of symbols_per_message.
std::vector<std::string> MarketFeed::Connection::subscriptions() {
  std::vector<std::string> out;
  const std::vector<std::string> none;
  if (s_.instrument) out.push_back(kraken::ws_subscribe(request("instrument", none, 0), s_.ws->next_req_id()));
  auto chunks = [&](const char* channel, const std::vector<std::string>& syms, int arg) {
    for (std::size_t i = 0; i < syms.size(); i += f_.opt_.symbols_per_message) {
      std::vector<std::string> part(syms.begin() + static_cast<std::ptrdiff_t>(i),
                                    syms.begin() + static_cast<std::ptrdiff_t>(std::min(syms.size(), i + f_.opt_.symbols_per_message)));
      out.push_back(kraken::ws_subscribe(request(channel, std::move(part), arg), s_.ws->next_req_id()));
    }
  };
  std::map<int, std::vector<std::string>> by_depth;
  std::vector<std::string> all;
  for (const auto& sym : s_.symbols) {
    if (sym.depth > 0) by_depth[sym.depth].push_back(sym.symbol);
    all.push_back(sym.symbol);
  }
  for (const auto& [depth, syms] : by_depth) chunks("book", syms, depth);
  if (f_.opt_.ticker) chunks("ticker", all, 0);
  if (f_.opt_.trade) chunks("trade", all, 0);
  for (int interval : f_.opt_.ohlc_intervals) chunks("ohlc", all, interval);
  return out;
}

void MarketFeed::Connection::on_frame(std::string_view frame, std::size_t padding) {
  auto& st = f_.stats_;
  st.frames.fetch_add(1, std::memory_order_relaxed);
  const std::int64_t rx = wall_ns();
  if (f_.rt_->journal) {
    f_.rt_->journal->record(rx, frame);  // a memcpy under a short lock; a thread does the I/O
    st.journal_lines.fetch_add(1, std::memory_order_relaxed);
  }
  s_.recent[s_.recent_next++ % kRecentFrames].assign(frame);  // reuses each slot's capacity

  // Each frame goes straight to the parser that reads it (kraken::route_frame), so it is parsed
  // once; book and instrument frames, and any other key order, take the general path (the book
  // parser first, which classifies).
  const kraken::FrameRoute route = kraken::route_frame(frame);
  if (route == kraken::FrameRoute::reply) {
    auto r = padding >= simdjson::SIMDJSON_PADDING
                 ? replies_.parse(simdjson::padded_string_view(frame.data(), frame.size(), frame.size() + padding))
                 : replies_.parse_copy(frame);
    if (r) on_reply(**r, rx);
    else on_channels(frame, padding, rx);  // counted and logged there
    return;
  }
  if (route == kraken::FrameRoute::channel) {
    on_channels(frame, padding, rx);
    return;
  }
  // Book and instrument frames; a frame in a key order Kraken does not write is classified here
  // and, if it is another channel's, read again by the channel parser.
  auto kind = s_.books->parse(frame, padding);
  if (!kind) {
    st.parse_errors.fetch_add(1, std::memory_order_relaxed);
    std::uint64_t suppressed = 0;
    if (f_.rt_->parse_log.allow(rx, suppressed))
      spdlog::warn("feed[{}]: malformed frame ({}; {} similar suppressed)", s_.index, kind.error().message(), suppressed);
    // A book frame that named its symbol before breaking: that book cannot be trusted any more.
    // An unattributable one is left to the checksums: a lost update fails the next one.
    if (auto it = s_.by_symbol.find(s_.books->book_symbol()); it != s_.by_symbol.end() && s_.symbols[it->second].book)
      resync(s_.symbols[it->second], "malformed book frame");
    return;
  }
  switch (*kind) {
    case FrameKind::book: {
      auto it = s_.by_symbol.find(s_.books->book_symbol());
      if (it != s_.by_symbol.end() && s_.symbols[it->second].book) on_book(s_.symbols[it->second], rx);
      return;
    }
    case FrameKind::instrument: on_instruments(); return;
    case FrameKind::other: on_channels(frame, padding, rx); return;
  }
}

void MarketFeed::Connection::on_book(SymbolState& sym, std::int64_t rx) {
  auto& st = f_.stats_;
  auto msg = s_.books->book_levels(sym.precision);
  if (!msg) {
    // Too many decimals, a negative quantity, a price out of range: the book cannot take it.
    st.parse_errors.fetch_add(1, std::memory_order_relaxed);
    std::uint64_t suppressed = 0;
    if (f_.rt_->rejected_book_log.allow(rx, suppressed))
      spdlog::warn("feed[{}]: {} book frame rejected ({}); resyncing ({} similar suppressed)", s_.index, sym.symbol,
                   msg.error().message(), suppressed);
    resync(sym, "book frame off the instrument's grid");
    return;
  }
  const BookApplyResult r = sym.book->apply(*msg);
  if (!r.applied) return;  // an update before the (re)subscription's snapshot
  st.book_messages.fetch_add(1, std::memory_order_relaxed);
  if (!r.checksum_ok) {
    st.checksum_mismatches.fetch_add(1, std::memory_order_relaxed);
    sym.cache->count_mismatch();
    MismatchReport rep;
    rep.symbol = sym.symbol;
    rep.expected = r.expected;
    rep.computed = r.computed;
    rep.receive_ns = rx;
    for (std::size_t i = 0; i < kRecentFrames; ++i) {
      const auto& fr = s_.recent[(s_.recent_next + i) % kRecentFrames];
      if (!fr.empty()) rep.recent_frames.push_back(fr);
    }
    {
      std::lock_guard lock(f_.mismatch_mu_);
      f_.last_mismatch_ = std::move(rep);
    }
    std::uint64_t suppressed = 0;
    if (f_.rt_->mismatch_log.allow(rx, suppressed))
      spdlog::warn("feed: {} book checksum mismatch (Kraken {}, ours {}); resyncing ({} similar suppressed)", sym.symbol,
                   r.expected, r.computed, suppressed);
    resync(sym, "checksum mismatch");
    return;
  }
  if (r.crossed) {
    st.crossed_books.fetch_add(1, std::memory_order_relaxed);
    resync(sym, "crossed book");
    return;
  }
  if (msg->snapshot && sym.resyncing) {
    sym.resyncing = false;
    sym.resync_attempts = 0;
    sym.resync_pending = false;
    st.resynced.fetch_add(1, std::memory_order_relaxed);
  }
  sym.seen_since_connect = true;
  BookTopValue v = book_top(*sym.book, sym.precision, f_.opt_.book_top_levels, r.computed);
  v.stamp.receive_ns = rx;
  if (!msg->timestamp.empty())
    if (auto t = parse_rfc3339(msg->timestamp)) v.stamp.exchange_ns = ns_of(*t);
  sym.cache->publish_book(v);
}

void MarketFeed::Connection::resync(SymbolState& sym, const char* why) {
  f_.stats_.resyncs.fetch_add(1, std::memory_order_relaxed);
  sym.cache->count_resync();
  sym.book->clear();
  sym.resyncing = true;
  sym.cache->set_book_state(BookState::resyncing);
  spdlog::debug("feed: resubscribing {} book ({})", sym.symbol, why);
  if (mono_ns() >= sym.resync_next_mono) send_resync(sym);
  else sym.resync_pending = true;  // the keeper sends it when the pause is over
}

// Same connection, this symbol only: updates still in flight from the old subscription land on
// the cleared book and are ignored until the new snapshot. Repeated attempts back off (250 ms,
// doubling, at most 8 s); after kMaxResyncAttempts the connection itself is replaced.
void MarketFeed::Connection::send_resync(SymbolState& sym) {
  const std::int64_t now = mono_ns();
  if (++sym.resync_attempts > kMaxResyncAttempts) {
    spdlog::warn("feed[{}]: {} book did not resync after {} attempts; reconnecting", s_.index, sym.symbol, kMaxResyncAttempts);
    sym.resync_attempts = 0;
    s_.ws->replace(fmt::format("{} book did not resync", sym.symbol));
    return;
  }
  const auto one = request("book", {sym.symbol}, sym.depth);
  send(kraken::ws_unsubscribe(one, s_.ws->next_req_id()));
  send(kraken::ws_subscribe(one, s_.ws->next_req_id()));
  sym.resync_pending = false;
  const std::int64_t pause = std::min<std::int64_t>(250'000'000LL << std::min(sym.resync_attempts - 1, 5), 8'000'000'000LL);
  sym.resync_next_mono = now + pause;
  sym.resync_deadline_mono = now + kResyncTimeoutNs;
}

void MarketFeed::Connection::retry_resyncs() {
  const std::int64_t now = mono_ns();
  for (auto& sym : s_.symbols) {
    if (!sym.book || !sym.resyncing) continue;
    const bool due = sym.resync_pending ? now >= sym.resync_next_mono : now >= sym.resync_deadline_mono;
    if (!due) continue;
    if (!sym.resync_pending) {
      f_.stats_.resyncs.fetch_add(1, std::memory_order_relaxed);  // a timed-out attempt is tried again
      sym.cache->count_resync();
    }
    send_resync(sym);
  }
}

void MarketFeed::Connection::lose_books() {
  for (auto& sym : s_.symbols) {
    if (!sym.book) continue;
    sym.book->clear();
    sym.resyncing = true;
    sym.cache->set_book_state(BookState::resyncing);
  }
}

void MarketFeed::Connection::on_instruments() {
  const auto& updates = s_.books->instruments();
  if (updates.empty()) return;
  if (auto r = f_.registry_.apply(updates); !r) {
    f_.stats_.parse_errors.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("feed: instrument update rejected: {}", r.error().message());
    return;
  }
  // A precision change makes every mantissa of that book wrong: start it over at the new grid.
  for (const auto& u : updates) {
    const auto p = book_precision(u);
    if (!p) continue;
    for (auto& shard : f_.rt_->shards)
      if (auto it = shard->by_symbol.find(u.symbol); it != shard->by_symbol.end()) {
        auto& sym = shard->symbols[it->second];
        if (sym.precision == *p) continue;
        sym.precision = *p;
        // Only this connection's session may be written from here; other shards pick the new
        // precision up on their next snapshot (their checksums catch any book in between).
        if (sym.book && shard.get() == &s_) resync(sym, "precision changed");
      }
  }
}

void MarketFeed::Connection::on_channels(std::string_view frame, std::size_t padding, std::int64_t rx) {
  auto& p = *s_.channels;
  auto kind = p.parse(frame, padding);
  if (!kind) {
    f_.stats_.parse_errors.fetch_add(1, std::memory_order_relaxed);
    std::uint64_t suppressed = 0;
    if (f_.rt_->parse_log.allow(rx, suppressed))
      spdlog::warn("feed[{}]: malformed frame ({}; {} similar suppressed)", s_.index, kind.error().message(), suppressed);
    return;
  }
  auto state_of = [&](std::string_view symbol) -> SymbolState* {
    auto it = s_.by_symbol.find(symbol);
    if (it == s_.by_symbol.end()) return nullptr;
    SymbolState* st = &s_.symbols[it->second];
    st->seen_since_connect = true;
    return st;
  };
  auto cache_of = [&](std::string_view symbol) -> SymbolCache* {
    SymbolState* st = state_of(symbol);
    return st ? st->cache : nullptr;
  };
  switch (*kind) {
    case ChannelFrame::ticker:
      for (const auto& t : p.tickers())
        if (auto* c = cache_of(t.symbol)) {
          TickerValue v = t.value;
          v.stamp.receive_ns = rx;
          c->publish_ticker(v);
        }
      return;
    case ChannelFrame::trade:
      for (const auto& t : p.trades())
        if (auto* sym = state_of(t.symbol)) {
          // Each (re)subscribe sends the last 50 trades again; trade_id is per-book sequential.
          if (t.value.trade_id <= sym->last_trade_id) continue;
          sym->last_trade_id = t.value.trade_id;
          TradeValue v = t.value;
          v.stamp.receive_ns = rx;
          sym->cache->publish_trade(v);
        }
      return;
    case ChannelFrame::ohlc:
      for (const auto& k : p.candles())
        if (auto* c = cache_of(k.symbol)) {
          CandleValue v = k.value;
          v.stamp.receive_ns = rx;
          c->publish_candle(v);
        }
      return;
    case ChannelFrame::status: {
      StatusValue v = p.status();
      v.stamp.receive_ns = rx;
      f_.cache_.publish_status(v);
      s_.status_seen = true;
      return;
    }
    case ChannelFrame::method: on_reply(p.answer(), rx); return;
    case ChannelFrame::heartbeat:
    case ChannelFrame::other: return;
  }
}

void MarketFeed::Connection::on_reply(const kraken::MethodReply& r, std::int64_t rx) {
  if (r.success) return;
  // A refused subscribe (or Kraken's bare {"Error":"Exceeded msg rate"}): the symbol's book, if
  // that is what was asked, is retried by retry_resyncs() after its deadline.
  f_.stats_.subscribe_failures.fetch_add(1, std::memory_order_relaxed);
  std::uint64_t suppressed = 0;
  if (f_.rt_->parse_log.allow(rx, suppressed))
    spdlog::warn("feed[{}]: {} {} refused: {} ({} similar suppressed)", s_.index, r.method, r.symbol, r.error, suppressed);
}

BookTopValue book_top(const Book& book, BookPrecision precision, std::size_t levels, std::uint32_t checksum) noexcept {
  BookTopValue v;
  v.state = BookState::synced;
  v.price_precision = static_cast<std::int8_t>(precision.price);
  v.qty_precision = static_cast<std::int8_t>(precision.qty);
  v.checksum = checksum;
  const std::size_t n = std::min(levels, BookTopValue::kMaxLevels);
  v.window = static_cast<std::uint16_t>(std::min<std::size_t>(n, static_cast<std::size_t>(book.depth())));
  const auto bids = book.bids(), asks = book.asks();
  v.n_bids = static_cast<std::uint16_t>(std::min(n, bids.size()));
  v.n_asks = static_cast<std::uint16_t>(std::min(n, asks.size()));
  std::copy_n(bids.begin(), v.n_bids, v.bids.begin());
  std::copy_n(asks.begin(), v.n_asks, v.asks.begin());
  return v;
}

MarketFeed::MarketFeed(FeedOptions options, MarketCache& cache, InstrumentRegistry& registry, const Clock& clock)
    : opt_(std::move(options)), cache_(cache), registry_(registry), clock_(clock) {}

MarketFeed::~MarketFeed() { stop(); }

std::optional<MismatchReport> MarketFeed::last_mismatch() const {
  std::lock_guard lock(mismatch_mu_);
  return last_mismatch_;
}

kraken::WsConnectionOptions MarketFeed::connection_options(std::size_t shard) const {
  kraken::WsConnectionOptions o;
  o.url = opt_.url;
  o.ws = opt_.ws;
  o.reconnect_min = opt_.reconnect_min;
  o.reconnect_max = opt_.reconnect_max;
  o.stale_after = opt_.stale_after;
  o.ping_idle = opt_.ping_idle;
  // Each tick publishes the connection's last receive time to its symbols, which readers hold
  // against symbol_stale_after: a quarter of the tighter bound keeps that lag small.
  std::chrono::milliseconds bound = opt_.stale_after;
  if (opt_.symbol_stale_after.count() > 0) bound = std::min(bound, opt_.symbol_stale_after);
  o.tick = std::clamp<std::chrono::milliseconds>(bound / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(250));
  o.budget = opt_.connect_budget;
  o.name = fmt::format("feed[{}]", shard);
  return o;
}

result<void> MarketFeed::start() {
  if (rt_) return Error(errc::invalid_argument, "feed: already started");
  // Checked here, not by the first connect: a URL that cannot work would be retried for good.
  const kraken::WsConnectionOptions wso = connection_options(0);
  if (auto ok = kraken::KrakenWsConnection::validate(wso); !ok) return ok.error();
  if (opt_.symbol_stale_after.count() < 0) return Error(errc::invalid_argument, "symbol_stale_after: must not be negative");
  if (opt_.symbols_per_connection == 0) return Error(errc::invalid_argument, "symbols_per_connection: must be at least 1");
  if (opt_.symbols_per_message == 0) return Error(errc::invalid_argument, "symbols_per_message: must be at least 1");
  if (opt_.book_top_levels == 0 || opt_.book_top_levels > BookTopValue::kMaxLevels)
    return Error(errc::invalid_argument, fmt::format("book_top_levels: 1 to {}", BookTopValue::kMaxLevels));
  for (int i : opt_.ohlc_intervals)
    if (!ohlc_interval_index(i)) return Error(errc::invalid_argument, fmt::format("ohlc_intervals: {} is not a Kraken interval", i));
  if (opt_.recent_trades == 0 || opt_.recent_trades > SymbolCache::kTrades)
    return Error(errc::invalid_argument, fmt::format("recent_trades: 1 to {}", SymbolCache::kTrades));
  if (opt_.recent_spreads == 0 || opt_.recent_spreads > SymbolCache::kSpreads)
    return Error(errc::invalid_argument, fmt::format("recent_spreads: 1 to {}", SymbolCache::kSpreads));
  const SymbolCacheShape shape{opt_.trade ? opt_.recent_trades : 0, opt_.ticker ? opt_.recent_spreads : 0,
                               opt_.ohlc_intervals.empty() ? 0 : SymbolCache::kCandleUpdates};
  auto rt = std::make_unique<Runtime>();
  rt->rng.seed(static_cast<std::uint32_t>(clock_.mono_now().time_since_epoch().count()));
  for (std::size_t i = 0; i < opt_.symbols.size(); ++i) {
    const auto& fs = opt_.symbols[i];
    if (fs.book_depth != 0 && !Book::valid_depth(fs.book_depth))
      return Error(errc::invalid_argument, fmt::format("symbols[{}].book_depth: {} is not 10, 25, 100, 500 or 1000", i, fs.book_depth));
    auto inst = registry_.find(fs.symbol);
    if (!inst) return Error(errc::invalid_argument, fmt::format("symbols[{}].symbol: unknown symbol '{}'", i, fs.symbol));
    if (i % opt_.symbols_per_connection == 0) {
      rt->shards.push_back(std::make_unique<Shard>());
      rt->shards.back()->index = rt->shards.size() - 1;
    }
    Shard& sh = *rt->shards.back();
    // Across every shard: XBT/USD and BTC/USD on two connections would write one cache twice.
    for (const auto& other : rt->shards)
      if (other->by_symbol.count(inst->symbol))
        return Error(errc::invalid_argument, fmt::format("symbols[{}].symbol: {} twice", i, inst->symbol));
    SymbolState s;
    s.symbol = inst->symbol;  // Kraken's WS wants the v2 spelling, whatever the config said
    s.depth = fs.book_depth;
    s.cache = cache_.get_or_add(s.symbol, shape);
    if (!s.cache) return Error(errc::invalid_argument, fmt::format("symbols[{}]: the market cache is full", i));
    if (s.depth > 0) s.book = std::make_unique<Book>(s.depth);
    s.cache->set_stale_after(opt_.symbol_stale_after);
    s.precision = {inst->price_precision, inst->qty_precision};
    sh.by_symbol.emplace(s.symbol, sh.symbols.size());
    sh.symbols.push_back(std::move(s));
  }
  if (rt->shards.empty() && opt_.instrument) rt->shards.push_back(std::make_unique<Shard>());
  if (!rt->shards.empty()) rt->shards.front()->instrument = opt_.instrument;
  if (!opt_.journal_file.empty()) {
    auto j = FrameJournal::open(opt_.journal_file);
    if (!j) return j.error();
    rt->journal = std::move(*j);
  }
  rt_ = std::move(rt);
  for (auto& sh : rt_->shards) {
    sh->ws = std::make_unique<kraken::KrakenWsConnection>(rt_->io.get_executor(), connection_options(sh->index), clock_,
                                                          stats_, static_cast<std::uint32_t>(rt_->rng()));
    rt_->running.fetch_add(1, std::memory_order_relaxed);
    auto conn = std::make_shared<Connection>(*this, *sh);
    asio::co_spawn(rt_->io, [conn, ws = sh->ws.get()]() { return ws->run(*conn); }, [this, conn](std::exception_ptr e) {
      log_failure(e);
      rt_->running.fetch_sub(1, std::memory_order_release);
    });
  }
  rt_->thread = std::thread([rt = rt_.get()] {
    set_thread_name("kgw-feed");
    rt->io.run();
  });
  return {};
}

void MarketFeed::stop() {
  if (!rt_) return;
  auto& rt = *rt_;
  rt.stopping.store(true, std::memory_order_release);
  // Wake what sleeps or connects, close what is open; the connection coroutines then return.
  for (auto& sh : rt.shards) sh->ws->stop_from_any_thread();
  for (int i = 0; i < 300 && rt.running.load(std::memory_order_acquire) > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  rt.io.stop();
  if (rt.thread.joinable()) rt.thread.join();
  // Whatever the coroutines managed before being torn down, a stopped feed vouches for nothing.
  for (auto& sh : rt.shards)
    for (auto& sym : sh->symbols)
      if (sym.book) sym.cache->set_book_state(BookState::resyncing);
  if (rt.journal) rt.journal->close();
  rt_.reset();
}

}  // namespace kgw::feed
