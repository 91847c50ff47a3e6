#include "kgw/core/kraken/rest_types.hpp"

#include <fmt/format.h>

#include "kgw/core/kraken/json.hpp"

namespace kgw::kraken {
namespace {

using simdjson::ondemand::array;
using simdjson::ondemand::object;
using simdjson::ondemand::value;

// Parses `json` (a result object) and calls fn(key, value) per member.
template <class Fn>
result<void> each_member(std::string_view json, std::string_view what, Fn&& fn) {
  simdjson::padded_string padded(json);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (auto e = parser.iterate(padded).get(doc)) return json_error(e, what);
  object obj;
  if (auto e = doc.get_object().get(obj)) return json_error(e, what);
  for (auto field : obj) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return json_error(e, what);
    value v;
    if (auto e = field.value().get(v)) return json_error(e, key);
    if (auto r = fn(key, v); !r) return r;
  }
  return {};
}

// Reads a JSON array of exactly N values with fn(index, value).
template <class Fn>
result<void> each_element(value v, std::string_view field, Fn&& fn) {
  array arr;
  if (auto e = v.get_array().get(arr)) return json_error(e, field);
  std::size_t i = 0;
  for (auto item : arr) {
    value x;
    if (auto e = item.get(x)) return json_error(e, field);
    if (auto r = fn(i++, x); !r) return r;
  }
  return {};
}

#define KGW_TRY(target, expr)          \
  do {                                 \
    auto kgw_r_ = (expr);              \
    if (!kgw_r_) return kgw_r_.error(); \
    target = std::move(*kgw_r_);       \
  } while (0)

result<void> read_pair_array(value v, std::string_view field, std::array<Decimal, 2>& out) {
  return each_element(v, field, [&](std::size_t i, value x) -> result<void> {
    if (i > 1) return Error(errc::parse_error, fmt::format("{}: more than 2 values", field));
    KGW_TRY(out[i], read_decimal(x, field));
    return {};
  });
}

result<TickerQuote> read_quote(value v, std::string_view field) {
  TickerQuote q;
  auto r = each_element(v, field, [&](std::size_t i, value x) -> result<void> {
    Decimal* slot = i == 0 ? &q.price : i == 1 ? &q.whole_lot_volume : i == 2 ? &q.lot_volume : nullptr;
    if (!slot) return Error(errc::parse_error, fmt::format("{}: more than 3 values", field));
    KGW_TRY(*slot, read_decimal(x, field));
    return {};
  });
  if (!r) return r.error();
  return q;
}

}  // namespace

result<ServerTime> parse_time(std::string_view json) {
  ServerTime t;
  auto r = each_member(json, "Time", [&](std::string_view k, value v) -> result<void> {
    if (k == "unixtime") KGW_TRY(t.unixtime, read_int(v, k));
    else if (k == "rfc1123") KGW_TRY(t.rfc1123, read_string(v, k));
    return {};
  });
  if (!r) return r.error();
  return t;
}

result<SystemStatusInfo> parse_system_status(std::string_view json) {
  SystemStatusInfo s;
  auto r = each_member(json, "SystemStatus", [&](std::string_view k, value v) -> result<void> {
    if (k == "status") KGW_TRY(s.status, read_string(v, k));
    else if (k == "timestamp") KGW_TRY(s.timestamp, read_string(v, k));
    return {};
  });
  if (!r) return r.error();
  return s;
}

