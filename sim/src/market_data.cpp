#include "kgw/sim/market_data.hpp"

#include <algorithm>

namespace kgw::sim {
namespace {

constexpr std::size_t kTradesKept = 1000;
constexpr std::size_t kCandlesKept = 720;
constexpr std::size_t kSpreadsKept = 200;

std::int64_t unix_seconds(WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

MarketData::MarketData(Exchange& ex) : ex_(ex), pairs_(ex.instruments().size()) { ex_.add_observer(this); }
MarketData::~MarketData() { ex_.remove_observer(this); }

const std::deque<Candle>& MarketData::candles(std::size_t pair, int interval) const {
  const auto it = std::find(kOhlcIntervals.begin(), kOhlcIntervals.end(), interval);
  return pairs_.at(pair).candles.at(static_cast<std::size_t>(it == kOhlcIntervals.end() ? 0 : it - kOhlcIntervals.begin()));
}

void MarketData::seed_last(std::size_t pair, Price p) {
  pairs_.at(pair).stats.last = p;
  ex_.engine(pair).set_last_price(p);
}

void MarketData::roll(PairState& s, WallTime now) {
  TickerStats& st = s.stats;
  // Expire minute buckets older than 24 h, subtracting them from the running sums; low, high and
  // open are recomputed from the (≤ 1440) buckets only when a bucket actually expired, at most
  // once a minute, so a trade costs O(1) amortised.
  const std::int64_t minute = unix_seconds(now) / 60;
  bool expired = false;
  while (!s.minutes.empty() && s.minutes.front().minute <= minute - 1440) {
    const Minute& m = s.minutes.front();
    st.volume_24h -= m.volume;
    st.pxq_24h -= m.pxq;
    st.trades_24h -= m.count;
    s.minutes.pop_front();
    expired = true;
  }
  if (expired) {
    st.low_24h.reset();
    st.high_24h.reset();
    st.open_24h.reset();
    for (const auto& m : s.minutes) {
      if (m.count == 0) continue;
      if (!st.open_24h) st.open_24h = m.open;
      if (!st.low_24h || m.low < *st.low_24h) st.low_24h = m.low;
      if (!st.high_24h || m.high > *st.high_24h) st.high_24h = m.high;
    }
  }
  const std::int64_t day = unix_seconds(now) / 86400;
  if (day != s.today) {
    s.today = day;
    st.volume_today = Qty{};
    st.pxq_today = 0;
    st.trades_today = 0;
    st.low_today.reset();
    st.high_today.reset();
    st.open_today.reset();
  }
}

void MarketData::on_public_trade(const PublicTrade& t) {
  PairState& s = pairs_.at(t.pair);
  s.trades.push_back(t);
  if (s.trades.size() > kTradesKept) s.trades.pop_front();

  roll(s, t.time);
  const std::int64_t minute = unix_seconds(t.time) / 60;
  if (s.minutes.empty() || s.minutes.back().minute != minute) s.minutes.push_back(Minute{minute, t.price, t.price, t.price, {}, 0, 0});
  Minute& m = s.minutes.back();
  const Int128 pxq = static_cast<Int128>(t.price.value) * t.qty.value;
  m.volume += t.qty;
  m.pxq += pxq;
  ++m.count;
  m.low = std::min(m.low, t.price);
  m.high = std::max(m.high, t.price);

  TickerStats& st = s.stats;
  st.volume_24h += t.qty;
  st.pxq_24h += pxq;
  ++st.trades_24h;
  if (!st.open_24h) st.open_24h = s.minutes.front().open;
  if (!st.low_24h || t.price < *st.low_24h) st.low_24h = t.price;
  if (!st.high_24h || t.price > *st.high_24h) st.high_24h = t.price;
  st.last = t.price;
  st.last_qty = t.qty;
  st.volume_today += t.qty;
  st.pxq_today += pxq;
  ++st.trades_today;
  if (!st.open_today) st.open_today = t.price;
  if (!st.low_today || t.price < *st.low_today) st.low_today = t.price;
  if (!st.high_today || t.price > *st.high_today) st.high_today = t.price;

  const std::int64_t secs = unix_seconds(t.time);
  for (std::size_t i = 0; i < kOhlcIntervals.size(); ++i) {
    const std::int64_t len = kOhlcIntervals[i] * 60LL;
    const WallTime begin{std::chrono::seconds(secs - secs % len)};
    auto& list = s.candles[i];
    if (list.empty() || list.back().begin != begin) {
      list.push_back(Candle{begin, t.price, t.price, t.price, t.price, 0, {}, 0});
      if (list.size() > kCandlesKept) list.pop_front();
    }
    Candle& c = list.back();
    c.high = std::max(c.high, t.price);
    c.low = std::min(c.low, t.price);
    c.close = t.price;
    c.pxq += static_cast<Int128>(t.price.value) * t.qty.value;
    c.volume += t.qty;
    ++c.count;
  }
}

void MarketData::on_book_changed(std::size_t pair) {
  PairState& s = pairs_.at(pair);
  const auto bid = ex_.engine(pair).best(Side::buy);
  const auto ask = ex_.engine(pair).best(Side::sell);
  if (bid == s.last_bid && ask == s.last_ask) return;
  s.last_bid = bid;
  s.last_ask = ask;
  if (!bid || !ask) return;
  s.spreads.push_back(SpreadPoint{ex_.now(), *bid, *ask});
  if (s.spreads.size() > kSpreadsKept) s.spreads.pop_front();
}

TickerStats MarketData::ticker(std::size_t pair) const { return pairs_.at(pair).stats; }

}  // namespace kgw::sim
