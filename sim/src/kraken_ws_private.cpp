// The simulator's WS v2 private half: executions and balances channels, and the trading methods.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "kraken_ws_common.hpp"

namespace kgw::sim {
namespace {

using ws::to_int;

// WS v2 expresses relative prices with a *_type (static | pct | quote); REST with +/-/% text.
std::string rest_price(std::string_view value, std::string_view type) {
  if (type == "pct") return (value.front() == '-' ? std::string(value) : "+" + std::string(value)) + "%";
  if (type == "quote") return value.front() == '-' ? std::string(value) : "+" + std::string(value);
  return std::string(value);
}

std::string_view order_status_of(ExecType t, const Order& o) {
  switch (t) {
    case ExecType::pending_new: return "pending_new";
    case ExecType::filled: return "filled";
    case ExecType::canceled: return "canceled";
    case ExecType::expired: return "expired";
    default: return o.filled.value > 0 ? "partially_filled" : "new";
  }
}

}  // namespace

std::string KrakenWsApi::execution_json(const Execution& e, const OrderRecord& r) const {
  const auto& in = *ex_.instruments()[r.pair];
  const Order& o = r.order;
  const int pp = in.price_precision, qp = in.qty_precision;
  const std::size_t quote = ex_.quote_asset(r.pair);
  const int qd = ex_.asset_decimals(quote);
  JsonWriter w;
  w.begin_object().field("order_id", r.txid);
  if (r.cl_ord_id) w.field("cl_ord_id", *r.cl_ord_id);
  if (r.userref) w.field("order_userref", *r.userref);
  w.field("exec_type", to_string(e.type)).field("order_status", order_status_of(e.type, o));
  auto cumulative = [&] {
    w.key("cum_qty").number(o.filled.value, qp).key("cum_cost").number(r.cost, qd);
    w.key("avg_price").number(o.filled.value ? static_cast<std::int64_t>(o.cost / o.filled.value) : 0, pp);
    w.key("fee_usd_equiv").number(ex_.assets()[quote]->altname == "USD" ? r.fee : 0, qd);
  };
  switch (e.type) {
    case ExecType::pending_new: {
      w.field("symbol", in.symbol).field("side", to_string(o.side)).field("order_type", to_string(o.type));
      w.key("order_qty").number(o.volume.value, qp);
      if (o.has_limit || triggers_into_limit(o.type)) {
        w.key("limit_price").number(o.limit.value, pp).field("limit_price_type", "static");
      }
      // Deprecated but still sent by Kraken (docs example): 0 unless a stop order.
      w.key("stop_price").number(is_triggered(o.type) && !o.trail.value ? o.trigger.value : 0, pp);
      if (o.display.value) w.key("display_qty").number(o.display.value, qp);
      if (is_triggered(o.type)) {
        w.key("triggers").begin_object().field("reference", r.trigger);
        w.key("price").number(o.trail.value ? o.trail.value : o.trigger.value, o.trail.pct ? 4 : pp);
        w.field("price_type", o.trail.value ? (o.trail.pct ? "pct" : "quote") : "static").field("status", "untriggered");
        w.end_object();
      }
      w.field("time_in_force", to_string(o.tif)).field("post_only", o.post_only);
      if (r.margin) w.field("margin", true).field("reduce_only", r.reduce_only);
      if (o.tif == TimeInForce::gtd) w.field("expire_time", format_rfc3339(o.expiretm));
      w.key("cum_cost").number(0, qd).key("fee_usd_equiv").number(0, qd);
      w.field("fee_ccy_pref", r.fee_in_base ? "fcib" : "fciq");
      break;
    }
    case ExecType::trade: {
      const TradeRecord& t = *e.trade;
      w.field("exec_id", t.txid).field("trade_id", t.trade_id).field("symbol", in.symbol).field("side", to_string(o.side));
      w.key("last_qty").number(t.vol.value, qp).key("last_price").number(t.price.value, pp);
      w.field("liquidity_ind", t.maker ? "m" : "t").key("cost").number(t.cost, qd);
      w.field("order_type", to_string(o.type));
      cumulative();
      const std::size_t fee_asset = r.fee_in_base ? ex_.base_asset(r.pair) : quote;
      w.key("fees").begin_array().begin_object().field("asset", ex_.assets()[fee_asset]->code);
      w.key("qty").number(t.fee, ex_.asset_decimals(fee_asset)).end_object().end_array();
      break;
    }
    case ExecType::filled:
      cumulative();
      break;
    case ExecType::canceled:
    case ExecType::expired:
      if (!e.reason.empty()) w.field("reason", e.reason).field("cancel_reason", e.reason);
      cumulative();
      break;
    case ExecType::amended:
    case ExecType::restated:
      w.key("order_qty").number(o.volume.value, qp);
      if (o.has_limit) w.key("limit_price").number(o.limit.value, pp);
      if (o.display.value) w.key("display_qty").number(o.display.value, qp);
      w.field("amended", true).field("reason", e.type == ExecType::amended ? std::string("User requested") : e.reason);
      break;
    case ExecType::status:
      w.key("triggers").begin_object().field("reference", r.trigger).key("price").number(o.trigger.value, pp);
      w.field("price_type", "static").field("status", "triggered").end_object();
      break;
    default:
      break;
  }
  w.field("timestamp", format_rfc3339(ex_.now()));
  w.end_object();
  return w.take();
}

void KrakenWsApi::on_execution(AccountId account, const Execution& e) {
  std::string data;
  for (auto& [id, c] : conns_) {
    if (c->executions != account) continue;
    // order_status=false: only new, filled, canceled and expired transitions (and trades).
    if (!c->exec_order_status && (e.type == ExecType::pending_new || e.type == ExecType::amended || e.type == ExecType::status))
      continue;
    if (data.empty()) data = execution_json(e, *e.order);
    send(*c, fmt::format(R"({{"channel":"executions","type":"update","data":[{}],"sequence":{}}})", data, ++c->exec_sequence));
  }
}

void KrakenWsApi::send_executions_snapshot(Conn& c, bool orders, bool trades) {
  JsonWriter w;
  w.begin_object().field("channel", "executions").field("type", "snapshot").key("data").begin_array();
  if (orders)
    for (const OrderRecord* r : ex_.open_orders(*c.executions)) {
      // An open order in the snapshot carries its full description, like pending_new does.
      Execution e{ExecType::pending_new, r, nullptr, {}};
      std::string one = execution_json(e, *r);
      const std::string from = R"("exec_type":"pending_new","order_status":"pending_new")";
      const std::string to = fmt::format(R"("exec_type":"new","order_status":"{}")", order_status_of(ExecType::new_, r->order));
      if (auto pos = one.find(from); pos != std::string::npos) one.replace(pos, from.size(), to);
      w.raw(one);
    }
  if (trades) {
    const auto list = ex_.trades(*c.executions);
    for (std::size_t i = 0; i < list.size() && i < 50; ++i) {
      const OrderRecord* r = ex_.find_order(*c.executions, list[i]->ordertxid);
      if (!r) continue;
      Execution e{ExecType::trade, r, list[i], {}};
      w.raw(execution_json(e, *r));
    }
  }
  w.end_array().field("sequence", ++c.exec_sequence).end_object();
  send(c, w.take());
}

void KrakenWsApi::send_balances_snapshot(Conn& c) {
  const Account& a = *ex_.account(*c.balances);
  JsonWriter w;
  w.begin_object().field("channel", "balances").key("data").begin_array();
  for (std::size_t i = 0; i < a.balance.size(); ++i) {
    if (a.balance[i] == 0) continue;
    const int dp = ex_.asset_decimals(i);
    w.begin_object().field("asset", ex_.assets()[i]->code).field("asset_class", "currency");
    w.key("balance").number(a.balance[i], dp).key("wallets").begin_array().begin_object();
    w.field("type", "spot").field("id", "main").key("balance").number(a.balance[i], dp).end_object().end_array();
    w.end_object();
  }
  w.end_array().field("type", "snapshot").field("sequence", ++c.balance_sequence).end_object();
  send(c, w.take());
}

void KrakenWsApi::on_ledger(AccountId account, const LedgerEntry& l) {
  std::string data;
  for (auto& [id, c] : conns_) {
    if (c->balances != account) continue;
    if (data.empty()) {
      const int dp = ex_.asset_decimals(l.asset);
      JsonWriter w;
      w.begin_object().field("ledger_id", l.id).field("ref_id", l.refid).field("timestamp", format_rfc3339(l.time));
      w.field("type", l.type).field("asset", ex_.assets()[l.asset]->code).field("asset_class", "currency");
      w.field("category", l.type).field("wallet_type", "spot").field("wallet_id", "main");
      w.key("amount").number(l.amount, dp).key("fee").number(l.fee, dp).key("balance").number(l.balance, dp);
      w.end_object();
      data = w.take();
    }
    send(*c, fmt::format(R"({{"channel":"balances","type":"update","data":[{}],"sequence":{}}})", data, ++c->balance_sequence));
  }
}

void KrakenWsApi::trading_method(Conn& c, std::string_view method, const rest::Params& msg,
                                 std::optional<std::int64_t> req_id, WallTime time_in) {
  auto reply_error = [&](std::string_view err) { send(c, ws::nack(method, req_id, err, time_in, ex_.now())); };
  const auto token = msg.get("params[token]");
  const auto acct = token ? tokens_.validate(std::string(*token), ex_.now()) : std::nullopt;
  if (!acct) return reply_error("EAPI:Invalid token");
  const Account* account = ex_.account(*acct);
  if (!account || !account->perms.trade) return reply_error("EGeneral:Permission denied");
  const bool drop = Faults::take(faults_.ws_drop_response_count);
  if (drop) faults_.count("ws_drop_response");
  auto reply_ok = [&](const std::string& result) {
    if (!drop) send(c, ws::ack(method, req_id, result, time_in, ex_.now()));
  };
  auto kraken_text = [](const Error& e) { return e.kraken ? e.kraken->joined() : "EGeneral:Internal error"; };
  auto pair_of_symbol = [&](std::string_view sym) -> std::string {
    for (const auto& in : ex_.instruments())
      if (in->symbol == sym) return in->rest_key;
    return "?" + std::string(sym);  // fails with EQuery:Unknown asset pair
  };

  // add_order / batch_add parameters -> the exchange's request (numbers stay as raw text).
  auto build = [&](const rest::Params& p, std::string_view symbol) -> result<AddOrderRequest> {
    AddOrderRequest r;
    r.pair = pair_of_symbol(symbol);
    const auto side = p.get("side");
    if (!side || (*side != "buy" && *side != "sell")) return Error(errc::invalid_argument, "EGeneral:Invalid arguments:side");
    r.side = *side == "buy" ? Side::buy : Side::sell;
    auto type = parse_order_type(p.get("order_type").value_or(""));
    if (!type) return Error(errc::invalid_argument, "EGeneral:Invalid arguments:order_type");
    r.type = *type;
    r.volume = std::string(p.get("order_qty").value_or(""));
    const std::string limit_type(p.get("limit_price_type").value_or("static"));
    if (is_triggered(r.type)) {
      const auto tp = p.get("triggers[price]");
      if (!tp) return Error(errc::invalid_argument, "EGeneral:Invalid arguments:triggers");
      r.price = rest_price(*tp, p.get("triggers[price_type]").value_or("static"));
      if (r.type == OrderType::trailing_stop || r.type == OrderType::trailing_stop_limit)
        if (r.price->front() != '+' && r.price->front() != '-') r.price = "+" + *r.price;
      r.trigger = std::string(p.get("triggers[reference]").value_or("last"));
      if (auto lp = p.get("limit_price")) r.price2 = rest_price(*lp, limit_type);
    } else if (auto lp = p.get("limit_price")) {
      r.price = rest_price(*lp, limit_type);
    }
    if (auto v = p.get("display_qty")) r.displayvol = std::string(*v);
    if (auto v = p.get("time_in_force")) {
      auto t = parse_time_in_force(*v);
      if (!t) return Error(errc::invalid_argument, "EGeneral:Invalid arguments:time_in_force");
      r.tif = *t;
    }
    if (auto v = p.get("expire_time")) {
      auto t = parse_rfc3339(*v);
      if (!t) return Error(errc::invalid_argument, "EGeneral:Invalid arguments:expire_time");
      r.expiretm = *t;
    }
    if (auto v = p.get("deadline")) {
      auto t = parse_rfc3339(*v);
      if (!t) return Error(errc::invalid_argument, "EGeneral:Invalid arguments:deadline");
      r.deadline = *t;
    }
    r.post_only = p.flag("post_only");
    r.reduce_only = p.flag("reduce_only");
    // WS v2 has no leverage parameter: `margin: true` borrows at the pair's lowest leverage.
    if (p.flag("margin")) r.leverage = "2";
    if (auto v = p.get("stp_type")) {
      if (v->find('-') != std::string_view::npos || !parse_stp(*v))
        return Error(errc::invalid_argument, "EGeneral:Invalid arguments:stp_type");
      r.stp = parse_stp(*v);
    }
    if (auto v = p.get("fee_preference")) {
      if (*v == "base") r.fcib = true;
      else if (*v == "quote") r.fciq = true;
      else return Error(errc::invalid_argument, "EGeneral:Invalid arguments:fee_preference");
    }
    if (p.has("cash_order_qty")) r.viqc = true;
    if (auto v = p.get("cl_ord_id")) r.cl_ord_id = std::string(*v);
    if (auto v = to_int(p.get("order_userref"))) r.userref = *v;
    if (auto v = p.get("conditional[order_type]")) {
      auto t = parse_order_type(*v);
      if (!t) return Error(errc::invalid_argument, "EGeneral:Invalid arguments:conditional");
      CloseSpec cs;
      cs.type = *t;
      if (auto x = p.get("conditional[trigger_price]")) cs.price = std::string(*x);
      else if (auto y = p.get("conditional[limit_price]")) cs.price = std::string(*y);
      if (p.has("conditional[trigger_price]"))
        if (auto y = p.get("conditional[limit_price]")) cs.price2 = std::string(*y);
      r.close = cs;
    }
    r.validate = p.flag("validate");
    return r;
  };
  auto order_result = [&](const AddOrderResult& r) {
    JsonWriter w;
    w.begin_object();
    if (!r.txid.empty()) w.field("order_id", r.txid);
    if (r.cl_ord_id) w.field("cl_ord_id", *r.cl_ord_id);
    if (r.userref) w.field("order_userref", *r.userref);
    w.end_object();
    return w.take();
  };
  // A Params view of `params[...]` keys with the prefix removed.
  auto params_of = [&](const rest::Params& m) {
    rest::Params p;
    constexpr std::string_view kPrefix = "params[";
    for (const auto& [k, v] : m.all()) {
      if (k.compare(0, kPrefix.size(), kPrefix) != 0) continue;
      std::string rest = k.substr(kPrefix.size());
      const auto close = rest.find(']');
      p.set(rest.substr(0, close) + rest.substr(close + 1), v);
    }
    return p;
  };
  const rest::Params p = params_of(msg);

  if (method == "add_order") {
    auto req = build(p, p.get("symbol").value_or(""));
    if (!req) return reply_error(req.error().detail);
    auto r = ex_.add_order(*acct, *req);
    if (!r) return drop ? void() : reply_error(kraken_text(r.error()));
    return reply_ok(order_result(*r));
  }
  if (method == "batch_add") {
    const std::string symbol(p.get("symbol").value_or(""));
    std::vector<AddOrderRequest> reqs;
    for (const auto& o : p.objects("orders")) {
      auto req = build(o, symbol);
      if (!req) return reply_error(req.error().detail);
      reqs.push_back(std::move(*req));
    }
    auto res = ex_.add_order_batch(*acct, reqs, p.flag("validate"));
    if (!res) return reply_error(kraken_text(res.error()));
    JsonWriter w;
    w.begin_array();
    for (const auto& r : *res) {
      if (r) w.raw(order_result(*r));
      else w.begin_object().field("error", kraken_text(r.error())).end_object();
    }
    w.end_array();
    return reply_ok(w.take());
  }
  if (method == "amend_order") {
    AmendOrderRequest a;
    if (auto v = p.get("order_id")) a.which.txid = std::string(*v);
    if (auto v = p.get("cl_ord_id")) a.which.cl_ord_id = std::string(*v);
    if (auto v = p.get("order_qty")) a.order_qty = std::string(*v);
    if (auto v = p.get("display_qty")) a.display_qty = std::string(*v);
    if (auto v = p.get("limit_price")) a.limit_price = rest_price(*v, p.get("limit_price_type").value_or("static"));
    if (auto v = p.get("trigger_price")) a.trigger_price = rest_price(*v, p.get("trigger_price_type").value_or("static"));
    a.post_only = p.flag("post_only");
    if (!a.order_qty) return reply_error("EGeneral:Invalid arguments:order_qty");
    auto r = ex_.amend_order(*acct, a);
    if (!r) return reply_error(kraken_text(r.error()));
    JsonWriter w;
    w.begin_object().field("amend_id", *r);
    if (a.which.txid) w.field("order_id", *a.which.txid);
    if (a.which.cl_ord_id) w.field("cl_ord_id", *a.which.cl_ord_id);
    w.end_object();
    return reply_ok(w.take());
  }
  if (method == "edit_order") {
    EditOrderRequest e;
    if (auto v = p.get("order_id")) e.which.txid = std::string(*v);
    else return reply_error("EGeneral:Invalid arguments:order_id");
    e.pair = pair_of_symbol(p.get("symbol").value_or(""));
    if (auto v = p.get("order_qty")) e.volume = std::string(*v);
    if (auto v = p.get("limit_price")) e.price = std::string(*v);
    if (auto v = p.get("display_qty")) e.displayvol = std::string(*v);
    if (p.has("post_only")) e.post_only = p.flag("post_only");
    if (auto v = to_int(p.get("order_userref"))) e.new_userref = *v;
    e.validate = p.flag("validate");
    auto r = ex_.edit_order(*acct, e);
    if (!r) return reply_error(kraken_text(r.error()));
    JsonWriter w;
    w.begin_object().field("order_id", r->txid).field("original_order_id", r->original_txid).end_object();
    return reply_ok(w.take());
  }
  if (method == "cancel_order") {
    // One response per cancelled order, all with the same req_id (PROTOCOL.md §6.6).
    std::vector<const OrderRecord*> targets;
    const auto ids = p.list("order_id"), cls = p.list("cl_ord_id"), refs = p.list("order_userref");
    for (const OrderRecord* r : ex_.open_orders(*acct)) {
      const bool hit = std::find(ids.begin(), ids.end(), r->txid) != ids.end() ||
                       (r->cl_ord_id && std::find(cls.begin(), cls.end(), *r->cl_ord_id) != cls.end()) ||
                       (r->userref && std::find(refs.begin(), refs.end(), std::to_string(*r->userref)) != refs.end());
      if (hit) targets.push_back(r);
    }
    if (targets.empty()) return reply_error("EOrder:Invalid order");
    std::sort(targets.begin(), targets.end(), [](auto* a, auto* b) { return a->order.id < b->order.id; });
    std::vector<std::pair<std::string, std::optional<std::string>>> done;
    for (const OrderRecord* r : targets) done.emplace_back(r->txid, r->cl_ord_id);
    for (const auto& [txid, cl] : done) {
      OrderSelector s;
      s.txid = txid;
      if (!ex_.cancel_order(*acct, s)) continue;
      JsonWriter w;
      w.begin_object().field("order_id", txid);
      if (cl) w.field("cl_ord_id", *cl);
      w.end_object();
      reply_ok(w.take());
    }
    return;
  }
  if (method == "cancel_all") {
    JsonWriter w;
    w.begin_object().field("count", ex_.cancel_all(*acct)).end_object();
    return reply_ok(w.take());
  }
  if (method == "cancel_all_orders_after") {
    auto t = to_int(p.get("timeout"));
    if (!t) return reply_error("EGeneral:Invalid arguments:timeout");
    auto r = ex_.cancel_all_orders_after(*acct, *t);
    if (!r) return reply_error(kraken_text(r.error()));
    JsonWriter w;
    w.begin_object().field("currentTime", format_rfc3339(r->first, 0));
    w.field("triggerTime", r->second.time_since_epoch().count() ? format_rfc3339(r->second, 0) : std::string("0"));
    w.end_object();
    return reply_ok(w.take());
  }
  if (method == "batch_cancel") {
    const auto ids = p.list("orders");
    const auto cls = p.list("cl_ord_id");
    if (ids.size() + cls.size() < 2 || ids.size() + cls.size() > 50) return reply_error("EGeneral:Invalid arguments:orders");
    int count = 0;
    for (const auto& t : ids) {
      OrderSelector s;
      if (auto u = to_int(t)) s.userref = *u;
      else s.txid = t;
      if (auto n = ex_.cancel_order(*acct, s)) count += *n;
    }
    for (const auto& t : cls) {
      OrderSelector s;
      s.cl_ord_id = t;
      if (auto n = ex_.cancel_order(*acct, s)) count += *n;
    }
    JsonWriter w;
    w.begin_object().field("count", count).end_object();
    return reply_ok(w.take());
  }
}

}  // namespace kgw::sim
