#include "market_data_streams.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>

#include "backend.hpp"
#include "kgw/v1/market_data.pb.h"
#include "proto_convert.hpp"
#include "watched_stream.hpp"

namespace kgw::gateway {
namespace {

using InstrumentPtr = InstrumentRegistry::InstrumentPtr;

// A pair a stream follows: its instrument and its cache.
struct Followed {
  InstrumentPtr in;
  const feed::SymbolCache* cache = nullptr;
};

template <class Message>
grpc::ServerWriteReactor<Message>* refuse(const Error& e) {
  return new FinishedStream<Message>(to_grpc_status(e));
}

// The request's pairs, each one the feed subscribes; duplicates are followed once.
result<std::vector<Followed>> followed(const Backend& b, const google::protobuf::RepeatedPtrField<std::string>& pairs) {
  if (pairs.empty()) return Error(errc::invalid_argument, "pairs: at least one pair is required");
  std::vector<Followed> out;
  for (int i = 0; i < pairs.size(); ++i) {
    const std::string field = fmt::format("pairs[{}]", i);
    auto in = b.pair(pairs[i], field);
    if (!in) return in.error();
    const feed::SymbolCache* cache = b.is_streamed((*in)->symbol) ? b.cache.find((*in)->symbol) : nullptr;
    if (!cache)
      return fail(gateway_errc::not_subscribed,
                  fmt::format("{}: the gateway's feed does not subscribe {} (config feed.pairs)", field, (*in)->symbol));
    if (std::none_of(out.begin(), out.end(), [&](const Followed& f) { return f.cache == cache; })) out.push_back({*in, cache});
  }
  return out;
}

Interest interest_in(const std::vector<Followed>& pairs) {
  Interest i;
  for (const auto& f : pairs) i.symbols.push_back(f.cache);
  return i;
}

// Conflation state of one key (a pair's ticker or book) of one stream.
struct KeyState {
  std::uint64_t sent_seq = 0;
  bool sent_any = false;
  bool stale_sent = false;  // the last message said stale: the next fresh one is a SNAPSHOT
};

// What a conflated stream does with one key's latest value at a pass.
enum class Send : unsigned char { nothing, value, stale };

Send decide(KeyState& k, std::uint64_t seq, bool usable) {
  if (!usable) {
    if (!k.sent_any || k.stale_sent) return Send::nothing;
    k.stale_sent = true;
    return Send::stale;
  }
  if (k.sent_any && !k.stale_sent && seq == k.sent_seq) return Send::nothing;
  return Send::value;
}

// What every conflated message carries besides its payload: the pair, the meta (flagged stale
// for a Send::stale), and the key's record of what was sent.
template <class Event>
void conflated_head(Event& out, const Followed& f, const feed::Stamp& stamp, Send s, KeyState& k, const Backend& b,
                    std::int64_t now) {
  out.set_pair(f.in->rest_key);
  out.set_symbol(f.in->symbol);
  Meta m = cache_meta(stamp, b.simulated, now);
  m.stale = s == Send::stale;
  fill(*out.mutable_meta(), m);
  if (s == Send::value) {
    k.sent_seq = stamp.seq;
    k.sent_any = true;
    k.stale_sent = false;
  }
}

// Round robin over the keys so one busy pair cannot starve the others of a slow client.
template <class Try>
bool round_robin(std::size_t n, std::size_t& cursor, Try try_key) {
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = (cursor + k) % n;
    if (try_key(i)) {
      cursor = i + 1;
      return true;
    }
  }
  return false;
}

class TickerStream final : public WatchedStream<v1::TickerEvent> {
 public:
  TickerStream(Backend& b, std::vector<Followed> pairs, bool snapshot)
      : WatchedStream(b.watch), b_(b), pairs_(std::move(pairs)), keys_(pairs_.size()) {
    // Without a snapshot the current value counts as sent; the first change is the first message.
    if (!snapshot)
      for (std::size_t i = 0; i < pairs_.size(); ++i)
        if (auto t = pairs_[i].cache->ticker()) keys_[i].sent_seq = t->stamp.seq;
  }

