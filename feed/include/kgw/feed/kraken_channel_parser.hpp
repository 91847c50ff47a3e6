#pragma once
// Kraken WS v2 frames other than `book` and `instrument` (PROTOCOL.md §6.2–§6.4): ticker, trade,
// ohlc, status, heartbeat, and the method answers (subscribe/unsubscribe acks, pong, errors).
// Numbers are read from their JSON text into Decimals with their own scale (vwap and change_pct
// carry more digits than the pair's grid), never through double.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "kgw/core/error.hpp"
#include "kgw/core/kraken/ws_requests.hpp"
#include "kgw/feed/market_cache.hpp"

namespace kgw::feed {

enum class ChannelFrame : std::uint8_t {
  ticker,
  trade,
  ohlc,
  status,
  heartbeat,
  method,  // an answer to subscribe / unsubscribe / ping (answer(): core's kraken::WsReplyParser)
  other,   // a channel this parser does not read (book, instrument, private channels)
};

struct TickerItem {
  std::string_view symbol;
  TickerValue value;  // stamp.exchange_ns from `timestamp` when present
};
struct TradeItem {
  std::string_view symbol;
  TradeValue value;
};
struct CandleItem {
  std::string_view symbol;
  CandleValue value;
};

// KrakenChannelParser: one reused simdjson ondemand parser and the vectors its results live in.
// Owned by the feed thread; not thread-safe. Results (views included) are valid until the next
// parse(). After warm-up, parsing allocates nothing on success.
class KrakenChannelParser {
 public:
  KrakenChannelParser();
  ~KrakenChannelParser();
  KrakenChannelParser(const KrakenChannelParser&) = delete;
  KrakenChannelParser& operator=(const KrakenChannelParser&) = delete;

  // Errors: errc::parse_error naming the field (malformed JSON, a missing or mistyped field).
  // In place when at least simdjson::SIMDJSON_PADDING readable bytes follow the frame
  // (`padding`, as a WebSocket read gives them), else from a copy.
  result<ChannelFrame> parse(std::string_view frame, std::size_t padding = 0);

  bool snapshot() const noexcept;  // `type` of the data frame just parsed
  const std::vector<TickerItem>& tickers() const noexcept;
  const std::vector<TradeItem>& trades() const noexcept;
  const std::vector<CandleItem>& candles() const noexcept;
  const StatusValue& status() const noexcept;
  const kraken::MethodReply& answer() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kgw::feed
