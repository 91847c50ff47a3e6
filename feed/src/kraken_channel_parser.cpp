// WS v2 ticker/trade/ohlc/status/heartbeat frames and method answers (PROTOCOL.md §6.2–§6.4),
// read with one reused simdjson ondemand parser.
#include "kgw/feed/kraken_channel_parser.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <cstring>

#include "kgw/core/clock.hpp"
#include "kgw/core/kraken/json.hpp"
#include "kgw/core/kraken/json_end.hpp"

namespace kgw::feed {
namespace {

namespace od = simdjson::ondemand;
using kraken::json_error;

Error parse_error(std::string detail) { return Error(errc::parse_error, std::move(detail)); }

// Reads `v` as a decimal into `out` and records that it was seen (bit `bit` of `seen`).
result<void> decimal(od::value v, Decimal& out, std::string_view field, std::uint32_t& seen, int bit) {
  auto d = kraken::read_decimal(v, field);
  if (!d) return d.error();
  out = *d;
  seen |= 1u << bit;
  return {};
}

result<std::int64_t> timestamp_ns(od::value v, std::string_view field) {
  std::string_view text;
  if (auto e = v.get_string().get(text)) return json_error(e, field);
  auto t = parse_rfc3339(text);
  if (!t) return parse_error(fmt::format("{}: not an RFC 3339 time", field));
  return static_cast<std::int64_t>(t->time_since_epoch().count());
}

}  // namespace

struct KrakenChannelParser::Impl {
  od::parser parser;
  std::string buf;
  bool snapshot = false;
  std::vector<TickerItem> tickers;
  std::vector<TradeItem> trades;
  std::vector<CandleItem> candles;
  StatusValue status;
  kraken::WsReplyParser replies;  // method answers are read by core's one reply parser
  const kraken::MethodReply* answer = nullptr;
  kraken::MethodReply none;

  Impl() {
    tickers.reserve(64);
    trades.reserve(256);
    candles.reserve(64);
  }

  // The frame in place when simdjson's padding follows it (a WebSocket read buffer), else a copy.
  simdjson::padded_string_view padded(std::string_view frame, std::size_t padding) {
    if (padding >= simdjson::SIMDJSON_PADDING) return simdjson::padded_string_view(frame.data(), frame.size(), frame.size() + padding);
    const std::size_t need = frame.size() + simdjson::SIMDJSON_PADDING;
    if (buf.size() < need) buf.resize(need);
    std::memcpy(buf.data(), frame.data(), frame.size());
    std::memset(buf.data() + frame.size(), ' ', simdjson::SIMDJSON_PADDING);
    return simdjson::padded_string_view(buf.data(), frame.size(), buf.size());
  }

