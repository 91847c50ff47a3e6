#pragma once
// Typed Kraken REST responses (PROTOCOL.md §3), parsed from the `result` JSON of the envelope:
// market data and account balances. Numbers are Decimals that keep Kraken's printed scale
// (REST pads prices, `30300.10000`; vwap carries real extra digits), never double. Pure
// functions; errors name the field.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kgw/core/decimal.hpp"
#include "kgw/core/error.hpp"

namespace kgw::kraken {

struct ServerTime {
  std::int64_t unixtime = 0;
  std::string rfc1123;
};

struct SystemStatusInfo {
  std::string status;     // online | maintenance | cancel_only | post_only
  std::string timestamp;  // RFC 3339
};

struct TickerQuote {
  Decimal price, whole_lot_volume, lot_volume;
};

struct Ticker {
  std::string pair;  // the REST key Kraken answered with (XXBTZUSD)
  TickerQuote ask, bid;
  Decimal last_price, last_volume;
  std::array<Decimal, 2> volume, vwap, low, high;  // [today, last 24 h]
  std::array<std::int64_t, 2> trades{};
  Decimal open;
};

struct DepthLevel {
  Decimal price, volume;
  std::int64_t timestamp = 0;
};
struct Depth {
  std::string pair;
  std::vector<DepthLevel> asks, bids;
};

struct OhlcCandle {
  std::int64_t time = 0;
  Decimal open, high, low, close, vwap, volume;
  std::int64_t count = 0;
};
struct OhlcPage {
  std::string pair;
  std::vector<OhlcCandle> candles;  // the last one is the current, uncommitted candle
  std::int64_t last = 0;            // pass as `since` to poll
};

struct RecentTrade {
  Decimal price, volume;
  Decimal time;  // unix seconds with fraction, as Kraken prints it
  char side = 'b';      // b | s (taker)
  char ordtype = 'l';   // l | m
  std::string misc;
  std::int64_t trade_id = 0;
};
struct TradesPage {
  std::string pair;
  std::vector<RecentTrade> trades;
  std::string last;  // nanosecond cursor (a string on the wire)
};

struct SpreadEntry {
  std::int64_t time = 0;
  Decimal bid, ask;
};
struct SpreadPage {
  std::string pair;
  std::vector<SpreadEntry> entries;
  std::int64_t last = 0;
};

struct AssetBalance {
  std::string asset;  // REST asset id (ZUSD, XXBT, ETH2.S, ...)
  Decimal balance;
  std::optional<Decimal> credit, credit_used, hold_trade;  // BalanceEx only
};

struct TradeBalanceInfo {
  Decimal eb, tb, m, n, c, v, e, mf;
  std::optional<Decimal> ml, uv;  // ml only while margin is used
};

result<ServerTime> parse_time(std::string_view result_json);
result<SystemStatusInfo> parse_system_status(std::string_view result_json);
result<std::vector<Ticker>> parse_ticker(std::string_view result_json);
result<Depth> parse_depth(std::string_view result_json);
result<OhlcPage> parse_ohlc(std::string_view result_json);
result<TradesPage> parse_trades(std::string_view result_json);
result<SpreadPage> parse_spread(std::string_view result_json);
result<std::vector<AssetBalance>> parse_balance(std::string_view result_json);
result<std::vector<AssetBalance>> parse_balance_ex(std::string_view result_json);
result<TradeBalanceInfo> parse_trade_balance(std::string_view result_json);

}  // namespace kgw::kraken
