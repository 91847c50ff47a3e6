#include "kgw/core/kraken/rest_types.hpp"

#include <fmt/format.h>

#include <utility>

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

// A parsed result: `out` when the parse `r` succeeded, otherwise its error.
template <class T>
result<T> with_value(result<void> r, T&& out) {
  if (!r) return r.error();
  return std::move(out);
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
  return with_value(each_member(json, "Time", [&](std::string_view k, value v) -> result<void> {
    if (k == "unixtime") KGW_TRY(t.unixtime, read_int(v, k));
    else if (k == "rfc1123") KGW_TRY(t.rfc1123, read_string(v, k));
    return {};
  }), std::move(t));
}

result<SystemStatusInfo> parse_system_status(std::string_view json) {
  SystemStatusInfo s;
  return with_value(each_member(json, "SystemStatus", [&](std::string_view k, value v) -> result<void> {
    if (k == "status") KGW_TRY(s.status, read_string(v, k));
    else if (k == "timestamp") KGW_TRY(s.timestamp, read_string(v, k));
    return {};
  }), std::move(s));
}

result<std::vector<Ticker>> parse_ticker(std::string_view json) {
  std::vector<Ticker> out;
  return with_value(each_member(json, "Ticker", [&](std::string_view pair, value v) -> result<void> {
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
  }), std::move(out));
}

result<Depth> parse_depth(std::string_view json) {
  Depth d;
  return with_value(each_member(json, "Depth", [&](std::string_view pair, value v) -> result<void> {
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
  }), std::move(d));
}

result<OhlcPage> parse_ohlc(std::string_view json) {
  OhlcPage p;
  return with_value(each_member(json, "OHLC", [&](std::string_view k, value v) -> result<void> {
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
  }), std::move(p));
}

result<TradesPage> parse_trades(std::string_view json) {
  TradesPage p;
  return with_value(each_member(json, "Trades", [&](std::string_view k, value v) -> result<void> {
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
  }), std::move(p));
}

result<SpreadPage> parse_spread(std::string_view json) {
  SpreadPage p;
  return with_value(each_member(json, "Spread", [&](std::string_view k, value v) -> result<void> {
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
  }), std::move(p));
}

result<std::vector<AssetBalance>> parse_balance(std::string_view json) {
  std::vector<AssetBalance> out;
  return with_value(each_member(json, "Balance", [&](std::string_view asset, value v) -> result<void> {
    AssetBalance b;
    b.asset = std::string(asset);
    KGW_TRY(b.balance, read_decimal(v, asset));
    out.push_back(std::move(b));
    return {};
  }), std::move(out));
}

result<std::vector<AssetBalance>> parse_balance_ex(std::string_view json) {
  std::vector<AssetBalance> out;
  return with_value(each_member(json, "BalanceEx", [&](std::string_view asset, value v) -> result<void> {
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
  }), std::move(out));
}

result<TradeBalanceInfo> parse_trade_balance(std::string_view json) {
  TradeBalanceInfo t;
  return with_value(each_member(json, "TradeBalance", [&](std::string_view k, value v) -> result<void> {
    Decimal* slot = k == "eb" ? &t.eb : k == "tb" ? &t.tb : k == "m" ? &t.m : k == "n" ? &t.n : k == "c" ? &t.c
                  : k == "v" ? &t.v : k == "e" ? &t.e : k == "mf" ? &t.mf : nullptr;
    if (slot) KGW_TRY(*slot, read_decimal(v, k));
    else if (k == "ml") KGW_TRY(t.ml, read_decimal(v, k));
    else if (k == "uv") KGW_TRY(t.uv, read_decimal(v, k));
    return {};
  }), std::move(t));
}


}  // namespace kgw::kraken