 private:
  bool next(v1::TickerEvent& out) override {
    const std::int64_t now = b_.now_ns();
    return round_robin(pairs_.size(), cursor_, [&](std::size_t i) {
      const Followed& f = pairs_[i];
      KeyState& k = keys_[i];
      auto t = f.cache->ticker();
      if (!t) return false;
      const bool first = !k.sent_any || k.stale_sent;
      const Send s = decide(k, t->stamp.seq, !f.cache->stale(now));
      if (s == Send::nothing) return false;
      out.set_type(first && s == Send::value ? v1::STREAM_MESSAGE_TYPE_SNAPSHOT : v1::STREAM_MESSAGE_TYPE_UPDATE);
      fill(*out.mutable_ticker(), *t, *f.in);
      conflated_head(out, f, t->stamp, s, k, b_, now);
      return true;
    });
  }

  Backend& b_;
  std::vector<Followed> pairs_;
  std::vector<KeyState> keys_;
  std::size_t cursor_ = 0;
};

class BookStream final : public WatchedStream<v1::BookEvent> {
 public:
  BookStream(Backend& b, std::vector<Followed> pairs, std::size_t depth)
      : WatchedStream(b.watch), b_(b), pairs_(std::move(pairs)), keys_(pairs_.size()), depth_(depth) {}

 private:
  bool next(v1::BookEvent& out) override {
    const std::int64_t now = b_.now_ns();
    return round_robin(pairs_.size(), cursor_, [&](std::size_t i) {
      const Followed& f = pairs_[i];
      KeyState& k = keys_[i];
      auto book = f.cache->book();
      if (!book) return false;
      // Only verified books are sent; while one resyncs, the last verified one is flagged stale.
      const bool usable = book->state == feed::BookState::synced && !f.cache->stale(now);
      const Send s = decide(k, book->stamp.seq, usable);
      if (s == Send::nothing) return false;
      out.set_type(v1::STREAM_MESSAGE_TYPE_SNAPSHOT);  // FULL mode: every message is the whole book
      fill_levels(*out.mutable_bids(), *out.mutable_asks(), *book, depth_);
      out.set_checksum(book->checksum);
      out.set_checksum_validated(s == Send::value);
      out.set_depth(static_cast<std::uint32_t>(depth_));
      conflated_head(out, f, book->stamp, s, k, b_, now);
      return true;
    });
  }

  Backend& b_;
  std::vector<Followed> pairs_;
  std::vector<KeyState> keys_;
  std::size_t depth_;
  std::size_t cursor_ = 0;
};

class TradesStream final : public WatchedStream<v1::TradesEvent> {
 public:
  // Trades in one message at most (Kraken batches a few; a backlog is split).
  static constexpr std::size_t kPerMessage = 500;
  // Kraken's v2 trade snapshot is the last 50 trades.
  static constexpr std::size_t kSnapshot = 50;

  TradesStream(Backend& b, std::vector<Followed> pairs, bool snapshot)
      : WatchedStream(b.watch), b_(b), pairs_(std::move(pairs)), next_(pairs_.size()), dropped_(pairs_.size()) {
    for (std::size_t i = 0; i < pairs_.size(); ++i) {
      const feed::SymbolCache& c = *pairs_[i].cache;
      const std::uint64_t head = c.trades_published();
      next_[i] = head + 1;
      if (!snapshot) continue;
      for (std::uint64_t seq = head > kSnapshot ? head - kSnapshot + 1 : 1; seq <= head; ++seq) {
        feed::TradeValue t;
        if (c.trade(seq, t)) queue_.push_back({i, true, t});
      }
    }
  }

 private:
  struct Pending {
    std::size_t pair;
    bool snapshot;
    feed::TradeValue trade;
  };

  std::optional<grpc::Status> absorb(bool writing) override {
    for (std::size_t i = 0; i < pairs_.size(); ++i) {
      const feed::SymbolCache& c = *pairs_[i].cache;
      for (const std::uint64_t head = c.trades_published(); next_[i] <= head; ++next_[i]) {
        feed::TradeValue t;
        if (c.trade(next_[i], t)) queue_.push_back({i, false, t});
        else ++dropped_[i];  // lapped in the cache's ring before this stream read it
      }
    }
    // Kraken sends trades in bursts: only what waits behind a write in flight counts.
    if (writing && queue_.size() > b_.config.streams.trade_queue)
      return to_grpc_status(fail(gateway_errc::client_too_slow,
                                 fmt::format("client too slow: {} trades waiting (streams.trade_queue {})", queue_.size(),
                                             b_.config.streams.trade_queue)));
    return std::nullopt;
  }

