// The simulator's public REST endpoints: Time, SystemStatus, Assets, AssetPairs, Ticker, Depth,
// OHLC, Trades, Spread — shapes and types as in Kraken's documentation examples.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "kraken_rest_handlers.hpp"

namespace kgw::sim::rest {
namespace {

std::int64_t unix_s(WallTime t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }

// Selected pairs: the `pair` list, or every pair when absent. Unknown names fail the call.
result<std::vector<std::size_t>> pairs_of(Context& c, const Params& p, bool all_if_absent) {
  std::vector<std::size_t> out;
  auto names = p.list("pair");
  if (names.empty()) {
    if (!all_if_absent) return Error(errc::invalid_argument, "EGeneral:Invalid arguments");
    for (std::size_t i = 0; i < c.ex.instruments().size(); ++i) out.push_back(i);
    return out;
  }
  for (const auto& n : names) {
    auto idx = c.ex.pair_index(n);
    if (!idx) return Error(errc::not_found, "EQuery:Unknown asset pair");
    out.push_back(*idx);
  }
  return out;
}

std::string fail_with(const Error& e) { return fail(e.detail); }

void write_decimal_number(JsonWriter& w, const Decimal& d) { w.number(d.mantissa, d.scale); }

std::string time_endpoint(Context& c) {
  const WallTime now = c.ex.now();
  const auto secs = std::chrono::floor<std::chrono::seconds>(now);
  const auto day = std::chrono::floor<std::chrono::days>(secs);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::weekday wd{day};
  const std::chrono::hh_mm_ss hms{secs - day};
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  JsonWriter w;
  w.begin_object().field("unixtime", unix_s(now));
  w.field("rfc1123", fmt::format("{}, {:02} {} {:02} {:02}:{:02}:{:02} +0000", kDays[wd.c_encoding()],
                                 static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                                 static_cast<int>(ymd.year()) % 100, hms.hours().count(), hms.minutes().count(),
                                 hms.seconds().count()));
  w.end_object();
  return ok(w.str());
}

std::string system_status(Context& c) {
  JsonWriter w;
  w.begin_object().field("status", to_string(c.ex.status())).field("timestamp", format_rfc3339(c.ex.now(), 0)).end_object();
  return ok(w.str());
}

std::string assets(Context& c, const Params& p) {
  auto wanted = p.list("asset");
  JsonWriter w;
  w.begin_object();
  for (const auto& a : c.ex.assets()) {
    if (!wanted.empty() &&
        std::none_of(wanted.begin(), wanted.end(), [&](const std::string& n) { return c.ex.registry().find_asset(n) == a; }))
      continue;
    w.key(a->id).begin_object();
    w.field("aclass", a->aclass).field("altname", a->altname).field("decimals", a->decimals);
    w.field("display_decimals", a->display_decimals).key("collateral_value");
    write_decimal_number(w, a->collateral_value.normalized());
    w.field("status", a->status).end_object();
  }
  w.end_object();
  if (!wanted.empty() && w.str() == "{}") return fail("EQuery:Unknown asset");
  return ok(w.str());
}

void write_fees(JsonWriter& w, const std::vector<FeeTier>& tiers) {
  w.begin_array();
  for (const auto& t : tiers) {
    w.begin_array();
    write_decimal_number(w, t.volume.normalized());
    write_decimal_number(w, t.percent.normalized());
    w.end_array();
  }
  w.end_array();
}

std::string asset_pairs(Context& c, const Params& p) {
  auto sel = pairs_of(c, p, true);
  if (!sel) return fail_with(sel.error());
  const std::string info(p.get("info").value_or("info"));
  if (info != "info" && info != "leverage" && info != "fees" && info != "margin") return fail("EGeneral:Invalid arguments:info");
  JsonWriter w;
  w.begin_object();
  for (std::size_t i : *sel) {
    const auto& in = *c.ex.instruments()[i];
    w.key(in.rest_key).begin_object();
    if (info == "info") {
      w.field("altname", in.altname).field("wsname", in.wsname).field("aclass_base", in.aclass_base);
      w.field("base", in.base_asset).field("aclass_quote", in.aclass_quote).field("quote", in.quote_asset);
      w.field("lot", "unit").field("cost_decimals", in.cost_precision).field("pair_decimals", in.price_precision);
      w.field("lot_decimals", in.qty_precision).field("lot_multiplier", in.lot_multiplier);
    }
    if (info == "info" || info == "leverage") {
      w.key("leverage_buy").begin_array();
      for (int l : in.leverage_buy) w.value(l);
      w.end_array().key("leverage_sell").begin_array();
      for (int l : in.leverage_sell) w.value(l);
      w.end_array();
    }
    if (info == "info" || info == "fees") {
      w.key("fees");
      write_fees(w, in.fees_taker);
      w.key("fees_maker");
      write_fees(w, in.fees_maker);
      w.field("fee_volume_currency", in.fee_volume_currency);
    }
    if (info == "info" || info == "margin") w.field("margin_call", in.margin_call).field("margin_stop", in.margin_stop);
    if (info == "info") {
      w.key("ordermin").decimal_string(in.qty_min, in.qty_precision);
      w.field("costmin", in.cost_min.to_string());
      w.key("tick_size").decimal_string(in.price_increment, in.price_precision);
      w.field("status", to_string(in.status));
      w.field("long_position_limit", in.long_position_limit).field("short_position_limit", in.short_position_limit);
    }
    w.end_object();
  }
  w.end_object();
  return ok(w.str());
}

// Ticker a/b: [price, whole lot volume, lot volume] (whole lots as an integer string, lot volume
// with 3 decimals, as Kraken prints them).
void write_quote(JsonWriter& w, const Instrument& in, Price px, std::int64_t qty) {
  w.begin_array();
  write_price_string(w, in, px);
  const std::int64_t one = kPow10[in.qty_precision];
  w.value(std::to_string(std::max<std::int64_t>(1, qty / one)));
  const std::int64_t milli = in.qty_precision >= 3 ? (qty + kPow10[in.qty_precision - 3] / 2) / kPow10[in.qty_precision - 3] : qty;
  w.decimal_string(milli, 3);
  w.end_array();
}

void write_vwap(JsonWriter& w, const Instrument& in, Int128 pxq, Qty vol, Price fallback) {
  // vwap = Σpq / Σq at 5 decimals beyond the price unit, like Kraken's "30706.77771".
  const int dp = rest_price_decimals(in);
  if (vol.value == 0) {
    write_price_string(w, in, fallback);
    return;
  }
  const Int128 scaled = pxq * kPow10[dp - in.price_precision];
  w.decimal_string(static_cast<std::int64_t>(scaled / vol.value), dp);
}

std::string ticker(Context& c, const Params& p) {
  auto sel = pairs_of(c, p, true);
  if (!sel) return fail_with(sel.error());
  JsonWriter w;
  w.begin_object();
  std::vector<BookLevel> lv;
  for (std::size_t i : *sel) {
    const auto& in = *c.ex.instruments()[i];
    const TickerStats st = c.md.ticker(i);
    w.key(in.rest_key).begin_object();
    c.ex.engine(i).top(Side::sell, 1, lv);
    w.key("a");
    write_quote(w, in, lv.empty() ? Price{} : Price{lv[0].price}, lv.empty() ? 0 : lv[0].qty);
    c.ex.engine(i).top(Side::buy, 1, lv);
    w.key("b");
    write_quote(w, in, lv.empty() ? Price{} : Price{lv[0].price}, lv.empty() ? 0 : lv[0].qty);
    w.key("c").begin_array();
    write_price_string(w, in, st.last);
    w.decimal_string(st.last_qty.value, in.qty_precision).end_array();
    w.key("v").begin_array().decimal_string(st.volume_today.value, in.qty_precision);
    w.decimal_string(st.volume_24h.value, in.qty_precision).end_array();
    w.key("p").begin_array();
    write_vwap(w, in, st.pxq_today, st.volume_today, st.last);
    write_vwap(w, in, st.pxq_24h, st.volume_24h, st.last);
    w.end_array();
    w.key("t").begin_array().value(st.trades_today).value(st.trades_24h).end_array();
    w.key("l").begin_array();
    write_price_string(w, in, st.low_today.value_or(st.last));
    write_price_string(w, in, st.low_24h.value_or(st.last));
    w.end_array().key("h").begin_array();
    write_price_string(w, in, st.high_today.value_or(st.last));
    write_price_string(w, in, st.high_24h.value_or(st.last));
    w.end_array().key("o");
    write_price_string(w, in, st.open_today.value_or(st.last));
    w.end_object();
  }
  w.end_object();
  return ok(w.str());
}

std::string depth(Context& c, const Params& p) {
  auto sel = pairs_of(c, p, false);
  if (!sel) return fail_with(sel.error());
  if (sel->size() != 1) return fail("EGeneral:Invalid arguments:pair");
  auto count = int_value(p.get("count")).value_or(100);
  if (count < 1 || count > 500) count = count < 1 ? 1 : 500;
  const std::size_t i = sel->front();
  const auto& in = *c.ex.instruments()[i];
  const std::int64_t ts = unix_s(c.ex.now());
  JsonWriter w;
  w.begin_object().key(in.rest_key).begin_object();
  std::vector<BookLevel> lv;
  for (Side side : {Side::sell, Side::buy}) {
    c.ex.engine(i).top(side, static_cast<std::size_t>(count), lv);
    w.key(side == Side::sell ? "asks" : "bids").begin_array();
    for (const auto& l : lv) {
      w.begin_array();
      write_price_string(w, in, Price{l.price});
      w.decimal_string(l.qty, in.qty_precision).value(ts).end_array();
    }
    w.end_array();
  }
  w.end_object().end_object();
  return ok(w.str());
}

std::string ohlc(Context& c, const Params& p) {
  auto sel = pairs_of(c, p, false);
  if (!sel) return fail_with(sel.error());
  if (sel->size() != 1) return fail("EGeneral:Invalid arguments:pair");
  const auto interval = int_value(p.get("interval")).value_or(1);
  if (std::find(kOhlcIntervals.begin(), kOhlcIntervals.end(), interval) == kOhlcIntervals.end())
    return fail("EGeneral:Invalid arguments:interval");
  const auto since = int_value(p.get("since"));
  const std::size_t i = sel->front();
  const auto& in = *c.ex.instruments()[i];
  const auto& list = c.md.candles(i, static_cast<int>(interval));
  JsonWriter w;
  w.begin_object().key(in.rest_key).begin_array();
  for (const auto& k : list) {
    const std::int64_t begin = unix_s(k.begin);
    if (since && begin <= *since && &k != &list.back()) continue;
    w.begin_array().value(begin);
    for (Price px : {k.open, k.high, k.low, k.close}) w.decimal_string(px.value, in.price_precision);
    w.decimal_string(k.volume.value ? static_cast<std::int64_t>(k.pxq / k.volume.value) : k.close.value, in.price_precision);
    w.decimal_string(k.volume.value, in.qty_precision).value(k.count).end_array();
  }
  w.end_array();
  // `last`: the begin of the last committed candle (the final one is still forming).
  const std::int64_t last = list.size() >= 2 ? unix_s(list[list.size() - 2].begin)
                                             : (list.empty() ? unix_s(c.ex.now()) : unix_s(list.back().begin));
  w.field("last", last).end_object();
  return ok(w.str());
}

std::string trades(Context& c, const Params& p) {
  auto sel = pairs_of(c, p, false);
  if (!sel) return fail_with(sel.error());
  if (sel->size() != 1) return fail("EGeneral:Invalid arguments:pair");
  // `since` is the nanosecond cursor `last` returned before (seconds accepted too).
  std::int64_t since_ns = 0;
  if (auto s = int_value(p.get("since"))) since_ns = *s < 100'000'000'000LL ? *s * 1'000'000'000LL : *s;
  auto count = int_value(p.get("count")).value_or(1000);
  count = std::clamp<std::int64_t>(count, 1, 1000);
  const std::size_t i = sel->front();
  const auto& in = *c.ex.instruments()[i];
  const auto& list = c.md.trades(i);
  std::vector<const PublicTrade*> picked;
  for (const auto& t : list)
    if (t.time.time_since_epoch().count() > since_ns) picked.push_back(&t);
  if (static_cast<std::int64_t>(picked.size()) > count) picked.erase(picked.begin(), picked.end() - count);
  JsonWriter w;
  w.begin_object().key(in.rest_key).begin_array();
  std::int64_t last = since_ns;
  for (const PublicTrade* t : picked) {
    w.begin_array();
    write_price_string(w, in, t->price);
    w.decimal_string(t->qty.value, in.qty_precision);
    write_time(w, t->time, 7);
    w.value(t->taker_side == Side::buy ? "b" : "s").value(t->taker_market ? "m" : "l").value("");
    w.value(t->trade_id).end_array();
    last = t->time.time_since_epoch().count();
  }
  w.end_array().field("last", std::to_string(last)).end_object();
  return ok(w.str());
}

std::string spread(Context& c, const Params& p) {
  auto sel = pairs_of(c, p, false);
  if (!sel) return fail_with(sel.error());
  if (sel->size() != 1) return fail("EGeneral:Invalid arguments:pair");
  const auto since = int_value(p.get("since")).value_or(0);
  const std::size_t i = sel->front();
  const auto& in = *c.ex.instruments()[i];
  JsonWriter w;
  w.begin_object().key(in.rest_key).begin_array();
  std::int64_t last = since;
  for (const auto& s : c.md.spreads(i)) {
    const std::int64_t t = unix_s(s.time);
    if (t < since) continue;
    w.begin_array().value(t);
    write_price_string(w, in, s.bid);
    write_price_string(w, in, s.ask);
    w.end_array();
    last = t;
  }
  w.end_array().field("last", last).end_object();
  return ok(w.str());
}

}  // namespace

void write_time(JsonWriter& w, WallTime t, int decimals) {
  const std::int64_t ns = t.time_since_epoch().count();
  w.number(ns / kPow10[9 - decimals], decimals);
}

int rest_price_decimals(const Instrument& in) { return std::max(in.price_precision, in.cost_precision); }

void write_price_string(JsonWriter& w, const Instrument& in, Price p) {
  const int dp = rest_price_decimals(in);
  w.decimal_string(p.value * kPow10[dp - in.price_precision], dp);
}

std::string handle_public(Context& c, std::string_view method, const Params& p, bool& found) {
  found = true;
  if (method == "Time") return time_endpoint(c);
  if (method == "SystemStatus") return system_status(c);
  if (method == "Assets") return assets(c, p);
  if (method == "AssetPairs") return asset_pairs(c, p);
  if (method == "Ticker") return ticker(c, p);
  if (method == "Depth") return depth(c, p);
  if (method == "OHLC") return ohlc(c, p);
  if (method == "Trades") return trades(c, p);
  if (method == "Spread") return spread(c, p);
  found = false;
  return fail("EGeneral:Unknown method");
}

}  // namespace kgw::sim::rest