result<std::vector<Ticker>> parse_ticker(std::string_view json) {
  std::vector<Ticker> out;
  auto r = each_member(json, "Ticker", [&](std::string_view pair, value v) -> result<void> {
    Ticker t;
    t.pair = std::string(pair);
    object o;
    if (auto e = v.get_object().get(o)) return json_error(e, pair);
    for (auto field : o) {
      std::string_view k;
      if (auto e = field.unescaped_key().get(k)) return json_error(e, pair);
      value x;
      if (auto e = field.value().get(x)) return json_error(e, k);
      if (k == "a") KGW_TRY(t.ask, read_quote(x, "a"));
      else if (k == "b") KGW_TRY(t.bid, read_quote(x, "b"));
      else if (k == "c") {
        std::array<Decimal, 2> c;
        if (auto e = read_pair_array(x, "c", c); !e) return e;
        t.last_price = c[0];
        t.last_volume = c[1];
      } else if (k == "v") {
        if (auto e = read_pair_array(x, "v", t.volume); !e) return e;
      } else if (k == "p") {
        if (auto e = read_pair_array(x, "p", t.vwap); !e) return e;
      } else if (k == "l") {
        if (auto e = read_pair_array(x, "l", t.low); !e) return e;
      } else if (k == "h") {
        if (auto e = read_pair_array(x, "h", t.high); !e) return e;
      } else if (k == "t") {
        auto e = each_element(x, "t", [&](std::size_t i, value y) -> result<void> {
          if (i > 1) return Error(errc::parse_error, "t: more than 2 values");
          KGW_TRY(t.trades[i], read_int(y, "t"));
          return {};
        });
        if (!e) return e;
      } else if (k == "o") {
        KGW_TRY(t.open, read_decimal(x, "o"));
      }
    }
    out.push_back(std::move(t));
    return {};
  });
  if (!r) return r.error();
  return out;
}

result<Depth> parse_depth(std::string_view json) {
  Depth d;
  auto r = each_member(json, "Depth", [&](std::string_view pair, value v) -> result<void> {
    d.pair = std::string(pair);
    object o;
    if (auto e = v.get_object().get(o)) return json_error(e, pair);
    for (auto field : o) {
      std::string_view k;
      if (auto e = field.unescaped_key().get(k)) return json_error(e, pair);
      value x;
      if (auto e = field.value().get(x)) return json_error(e, k);
      if (k != "asks" && k != "bids") continue;
      auto& side = k == "asks" ? d.asks : d.bids;
      auto e = each_element(x, k, [&](std::size_t, value lvl) -> result<void> {
        DepthLevel l;
        auto inner = each_element(lvl, k, [&](std::size_t i, value y) -> result<void> {
          if (i == 0) KGW_TRY(l.price, read_decimal(y, "price"));
          else if (i == 1) KGW_TRY(l.volume, read_decimal(y, "volume"));
          else if (i == 2) KGW_TRY(l.timestamp, read_int(y, "timestamp"));
          return {};
        });
        if (!inner) return inner;
        side.push_back(l);
        return {};
      });
      if (!e) return e;
    }
    return {};
  });
  if (!r) return r.error();
  return d;
}

result<OhlcPage> parse_ohlc(std::string_view json) {
  OhlcPage p;
  auto r = each_member(json, "OHLC", [&](std::string_view k, value v) -> result<void> {
    if (k == "last") {
      KGW_TRY(p.last, read_int(v, k));
      return {};
    }
    p.pair = std::string(k);
    return each_element(v, k, [&](std::size_t, value row) -> result<void> {
      OhlcCandle c;
      Decimal* decimals[] = {&c.open, &c.high, &c.low, &c.close, &c.vwap, &c.volume};
      auto e = each_element(row, k, [&](std::size_t i, value y) -> result<void> {
        if (i == 0) KGW_TRY(c.time, read_int(y, "time"));
        else if (i <= 6) KGW_TRY(*decimals[i - 1], read_decimal(y, "ohlc"));
        else if (i == 7) KGW_TRY(c.count, read_int(y, "count"));
        return {};
      });
      if (!e) return e;
      p.candles.push_back(c);
      return {};
    });
  });
  if (!r) return r.error();
  return p;
}