  result<ChannelFrame> parse(std::string_view frame, std::size_t padding);
  result<void> data(ChannelFrame kind, od::value v);
  result<void> ticker(od::object o);
  result<void> trade(od::object o);
  result<void> candle(od::object o);
  result<void> status_item(od::object o);
};

result<ChannelFrame> KrakenChannelParser::Impl::parse(std::string_view frame, std::size_t padding) {
  snapshot = false;
  tickers.clear();
  trades.clear();
  candles.clear();
  answer = &none;
  od::document doc;
  const simdjson::padded_string_view text = padded(frame, padding);
  if (auto e = parser.iterate(text).get(doc)) return json_error(e, "frame");
  od::object root;
  if (auto e = doc.get_object().get(root)) return json_error(e, "frame is not a JSON object");
  std::string_view channel, type;
  bool has_data = false, is_reply = false;
  for (auto f : root) {
    od::field field;
    if (auto e = std::move(f).get(field)) return json_error(e, "frame");
    const od::raw_json_string key = field.key();
    if (key == "channel") {
      if (auto e = field.value().get_string().get(channel)) return json_error(e, "`channel`");
    } else if (key == "type") {
      if (auto e = field.value().get_string().get(type)) return json_error(e, "`type`");
    } else if (key == "data") {
      // Kraken sends `channel` and `type` first; data before them is not a shape it produces.
      ChannelFrame kind = channel == "ticker"  ? ChannelFrame::ticker
                          : channel == "trade" ? ChannelFrame::trade
                          : channel == "ohlc"  ? ChannelFrame::ohlc
                          : channel == "status" ? ChannelFrame::status
                                                : ChannelFrame::other;
      if (channel.empty()) return parse_error("`data` before `channel`");
      if (kind != ChannelFrame::other)
        if (auto r = data(kind, field.value()); !r) return r.error();
      has_data = true;
    } else if (key == "method" || key == "Error") {
      // A method answer (or Kraken's bare {"Error":"Exceeded msg rate"}, PROTOCOL.md §5.3).
      is_reply = true;
      break;
    }
  }
  if (is_reply) {
    auto r = replies.parse(text);
    if (!r) return r.error();
    answer = *r;
    return ChannelFrame::method;
  }
  if (!kraken::at_end(doc)) return parse_error("frame: content after the JSON object");
  if (channel.empty()) return parse_error("frame has neither `channel` nor `method`");
  if (channel == "heartbeat") return ChannelFrame::heartbeat;
  const ChannelFrame kind = channel == "ticker"   ? ChannelFrame::ticker
                            : channel == "trade"  ? ChannelFrame::trade
                            : channel == "ohlc"   ? ChannelFrame::ohlc
                            : channel == "status" ? ChannelFrame::status
                                                  : ChannelFrame::other;
  if (kind == ChannelFrame::other) return kind;
  if (!has_data) return parse_error(fmt::format("{} frame without `data`", channel));
  if (type != "snapshot" && type != "update") return parse_error(fmt::format("{} frame: `type` must be snapshot or update", channel));
  snapshot = type == "snapshot";
  return kind;
}

result<void> KrakenChannelParser::Impl::data(ChannelFrame kind, od::value v) {
  od::array items;
  if (auto e = v.get_array().get(items)) return json_error(e, "`data` is not an array");
  for (auto item : items) {
    od::object o;
    if (auto e = item.get_object().get(o)) return json_error(e, "`data` item is not an object");
    result<void> r;
    switch (kind) {
      case ChannelFrame::ticker: r = ticker(o); break;
      case ChannelFrame::trade: r = trade(o); break;
      case ChannelFrame::ohlc: r = candle(o); break;
      case ChannelFrame::status: r = status_item(o); break;
      default: break;
    }
    if (!r) return r;
  }
  return {};
}

result<void> KrakenChannelParser::Impl::ticker(od::object o) {
  TickerItem t;
  std::uint32_t seen = 0;
  for (auto f : o) {
    od::field field;
    if (auto e = std::move(f).get(field)) return json_error(e, "ticker item");
    const od::raw_json_string k = field.key();
    TickerValue& v = t.value;
    result<void> r;
    if (k == "symbol") {
      if (auto e = field.value().get_string().get(t.symbol)) return json_error(e, "ticker `symbol`");
    } else if (k == "bid") r = decimal(field.value(), v.bid, "ticker `bid`", seen, 0);
    else if (k == "bid_qty") r = decimal(field.value(), v.bid_qty, "ticker `bid_qty`", seen, 1);
    else if (k == "ask") r = decimal(field.value(), v.ask, "ticker `ask`", seen, 2);
    else if (k == "ask_qty") r = decimal(field.value(), v.ask_qty, "ticker `ask_qty`", seen, 3);
    else if (k == "last") r = decimal(field.value(), v.last, "ticker `last`", seen, 4);
    else if (k == "volume") r = decimal(field.value(), v.volume, "ticker `volume`", seen, 5);
    else if (k == "vwap") r = decimal(field.value(), v.vwap, "ticker `vwap`", seen, 6);
    else if (k == "low") r = decimal(field.value(), v.low, "ticker `low`", seen, 7);
    else if (k == "high") r = decimal(field.value(), v.high, "ticker `high`", seen, 8);
    else if (k == "change") r = decimal(field.value(), v.change, "ticker `change`", seen, 9);
    else if (k == "change_pct") r = decimal(field.value(), v.change_pct, "ticker `change_pct`", seen, 10);
    else if (k == "timestamp") {
      auto ns = timestamp_ns(field.value(), "ticker `timestamp`");
      if (!ns) return ns.error();
      v.stamp.exchange_ns = *ns;
    }
    if (!r) return r;
  }
  if (t.symbol.empty()) return parse_error("ticker item without `symbol`");
  // bid, ask and last are what every reader uses; the docs list the rest too, older copies of
  // the example lack only `timestamp`.
  constexpr std::uint32_t kRequired = (1u << 0) | (1u << 2) | (1u << 4);
  if ((seen & kRequired) != kRequired) return parse_error(fmt::format("ticker item for {} without bid, ask or last", t.symbol));
  tickers.push_back(t);
  return {};
}

result<void> KrakenChannelParser::Impl::trade(od::object o) {
  TradeItem t;
  std::uint32_t seen = 0;
  bool has_id = false, has_side = false;
  for (auto f : o) {
    od::field field;
    if (auto e = std::move(f).get(field)) return json_error(e, "trade item");
    const od::raw_json_string k = field.key();
    result<void> r;
    if (k == "symbol") {
      if (auto e = field.value().get_string().get(t.symbol)) return json_error(e, "trade `symbol`");
    } else if (k == "side") {
      std::string_view s;
      if (auto e = field.value().get_string().get(s)) return json_error(e, "trade `side`");
      if (s != "buy" && s != "sell") return parse_error("trade `side` must be buy or sell");
      t.value.side = s == "buy" ? TradeSide::buy : TradeSide::sell;
      has_side = true;
    } else if (k == "ord_type") {
      std::string_view s;
      if (auto e = field.value().get_string().get(s)) return json_error(e, "trade `ord_type`");
      t.value.market = s == "market";
    } else if (k == "price") r = decimal(field.value(), t.value.price, "trade `price`", seen, 0);
    else if (k == "qty") r = decimal(field.value(), t.value.qty, "trade `qty`", seen, 1);
    else if (k == "trade_id") {
      if (auto e = field.value().get_int64().get(t.value.trade_id)) return json_error(e, "trade `trade_id`");
      has_id = true;
    } else if (k == "timestamp") {
      auto ns = timestamp_ns(field.value(), "trade `timestamp`");
      if (!ns) return ns.error();
      t.value.stamp.exchange_ns = *ns;
    }
    if (!r) return r;
  }
  if (t.symbol.empty() || seen != 3u || !has_id || !has_side)
    return parse_error(fmt::format("trade item{}{} without symbol, side, price, qty or trade_id", t.symbol.empty() ? "" : " for ", t.symbol));
  trades.push_back(t);
  return {};
}

result<void> KrakenChannelParser::Impl::candle(od::object o) {
  CandleItem c;
  std::uint32_t seen = 0;
  for (auto f : o) {
    od::field field;
    if (auto e = std::move(f).get(field)) return json_error(e, "ohlc item");
    const od::raw_json_string k = field.key();
    CandleValue& v = c.value;
    result<void> r;
    if (k == "symbol") {
      if (auto e = field.value().get_string().get(c.symbol)) return json_error(e, "ohlc `symbol`");
    } else if (k == "open") r = decimal(field.value(), v.open, "ohlc `open`", seen, 0);
    else if (k == "high") r = decimal(field.value(), v.high, "ohlc `high`", seen, 1);
    else if (k == "low") r = decimal(field.value(), v.low, "ohlc `low`", seen, 2);
    else if (k == "close") r = decimal(field.value(), v.close, "ohlc `close`", seen, 3);
    else if (k == "vwap") r = decimal(field.value(), v.vwap, "ohlc `vwap`", seen, 4);
    else if (k == "volume") r = decimal(field.value(), v.volume, "ohlc `volume`", seen, 5);
    else if (k == "trades") {
      if (auto e = field.value().get_int64().get(v.trades)) return json_error(e, "ohlc `trades`");
    } else if (k == "interval") {
      std::int64_t minutes = 0;
      if (auto e = field.value().get_int64().get(minutes)) return json_error(e, "ohlc `interval`");
      if (!ohlc_interval_index(static_cast<int>(minutes))) return parse_error(fmt::format("ohlc `interval` {} is not one of Kraken's", minutes));
      v.interval = static_cast<std::int32_t>(minutes);
    } else if (k == "interval_begin") {
      auto ns = timestamp_ns(field.value(), "ohlc `interval_begin`");
      if (!ns) return ns.error();
      v.interval_begin_ns = *ns;
    } else if (k == "timestamp") {
      auto ns = timestamp_ns(field.value(), "ohlc `timestamp`");
      if (!ns) return ns.error();
      v.stamp.exchange_ns = *ns;
    }
    if (!r) return r;
  }
  if (c.symbol.empty() || (seen & 0xF) != 0xF || c.value.interval == 0)
    return parse_error(fmt::format("ohlc item{}{} without symbol, open, high, low, close or interval", c.symbol.empty() ? "" : " for ", c.symbol));
  candles.push_back(c);
  return {};
}

result<void> KrakenChannelParser::Impl::status_item(od::object o) {
  StatusValue s;
  for (auto f : o) {
    od::field field;
    if (auto e = std::move(f).get(field)) return json_error(e, "status item");
    const od::raw_json_string k = field.key();
    std::string_view text;
    if (k == "system") {
      if (auto e = field.value().get_string().get(text)) return json_error(e, "status `system`");
      s.system = kraken::parse_word<SystemStatus>(text).value_or(SystemStatus::unknown);
      copy_text(s.system_text, text);
    } else if (k == "connection_id") {
      // Can exceed int64 (PROTOCOL.md §6.2).
      if (auto e = field.value().get_uint64().get(s.connection_id)) return json_error(e, "status `connection_id`");
    } else if (k == "api_version") {
      if (auto e = field.value().get_string().get(text)) return json_error(e, "status `api_version`");
      copy_text(s.api_version, text);
    } else if (k == "version") {
      if (auto e = field.value().get_string().get(text)) return json_error(e, "status `version`");
      copy_text(s.version, text);
    }
  }
  status = s;
  return {};
}

KrakenChannelParser::KrakenChannelParser() : impl_(std::make_unique<Impl>()) {}
KrakenChannelParser::~KrakenChannelParser() = default;
result<ChannelFrame> KrakenChannelParser::parse(std::string_view frame, std::size_t padding) {
  return impl_->parse(frame, padding);
}
bool KrakenChannelParser::snapshot() const noexcept { return impl_->snapshot; }
const std::vector<TickerItem>& KrakenChannelParser::tickers() const noexcept { return impl_->tickers; }
const std::vector<TradeItem>& KrakenChannelParser::trades() const noexcept { return impl_->trades; }
const std::vector<CandleItem>& KrakenChannelParser::candles() const noexcept { return impl_->candles; }
const StatusValue& KrakenChannelParser::status() const noexcept { return impl_->status; }
const kraken::MethodReply& KrakenChannelParser::answer() const noexcept { return *impl_->answer; }

}  // namespace kgw::feed
