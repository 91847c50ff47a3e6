#include "kgw/feed/market_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>

namespace kgw::feed {

namespace {

using kraken::KrakenRestClient;

std::int64_t pow10(int n) noexcept {
  std::int64_t p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

// Unix seconds (with a fraction, as Kraken prints REST times) to nanoseconds.
std::int64_t seconds_to_ns(const Decimal& s) noexcept {
  if (s.scale <= 9) return s.mantissa * pow10(9 - s.scale);
  return s.mantissa / pow10(s.scale - 9);
}


template <class T>
Sourced<T> from_rest(T v) {
  return Sourced<T>{std::move(v), Source::rest, 0};
}

result<std::vector<BookLevel>> levels_at(const std::vector<kraken::DepthLevel>& in, std::size_t n, int pp, int qp) {
  std::vector<BookLevel> out;
  for (std::size_t i = 0; i < in.size() && i < n; ++i) {
    auto p = in[i].price.to_fixed(pp);
    auto q = in[i].volume.to_fixed(qp);
    if (!p || !q) return Error(errc::parse_error, fmt::format("Depth level {} is off the instrument's grid", i));
    out.push_back({*p, *q});
  }
  return out;
}

}  // namespace

struct MarketReader::Resolved {
  std::string symbol;     // v2 (cache key)
  std::string rest_pair;  // what the REST API takes
  int price_precision = 0, qty_precision = 0;
  const SymbolCache* cache = nullptr;  // null: not subscribed
};

MarketReader::MarketReader(const MarketCache& cache, const InstrumentRegistry& registry, kraken::KrakenRestService* rest,
                           const Clock& clock, ReaderOptions options)
    : cache_(cache), registry_(registry), rest_(rest), clock_(clock), opt_(options) {}

result<MarketReader::Resolved> MarketReader::resolve(std::string_view symbol) const {
  auto inst = registry_.resolve(symbol, "symbol");
  if (!inst) return Error(errc::invalid_argument, inst.error().detail);
  Resolved r;
  r.symbol = (*inst)->symbol;
  r.rest_pair = (*inst)->altname.empty() ? (*inst)->rest_key : (*inst)->altname;
  r.price_precision = (*inst)->price_precision;
  r.qty_precision = (*inst)->qty_precision;
  r.cache = cache_.find(r.symbol);
  return r;
}

std::int64_t MarketReader::age(std::int64_t receive_ns) const noexcept {
  return static_cast<std::int64_t>(clock_.wall_now().time_since_epoch().count()) - receive_ns;
}

bool MarketReader::fresh(std::int64_t live_ns) const noexcept {
  return live_ns > 0 && age(live_ns) <= std::chrono::nanoseconds(opt_.max_age).count();
}

bool MarketReader::fresh(const SymbolCache& sc) const noexcept {
  return fresh(sc.live_ns()) && !sc.stale(static_cast<std::int64_t>(clock_.wall_now().time_since_epoch().count()));
}

namespace {

// A cached value, its receive time, and whether automatic mode may serve it, all decided on
// the same copy (a second load could see a different value).
template <class T>
struct Cached {
  T value;
  std::int64_t receive_ns = 0;
  bool usable = false;  // automatic mode may serve it: fresh, and as complete as asked
  bool fresh = false;   // its stream vouches for it (Sourced::fresh)
};

// The shape every read shares: a cached value if the mode and its freshness allow, else REST.
// `cached()` gives the value (nullopt: nothing cached); `fetch(done)` asks REST.
template <class T, class CachedFn, class Age, class Fetch>
void read(ReadMode mode, bool has_rest, std::string_view what, CachedFn cached, Age age, Fetch fetch,
          MarketReader::Done<T> done) {
  if (mode != ReadMode::rest_only) {
    std::optional<Cached<T>> c = cached();
    if (c && (mode == ReadMode::cache_only || !has_rest || c->usable)) {
      done(Sourced<T>{std::move(c->value), Source::ws_cache, age(c->receive_ns), c->fresh});
      return;
    }
    if (mode == ReadMode::cache_only || !has_rest) {
      done(Error(errc::not_found, fmt::format("symbol: nothing cached for {} (not subscribed, or no data yet)", what)));
      return;
    }
  }
  if (!has_rest) {
    done(Error(errc::not_supported, "no REST client configured"));
    return;
  }
  fetch(std::move(done));
}

}  // namespace

void MarketReader::ticker(std::string_view symbol, ReadMode mode, Done<TickerValue> done) const {
  auto r = resolve(symbol);
  if (!r) return done(r.error());
  const std::string what = r->symbol;
  const SymbolCache* sc = r->cache;
  auto cached = [&]() -> std::optional<Cached<TickerValue>> {
    if (!sc) return std::nullopt;
    auto t = sc->ticker();
    if (!t) return std::nullopt;
    const bool f = fresh(*sc);
    return Cached<TickerValue>{*t, t->stamp.receive_ns, f, f};
  };
  read<TickerValue>(
      mode, rest_ != nullptr, what, cached,
      [this](std::int64_t rx) { return age(rx); },
      [&, this](Done<TickerValue> reply) {
        rest_->submit<std::vector<kraken::Ticker>>(
          [pair = r->rest_pair](KrakenRestClient& c) { return c.ticker(std::vector<std::string>{pair}); },
          [done = std::move(reply)](result<std::vector<kraken::Ticker>> res) {
            if (!res) return done(res.error());
            if (res->empty()) return done(Error(errc::not_found, "symbol: Kraken returned no ticker"));
            const kraken::Ticker& k = res->front();
            TickerValue v;
            v.bid = k.bid.price;
            v.bid_qty = k.bid.lot_volume;
            v.ask = k.ask.price;
            v.ask_qty = k.ask.lot_volume;
            v.last = k.last_price;
            v.volume = k.volume[1];
            v.vwap = k.vwap[1];
            v.low = k.low[1];
            v.high = k.high[1];
            v.change_known = false;
            done(from_rest(v));
          });
      },
      std::move(done));
}

void MarketReader::book(std::string_view symbol, std::size_t depth, ReadMode mode, Done<BookTopValue> done) const {
  auto r = resolve(symbol);
  if (!r) return done(r.error());
  if (depth == 0 || depth > BookTopValue::kMaxLevels)
    return done(Error(errc::invalid_argument, fmt::format("depth: 1 to {}", BookTopValue::kMaxLevels)));
  const std::string what = r->symbol;
  const SymbolCache* sc = r->cache;
  // A cached book only serves automatic reads while it is verified and its connection live;
  // a book that holds fewer levels than asked also goes to REST, unless that side is the whole
  // side (fewer levels than the window the feed keeps: the exchange has no more). A cache_only
  // read of a book whose connection went silent says so in its state.
  auto cached = [&]() -> std::optional<Cached<BookTopValue>> {
    if (!sc) return std::nullopt;
    auto b = sc->book();
    if (!b || b->state == BookState::none) return std::nullopt;
    const std::int64_t now = static_cast<std::int64_t>(clock_.wall_now().time_since_epoch().count());
    if (b->state == BookState::synced && sc->stale(now)) b->state = BookState::stale;
    const bool vouched = b->state == BookState::synced && fresh(sc->live_ns());
    const bool usable = vouched && b->holds(depth);
    b->n_bids = static_cast<std::uint16_t>(std::min<std::size_t>(b->n_bids, depth));
    b->n_asks = static_cast<std::uint16_t>(std::min<std::size_t>(b->n_asks, depth));
    return Cached<BookTopValue>{*b, b->stamp.receive_ns, usable, vouched};
  };
  read<BookTopValue>(
      mode, rest_ != nullptr, what, cached,
      [this](std::int64_t rx) { return age(rx); },
      [&, this](Done<BookTopValue> reply) {
        rest_->submit<kraken::Depth>(
          [pair = r->rest_pair, depth](KrakenRestClient& c) { return c.depth(pair, static_cast<int>(depth)); },
          [done = std::move(reply), pp = r->price_precision, qp = r->qty_precision, depth](result<kraken::Depth> res) {
            if (!res) return done(res.error());
            auto bids = levels_at(res->bids, depth, pp, qp);
            auto asks = levels_at(res->asks, depth, pp, qp);
            if (!bids) return done(bids.error());
            if (!asks) return done(asks.error());
            BookTopValue v;
            v.state = BookState::none;  // a REST snapshot has no checksum to verify
            v.price_precision = static_cast<std::int8_t>(pp);
            v.qty_precision = static_cast<std::int8_t>(qp);
            v.n_bids = static_cast<std::uint16_t>(bids->size());
            v.n_asks = static_cast<std::uint16_t>(asks->size());
            std::copy(bids->begin(), bids->end(), v.bids.begin());
            std::copy(asks->begin(), asks->end(), v.asks.begin());
            v.checksum = book_checksum(std::span<const BookLevel>(v.asks.data(), v.n_asks),
                                       std::span<const BookLevel>(v.bids.data(), v.n_bids));
            done(from_rest(v));
          });
      },
      std::move(done));
}

void MarketReader::trades(std::string_view symbol, std::size_t count, ReadMode mode, Done<std::vector<TradeValue>> done) const {
  auto r = resolve(symbol);
  if (!r) return done(r.error());
  if (count == 0 || count > SymbolCache::kTrades)
    return done(Error(errc::invalid_argument, fmt::format("count: 1 to {}", SymbolCache::kTrades)));
  const std::string what = r->symbol;
  const SymbolCache* sc = r->cache;
  // Fewer cached trades than asked (after a restart the ring holds Kraken's 50-trade snapshot)
  // goes to REST in automatic mode.
  auto cached = [&]() -> std::optional<Cached<std::vector<TradeValue>>> {
    if (!sc) return std::nullopt;
    std::vector<TradeValue> out(count);
    out.resize(sc->trades(out));
    if (out.empty()) return std::nullopt;
    const std::int64_t rx = out.back().stamp.receive_ns;
    const bool vouched = fresh(*sc);
    const bool usable = out.size() == count && vouched;
    return Cached<std::vector<TradeValue>>{std::move(out), rx, usable, vouched};
  };
  read<std::vector<TradeValue>>(
      mode, rest_ != nullptr, what, cached,
      [this](std::int64_t rx) { return age(rx); },
      [&, this](Done<std::vector<TradeValue>> reply) {
        rest_->submit<kraken::TradesPage>(
          [pair = r->rest_pair, count](KrakenRestClient& c) {
            return c.trades(pair, std::nullopt, static_cast<int>(std::min<std::size_t>(count, 1000)));
          },
          [done = std::move(reply), count](result<kraken::TradesPage> res) {
            if (!res) return done(res.error());
            std::vector<TradeValue> out;
            const std::size_t skip = res->trades.size() > count ? res->trades.size() - count : 0;
            for (std::size_t i = skip; i < res->trades.size(); ++i) {
              const auto& k = res->trades[i];
              TradeValue v;
              v.price = k.price;
              v.qty = k.volume;
              v.side = k.side == 's' ? TradeSide::sell : TradeSide::buy;
              v.market = k.ordtype == 'm';
              v.trade_id = k.trade_id;
              v.stamp.exchange_ns = seconds_to_ns(k.time);
              out.push_back(v);
            }
            done(from_rest(std::move(out)));
          });
      },
      std::move(done));
}

void MarketReader::candles(std::string_view symbol, int interval, ReadMode mode, Done<std::vector<CandleValue>> done) const {
  auto r = resolve(symbol);
  if (!r) return done(r.error());
  if (!ohlc_interval_index(interval))
    return done(Error(errc::invalid_argument, fmt::format("interval: {} is not one of 1, 5, 15, 30, 60, 240, 1440, 10080, 21600", interval)));
  const std::string what = r->symbol;
  const SymbolCache* sc = r->cache;
  auto cached = [&]() -> std::optional<Cached<std::vector<CandleValue>>> {
    if (!sc) return std::nullopt;
    std::vector<CandleValue> recent(SymbolCache::kCandleUpdates);
    recent.resize(sc->recent_candles(interval, recent));
    if (recent.empty()) return std::nullopt;
    const std::int64_t rx = recent.back().stamp.receive_ns;
    const bool f = fresh(*sc);
    return Cached<std::vector<CandleValue>>{std::move(recent), rx, f, f};
  };
  read<std::vector<CandleValue>>(
      mode, rest_ != nullptr, what, cached,
      [this](std::int64_t rx) { return age(rx); },
      [&, this](Done<std::vector<CandleValue>> reply) {
        rest_->submit<kraken::OhlcPage>(
          [pair = r->rest_pair, interval](KrakenRestClient& c) { return c.ohlc(pair, interval, std::nullopt); },
          [done = std::move(reply), interval](result<kraken::OhlcPage> res) {
            if (!res) return done(res.error());
            std::vector<CandleValue> out;
            for (const auto& k : res->candles) {
              CandleValue v;
              v.interval = interval;
              v.interval_begin_ns = k.time * 1'000'000'000;
              v.open = k.open;
              v.high = k.high;
              v.low = k.low;
              v.close = k.close;
              v.vwap = k.vwap;
              v.volume = k.volume;
              v.trades = k.count;
              out.push_back(v);
            }
            done(from_rest(std::move(out)));
          });
      },
      std::move(done));
}

void MarketReader::spread(std::string_view symbol, ReadMode mode, Done<std::vector<SpreadValue>> done) const {
  auto r = resolve(symbol);
  if (!r) return done(r.error());
  const std::string what = r->symbol;
  const SymbolCache* sc = r->cache;
  auto cached = [&]() -> std::optional<Cached<std::vector<SpreadValue>>> {
    if (!sc) return std::nullopt;
    std::vector<SpreadValue> out(SymbolCache::kSpreads);
    out.resize(sc->spreads(out));
    if (out.empty()) return std::nullopt;
    const std::int64_t rx = out.back().stamp.receive_ns;
    const bool f = fresh(*sc);
    return Cached<std::vector<SpreadValue>>{std::move(out), rx, f, f};
  };
  read<std::vector<SpreadValue>>(
      mode, rest_ != nullptr, what, cached,
      [this](std::int64_t rx) { return age(rx); },
      [&, this](Done<std::vector<SpreadValue>> reply) {
        rest_->submit<kraken::SpreadPage>(
          [pair = r->rest_pair](KrakenRestClient& c) { return c.spread(pair, std::nullopt); },
          [done = std::move(reply)](result<kraken::SpreadPage> res) {
            if (!res) return done(res.error());
            std::vector<SpreadValue> out;
            for (const auto& k : res->entries) {
              SpreadValue v;
              v.bid = k.bid;
              v.ask = k.ask;
              v.stamp.exchange_ns = k.time * 1'000'000'000;
              v.sizes_known = false;
              out.push_back(v);
            }
            done(from_rest(std::move(out)));
          });
      },
      std::move(done));
}

void MarketReader::system_status(ReadMode mode, Done<StatusValue> done) const {
  const std::string what = "system status";
  // Kraken sends `status` on connect and on every change, so a cached one is current while a
  // connection that received it is live (the feed vouches for it); without one, ask REST.
  auto cached = [&]() -> std::optional<Cached<StatusValue>> {
    auto s = cache_.status();
    if (!s) return std::nullopt;
    const bool f = fresh(cache_.status_live_ns());
    return Cached<StatusValue>{*s, s->stamp.receive_ns, f, f};
  };
  read<StatusValue>(
      mode, rest_ != nullptr, what, cached,
      [this](std::int64_t rx) { return age(rx); },
      [&, this](Done<StatusValue> reply) {
        rest_->submit<kraken::SystemStatusInfo>(
          [](KrakenRestClient& c) { return c.system_status(); },
          [done = std::move(reply)](result<kraken::SystemStatusInfo> res) {
            if (!res) return done(res.error());
            StatusValue v;
            v.system = kraken::parse_word<SystemStatus>(res->status).value_or(SystemStatus::unknown);
            copy_text(v.system_text, res->status);
            if (auto t = parse_rfc3339(res->timestamp)) v.stamp.exchange_ns = t->time_since_epoch().count();
            done(from_rest(v));
          });
      },
      std::move(done));
}

void MarketReader::asset_pairs(std::vector<std::string> pairs, ReadMode mode, Done<std::vector<Instrument>> done) const {
  std::vector<std::string> rest_names;
  std::vector<Instrument> from_registry;
  if (pairs.empty()) {
    for (const auto& in : registry_.instruments()) from_registry.push_back(*in);
  } else {
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      auto in = registry_.find(pairs[i]);
      if (!in) return done(Error(errc::invalid_argument, fmt::format("pairs[{}]: unknown pair '{}'", i, pairs[i])));
      from_registry.push_back(*in);
      rest_names.push_back(in->altname.empty() ? in->rest_key : in->altname);
    }
  }
  const std::string what = "asset pairs";
  auto cached = [&]() -> std::optional<Cached<std::vector<Instrument>>> {
    if (from_registry.empty()) return std::nullopt;
    // The registry has no age of its own; it is as current as the last load or instrument update.
    return Cached<std::vector<Instrument>>{std::move(from_registry), 0, true, true};
  };
  read<std::vector<Instrument>>(
      mode, rest_ != nullptr, what, cached, [](std::int64_t) { return std::int64_t{0}; },
      [&, this](Done<std::vector<Instrument>> reply) {
        rest_->submit<std::vector<Instrument>>(
            [names = std::move(rest_names)](KrakenRestClient& c) { return c.asset_pairs(names); },
            [done = std::move(reply), reg = &registry_](result<std::vector<Instrument>> res) {
              if (!res) return done(res.error());
              // AssetPairs has no v2 names; the registry knows them (wsname + asset altnames).
              for (auto& in : *res)
                if (auto known = reg->find(in.rest_key)) {
                  in.symbol = known->symbol;
                  in.base = known->base;
                  in.quote = known->quote;
                }
              done(from_rest(std::move(*res)));
            });
      },
      std::move(done));
}

}  // namespace kgw::feed