namespace kgw::kraken {
namespace {

using simdjson::ondemand::array;
using simdjson::ondemand::object;
using simdjson::ondemand::value;

// Kraken's `net` carries an explicit '+' ("+154186.9728"); decimals elsewhere never do.
result<Decimal> read_signed(value v, std::string_view field) {
  std::string_view s;
  if (auto e = v.get_string().get(s)) return json_error(e, field);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto d = Decimal::parse(s);
  if (!d) return Error(errc::parse_error, fmt::format("{}: '{}' is not a decimal", field, s));
  return *d;
}

result<std::vector<std::string>> read_strings(value v, std::string_view field) {
  std::vector<std::string> out;
  array arr;
  if (auto e = v.get_array().get(arr)) return json_error(e, field);
  for (auto item : arr) {
    std::string_view s;
    if (auto e = item.get_string().get(s)) return json_error(e, field);
    out.emplace_back(s);
  }
  return out;
}

// A string that may be JSON null.
result<std::optional<std::string>> read_nullable(value v, std::string_view field) {
  bool is_null = false;
  if (auto e = v.is_null().get(is_null)) return json_error(e, field);
  if (is_null) return std::optional<std::string>{};
  auto s = read_string(v, field);
  if (!s) return s.error();
  return std::optional<std::string>(std::move(*s));
}

// Visits the members of an object value.
template <class Fn>
result<void> members(value v, std::string_view what, Fn&& fn) {
  object o;
  if (auto e = v.get_object().get(o)) return json_error(e, what);
  for (auto field : o) {
    std::string_view k;
    if (auto e = field.unescaped_key().get(k)) return json_error(e, what);
    value x;
    if (auto e = field.value().get(x)) return json_error(e, k);
    if (auto r = fn(k, x); !r) return r;
  }
  return {};
}

result<void> read_order(std::string_view txid, value v, OrderInfo& o) {
  o.txid = std::string(txid);
  return members(v, txid, [&](std::string_view k, value x) -> result<void> {
    if (k == "refid") KGW_TRY(o.refid, read_nullable(x, k));
    else if (k == "userref") {
      bool is_null = false;
      if (!x.is_null().get(is_null) && !is_null) KGW_TRY(o.userref, read_int(x, k));
    } else if (k == "cl_ord_id") KGW_TRY(o.cl_ord_id, read_nullable(x, k));
    else if (k == "status") KGW_TRY(o.status, read_string(x, k));
    else if (k == "reason") KGW_TRY(o.reason, read_nullable(x, k));
    else if (k == "opentm") KGW_TRY(o.opentm, read_decimal(x, k));
    else if (k == "closetm") KGW_TRY(o.closetm, read_decimal(x, k));
    else if (k == "starttm") KGW_TRY(o.starttm, read_decimal(x, k));
    else if (k == "expiretm") KGW_TRY(o.expiretm, read_decimal(x, k));
    else if (k == "vol") KGW_TRY(o.vol, read_decimal(x, k));
    else if (k == "vol_exec") KGW_TRY(o.vol_exec, read_decimal(x, k));
    else if (k == "cost") KGW_TRY(o.cost, read_decimal(x, k));
    else if (k == "fee") KGW_TRY(o.fee, read_decimal(x, k));
    else if (k == "price") KGW_TRY(o.price, read_decimal(x, k));
    else if (k == "stopprice") KGW_TRY(o.stopprice, read_decimal(x, k));
    else if (k == "limitprice") KGW_TRY(o.limitprice, read_decimal(x, k));
    else if (k == "misc") KGW_TRY(o.misc, read_string(x, k));
    else if (k == "oflags") KGW_TRY(o.oflags, read_string(x, k));
    else if (k == "trigger") KGW_TRY(o.trigger, read_string(x, k));
    else if (k == "trades") KGW_TRY(o.trades, read_strings(x, k));
    else if (k == "descr")
      return members(x, k, [&](std::string_view dk, value dv) -> result<void> {
        std::string* slot = dk == "pair" ? &o.descr.pair : dk == "type" ? &o.descr.type : dk == "ordertype" ? &o.descr.ordertype
                          : dk == "price" ? &o.descr.price : dk == "price2" ? &o.descr.price2 : dk == "leverage" ? &o.descr.leverage
                          : dk == "order" ? &o.descr.order : dk == "close" ? &o.descr.close : nullptr;
        if (slot) KGW_TRY(*slot, read_string(dv, dk));
        return {};
      });
    return {};
  });
}

result<void> read_trade(std::string_view txid, value v, TradeInfo& t) {
  t.txid = std::string(txid);
  return members(v, txid, [&](std::string_view k, value x) -> result<void> {
    std::string* s = k == "ordertxid" ? &t.ordertxid : k == "postxid" ? &t.postxid : k == "pair" ? &t.pair
                   : k == "type" ? &t.type : k == "ordertype" ? &t.ordertype : k == "misc" ? &t.misc
                   : k == "posstatus" ? &t.posstatus : k == "leverage" ? &t.leverage : nullptr;
    Decimal* d = k == "time" ? &t.time : k == "price" ? &t.price : k == "cost" ? &t.cost : k == "fee" ? &t.fee
               : k == "vol" ? &t.vol : k == "margin" ? &t.margin : nullptr;
    std::optional<Decimal>* closed = k == "cprice" ? &t.cprice : k == "ccost" ? &t.ccost : k == "cfee" ? &t.cfee
                                   : k == "cvol" ? &t.cvol : k == "cmargin" ? &t.cmargin : nullptr;
    if (s) KGW_TRY(*s, read_string(x, k));
    else if (d) KGW_TRY(*d, read_decimal(x, k));
    else if (closed) KGW_TRY(*closed, read_decimal(x, k));
    else if (k == "net") KGW_TRY(t.net, read_signed(x, k));
    else if (k == "trade_id") KGW_TRY(t.trade_id, read_int(x, k));
    else if (k == "maker") {
      if (auto e = x.get_bool().get(t.maker)) return json_error(e, k);
    } else if (k == "ledgers") KGW_TRY(t.ledgers, read_strings(x, k));
    else if (k == "trades") KGW_TRY(t.trades, read_strings(x, k));
    return {};
  });
}

result<void> read_ledger(std::string_view id, value v, LedgerInfo& l) {
  l.id = std::string(id);
  return members(v, id, [&](std::string_view k, value x) -> result<void> {
    std::string* s = k == "refid" ? &l.refid : k == "type" ? &l.type : k == "subtype" ? &l.subtype : k == "aclass" ? &l.aclass
                   : k == "asset" ? &l.asset : nullptr;
    Decimal* d = k == "time" ? &l.time : k == "amount" ? &l.amount : k == "fee" ? &l.fee : k == "balance" ? &l.balance : nullptr;
    if (s) KGW_TRY(*s, read_string(x, k));
    else if (d) KGW_TRY(*d, read_decimal(x, k));
    return {};
  });
}

// Lists come wrapped ({"open":{...}}, {"trades":{...},"count":N}) or bare ({txid:{...}}).
template <class Item, class ReadFn>
result<void> read_list(std::string_view json, std::string_view what, std::string_view wrapper_a, std::string_view wrapper_b,
                       std::vector<Item>& out, std::optional<std::int64_t>& count, ReadFn&& read) {
  return each_member(json, what, [&](std::string_view k, value v) -> result<void> {
    if (k == "count") {
      KGW_TRY(count, read_int(v, k));
      return {};
    }
    if (k == wrapper_a || k == wrapper_b)
      return members(v, k, [&](std::string_view id, value item) -> result<void> {
        Item it;
        if (auto r = read(id, item, it); !r) return r;
        out.push_back(std::move(it));
        return {};
      });
    Item it;
    if (auto r = read(k, v, it); !r) return r;
    out.push_back(std::move(it));
    return {};
  });
}

}  // namespace

result<OrdersPage> parse_orders(std::string_view json) {
  OrdersPage p;
  if (auto r = read_list(json, "orders", "open", "closed", p.orders, p.count, read_order); !r) return r.error();
  return p;
}

result<TradesHistoryPage> parse_trades_history(std::string_view json) {
  TradesHistoryPage p;
  if (auto r = read_list(json, "trades", "trades", "trades", p.trades, p.count, read_trade); !r) return r.error();
  return p;
}

result<LedgersPage> parse_ledgers(std::string_view json) {
  LedgersPage p;
  if (auto r = read_list(json, "ledgers", "ledger", "ledger", p.entries, p.count, read_ledger); !r) return r.error();
  return p;
}

result<std::vector<PositionInfo>> parse_open_positions(std::string_view json) {
  std::vector<PositionInfo> out;
  return with_value(each_member(json, "OpenPositions", [&](std::string_view txid, value v) -> result<void> {
    PositionInfo p;
    p.txid = std::string(txid);
    auto inner = members(v, txid, [&](std::string_view k, value x) -> result<void> {
      std::string* s = k == "ordertxid" ? &p.ordertxid : k == "posstatus" ? &p.posstatus : k == "pair" ? &p.pair
                     : k == "type" ? &p.type : k == "ordertype" ? &p.ordertype : k == "terms" ? &p.terms
                     : k == "rollovertm" ? &p.rollovertm : k == "misc" ? &p.misc : k == "oflags" ? &p.oflags : nullptr;
      Decimal* d = k == "time" ? &p.time : k == "cost" ? &p.cost : k == "fee" ? &p.fee : k == "vol" ? &p.vol
                 : k == "vol_closed" ? &p.vol_closed : k == "margin" ? &p.margin : nullptr;
      if (s) KGW_TRY(*s, read_string(x, k));
      else if (d) KGW_TRY(*d, read_decimal(x, k));
      else if (k == "value") KGW_TRY(p.value, read_decimal(x, k));
      else if (k == "net") KGW_TRY(p.net, read_signed(x, k));
      return {};
    });
    if (!inner) return inner;
    out.push_back(std::move(p));
    return {};
  }), std::move(out));
}

result<OrderAmendsPage> parse_order_amends(std::string_view json) {
  OrderAmendsPage p;
  return with_value(each_member(json, "OrderAmends", [&](std::string_view k, value v) -> result<void> {
    if (k == "count") KGW_TRY(p.count, read_int(v, k));
    if (k != "amends") return {};
    array arr;
    if (auto e = v.get_array().get(arr)) return json_error(e, k);
    for (auto item : arr) {
      value iv;
      if (auto e = item.get(iv)) return json_error(e, k);
      OrderAmendInfo a;
      auto inner = members(iv, k, [&](std::string_view f, value x) -> result<void> {
        std::string* s = f == "amend_id" ? &a.amend_id : f == "amend_type" ? &a.amend_type : f == "reason" ? &a.reason : nullptr;
        std::optional<Decimal>* d = f == "order_qty" ? &a.order_qty : f == "display_qty" ? &a.display_qty
                                  : f == "remaining_qty" ? &a.remaining_qty : f == "limit_price" ? &a.limit_price
                                  : f == "trigger_price" ? &a.trigger_price : nullptr;
        if (s) KGW_TRY(*s, read_string(x, f));
        else if (d) KGW_TRY(*d, read_decimal(x, f));
        else if (f == "timestamp") KGW_TRY(a.timestamp, read_int(x, f));
        else if (f == "post_only") {
          if (auto e = x.get_bool().get(a.post_only)) return json_error(e, f);
        }
        return {};
      });
      if (!inner) return inner;
      p.amends.push_back(std::move(a));
    }
    return {};
  }), std::move(p));
}

result<AddOrderResponse> parse_add_order(std::string_view json) {
  AddOrderResponse a;
  return with_value(each_member(json, "AddOrder", [&](std::string_view k, value v) -> result<void> {
    if (k == "txid") KGW_TRY(a.txid, read_strings(v, k));
    else if (k == "descr")
      return members(v, k, [&](std::string_view dk, value dv) -> result<void> {
        if (dk == "order") KGW_TRY(a.descr_order, read_string(dv, dk));
        else if (dk == "close") KGW_TRY(a.descr_close, read_string(dv, dk));
        return {};
      });
    return {};
  }), std::move(a));
}

result<EditOrderResponse> parse_edit_order(std::string_view json) {
  EditOrderResponse e;
  return with_value(each_member(json, "EditOrder", [&](std::string_view k, value v) -> result<void> {
    if (k == "txid") KGW_TRY(e.txid, read_string(v, k));
    else if (k == "originaltxid") KGW_TRY(e.originaltxid, read_string(v, k));
    else if (k == "status") KGW_TRY(e.status, read_string(v, k));
    else if (k == "descr")
      return members(v, k, [&](std::string_view dk, value dv) -> result<void> {
        if (dk == "order") KGW_TRY(e.descr_order, read_string(dv, dk));
        return {};
      });
    return {};
  }), std::move(e));
}

result<std::string> parse_amend_order(std::string_view json) {
  std::string id;
  auto r = each_member(json, "AmendOrder", [&](std::string_view k, value v) -> result<void> {
    if (k == "amend_id") KGW_TRY(id, read_string(v, k));
    return {};
  });
  if (!r) return r.error();
  if (id.empty()) return Error(errc::parse_error, "AmendOrder: no amend_id");
  return id;
}

result<CancelResponse> parse_cancel(std::string_view json) {
  CancelResponse c;
  return with_value(each_member(json, "Cancel", [&](std::string_view k, value v) -> result<void> {
    if (k == "count") KGW_TRY(c.count, read_int(v, k));
    else if (k == "pending") {
      if (auto e = v.get_bool().get(c.pending)) return json_error(e, k);
    }
    return {};
  }), std::move(c));
}

result<DeadManResponse> parse_cancel_all_orders_after(std::string_view json) {
  DeadManResponse d;
  return with_value(each_member(json, "CancelAllOrdersAfter", [&](std::string_view k, value v) -> result<void> {
    if (k == "currentTime") KGW_TRY(d.current_time, read_string(v, k));
    else if (k == "triggerTime") KGW_TRY(d.trigger_time, read_string(v, k));
    return {};
  }), std::move(d));
}

result<std::vector<BatchOrderResult>> parse_add_order_batch(std::string_view json) {
  std::vector<BatchOrderResult> out;
  return with_value(each_member(json, "AddOrderBatch", [&](std::string_view k, value v) -> result<void> {
    if (k != "orders") return {};
    array arr;
    if (auto e = v.get_array().get(arr)) return json_error(e, k);
    for (auto item : arr) {
      value iv;
      if (auto e = item.get(iv)) return json_error(e, k);
      BatchOrderResult b;
      auto inner = members(iv, "orders[]", [&](std::string_view ik, value x) -> result<void> {
        if (ik == "txid") KGW_TRY(b.txid, read_string(x, ik));
        else if (ik == "close") KGW_TRY(b.close, read_string(x, ik));
        else if (ik == "error") KGW_TRY(b.error, read_string(x, ik));
        else if (ik == "descr")
          return members(x, ik, [&](std::string_view dk, value dv) -> result<void> {
            if (dk == "order") KGW_TRY(b.descr_order, read_string(dv, dk));
            return {};
          });
        return {};
      });
      if (!inner) return inner;
      out.push_back(std::move(b));
    }
    return {};
  }), std::move(out));
}

result<WebSocketsToken> parse_websockets_token(std::string_view json) {
  WebSocketsToken t;
  return with_value(each_member(json, "GetWebSocketsToken", [&](std::string_view k, value v) -> result<void> {
    if (k == "token") {
      auto text = read_string(v, k);
      if (!text) return text.error();
      t.token = Secret(std::move(*text));  // the constructor wipes the temporary
    } else if (k == "expires") {
      KGW_TRY(t.expires, read_int(v, k));
    }
    return {};
  }), std::move(t));
}

#undef KGW_TRY

}  // namespace kgw::kraken
