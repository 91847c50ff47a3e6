#include "proto_convert.hpp"

#include <algorithm>

#include "kgw/core/kraken/vocabulary.hpp"

namespace kgw::gateway {

std::string padded(const Decimal& d, int precision) {
  if (d.scale >= precision || precision > kMaxScale) return d.to_string();
  const std::int64_t factor = kPow10[precision - d.scale];
  // A mantissa that would overflow at the wider scale keeps its own digits.
  if (d.mantissa > INT64_MAX / factor || d.mantissa < INT64_MIN / factor) return d.to_string();
  return format_fixed(d.mantissa * factor, precision);
}

std::int64_t seconds_to_ns(const Decimal& seconds) {
  if (auto ns = seconds.to_fixed(9)) return *ns;
  // More than nanosecond digits: the excess is below what the contract carries.
  return seconds.mantissa / kPow10[std::min(seconds.scale - 9, kMaxScale)];
}

void fill(v1::ReadMeta& out, const Meta& m) {
  out.set_source(m.source);
  out.set_simulated(m.simulated);
  out.set_exchange_time_ns(m.exchange_ns);
  out.set_receive_time_ns(m.receive_ns);
  out.set_served_time_ns(m.served_ns);
  out.set_age_ns(m.receive_ns > 0 ? std::max<std::int64_t>(0, m.served_ns - m.receive_ns) : 0);
  out.set_sequence(m.sequence);
  out.set_stale(m.stale);
  out.set_fallback_reason(std::string(m.fallback_reason));
}

Meta cache_meta(const feed::Stamp& stamp, bool simulated, std::int64_t served_ns) {
  return Meta{v1::READ_SOURCE_WS_CACHE, simulated, stamp.exchange_ns, stamp.receive_ns, served_ns, stamp.seq, false, {}};
}

Meta rest_meta(bool simulated, std::int64_t exchange_ns, std::int64_t now_ns, std::string_view fallback_reason) {
  return Meta{v1::READ_SOURCE_REST, simulated, exchange_ns, now_ns, now_ns, 0, false, fallback_reason};
}

void fill(v1::WsTicker& out, const feed::TickerValue& t, const Instrument& in) {
  const int pp = in.price_precision, qp = in.qty_precision;
  out.set_bid(padded(t.bid, pp));
  out.set_bid_qty(padded(t.bid_qty, qp));
  out.set_ask(padded(t.ask, pp));
  out.set_ask_qty(padded(t.ask_qty, qp));
  out.set_last(padded(t.last, pp));
  out.set_volume(padded(t.volume, qp));
  out.set_vwap(padded(t.vwap, pp));
  out.set_low(padded(t.low, pp));
  out.set_high(padded(t.high, pp));
  if (t.change_known) {
    out.set_change(padded(t.change, pp));
    out.set_change_pct(t.change_pct.to_string());
  }
  out.set_time_ns(t.stamp.exchange_ns);
}

namespace {

void fill(v1::TickerQuote& out, const kraken::TickerQuote& q) {
  out.set_price(text(q.price));
  out.set_whole_lot_volume(text(q.whole_lot_volume));
  out.set_lot_volume(text(q.lot_volume));
}

void fill(v1::TodayAnd24h& out, const std::array<Decimal, 2>& v) {
  out.set_today(text(v[0]));
  out.set_last_24h(text(v[1]));
}

v1::Side side_of(char c) { return c == 's' ? v1::SIDE_SELL : c == 'b' ? v1::SIDE_BUY : v1::SIDE_UNSPECIFIED; }
v1::OrderType ord_type_of(char c) {
  return c == 'm' ? v1::ORDER_TYPE_MARKET : c == 'l' ? v1::ORDER_TYPE_LIMIT : v1::ORDER_TYPE_UNSPECIFIED;
}

}  // namespace

void fill(v1::RestTicker& out, const kraken::Ticker& t) {
  fill(*out.mutable_ask(), t.ask);
  fill(*out.mutable_bid(), t.bid);
  out.mutable_last_trade()->set_price(text(t.last_price));
  out.mutable_last_trade()->set_lot_volume(text(t.last_volume));
  fill(*out.mutable_volume(), t.volume);
  fill(*out.mutable_vwap(), t.vwap);
  out.mutable_trade_count()->set_today(t.trades[0]);
  out.mutable_trade_count()->set_last_24h(t.trades[1]);
  fill(*out.mutable_low(), t.low);
  fill(*out.mutable_high(), t.high);
  out.set_open(text(t.open));
}

void fill(v1::PublicTrade& out, const feed::TradeValue& t, const Instrument& in) {
  out.set_price(padded(t.price, in.price_precision));
  out.set_volume(padded(t.qty, in.qty_precision));
  out.set_time_ns(t.stamp.exchange_ns);
  out.set_side(t.side == feed::TradeSide::sell ? v1::SIDE_SELL : v1::SIDE_BUY);
  out.set_ord_type(t.market ? v1::ORDER_TYPE_MARKET : v1::ORDER_TYPE_LIMIT);
  out.set_trade_id(t.trade_id);
}

void fill(v1::PublicTrade& out, const kraken::RecentTrade& t) {
  out.set_price(text(t.price));
  out.set_volume(text(t.volume));
  out.set_time_ns(seconds_to_ns(t.time));
  out.set_side(side_of(t.side));
  out.set_ord_type(ord_type_of(t.ordtype));
  out.set_misc(t.misc);
  out.set_trade_id(t.trade_id);
}

void fill(v1::Candle& out, const feed::CandleValue& c, const Instrument& in, bool committed) {
  const int pp = in.price_precision;
  out.set_time_ns(c.interval_begin_ns);
  out.set_open(padded(c.open, pp));
  out.set_high(padded(c.high, pp));
  out.set_low(padded(c.low, pp));
  out.set_close(padded(c.close, pp));
  out.set_vwap(padded(c.vwap, pp));
  out.set_volume(padded(c.volume, in.qty_precision));
  out.set_count(c.trades);
  out.set_interval_minutes(c.interval);
  out.set_committed(committed);
}

void fill(v1::Candle& out, const kraken::OhlcCandle& c, int interval_minutes, bool committed) {
  out.set_time_ns(c.time * 1'000'000'000);
  out.set_open(text(c.open));
  out.set_high(text(c.high));
  out.set_low(text(c.low));
  out.set_close(text(c.close));
  out.set_vwap(text(c.vwap));
  out.set_volume(text(c.volume));
  out.set_count(c.count);
  out.set_interval_minutes(interval_minutes);
  out.set_committed(committed);
}

void fill_levels(google::protobuf::RepeatedPtrField<v1::BookLevel>& bids,
                 google::protobuf::RepeatedPtrField<v1::BookLevel>& asks, const feed::BookTopValue& b, std::size_t depth) {
  auto side = [&](google::protobuf::RepeatedPtrField<v1::BookLevel>& out, const auto& levels, std::size_t n) {
    out.Reserve(static_cast<int>(std::min(n, depth)));
    for (std::size_t i = 0; i < n && i < depth; ++i) {
      v1::BookLevel* l = out.Add();
      l->set_price(format_fixed(levels[i].price, b.price_precision));
      l->set_qty(format_fixed(levels[i].qty, b.qty_precision));
    }
  };
  side(bids, b.bids, b.n_bids);
  side(asks, b.asks, b.n_asks);
}

void fill(v1::AssetPair& out, const Instrument& in) {
  out.set_pair(in.rest_key);
  out.set_altname(in.altname);
  out.set_wsname(in.wsname);
  out.set_symbol(in.symbol);
  out.set_aclass_base(in.aclass_base);
  out.set_base(in.base_asset);
  out.set_aclass_quote(in.aclass_quote);
  out.set_quote(in.quote_asset);
  out.set_lot("unit");
  out.set_cost_decimals(in.cost_precision);
  out.set_pair_decimals(in.price_precision);
  out.set_lot_decimals(in.qty_precision);
  out.set_lot_multiplier(in.lot_multiplier);
  for (int l : in.leverage_buy) out.add_leverage_buy(l);
  for (int l : in.leverage_sell) out.add_leverage_sell(l);
  for (const auto& f : in.fees_taker) {
    auto* t = out.add_fees();
    t->set_volume(text(f.volume));
    t->set_percent(text(f.percent));
  }
  for (const auto& f : in.fees_maker) {
    auto* t = out.add_fees_maker();
    t->set_volume(text(f.volume));
    t->set_percent(text(f.percent));
  }
  out.set_fee_volume_currency(in.fee_volume_currency);
  out.set_margin_call(in.margin_call);
  out.set_margin_stop(in.margin_stop);
  out.set_ordermin(format_fixed(in.qty_min, in.qty_precision));
  out.set_costmin(text(in.cost_min));
  out.set_tick_size(format_fixed(in.price_increment, in.price_precision));
  out.set_status(to_proto(in.status));
  out.set_long_position_limit(in.long_position_limit);
  out.set_short_position_limit(in.short_position_limit);
  out.set_execution_venue(in.execution_venue);
  out.set_qty_increment(format_fixed(in.qty_increment, in.qty_precision));
  out.set_marginable(in.marginable());
  out.set_has_index(in.has_index);
  if (!in.margin_initial.is_zero()) out.set_margin_initial(text(in.margin_initial));
}

void fill(v1::Asset& out, const Asset& a) {
  out.set_asset(a.id);
  out.set_code(a.code);
  out.set_aclass(a.aclass);
  out.set_altname(a.altname);
  out.set_decimals(a.decimals);
  out.set_display_decimals(a.display_decimals);
  out.set_collateral_value(text(a.collateral_value));
  out.set_status(asset_status(a.status));
}

v1::SystemStatus to_proto(kraken::SystemStatus s) {
  switch (s) {
    case kraken::SystemStatus::online: return v1::SYSTEM_STATUS_ONLINE;
    case kraken::SystemStatus::maintenance: return v1::SYSTEM_STATUS_MAINTENANCE;
    case kraken::SystemStatus::cancel_only: return v1::SYSTEM_STATUS_CANCEL_ONLY;
    case kraken::SystemStatus::post_only: return v1::SYSTEM_STATUS_POST_ONLY;
    case kraken::SystemStatus::unknown: break;
  }
  return v1::SYSTEM_STATUS_UNSPECIFIED;
}

v1::PairStatus to_proto(PairStatus s) {
  switch (s) {
    case PairStatus::online: return v1::PAIR_STATUS_ONLINE;
    case PairStatus::cancel_only: return v1::PAIR_STATUS_CANCEL_ONLY;
    case PairStatus::post_only: return v1::PAIR_STATUS_POST_ONLY;
    case PairStatus::limit_only: return v1::PAIR_STATUS_LIMIT_ONLY;
    case PairStatus::reduce_only: return v1::PAIR_STATUS_REDUCE_ONLY;
    case PairStatus::maintenance: return v1::PAIR_STATUS_MAINTENANCE;
    case PairStatus::delisted: return v1::PAIR_STATUS_DELISTED;
    case PairStatus::work_in_progress: return v1::PAIR_STATUS_WORK_IN_PROGRESS;
    case PairStatus::unknown: break;
  }
  return v1::PAIR_STATUS_UNSPECIFIED;
}

v1::AssetStatus asset_status(std::string_view s) {
  // REST spells with underscores, the v2 instrument channel without.
  std::string k;
  for (char c : s)
    if (c != '_') k.push_back(c);
  if (k == "enabled") return v1::ASSET_STATUS_ENABLED;
  if (k == "depositonly") return v1::ASSET_STATUS_DEPOSIT_ONLY;
  if (k == "withdrawalonly") return v1::ASSET_STATUS_WITHDRAWAL_ONLY;
  if (k == "fundingtemporarilydisabled") return v1::ASSET_STATUS_FUNDING_TEMPORARILY_DISABLED;
  if (k == "disabled") return v1::ASSET_STATUS_DISABLED;
  if (k == "workinprogress") return v1::ASSET_STATUS_WORK_IN_PROGRESS;
  return v1::ASSET_STATUS_UNSPECIFIED;
}

}  // namespace kgw::gateway