  bool next(v1::TradesEvent& out) override {
    if (queue_.empty()) return false;
    const std::size_t i = queue_.front().pair;
    const bool snapshot = queue_.front().snapshot;
    const Followed& f = pairs_[i];
    out.set_pair(f.in->rest_key);
    out.set_symbol(f.in->symbol);
    out.set_type(snapshot ? v1::STREAM_MESSAGE_TYPE_SNAPSHOT : v1::STREAM_MESSAGE_TYPE_UPDATE);
    out.set_dropped(std::exchange(dropped_[i], 0));
    feed::Stamp newest;
    while (!queue_.empty() && queue_.front().pair == i && queue_.front().snapshot == snapshot &&
           static_cast<std::size_t>(out.trades_size()) < kPerMessage) {
      fill(*out.add_trades(), queue_.front().trade, *f.in);
      newest = queue_.front().trade.stamp;
      queue_.pop_front();
    }
    fill(*out.mutable_meta(), cache_meta(newest, b_.simulated, b_.now_ns()));
    return true;
  }

  Backend& b_;
  std::vector<Followed> pairs_;
  std::vector<std::uint64_t> next_;   // per pair: the next trade sequence to read
  std::vector<std::uint64_t> dropped_;
  std::deque<Pending> queue_;
};

class OhlcStream final : public WatchedStream<v1::OhlcEvent> {
 public:
  OhlcStream(Backend& b, std::vector<Followed> pairs, int interval, bool snapshot)
      : WatchedStream(b.watch), b_(b), pairs_(std::move(pairs)), keys_(pairs_.size()), interval_(interval) {
    for (std::size_t i = 0; i < pairs_.size(); ++i) {
      Key& k = keys_[i];
      k.next = pairs_[i].cache->candle_updates() + 1;
      k.current = pairs_[i].cache->candle(interval_);
      k.snapshot_due = snapshot;
    }
  }

 private:
  struct Key {
    std::uint64_t next = 1;                  // the next candle update to read
    std::optional<feed::CandleValue> current;  // the newest version of the newest candle
    bool dirty = false;                      // `current` changed since it was last sent
    bool snapshot_due = false;
  };
  struct Closed {
    std::size_t pair;
    feed::CandleValue candle;
  };

  std::optional<grpc::Status> absorb(bool writing) override {
    for (std::size_t i = 0; i < pairs_.size(); ++i) {
      const feed::SymbolCache& c = *pairs_[i].cache;
      Key& k = keys_[i];
      for (const std::uint64_t head = c.candle_updates(); k.next <= head; ++k.next) {
        feed::CandleValue u;
        if (!c.candle_update(k.next, u)) {
          // Lapped: closed candles may be in the gap; start this pair over with a snapshot.
          k.snapshot_due = true;
          k.next = head;
          continue;
        }
        if (u.interval != interval_) continue;
        if (!k.current || u.interval_begin_ns == k.current->interval_begin_ns) {
          k.current = u;
          k.dirty = true;
        } else if (u.interval_begin_ns > k.current->interval_begin_ns) {
          closed_.push_back({i, *k.current});  // its last version: it is final now
          k.current = u;
          k.dirty = true;
        } else {
          k.snapshot_due = true;  // older candles again: Kraken re-sent its snapshot (resubscribed)
        }
      }
    }
    if (writing && closed_.size() > b_.config.streams.candle_queue)
      return to_grpc_status(fail(gateway_errc::client_too_slow,
                                 fmt::format("client too slow: {} closed candles waiting (streams.candle_queue {})",
                                             closed_.size(), b_.config.streams.candle_queue)));
    return std::nullopt;
  }

  void head(v1::OhlcEvent& out, const Followed& f, v1::StreamMessageType type) {
    out.set_pair(f.in->rest_key);
    out.set_symbol(f.in->symbol);
    out.set_type(type);
  }

