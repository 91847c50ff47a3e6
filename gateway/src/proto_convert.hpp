#pragma once
// Gateway values into kgw.v1 messages (market_data.proto, common.proto): decimals as strings at
// Kraken's own digits (REST text as received; WS numbers padded to the instrument's precision,
// never rounded), times in unix nanoseconds, Kraken's words into the contract's enums. Pure
// functions; the only place protobuf meets the caches' and the REST client's types.

#include <cstdint>
#include <string>
#include <string_view>

#include "kgw/core/decimal.hpp"
#include "kgw/core/instrument.hpp"
#include "kgw/core/kraken/rest_types.hpp"
#include "kgw/feed/market_cache.hpp"
#include "kgw/v1/common.pb.h"
#include "kgw/v1/market_data.pb.h"

namespace kgw::gateway {

// Decimal text with at least `precision` decimals (trailing zeros added, digits never dropped).
std::string padded(const Decimal& d, int precision);
// Kraken's REST decimal text as received.
inline std::string text(const Decimal& d) { return d.to_string(); }

// Freshness of one answer (ReadMeta).
struct Meta {
  v1::ReadSource source = v1::READ_SOURCE_WS_CACHE;
  bool simulated = false;
  std::int64_t exchange_ns = 0, receive_ns = 0, served_ns = 0;
  std::uint64_t sequence = 0;
  bool stale = false;
  std::string_view fallback_reason;
};
void fill(v1::ReadMeta& out, const Meta& m);
// A cached value's meta: its stamp, served now.
Meta cache_meta(const feed::Stamp& stamp, bool simulated, std::int64_t served_ns);
// A REST answer received now for this request.
Meta rest_meta(bool simulated, std::int64_t exchange_ns, std::int64_t now_ns, std::string_view fallback_reason);

void fill(v1::WsTicker& out, const feed::TickerValue& t, const Instrument& in);
void fill(v1::RestTicker& out, const kraken::Ticker& t);
void fill(v1::PublicTrade& out, const feed::TradeValue& t, const Instrument& in);
void fill(v1::PublicTrade& out, const kraken::RecentTrade& t);
void fill(v1::Candle& out, const feed::CandleValue& c, const Instrument& in, bool committed);
void fill(v1::Candle& out, const kraken::OhlcCandle& c, int interval_minutes, bool committed);
void fill(v1::AssetPair& out, const Instrument& in);
void fill(v1::Asset& out, const Asset& a);
// The best `depth` levels per side of a cached book (best first).
void fill_levels(google::protobuf::RepeatedPtrField<v1::BookLevel>& bids,
                 google::protobuf::RepeatedPtrField<v1::BookLevel>& asks, const feed::BookTopValue& b, std::size_t depth);

v1::SystemStatus to_proto(kraken::SystemStatus s);
v1::PairStatus to_proto(PairStatus s);
v1::AssetStatus asset_status(std::string_view kraken_text);
// Kraken's REST fractional unix seconds ("1688669597.8277369") in nanoseconds, exactly.
std::int64_t seconds_to_ns(const Decimal& seconds);

}  // namespace kgw::gateway
