#pragma once
// MarketData: the public statistics the simulator serves for each pair, kept up to date from the
// exchange's trades and book changes: ticker (today and rolling 24 h volume, vwap, trade count,
// low, high, open), candles for every Kraken interval (720 kept, the last one uncommitted), the
// last 1000 trades (REST Trades, WS trade snapshot) and the spread history (REST Spread).
// Single-threaded: lives on the exchange thread.

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "kgw/sim/exchange.hpp"

namespace kgw::sim {

inline constexpr std::array<int, 9> kOhlcIntervals = {1, 5, 15, 30, 60, 240, 1440, 10080, 21600};

struct Candle {
  WallTime begin{};
  Price open, high, low, close;
  Int128 pxq = 0;  // Σ price×qty, for the vwap
  Qty volume;
  std::uint32_t count = 0;
};

struct SpreadPoint {
  WallTime time{};
  Price bid, ask;
};

struct TickerStats {
  Price last;
  Qty last_qty;
  Qty volume_today, volume_24h;
  Int128 pxq_today = 0, pxq_24h = 0;
  std::uint32_t trades_today = 0, trades_24h = 0;
  std::optional<Price> low_today, high_today, low_24h, high_24h;
  std::optional<Price> open_today, open_24h;
};

class MarketData final : public Exchange::Observer {
 public:
  explicit MarketData(Exchange& ex);
  ~MarketData() override;
  MarketData(const MarketData&) = delete;
  MarketData& operator=(const MarketData&) = delete;

  TickerStats ticker(std::size_t pair) const;
  const std::deque<PublicTrade>& trades(std::size_t pair) const { return pairs_.at(pair).trades; }
  // Candles of `interval` minutes, oldest first; the last one is the current (uncommitted) one.
  const std::deque<Candle>& candles(std::size_t pair, int interval) const;
  const std::deque<SpreadPoint>& spreads(std::size_t pair) const { return pairs_.at(pair).spreads; }

  void on_public_trade(const PublicTrade& t) override;
  void on_book_changed(std::size_t pair) override;

  // Sets the last price (e.g. from a reference price at start) without a trade.
  void seed_last(std::size_t pair, Price p);

 private:
  // Per-minute bucket for the rolling 24 h window.
  struct Minute {
    std::int64_t minute = 0;  // unix minutes
    Price open, low, high;
    Qty volume;
    Int128 pxq = 0;
    std::uint32_t count = 0;
  };
  struct PairState {
    std::deque<PublicTrade> trades;
    std::array<std::deque<Candle>, kOhlcIntervals.size()> candles;
    std::deque<SpreadPoint> spreads;
    std::deque<Minute> minutes;  // ≤ 1440
    std::int64_t today = 0;      // unix day of the "today" counters
    TickerStats stats;
    std::optional<Price> last_bid, last_ask;
  };
  void roll(PairState& s, WallTime now);

  Exchange& ex_;
  std::vector<PairState> pairs_;
};

}  // namespace kgw::sim