result<TradesPage> parse_trades(std::string_view json) {
  TradesPage p;
  auto r = each_member(json, "Trades", [&](std::string_view k, value v) -> result<void> {
    if (k == "last") {
      KGW_TRY(p.last, read_string(v, k));
      return {};
    }
    p.pair = std::string(k);
    return each_element(v, k, [&](std::size_t, value row) -> result<void> {
      RecentTrade t;
      auto e = each_element(row, k, [&](std::size_t i, value y) -> result<void> {
        std::string s;
        switch (i) {
          case 0: KGW_TRY(t.price, read_decimal(y, "price")); break;
          case 1: KGW_TRY(t.volume, read_decimal(y, "volume")); break;
          case 2: KGW_TRY(t.time, read_decimal(y, "time")); break;
          case 3:
            KGW_TRY(s, read_string(y, "side"));
            t.side = s.empty() ? '?' : s[0];
            break;
          case 4:
            KGW_TRY(s, read_string(y, "ordtype"));
            t.ordtype = s.empty() ? '?' : s[0];
            break;
          case 5: KGW_TRY(t.misc, read_string(y, "misc")); break;
          case 6: KGW_TRY(t.trade_id, read_int(y, "trade_id")); break;
          default: break;
        }
        return {};
      });
      if (!e) return e;
      p.trades.push_back(std::move(t));
      return {};
    });
  });
  if (!r) return r.error();
  return p;
}

result<SpreadPage> parse_spread(std::string_view json) {
  SpreadPage p;
  auto r = each_member(json, "Spread", [&](std::string_view k, value v) -> result<void> {
    if (k == "last") {
      KGW_TRY(p.last, read_int(v, k));
      return {};
    }
    p.pair = std::string(k);
    return each_element(v, k, [&](std::size_t, value row) -> result<void> {
      SpreadEntry s;
      auto e = each_element(row, k, [&](std::size_t i, value y) -> result<void> {
        if (i == 0) KGW_TRY(s.time, read_int(y, "time"));
        else if (i == 1) KGW_TRY(s.bid, read_decimal(y, "bid"));
        else if (i == 2) KGW_TRY(s.ask, read_decimal(y, "ask"));
        return {};
      });
      if (!e) return e;
      p.entries.push_back(s);
      return {};
    });
  });
  if (!r) return r.error();
  return p;
}

result<std::vector<AssetBalance>> parse_balance(std::string_view json) {
  std::vector<AssetBalance> out;
  auto r = each_member(json, "Balance", [&](std::string_view asset, value v) -> result<void> {
    AssetBalance b;
    b.asset = std::string(asset);
    KGW_TRY(b.balance, read_decimal(v, asset));
    out.push_back(std::move(b));
    return {};
  });
  if (!r) return r.error();
  return out;
}

result<std::vector<AssetBalance>> parse_balance_ex(std::string_view json) {
  std::vector<AssetBalance> out;
  auto r = each_member(json, "BalanceEx", [&](std::string_view asset, value v) -> result<void> {
    AssetBalance b;
    b.asset = std::string(asset);
    object o;
    if (auto e = v.get_object().get(o)) return json_error(e, asset);
    for (auto field : o) {
      std::string_view k;
      if (auto e = field.unescaped_key().get(k)) return json_error(e, asset);
      value x;
      if (auto e = field.value().get(x)) return json_error(e, k);
      // Docs type these as strings; examples show numbers: read_decimal takes both.
      if (k == "balance") KGW_TRY(b.balance, read_decimal(x, k));
      else if (k == "credit") KGW_TRY(b.credit, read_decimal(x, k));
      else if (k == "credit_used") KGW_TRY(b.credit_used, read_decimal(x, k));
      else if (k == "hold_trade") KGW_TRY(b.hold_trade, read_decimal(x, k));
    }
    out.push_back(std::move(b));
    return {};
  });
  if (!r) return r.error();
  return out;
}

result<TradeBalanceInfo> parse_trade_balance(std::string_view json) {
  TradeBalanceInfo t;
  auto r = each_member(json, "TradeBalance", [&](std::string_view k, value v) -> result<void> {
    Decimal* slot = k == "eb" ? &t.eb : k == "tb" ? &t.tb : k == "m" ? &t.m : k == "n" ? &t.n : k == "c" ? &t.c
                  : k == "v" ? &t.v : k == "e" ? &t.e : k == "mf" ? &t.mf : nullptr;
    if (slot) KGW_TRY(*slot, read_decimal(v, k));
    else if (k == "ml") KGW_TRY(t.ml, read_decimal(v, k));
    else if (k == "uv") KGW_TRY(t.uv, read_decimal(v, k));
    return {};
  });
  if (!r) return r.error();
  return t;
}

#undef KGW_TRY

}  // namespace kgw::kraken