  bool next(v1::OhlcEvent& out) override {
    const std::int64_t now = b_.now_ns();
    for (std::size_t i = 0; i < pairs_.size(); ++i) {
      Key& k = keys_[i];
      if (!k.snapshot_due) continue;
      k.snapshot_due = false;
      std::vector<feed::CandleValue> recent(feed::SymbolCache::kCandleUpdates);
      recent.resize(pairs_[i].cache->recent_candles(interval_, recent));
      // The snapshot holds them: what was queued for this pair is not sent again.
      closed_.erase(std::remove_if(closed_.begin(), closed_.end(), [i](const Closed& c) { return c.pair == i; }), closed_.end());
      if (recent.empty()) continue;
      k.current = recent.back();
      k.dirty = false;
      head(out, pairs_[i], v1::STREAM_MESSAGE_TYPE_SNAPSHOT);
      for (std::size_t n = 0; n < recent.size(); ++n) fill(*out.add_candles(), recent[n], *pairs_[i].in, n + 1 < recent.size());
      fill(*out.mutable_meta(), cache_meta(recent.back().stamp, b_.simulated, now));
      return true;
    }
    if (!closed_.empty()) {
      const std::size_t i = closed_.front().pair;
      head(out, pairs_[i], v1::STREAM_MESSAGE_TYPE_UPDATE);
      feed::Stamp newest;
      while (!closed_.empty() && closed_.front().pair == i) {
        fill(*out.add_candles(), closed_.front().candle, *pairs_[i].in, true);
        newest = closed_.front().candle.stamp;
        closed_.pop_front();
      }
      fill(*out.mutable_meta(), cache_meta(newest, b_.simulated, now));
      return true;
    }
    return round_robin(pairs_.size(), cursor_, [&](std::size_t i) {
      Key& k = keys_[i];
      if (!k.dirty || !k.current) return false;
      k.dirty = false;
      head(out, pairs_[i], v1::STREAM_MESSAGE_TYPE_UPDATE);
      fill(*out.add_candles(), *k.current, *pairs_[i].in, false);
      Meta m = cache_meta(k.current->stamp, b_.simulated, now);
      m.stale = pairs_[i].cache->stale(now);
      fill(*out.mutable_meta(), m);
      return true;
    });
  }

  Backend& b_;
  std::vector<Followed> pairs_;
  std::vector<Key> keys_;
  int interval_;
  std::deque<Closed> closed_;
  std::size_t cursor_ = 0;
};

class SystemStatusStream final : public WatchedStream<v1::SystemStatusEvent> {
 public:
  explicit SystemStatusStream(Backend& b) : WatchedStream(b.watch), b_(b) {}

 private:
  bool next(v1::SystemStatusEvent& out) override {
    auto s = b_.cache.status();
    if (!s || s->stamp.seq == sent_seq_) return false;
    sent_seq_ = s->stamp.seq;
    out.set_status(to_proto(s->system));
    out.set_api_version(s->api_version.data());
    out.set_version(s->version.data());
    out.set_connection_id(s->connection_id);
    fill(*out.mutable_meta(), cache_meta(s->stamp, b_.simulated, b_.now_ns()));
    return true;
  }

  Backend& b_;
  std::uint64_t sent_seq_ = 0;
};

}  // namespace

grpc::ServerWriteReactor<v1::TickerEvent>* stream_ticker(Backend& b, grpc::CallbackServerContext*,
                                                         const v1::StreamTickerRequest& req) {
  auto pairs = followed(b, req.pairs());
  if (!pairs) return refuse<v1::TickerEvent>(pairs.error());
  if (!v1::TickerEventTrigger_IsValid(req.event_trigger()))
    return refuse<v1::TickerEvent>(Error(errc::invalid_argument, "event_trigger: not a TickerEventTrigger"));
  const bool bbo = req.event_trigger() == v1::TICKER_EVENT_TRIGGER_BBO;
  if (req.event_trigger() != v1::TICKER_EVENT_TRIGGER_UNSPECIFIED && bbo != b.config.feed.ticker_bbo)
    return refuse<v1::TickerEvent>(fail(
        gateway_errc::not_subscribed, fmt::format("event_trigger: the feed subscribes tickers on {} (config feed.ticker_trigger)",
                                                  b.config.feed.ticker_bbo ? "bbo" : "trades")));
  Interest interest = interest_in(*pairs);
  auto s = std::make_shared<TickerStream>(b, std::move(*pairs), !req.has_snapshot() || req.snapshot());
  return s->start(std::move(interest));
}

