// The simulator's WS v2 API: connections, framing, admin channels and public market data.
#include "kgw/sim/kraken_ws_api.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "kgw/core/book_checksum.hpp"
#include "kgw/core/kraken/book.hpp"
#include "kraken_ws_common.hpp"
#include "kraken_ws_subscription.hpp"

namespace kgw::sim {

namespace ws {

std::string ack(std::string_view method, std::optional<std::int64_t> req_id, std::string_view result_json,
                WallTime time_in, WallTime time_out) {
  JsonWriter w;
  w.begin_object().field("method", method);
  if (req_id) w.field("req_id", *req_id);
  if (!result_json.empty()) w.key("result").raw(result_json);
  w.field("success", true).field("time_in", format_rfc3339(time_in)).field("time_out", format_rfc3339(time_out));
  w.end_object();
  return w.take();
}

std::string nack(std::string_view method, std::optional<std::int64_t> req_id, std::string_view error,
                 WallTime time_in, WallTime time_out, std::optional<std::string_view> symbol) {
  JsonWriter w;
  w.begin_object().field("error", error).field("method", method);
  if (req_id) w.field("req_id", *req_id);
  w.field("success", false);
  if (symbol) w.field("symbol", *symbol);
  w.field("time_in", format_rfc3339(time_in)).field("time_out", format_rfc3339(time_out)).end_object();
  return w.take();
}

std::optional<Request> preamble(std::string_view text, WallTime time_in, const std::function<WallTime()>& now,
                                const std::function<void(std::string)>& send) {
  auto parsed = rest::Params::from_json(text);
  if (!parsed) {
    send(nack("", std::nullopt, "Malformed request", time_in, now()));
    return std::nullopt;
  }
  Request r{std::move(*parsed), {}, {}};
  const auto method = r.msg.get("method");
  r.req_id = to_int(r.msg.get("req_id"));
  if (!method) {
    send(nack("", r.req_id, "Unsupported event", time_in, now()));
    return std::nullopt;
  }
  r.method = std::string(*method);
  if (r.method == "ping") {
    JsonWriter w;
    w.begin_object().field("method", "pong");
    if (r.req_id) w.field("req_id", *r.req_id);
    w.field("time_in", format_rfc3339(time_in)).field("time_out", format_rfc3339(now())).end_object();
    send(w.take());
    return std::nullopt;
  }
  return r;
}

std::string status_message(std::uint64_t connection_id, std::string_view system) {
  JsonWriter w;
  w.begin_object().field("channel", "status").key("data").begin_array().begin_object();
  w.field("api_version", "v2").field("connection_id", connection_id).field("system", system);
  w.field("version", "2.0.0").end_object().end_array().field("type", "update").end_object();
  return w.take();
}

bool is_trading_method(std::string_view method) {
  static constexpr std::string_view kTrading[] = {"add_order", "amend_order", "edit_order", "cancel_order",
                                                  "cancel_all", "cancel_all_orders_after", "batch_add", "batch_cancel"};
  return std::find(std::begin(kTrading), std::end(kTrading), method) != std::end(kTrading);
}

std::string book_snapshot_message(std::string_view symbol, std::span<const BookLevel> bids,
                                  std::span<const BookLevel> asks, int price_precision, int qty_precision,
                                  std::uint32_t checksum, std::string_view timestamp) {
  JsonWriter w;
  w.begin_object().field("channel", "book").field("type", "snapshot").key("data").begin_array().begin_object();
  w.field("symbol", symbol);
  for (const auto& [name, levels] : {std::pair{"bids", bids}, std::pair{"asks", asks}}) {
    w.key(name).begin_array();
    for (const BookLevel& l : levels)
      w.begin_object().key("price").number(l.price, price_precision).key("qty").number(l.qty, qty_precision).end_object();
    w.end_array();
  }
  w.field("checksum", checksum).field("timestamp", timestamp);
  w.end_object().end_array().end_object();
  return w.take();
}

void write_trade(JsonWriter& w, const Instrument& in, const PublicTrade& t) {
  w.begin_object().field("symbol", in.symbol).field("side", to_string(t.taker_side));
  w.key("price").number(t.price.value, in.price_precision).key("qty").number(t.qty.value, in.qty_precision);
  w.field("ord_type", t.taker_market ? "market" : "limit").field("trade_id", t.trade_id);
  w.field("timestamp", format_rfc3339(t.time)).end_object();
}

void write_candle(JsonWriter& w, const Instrument& in, const Candle& k, int interval) {
  const int pp = in.price_precision;
  w.begin_object().field("symbol", in.symbol);
  w.key("open").number(k.open.value, pp).key("high").number(k.high.value, pp).key("low").number(k.low.value, pp);
  w.key("close").number(k.close.value, pp).field("trades", k.count).key("volume").number(k.volume.value, in.qty_precision);
  w.key("vwap").number(k.volume.value ? static_cast<std::int64_t>(k.pxq / k.volume.value) : k.close.value, pp);
  // interval_begin has 9 decimals; the deprecated `timestamp` is the interval's end.
  w.field("interval_begin", format_rfc3339(k.begin, 9)).field("interval", interval);
  w.field("timestamp", format_rfc3339(k.begin + std::chrono::minutes(interval), 6)).end_object();
}

}  // namespace ws

KrakenWsApi::KrakenWsApi(Exchange& ex, MarketData& md, TokenStore& tokens, Faults& faults, Options options)
    : ex_(ex),
      md_(md),
      tokens_(tokens),
      faults_(faults),
      opt_(options),
      bbo_(ex.instruments().size()),
      next_connection_id_(ws::kFirstConnectionId) {
  ex_.add_observer(this);
}

KrakenWsApi::~KrakenWsApi() { ex_.remove_observer(this); }

KrakenWsApi::Conn* KrakenWsApi::find(std::uint64_t id) {
  auto it = conns_.find(id);
  return it == conns_.end() ? nullptr : it->second.get();
}

void KrakenWsApi::send(Conn& c, std::string text) {
  c.last_sent = ex_.now();
  ++sent_;
  if (opt_.authenticated && faults_.ws_private_delay.count() > 0 && opt_.defer) {
    // Every message gets the same delay, so they still leave in order. A weak pointer: a
    // connection that closes meanwhile simply gets nothing.
    faults_.count("ws_private_delay");
    opt_.defer(faults_.ws_private_delay, [client = std::weak_ptr<WsClient>(c.client), t = std::move(text)]() mutable {
      if (auto live = client.lock()) live->send(std::move(t));
    });
    return;
  }
  c.client->send(std::move(text));
}

std::string KrakenWsApi::status_message(std::uint64_t connection_id) const {
  return ws::status_message(connection_id, to_string(ex_.status()));
}

void KrakenWsApi::on_open(const std::shared_ptr<WsClient>& client) {
  auto c = std::make_unique<Conn>();
  c->client = client;
  c->connection_id = next_connection_id_++;
  Conn& ref = *c;
  conns_[client->id()] = std::move(c);
  send(ref, status_message(ref.connection_id));
}

void KrakenWsApi::on_close(const std::shared_ptr<WsClient>& client) {
  auto it = conns_.find(client->id());
  if (it == conns_.end()) return;
  for (const auto& t : it->second->tokens) tokens_.detach(t);
  conns_.erase(it);
}

void KrakenWsApi::on_timer() {
  const WallTime now = ex_.now();
  for (auto& [id, c] : conns_)
    if (c->subscribed() && now - c->last_sent >= opt_.heartbeat) send(*c, R"({"channel":"heartbeat"})");
}

void KrakenWsApi::on_message(const std::shared_ptr<WsClient>& client, std::string_view text) {
  Conn* c = find(client->id());
  if (!c) return;
  handle(*c, text);
}

void KrakenWsApi::handle(Conn& c, std::string_view text) {
  const WallTime time_in = ex_.now();
  auto req = ws::preamble(text, time_in, [this] { return ex_.now(); }, [&](std::string m) { send(c, std::move(m)); });
  if (!req) return;
  if (req->method == "subscribe" || req->method == "unsubscribe") {
    subscribe(c, *req, time_in);
  } else if (ws::is_trading_method(req->method) && opt_.authenticated) {
    trading_method(c, req->method, req->msg, req->req_id, time_in);
  } else if (ws::is_trading_method(req->method)) {
    send(c, ws::nack(req->method, req->req_id, "Method not supported on this endpoint", time_in, ex_.now()));
  } else {
    send(c, ws::nack(req->method, req->req_id, "Unsupported event", time_in, ex_.now()));
  }
}

std::uint32_t KrakenWsApi::checksum(const BookView& v) const { return book_checksum(v.asks, v.bids); }

void KrakenWsApi::send_book_snapshot(Conn& c, std::size_t pair, int depth) {
  const auto& in = *ex_.instruments()[pair];
  auto& view = books_[{pair, depth}];
  ex_.engine(pair).top(Side::buy, static_cast<std::size_t>(depth), view.bids);
  ex_.engine(pair).top(Side::sell, static_cast<std::size_t>(depth), view.asks);
  send(c, ws::book_snapshot_message(in.symbol, view.bids, view.asks, in.price_precision, in.qty_precision,
                                    checksum(view), format_rfc3339(ex_.now())));
}

void KrakenWsApi::on_book_changed(std::size_t pair) {
  const auto& in = *ex_.instruments()[pair];
  // Ticker with event_trigger=bbo fires on a change of best bid/ask.
  const auto bid = ex_.engine(pair).best(Side::buy);
  const auto ask = ex_.engine(pair).best(Side::sell);
  if (bbo_[pair] != std::pair{bid, ask}) {
    bbo_[pair] = {bid, ask};
    std::string msg;
    for (auto& [id, c] : conns_)
      if (auto it = c->ticker.find(pair); it != c->ticker.end() && it->second) {
        if (msg.empty()) msg = ticker_message(pair, false);
        send(*c, msg);
      }
  }
  // Book deltas: one message per subscribed depth, shared by every subscriber of that depth.
  std::vector<BookLevel> fresh_bids, fresh_asks;
  for (int depth : kraken::Book::kDepths) {
    auto key = std::pair{pair, depth};
    auto it = books_.find(key);
    if (it == books_.end()) continue;
    bool anyone = false;
    for (auto& [id, c] : conns_)
      if (auto b = c->book.find(pair); b != c->book.end() && b->second == depth) anyone = true;
    if (!anyone) {
      books_.erase(it);
      continue;
    }
    BookView& old = it->second;
    ex_.engine(pair).top(Side::buy, static_cast<std::size_t>(depth), fresh_bids);
    ex_.engine(pair).top(Side::sell, static_cast<std::size_t>(depth), fresh_asks);
    JsonWriter w;
    w.begin_object().field("channel", "book").field("type", "update").key("data").begin_array().begin_object();
    w.field("symbol", in.symbol);
    bool changed = false;
    auto diff = [&](const char* name, Side side, const std::vector<BookLevel>& before, const std::vector<BookLevel>& after) {
      w.key(name).begin_array();
      // Deleted levels first (qty 0); a level merely pushed out of the window gets no message:
      // clients truncate to their depth after every message, as Kraken expects.
      for (const auto& l : before) {
        const bool still = std::any_of(after.begin(), after.end(), [&](const BookLevel& x) { return x.price == l.price; });
        if (!still && ex_.engine(pair).level_qty(side, Price{l.price}).value == 0) {
          w.begin_object().key("price").number(l.price, in.price_precision).key("qty").number(0, in.qty_precision).end_object();
          changed = true;
        }
      }
      for (const auto& l : after) {
        const auto prev = std::find_if(before.begin(), before.end(), [&](const BookLevel& x) { return x.price == l.price; });
        if (prev == before.end() || prev->qty != l.qty) {
          w.begin_object().key("price").number(l.price, in.price_precision).key("qty").number(l.qty, in.qty_precision).end_object();
          changed = true;
        }
      }
      w.end_array();
    };
    diff("bids", Side::buy, old.bids, fresh_bids);
    diff("asks", Side::sell, old.asks, fresh_asks);
    if (!changed) continue;
    old.bids = fresh_bids;
    old.asks = fresh_asks;
    std::uint32_t crc = checksum(old);
    if (auto f = faults_.corrupt_checksum.find(in.symbol); f != faults_.corrupt_checksum.end() && Faults::take(f->second)) {
      crc ^= 0x5A5A5A5Au;
      faults_.count("corrupt_checksum");
    }
    w.field("checksum", crc).field("timestamp", format_rfc3339(ex_.now()));
    w.end_object().end_array().end_object();
    const std::string msg = w.take();
    for (auto& [id, c] : conns_)
      if (auto b = c->book.find(pair); b != c->book.end() && b->second == depth) send(*c, msg);
  }
}

std::string KrakenWsApi::ticker_message(std::size_t pair, bool snapshot) const {
  const auto& in = *ex_.instruments()[pair];
  const TickerStats st = md_.ticker(pair);
  std::vector<BookLevel> b, a;
  ex_.engine(pair).top(Side::buy, 1, b);
  ex_.engine(pair).top(Side::sell, 1, a);
  const int pp = in.price_precision, qp = in.qty_precision;
  JsonWriter w;
  w.begin_object().field("channel", "ticker").field("type", snapshot ? "snapshot" : "update");
  w.key("data").begin_array().begin_object().field("symbol", in.symbol);
  w.key("bid").number(b.empty() ? 0 : b[0].price, pp).key("bid_qty").number(b.empty() ? 0 : b[0].qty, qp);
  w.key("ask").number(a.empty() ? 0 : a[0].price, pp).key("ask_qty").number(a.empty() ? 0 : a[0].qty, qp);
  w.key("last").number(st.last.value, pp).key("volume").number(st.volume_24h.value, qp);
  const std::int64_t vwap = st.volume_24h.value ? static_cast<std::int64_t>(st.pxq_24h / st.volume_24h.value) : st.last.value;
  w.key("vwap").number(vwap, pp);
  w.key("low").number(st.low_24h.value_or(st.last).value, pp).key("high").number(st.high_24h.value_or(st.last).value, pp);
  const std::int64_t open = st.open_24h.value_or(st.last).value;
  const std::int64_t change = st.last.value - open;
  w.key("change").number(change, pp);
  // change_pct with 2 decimals: change / open × 100.
  w.key("change_pct").number(open ? change * 10000 / open : 0, 2);
  w.field("timestamp", format_rfc3339(ex_.now()));
  w.end_object().end_array().end_object();
  return w.take();
}

void KrakenWsApi::on_public_trade(const PublicTrade& t) {
  const auto& in = *ex_.instruments()[t.pair];
  std::string trade_msg, ticker_msg;
  std::map<int, std::string> ohlc_msgs;
  for (auto& [id, c] : conns_) {
    if (c->trade.count(t.pair)) {
      if (trade_msg.empty()) {
        JsonWriter w;
        w.begin_object().field("channel", "trade").field("type", "update").key("data").begin_array();
        ws::write_trade(w, in, t);
        w.end_array().end_object();
        trade_msg = w.take();
      }
      send(*c, trade_msg);
    }
    if (auto tk = c->ticker.find(t.pair); tk != c->ticker.end() && !tk->second) {
      if (ticker_msg.empty()) ticker_msg = ticker_message(t.pair, false);
      send(*c, ticker_msg);
    }
    if (auto o = c->ohlc.find(t.pair); o != c->ohlc.end()) {
      for (int interval : o->second) {
        auto& msg = ohlc_msgs[interval];
        if (msg.empty()) {
          const auto& list = md_.candles(t.pair, interval);
          if (list.empty()) continue;
          JsonWriter w;
          w.begin_object().field("channel", "ohlc").field("type", "update").field("timestamp", format_rfc3339(ex_.now(), 9));
          w.key("data").begin_array();
          ws::write_candle(w, in, list.back(), interval);
          w.end_array().end_object();
          msg = w.take();
        }
        send(*c, msg);
      }
    }
  }
}

void KrakenWsApi::on_status(SystemStatus) {
  for (auto& [id, c] : conns_) send(*c, status_message(c->connection_id));
}

void KrakenWsApi::on_instrument(std::size_t pair) {
  std::string msg;
  for (auto& [id, c] : conns_)
    if (c->instrument) {
      if (msg.empty()) msg = instrument_message(false, pair);
      send(*c, msg);
    }
}

std::string KrakenWsApi::instrument_message(bool snapshot, std::optional<std::size_t> only_pair) const {
  JsonWriter w;
  w.begin_object().field("channel", "instrument").field("type", snapshot ? "snapshot" : "update");
  w.key("data").begin_object().key("assets").begin_array();
  // An update carries only what changed: the pair, and no assets (docs_instrument_update.json
  // shows the reverse case, an asset with no pairs).
  for (const auto& a : ex_.assets()) {
    if (only_pair) break;
    w.begin_object().field("id", a->code).field("status", a->status).field("precision", a->decimals);
    w.field("precision_display", a->display_decimals).field("borrowable", true);
    w.key("collateral_value").number(a->collateral_value.mantissa, a->collateral_value.scale);
    w.key("margin_rate").number(a->margin_rate.mantissa, a->margin_rate.scale);
    w.end_object();
  }
  w.end_array().key("pairs").begin_array();
  for (std::size_t i = 0; i < ex_.instruments().size(); ++i) {
    if (only_pair && *only_pair != i) continue;
    const auto& in = ex_.instruments()[i];
    w.begin_object().field("symbol", in->symbol).field("base", in->base).field("quote", in->quote);
    w.field("status", to_string(in->status)).field("qty_precision", in->qty_precision);
    // Kraken writes tiny increments in exponent form (`1e-08`); clients must parse it.
    if (in->qty_increment == 1 && in->qty_precision >= 5) w.key("qty_increment").raw(fmt::format("1e-{:02}", in->qty_precision));
    else w.key("qty_increment").number(in->qty_increment, in->qty_precision);
    w.field("price_precision", in->price_precision).field("cost_precision", in->cost_precision);
    w.field("marginable", in->marginable()).field("has_index", in->has_index);
    w.key("cost_min").number(in->cost_min.mantissa, in->cost_min.scale);
    if (in->marginable()) {
      w.key("margin_initial").number(in->margin_initial.mantissa, in->margin_initial.scale);
      w.field("position_limit_long", in->long_position_limit).field("position_limit_short", in->short_position_limit);
    }
    w.key("tick_size").number(in->price_increment, in->price_precision);
    w.key("price_increment").number(in->price_increment, in->price_precision);
    w.key("qty_min").number(in->qty_min, in->qty_precision);
    w.end_object();
  }
  w.end_array().end_object().end_object();
  return w.take();
}

void KrakenWsApi::subscribe(Conn& c, const ws::Request& req, WallTime time_in) {
  const auto channel = req.msg.get("params[channel]");
  if (channel && (*channel == "executions" || *channel == "balances")) return subscribe_private(c, req, time_in);
  ws::subscribe(req, time_in,
                {.now = [this] { return ex_.now(); },
                 .send = [&](std::string m) { send(c, std::move(m)); },
                 .refuse = [&](const ws::Subscription& s, const std::string& symbol) { return refuse(s, symbol); },
                 .serve = [&](const ws::Subscription& s, const std::string& symbol) { serve(c, s, symbol); }});
}

std::optional<std::size_t> KrakenWsApi::pair_of(std::string_view symbol) const {
  for (std::size_t i = 0; i < ex_.instruments().size(); ++i)
    if (ex_.instruments()[i]->symbol == symbol) return i;
  return std::nullopt;
}

std::optional<std::string> KrakenWsApi::refuse(const ws::Subscription& s, const std::string& symbol) const {
  if (s.channel == PublicChannel::instrument || pair_of(symbol)) return std::nullopt;
  return "Currency pair not supported " + symbol;
}

void KrakenWsApi::serve(Conn& c, const ws::Subscription& s, const std::string& symbol) {
  const bool sub = !s.unsubscribe;
  if (s.channel == PublicChannel::instrument) {
    c.instrument = sub;
    if (sub && s.snapshot) send(c, instrument_message(true));
    return;
  }
  const std::size_t p = *pair_of(symbol);
  const auto& in = *ex_.instruments()[p];
  switch (s.channel) {
    case PublicChannel::ticker:
      if (!sub) {
        c.ticker.erase(p);
        return;
      }
      c.ticker[p] = s.bbo;
      if (s.snapshot) send(c, ticker_message(p, true));
      return;
    case PublicChannel::book:
      if (!sub) {
        c.book.erase(p);
        return;
      }
      c.book[p] = s.depth;
      if (s.snapshot) {
        send_book_snapshot(c, p, s.depth);
      } else if (!books_.count({p, s.depth})) {
        auto& view = books_[{p, s.depth}];
        ex_.engine(p).top(Side::buy, static_cast<std::size_t>(s.depth), view.bids);
        ex_.engine(p).top(Side::sell, static_cast<std::size_t>(s.depth), view.asks);
      }
      return;
    case PublicChannel::trade: {
      if (!sub) {
        c.trade.erase(p);
        return;
      }
      c.trade.insert(p);
      if (!s.snapshot) return;
      const auto& list = md_.trades(p);
      JsonWriter w;
      w.begin_object().field("channel", "trade").field("type", "snapshot").key("data").begin_array();
      for (std::size_t i = list.size() > 50 ? list.size() - 50 : 0; i < list.size(); ++i) ws::write_trade(w, in, list[i]);
      w.end_array().end_object();
      send(c, w.take());
      return;
    }
    case PublicChannel::ohlc: {
      if (!sub) {
        c.ohlc[p].erase(s.interval);
        if (c.ohlc[p].empty()) c.ohlc.erase(p);
        return;
      }
      c.ohlc[p].insert(s.interval);
      if (!s.snapshot) return;
      JsonWriter w;
      w.begin_object().field("channel", "ohlc").field("type", "snapshot").field("timestamp", format_rfc3339(ex_.now(), 9));
      w.key("data").begin_array();
      for (const auto& k : md_.candles(p, s.interval)) ws::write_candle(w, in, k, s.interval);
      w.end_array().end_object();
      send(c, w.take());
      return;
    }
    case PublicChannel::instrument:
      return;
  }
}

void KrakenWsApi::subscribe_private(Conn& c, const ws::Request& req, WallTime time_in) {
  const rest::Params& msg = req.msg;
  const std::string_view method = req.method;
  const std::string ch(*msg.get("params[channel]"));
  auto ack_for = [&](const std::function<void(JsonWriter&)>& fields) {
    send(c, ws::subscription_ack(method, ch, req.req_id, fields, time_in, ex_.now()));
  };
  if (!opt_.authenticated) {
    send(c, ws::nack(method, req.req_id, "Subscription name invalid", time_in, ex_.now()));
    return;
  }
  if (method == "unsubscribe") {
    if (ch == "executions") c.executions.reset();
    else c.balances.reset();
    ack_for([](JsonWriter&) {});
    return;
  }
  const auto token = msg.get("params[token]");
  const auto acct = token ? tokens_.validate(std::string(*token), ex_.now()) : std::nullopt;
  if (!acct) {
    send(c, ws::nack(method, req.req_id, "EAPI:Invalid token", time_in, ex_.now()));
    return;
  }
  if (c.tokens.insert(std::string(*token)).second) tokens_.attach(std::string(*token));
  if (ch == "executions") {
    const bool snap_orders = ws::flag_or(msg.get("params[snap_orders]"), true);
    const bool snap_trades = ws::flag_or(msg.get("params[snap_trades]"), false);
    c.exec_order_status = ws::flag_or(msg.get("params[order_status]"), true);
    c.executions = *acct;
    c.exec_sequence = 0;
    ack_for([&](JsonWriter& w) {
      w.field("maxratecount", 125).field("snap_orders", snap_orders).field("snap_trades", snap_trades);
    });
    send_executions_snapshot(c, snap_orders, snap_trades);
  } else {
    const bool snapshot = ws::flag_or(msg.get("params[snapshot]"), true);
    c.balances = *acct;
    c.balance_sequence = 0;
    ack_for([&](JsonWriter& w) { w.field("snapshot", snapshot); });
    if (snapshot) send_balances_snapshot(c);
  }
}

}  // namespace kgw::sim