grpc::ServerWriteReactor<v1::BookEvent>* stream_book(Backend& b, grpc::CallbackServerContext*, const v1::StreamBookRequest& req) {
  auto pairs = followed(b, req.pairs());
  if (!pairs) return refuse<v1::BookEvent>(pairs.error());
  const std::uint32_t depth = req.depth() == 0 ? 10 : req.depth();
  constexpr std::uint32_t kDepths[] = {10, 25, 100, 500, 1000};
  if (std::find(std::begin(kDepths), std::end(kDepths), depth) == std::end(kDepths))
    return refuse<v1::BookEvent>(Error(errc::invalid_argument, fmt::format("depth: {} is not 10, 25, 100, 500 or 1000", depth)));
  if (!v1::BookStreamMode_IsValid(req.mode()))
    return refuse<v1::BookEvent>(Error(errc::invalid_argument, "mode: not a BookStreamMode"));
  if (req.mode() == v1::BOOK_STREAM_MODE_DELTA)
    return refuse<v1::BookEvent>(fail(gateway_errc::unimplemented,
                                      "mode: BOOK_STREAM_MODE_DELTA needs the feed's per-message level changes, not kept yet"));
  const std::size_t served = std::min<std::size_t>(b.config.feed.book_depth, feed::BookTopValue::kMaxLevels);
  if (depth > served)
    return refuse<v1::BookEvent>(fail(gateway_errc::not_subscribed,
                                      fmt::format("depth: the feed keeps books of {} levels (config feed.book_depth)", served)));
  Interest interest = interest_in(*pairs);
  auto s = std::make_shared<BookStream>(b, std::move(*pairs), depth);
  return s->start(std::move(interest));
}

grpc::ServerWriteReactor<v1::TradesEvent>* stream_trades(Backend& b, grpc::CallbackServerContext*,
                                                         const v1::StreamTradesRequest& req) {
  auto pairs = followed(b, req.pairs());
  if (!pairs) return refuse<v1::TradesEvent>(pairs.error());
  Interest interest = interest_in(*pairs);
  auto s = std::make_shared<TradesStream>(b, std::move(*pairs), req.has_snapshot() && req.snapshot());
  return s->start(std::move(interest));
}

grpc::ServerWriteReactor<v1::OhlcEvent>* stream_ohlc(Backend& b, grpc::CallbackServerContext*, const v1::StreamOhlcRequest& req) {
  auto pairs = followed(b, req.pairs());
  if (!pairs) return refuse<v1::OhlcEvent>(pairs.error());
  const int interval = req.interval_minutes() == 0 ? 1 : req.interval_minutes();
  if (!feed::ohlc_interval_index(interval))
    return refuse<v1::OhlcEvent>(Error(errc::invalid_argument, fmt::format("interval_minutes: {} is not one of {}", interval,
                                                                            fmt::join(feed::kOhlcIntervals, ", "))));
  const auto& subscribed = b.config.feed.ohlc_intervals;
  if (std::find(subscribed.begin(), subscribed.end(), interval) == subscribed.end())
    return refuse<v1::OhlcEvent>(fail(gateway_errc::not_subscribed,
                                      fmt::format("interval_minutes: the feed does not subscribe {}-minute candles (config "
                                                  "feed.ohlc_intervals)",
                                                  interval)));
  Interest interest = interest_in(*pairs);
  auto s = std::make_shared<OhlcStream>(b, std::move(*pairs), interval, !req.has_snapshot() || req.snapshot());
  return s->start(std::move(interest));
}

grpc::ServerWriteReactor<v1::SystemStatusEvent>* stream_system_status(Backend& b, grpc::CallbackServerContext*,
                                                                      const v1::StreamSystemStatusRequest&) {
  auto s = std::make_shared<SystemStatusStream>(b);
  Interest i;
  i.system_status = true;
  return s->start(std::move(i));
}

}  // namespace kgw::gateway
