// The simulator's private REST endpoints: account data, order entry and order/trade queries, in
// Kraken's shapes (prices/volumes as strings, times as numbers, txid an array in AddOrder and a
// string in EditOrder, camelCase in CancelAllOrdersAfter).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "kraken_rest_handlers.hpp"

namespace kgw::sim::rest {
namespace {

constexpr std::size_t kPageSize = 50;


bool truthy(std::optional<std::string_view> v) { return v && (*v == "true" || *v == "1"); }

// Kraken's time parameters: `0` or absent = none, `+n` = n seconds from now, else unix seconds.
result<std::optional<WallTime>> time_param(Context& c, const Params& p, std::string_view key) {
  auto v = p.get(key);
  if (!v || *v == "0" || v->empty()) return std::optional<WallTime>{};
  std::string_view s = *v;
  const bool relative = s.front() == '+';
  if (relative) s.remove_prefix(1);
  auto n = int_value(s);
  if (!n) {
    if (auto t = parse_rfc3339(*v)) return std::optional<WallTime>(*t);
    return Error(errc::invalid_argument, fmt::format("EGeneral:Invalid arguments:{}", key));
  }
  if (relative) return std::optional<WallTime>(c.ex.now() + std::chrono::seconds(*n));
  return std::optional<WallTime>(WallTime{std::chrono::seconds(*n)});
}

std::string err(const Error& e) { return e.kraken ? fail(e) : fail(e.detail.empty() ? "EGeneral:Internal error" : e.detail); }

void write_asset_amount(JsonWriter& w, Context& c, std::size_t asset, std::int64_t v) {
  w.decimal_string(v, c.ex.asset_decimals(asset));
}

// ---------------------------------------------------------------- account

std::vector<std::size_t> held_assets(Context& c, const Account& a) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < c.ex.assets().size(); ++i) {
    bool touched = a.balance[i] != 0;
    for (const auto& l : a.ledger)
      if (l.asset == i) touched = true;
    if (touched) out.push_back(i);
  }
  return out;
}

std::string balance(Context& c, AccountId id) {
  const Account& a = *c.ex.account(id);
  JsonWriter w;
  w.begin_object();
  for (std::size_t i : held_assets(c, a)) {
    w.key(c.ex.assets()[i]->id);
    write_asset_amount(w, c, i, a.balance[i]);
  }
  w.end_object();
  return ok(w.str());
}

std::string balance_ex(Context& c, AccountId id) {
  const Account& a = *c.ex.account(id);
  JsonWriter w;
  w.begin_object();
  for (std::size_t i : held_assets(c, a)) {
    const int dp = c.ex.asset_decimals(i);
    w.key(c.ex.assets()[i]->id).begin_object();
    w.key("balance").number(a.balance[i], dp).key("hold_trade").number(a.hold[i], dp).end_object();
  }
  w.end_object();
  return ok(w.str());
}

std::string trade_balance(Context& c, const Params& p, AccountId id) {
  auto target = c.ex.asset_index(p.get("asset").value_or("ZUSD"));
  if (!target) return fail("EQuery:Unknown asset");
  const Account& a = *c.ex.account(id);
  Int128 eb = 0;
  for (std::size_t i = 0; i < a.balance.size(); ++i)
    if (a.balance[i])
      if (auto v = c.ex.value_in(i, a.balance[i], *target)) eb += *v;
  // Margin figures of the open positions, converted to the requested asset.
  Int128 m = 0, n = 0, cost = 0, value = 0;
  for (const Position* pos : c.ex.positions(id)) {
    const std::size_t q = c.ex.quote_asset(pos->pair);
    const auto pv = c.ex.position_value(*pos);
    if (auto x = c.ex.value_in(q, pos->margin, *target)) m += *x;
    if (auto x = c.ex.value_in(q, pv.net, *target)) n += *x;
    if (auto x = c.ex.value_in(q, pos->cost, *target)) cost += *x;
    if (auto x = c.ex.value_in(q, pv.value, *target)) value += *x;
  }
  const int dp = c.ex.asset_decimals(*target);
  const auto i64 = [](Int128 x) { return static_cast<std::int64_t>(x); };
  const Int128 tb = eb, e = tb + n;
  JsonWriter w;
  w.begin_object();
  w.key("eb").decimal_string(i64(eb), dp).key("tb").decimal_string(i64(tb), dp).key("m").decimal_string(i64(m), dp);
  w.key("n").decimal_string(i64(n), dp).key("c").decimal_string(i64(cost), dp).key("v").decimal_string(i64(value), dp);
  w.key("e").decimal_string(i64(e), dp).key("mf").decimal_string(i64(e - m), dp);
  // Margin level (equity / margin used, in percent) exists only while margin is used.
  if (m > 0) w.key("ml").decimal_string(i64(e * 10000 / m), 2);
  w.key("uv").decimal_string(0, dp);
  w.end_object();
  return ok(w.str());
}

std::string open_positions(Context& c, const Params& p, AccountId id) {
  const auto ids = p.list("txid");
  const bool calcs = p.flag("docalcs");
  JsonWriter w;
  w.begin_object();
  for (const Position* pos : c.ex.positions(id)) {
    if (!ids.empty() && std::find(ids.begin(), ids.end(), pos->txid) == ids.end()) continue;
    const auto& in = *c.ex.instruments()[pos->pair];
    const std::size_t q = c.ex.quote_asset(pos->pair);
    const int qd = c.ex.asset_decimals(q);
    const int dp = in.cost_precision;
    auto at_dp = [&](std::int64_t v) { return dp >= qd ? v * kPow10[dp - qd] : v / kPow10[qd - dp]; };
    w.key(pos->txid).begin_object().field("ordertxid", pos->ordertxid).field("posstatus", "open");
    w.field("pair", in.rest_key).key("time");
    write_time(w, pos->time, 4);
    w.field("type", to_string(pos->side)).field("ordertype", to_string(pos->ordertype));
    w.key("cost").decimal_string(at_dp(pos->cost), dp).key("fee").decimal_string(at_dp(pos->fee), dp);
    w.key("vol").decimal_string(pos->vol.value, in.qty_precision);
    w.key("vol_closed").decimal_string(pos->vol_closed.value, in.qty_precision);
    w.key("margin").decimal_string(at_dp(pos->margin), dp);
    if (calcs) {
      const auto pv = c.ex.position_value(*pos);
      w.key("value").decimal_string(at_dp(pv.value), dp);
      // net is signed with an explicit + (docs: "+154186.9728").
      std::string net = format_fixed(at_dp(pv.net), dp);
      if (pv.net >= 0) net = "+" + net;  // (insert(0, "+") trips a GCC 12 -Wrestrict false positive)
      w.field("net", net);
    }
    w.field("terms", "0.0100% per 4 hours");
    w.field("rollovertm", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                            pos->next_rollover.time_since_epoch()).count()));
    w.field("misc", "").field("oflags", pos->oflags).end_object();
  }
  w.end_object();
  return ok(w.str());
}

void write_ledger(JsonWriter& w, Context& c, const LedgerEntry& l) {
  const auto& asset = *c.ex.assets()[l.asset];
  w.begin_object().field("refid", l.refid);
  w.key("time");
  write_time(w, l.time, 4);
  w.field("type", l.type).field("subtype", l.subtype).field("aclass", asset.aclass).field("asset", asset.id);
  w.key("amount");
  write_asset_amount(w, c, l.asset, l.amount);
  w.key("fee");
  write_asset_amount(w, c, l.asset, l.fee);
  w.key("balance");
  write_asset_amount(w, c, l.asset, l.balance);
  w.end_object();
}

std::string ledgers(Context& c, const Params& p, AccountId id) {
  const Account& a = *c.ex.account(id);
  std::vector<std::size_t> assets;
  for (const auto& name : p.list("asset")) {
    if (name == "all") continue;
    auto idx = c.ex.asset_index(name);
    if (!idx) return fail("EQuery:Unknown asset");
    assets.push_back(*idx);
  }
  const std::string type(p.get("type").value_or("all"));
  auto start = time_param(c, p, "start");
  auto end = time_param(c, p, "end");
  if (!start || !end) return fail("EGeneral:Invalid arguments");
  const auto ofs = static_cast<std::size_t>(std::max<std::int64_t>(0, int_value(p.get("ofs")).value_or(0)));
  std::vector<const LedgerEntry*> picked;
  for (auto it = a.ledger.rbegin(); it != a.ledger.rend(); ++it) {
    if (!assets.empty() && std::find(assets.begin(), assets.end(), it->asset) == assets.end()) continue;
    if (type != "all" && it->type != type) continue;
    if (*start && it->time <= **start) continue;
    if (*end && it->time > **end) continue;
    picked.push_back(&*it);
  }
  JsonWriter w;
  w.begin_object().key("ledger").begin_object();
  for (std::size_t i = ofs; i < picked.size() && i < ofs + kPageSize; ++i) {
    w.key(picked[i]->id);
    write_ledger(w, c, *picked[i]);
  }
  w.end_object();
  if (!truthy(p.get("without_count"))) w.field("count", picked.size());
  w.end_object();
  return ok(w.str());
}

std::string query_ledgers(Context& c, const Params& p, AccountId id) {
  auto ids = p.list("id");
  if (ids.empty() || ids.size() > 20) return fail("EGeneral:Invalid arguments:id");
  const Account& a = *c.ex.account(id);
  JsonWriter w;
  w.begin_object();
  for (const auto& want : ids)
    for (const auto& l : a.ledger)
      if (l.id == want) {
        w.key(l.id);
        write_ledger(w, c, l);
      }
  w.end_object();
  return ok(w.str());
}

// ---------------------------------------------------------------- orders

void write_order(JsonWriter& w, Context& c, const OrderRecord& r, bool with_trades) {
  const auto& in = *c.ex.instruments()[r.pair];
  const Order& o = r.order;
  const int cost_dp = in.cost_precision;
  w.begin_object().key("refid").null();
  w.field("userref", r.userref.value_or(0));
  if (r.cl_ord_id) w.field("cl_ord_id", *r.cl_ord_id);
  w.field("status", to_string(o.status));
  if (!o.is_open()) {
    w.key("reason");
    if (r.reason.empty()) w.null();
    else w.value(r.reason);
  }
  w.key("opentm");
  write_time(w, o.opentm, 4);
  if (!o.is_open()) {
    w.key("closetm");
    write_time(w, r.closetm, 4);
  }
  w.key("starttm");
  if (r.starttm.time_since_epoch().count() > 0) write_time(w, r.starttm, 4);
  else w.value(0);
  w.key("expiretm");
  if (o.expiretm.time_since_epoch().count() > 0) write_time(w, o.expiretm, 4);
  else w.value(0);
  const bool triggered_type = is_triggered(o.type);
  w.key("descr").begin_object().field("pair", in.altname).field("type", to_string(o.side));
  w.field("ordertype", to_string(o.type));
  if (triggered_type) w.key("price").decimal_string(o.trigger.value, in.price_precision);
  else if (o.has_limit) w.key("price").decimal_string(o.limit.value, in.price_precision);
  else w.field("price", "0");
  if (triggers_into_limit(o.type)) w.key("price2").decimal_string(o.limit.value, in.price_precision);
  else w.field("price2", "0");
  w.field("leverage", r.leverage ? *r.leverage : std::string("none"));
  w.field("order", r.descr).field("close", r.close_descr).end_object();
  w.key("vol").decimal_string(o.volume.value, in.qty_precision);
  w.key("vol_exec").decimal_string(o.filled.value, in.qty_precision);
  w.key("cost").decimal_string(r.cost * kPow10[std::max(0, cost_dp - c.ex.asset_decimals(c.ex.quote_asset(r.pair)))] /
                                   kPow10[std::max(0, c.ex.asset_decimals(c.ex.quote_asset(r.pair)) - cost_dp)],
                               cost_dp);
  const std::size_t fee_asset = r.fee_in_base ? c.ex.base_asset(r.pair) : c.ex.quote_asset(r.pair);
  w.key("fee").decimal_string(r.fee, c.ex.asset_decimals(fee_asset));
  if (o.filled.value > 0) w.key("price").decimal_string(static_cast<std::int64_t>(o.cost / o.filled.value), in.price_precision);
  else w.key("price").decimal_string(0, cost_dp);
  w.key("stopprice").decimal_string(triggered_type ? o.trigger.value * kPow10[cost_dp - std::min(cost_dp, in.price_precision)] : 0, cost_dp);
  w.key("limitprice").decimal_string(0, cost_dp);
  // Kraken lists `trigger` on triggered types and on every closed order (docs ClosedOrders).
  if (triggered_type || !o.is_open()) w.field("trigger", r.trigger);
  w.field("misc", r.misc).field("oflags", r.oflags);
  if (with_trades && !r.trades.empty()) {
    w.key("trades").begin_array();
    for (const auto& t : r.trades) w.value(t);
    w.end_array();
  }
  w.end_object();
}

result<AddOrderRequest> order_request(Context& c, const Params& p, std::string_view pair_override = {}) {
  AddOrderRequest r;
  r.pair = std::string(pair_override.empty() ? p.get("pair").value_or("") : pair_override);
  if (r.pair.empty()) return Error(errc::invalid_argument, "EGeneral:Invalid arguments:pair");
  const auto type = p.get("type");
  if (!type || (*type != "buy" && *type != "sell")) return Error(errc::invalid_argument, "EGeneral:Invalid arguments:type");
  r.side = *type == "buy" ? Side::buy : Side::sell;
  auto ot = parse_order_type(p.get("ordertype").value_or(""));
  if (!ot || p.get("ordertype")->find('_') != std::string_view::npos)
    return Error(errc::invalid_argument, "EGeneral:Invalid arguments:ordertype");
  r.type = *ot;
  r.volume = std::string(p.get("volume").value_or(""));
  if (auto v = p.get("price")) r.price = std::string(*v);
  if (auto v = p.get("price2")) r.price2 = std::string(*v);
  if (auto v = p.get("displayvol")) r.displayvol = std::string(*v);
  r.trigger = std::string(p.get("trigger").value_or("last"));
  if (auto v = p.get("leverage"); v && *v != "none") r.leverage = std::string(*v);
  r.reduce_only = truthy(p.get("reduce_only"));
  if (auto v = p.get("stptype")) {
    if (v->find('_') != std::string_view::npos || !parse_stp(*v))
      return Error(errc::invalid_argument, "EGeneral:Invalid arguments:stptype");
    r.stp = parse_stp(*v);
  }
  for (const auto& f : p.list("oflags")) {
    if (f == "post") r.post_only = true;
    else if (f == "fcib") r.fcib = true;
    else if (f == "fciq") r.fciq = true;
    else if (f == "viqc") r.viqc = true;
    else if (f == "nompp") continue;  // deprecated, accepted and ignored
    else return Error(errc::invalid_argument, "EGeneral:Invalid arguments:oflags");
  }
  if (auto v = p.get("timeinforce")) {
    auto t = parse_time_in_force(*v);
    if (!t) return Error(errc::invalid_argument, "EGeneral:Invalid arguments:timeinforce");
    r.tif = *t;
  }
  auto start = time_param(c, p, "starttm");
  if (!start) return start.error();
  r.starttm = *start;
  auto expire = time_param(c, p, "expiretm");
  if (!expire) return expire.error();
  r.expiretm = *expire;
  if (auto v = p.get("userref")) {
    auto u = int_value(*v);
    if (!u || *u < INT32_MIN || *u > INT32_MAX) return Error(errc::invalid_argument, "EGeneral:Invalid arguments:userref");
    r.userref = *u;
  }
  if (auto v = p.get("cl_ord_id")) r.cl_ord_id = std::string(*v);
  if (auto ct = p.get("close[ordertype]")) {
    auto t = parse_order_type(*ct);
    if (!t) return Error(errc::invalid_argument, "EGeneral:Invalid arguments:close[ordertype]");
    CloseSpec cs;
    cs.type = *t;
    if (auto v = p.get("close[price]")) cs.price = std::string(*v);
    if (auto v = p.get("close[price2]")) cs.price2 = std::string(*v);
    r.close = cs;
  }
  if (auto v = p.get("deadline")) {
    auto t = parse_rfc3339(*v);
    if (!t) return Error(errc::invalid_argument, "EGeneral:Invalid arguments:deadline");
    r.deadline = *t;
  }
  r.validate = truthy(p.get("validate"));
  return r;
}

std::string add_order(Context& c, const Params& p, AccountId id) {
  auto req = order_request(c, p);
  if (!req) return fail(req.error().detail);
  auto r = c.ex.add_order(id, *req);
  if (!r) return err(r.error());
  JsonWriter w;
  w.begin_object().key("descr").begin_object().field("order", r->descr);
  if (!r->close_descr.empty()) w.field("close", r->close_descr);
  w.end_object();
  if (!r->txid.empty()) w.key("txid").begin_array().value(r->txid).end_array();
  w.end_object();
  return ok(w.str());
}

std::string add_order_batch(Context& c, const Params& p, AccountId id) {
  const std::string pair(p.get("pair").value_or(""));
  std::vector<AddOrderRequest> reqs;
  for (const auto& o : p.objects("orders")) {
    auto r = order_request(c, o, pair);
    if (!r) return fail(r.error().detail);
    reqs.push_back(std::move(*r));
  }
  auto res = c.ex.add_order_batch(id, reqs, truthy(p.get("validate")));
  if (!res) return err(res.error());
  JsonWriter w;
  w.begin_object().key("orders").begin_array();
  for (const auto& r : *res) {
    w.begin_object();
    if (r) {
      if (!r->txid.empty()) w.field("txid", r->txid);
      w.key("descr").begin_object().field("order", r->descr).end_object();
      if (!r->close_descr.empty()) w.field("close", r->close_descr);
    } else {
      w.field("error", r.error().kraken ? r.error().kraken->joined() : std::string("EGeneral:Internal error"));
    }
    w.end_object();
  }
  w.end_array().end_object();
  return ok(w.str());
}

// txid param of CancelOrder/EditOrder: an order id, or an integer userref.
OrderSelector selector(std::string_view txid) {
  OrderSelector s;
  if (auto u = int_value(txid)) s.userref = *u;
  else s.txid = std::string(txid);
  return s;
}

std::string cancel_order(Context& c, const Params& p, AccountId id) {
  OrderSelector s;
  if (auto v = p.get("cl_ord_id")) s.cl_ord_id = std::string(*v);
  else if (auto t = p.get("txid")) s = selector(*t);
  else return fail("EGeneral:Invalid arguments:txid");
  auto n = c.ex.cancel_order(id, s);
  if (!n) return err(n.error());
  JsonWriter w;
  w.begin_object().field("count", *n).field("pending", false).end_object();
  return ok(w.str());
}

std::string cancel_order_batch(Context& c, const Params& p, AccountId id) {
  auto ids = p.list("orders");
  auto cl = p.list("cl_ord_ids");
  if (ids.empty() && cl.empty()) return fail("EGeneral:Invalid arguments:orders");
  if (ids.size() + cl.size() > 50) return fail("EGeneral:Invalid arguments:orders");
  int count = 0;
  for (const auto& t : ids)
    if (auto n = c.ex.cancel_order(id, selector(t))) count += *n;
  for (const auto& t : cl) {
    OrderSelector s;
    s.cl_ord_id = t;
    if (auto n = c.ex.cancel_order(id, s)) count += *n;
  }
  JsonWriter w;
  w.begin_object().field("count", count).end_object();
  return ok(w.str());
}

std::string cancel_all(Context& c, AccountId id) {
  JsonWriter w;
  w.begin_object().field("count", c.ex.cancel_all(id)).field("pending", false).end_object();
  return ok(w.str());
}

std::string cancel_all_after(Context& c, const Params& p, AccountId id) {
  auto t = int_value(p.get("timeout"));
  if (!t) return fail("EGeneral:Invalid arguments:timeout");
  auto r = c.ex.cancel_all_orders_after(id, *t);
  if (!r) return err(r.error());
  JsonWriter w;
  w.begin_object().field("currentTime", format_rfc3339(r->first, 0));
  w.field("triggerTime", r->second.time_since_epoch().count() ? format_rfc3339(r->second, 0) : std::string("0"));
  w.end_object();
  return ok(w.str());
}

std::string amend_order(Context& c, const Params& p, AccountId id) {
  AmendOrderRequest a;
  if (auto v = p.get("txid")) a.which.txid = std::string(*v);
  if (auto v = p.get("cl_ord_id")) a.which.cl_ord_id = std::string(*v);
  if (auto v = p.get("order_qty")) a.order_qty = std::string(*v);
  if (auto v = p.get("display_qty")) a.display_qty = std::string(*v);
  if (auto v = p.get("limit_price")) a.limit_price = std::string(*v);
  if (auto v = p.get("trigger_price")) a.trigger_price = std::string(*v);
  a.post_only = truthy(p.get("post_only"));
  if (auto v = p.get("deadline")) {
    auto t = parse_rfc3339(*v);
    if (!t) return fail("EGeneral:Invalid arguments:deadline");
    a.deadline = *t;
  }
  if (!a.order_qty && !a.display_qty && !a.limit_price && !a.trigger_price)
    return fail("EOrder:No amendable parameters specified");
  auto r = c.ex.amend_order(id, a);
  if (!r) return err(r.error());
  JsonWriter w;
  w.begin_object().field("amend_id", *r).end_object();
  return ok(w.str());
}

std::string edit_order(Context& c, const Params& p, AccountId id) {
  EditOrderRequest e;
  auto t = p.get("txid");
  if (!t) return fail("EGeneral:Invalid arguments:txid");
  e.which = selector(*t);
  e.pair = std::string(p.get("pair").value_or(""));
  if (e.pair.empty()) return fail("EGeneral:Invalid arguments:pair");
  if (auto v = p.get("volume")) e.volume = std::string(*v);
  if (auto v = p.get("displayvol")) e.displayvol = std::string(*v);
  if (auto v = p.get("price")) e.price = std::string(*v);
  if (auto v = p.get("price2")) e.price2 = std::string(*v);
  for (const auto& f : p.list("oflags")) {
    if (f == "post") e.post_only = true;
    else return fail("EGeneral:Invalid arguments:oflags");
  }
  if (auto v = int_value(p.get("userref"))) e.new_userref = *v;
  e.cancel_response = truthy(p.get("cancel_response"));
  e.validate = truthy(p.get("validate"));
  auto r = c.ex.edit_order(id, e);
  if (!r) return err(r.error());
  JsonWriter w;
  w.begin_object();
  w.key("descr").begin_object().field("order", r->descr).end_object();
  if (!e.validate) {
    w.field("txid", r->txid).field("status", "ok").field("originaltxid", r->original_txid);
    w.field("volume", r->volume).field("price", r->price).field("price2", r->price2);
    w.field("orders_cancelled", r->orders_cancelled);
  }
  w.end_object();
  return ok(w.str());
}

bool order_matches(const OrderRecord& r, const Params& p) {
  if (auto u = int_value(p.get("userref")); u && r.userref != *u) return false;
  if (auto cl = p.get("cl_ord_id"); cl && r.cl_ord_id != std::string(*cl)) return false;
  return true;
}

std::string open_orders(Context& c, const Params& p, AccountId id) {
  const bool trades = truthy(p.get("trades"));
  JsonWriter w;
  w.begin_object().key("open").begin_object();
  for (const OrderRecord* r : c.ex.open_orders(id)) {
    if (!order_matches(*r, p)) continue;
    w.key(r->txid);
    write_order(w, c, *r, trades);
  }
  w.end_object().end_object();
  return ok(w.str());
}

std::string closed_orders(Context& c, const Params& p, AccountId id) {
  const bool trades = truthy(p.get("trades"));
  auto start = time_param(c, p, "start");
  auto end = time_param(c, p, "end");
  if (!start || !end) return fail("EGeneral:Invalid arguments");
  const std::string closetime(p.get("closetime").value_or("both"));
  const auto ofs = static_cast<std::size_t>(std::max<std::int64_t>(0, int_value(p.get("ofs")).value_or(0)));
  std::vector<const OrderRecord*> picked;
  for (const OrderRecord* r : c.ex.closed_orders(id)) {
    if (!order_matches(*r, p)) continue;
    auto in_range = [&](WallTime t) { return (!*start || t > **start) && (!*end || t <= **end); };
    const bool ok_open = in_range(r->order.opentm), ok_close = in_range(r->closetm);
    if (closetime == "open" ? !ok_open : closetime == "close" ? !ok_close : !(ok_open || ok_close)) continue;
    picked.push_back(r);
  }
  JsonWriter w;
  w.begin_object().key("closed").begin_object();
  for (std::size_t i = ofs; i < picked.size() && i < ofs + kPageSize; ++i) {
    w.key(picked[i]->txid);
    write_order(w, c, *picked[i], trades);
  }
  w.end_object();
  if (!truthy(p.get("without_count"))) w.field("count", picked.size());
  w.end_object();
  return ok(w.str());
}

std::string query_orders(Context& c, const Params& p, AccountId id) {
  auto ids = p.list("txid");
  if (ids.empty() || ids.size() > 50) return fail("EGeneral:Invalid arguments:txid");
  const bool trades = truthy(p.get("trades"));
  JsonWriter w;
  w.begin_object();
  for (const auto& t : ids) {
    const OrderRecord* r = c.ex.find_order(id, t);
    if (!r) return fail("EOrder:Invalid order");
    if (!order_matches(*r, p)) continue;
    w.key(r->txid);
    write_order(w, c, *r, trades);
  }
  w.end_object();
  return ok(w.str());
}

std::string order_amends(Context& c, const Params& p, AccountId id) {
  const auto txid = p.get("order_id");
  if (!txid || txid->empty()) return fail("EGeneral:Invalid arguments:order_id");
  const OrderRecord* r = c.ex.find_order(id, *txid);
  if (!r) return fail("EOrder:Unknown order");
  const auto& in = *c.ex.instruments()[r->pair];
  JsonWriter w;
  w.begin_object().key("amends").begin_array();
  for (const auto& a : r->amends) {
    w.begin_object().field("amend_id", a.amend_id).field("amend_type", a.type);
    w.key("order_qty").decimal_string(a.volume.value, in.qty_precision);
    if (r->order.type == OrderType::iceberg) w.key("display_qty").decimal_string(a.display.value, in.qty_precision);
    w.key("remaining_qty").decimal_string(a.remaining.value, in.qty_precision);
    if (a.limit) w.key("limit_price").decimal_string(a.limit->value, in.price_precision);
    if (a.trigger) w.key("trigger_price").decimal_string(a.trigger->value, in.price_precision);
    if (!a.reason.empty()) w.field("reason", a.reason);
    w.field("post_only", a.post_only);
    w.field("timestamp", static_cast<std::int64_t>(a.at.time_since_epoch().count()));
    w.end_object();
  }
  w.end_array().field("count", static_cast<std::int64_t>(r->amends.size())).end_object();
  return ok(w.str());
}

void write_trade(JsonWriter& w, Context& c, const TradeRecord& t, bool with_ledgers) {
  const auto& in = *c.ex.instruments()[t.pair];
  const int dp = rest_price_decimals(in);
  const std::size_t quote = c.ex.quote_asset(t.pair);
  const int qd = c.ex.asset_decimals(quote);
  w.begin_object().field("ordertxid", t.ordertxid).field("postxid", t.postxid).field("pair", in.rest_key);
  w.key("time");
  write_time(w, t.time, 4);
  w.field("type", to_string(t.side)).field("ordertype", to_string(t.ordertype));
  write_price_string(w.key("price"), in, t.price);
  // Costs and fees print at the pair's REST price decimals (5 for XBTUSD), like "600.20000".
  auto at_dp = [&](std::int64_t v) { return dp >= qd ? v * kPow10[dp - qd] : v / kPow10[qd - dp]; };
  w.key("cost").decimal_string(at_dp(t.cost), dp).key("fee").decimal_string(at_dp(t.fee), dp);
  w.key("vol").decimal_string(t.vol.value, in.qty_precision);
  w.key("margin").decimal_string(at_dp(t.margin), dp).field("misc", "").field("trade_id", t.trade_id).field("maker", t.maker);
  if (!t.posstatus.empty()) w.field("posstatus", t.posstatus);
  if (with_ledgers) {
    w.key("ledgers").begin_array();
    for (const auto& l : t.ledgers) w.value(l);
    w.end_array();
  }
  w.end_object();
}

std::string trades_history(Context& c, const Params& p, AccountId id) {
  const std::string type(p.get("type").value_or("all"));
  if (type != "all" && type != "any position" && type != "closed position" && type != "closing position" &&
      type != "no position")
    return fail("EGeneral:Invalid arguments:type");
  auto start = time_param(c, p, "start");
  auto end = time_param(c, p, "end");
  if (!start || !end) return fail("EGeneral:Invalid arguments");
  const auto ofs = static_cast<std::size_t>(std::max<std::int64_t>(0, int_value(p.get("ofs")).value_or(0)));
  std::vector<const TradeRecord*> picked;
  for (const TradeRecord* t : c.ex.trades(id)) {
    if (type == "any position" && t->posstatus.empty()) continue;
    if (type == "closed position" && t->posstatus != "closed") continue;
    if (type == "closing position" && t->posstatus != "closed") continue;
    if (type == "no position" && !t->posstatus.empty()) continue;
    if (*start && t->time <= **start) continue;
    if (*end && t->time > **end) continue;
    picked.push_back(t);
  }
  const bool ledgers = truthy(p.get("ledgers"));
  JsonWriter w;
  w.begin_object().key("trades").begin_object();
  for (std::size_t i = ofs; i < picked.size() && i < ofs + kPageSize; ++i) {
    w.key(picked[i]->txid);
    write_trade(w, c, *picked[i], ledgers);
  }
  w.end_object();
  if (!truthy(p.get("without_count"))) w.field("count", picked.size());
  w.end_object();
  return ok(w.str());
}

std::string query_trades(Context& c, const Params& p, AccountId id) {
  auto ids = p.list("txid");
  if (ids.empty() || ids.size() > 20) return fail("EGeneral:Invalid arguments:txid");
  JsonWriter w;
  w.begin_object();
  for (const auto& t : ids) {
    const TradeRecord* r = c.ex.find_trade(id, t);
    if (!r) return fail("EGeneral:Invalid arguments:txid");
    w.key(r->txid);
    write_trade(w, c, *r, false);
  }
  w.end_object();
  return ok(w.str());
}

std::string ws_token(Context& c, AccountId id) {
  JsonWriter w;
  w.begin_object().field("token", c.tokens.issue(id, c.ex.now())).field("expires", 900).end_object();
  return ok(w.str());
}

}  // namespace

std::string handle_private(Context& c, std::string_view m, const Params& p, AccountId id, bool& found) {
  found = true;
  if (m == "Balance") return balance(c, id);
  if (m == "BalanceEx") return balance_ex(c, id);
  if (m == "TradeBalance") return trade_balance(c, p, id);
  if (m == "OpenPositions") return open_positions(c, p, id);
  if (m == "Ledgers") return ledgers(c, p, id);
  if (m == "QueryLedgers") return query_ledgers(c, p, id);
  if (m == "AddOrder") return add_order(c, p, id);
  if (m == "AddOrderBatch") return add_order_batch(c, p, id);
  if (m == "AmendOrder") return amend_order(c, p, id);
  if (m == "EditOrder") return edit_order(c, p, id);
  if (m == "CancelOrder") return cancel_order(c, p, id);
  if (m == "CancelOrderBatch") return cancel_order_batch(c, p, id);
  if (m == "CancelAll") return cancel_all(c, id);
  if (m == "CancelAllOrdersAfter") return cancel_all_after(c, p, id);
  if (m == "OpenOrders") return open_orders(c, p, id);
  if (m == "ClosedOrders") return closed_orders(c, p, id);
  if (m == "QueryOrders") return query_orders(c, p, id);
  if (m == "OrderAmends") return order_amends(c, p, id);
  if (m == "TradesHistory") return trades_history(c, p, id);
  if (m == "QueryTrades") return query_trades(c, p, id);
  if (m == "GetWebSocketsToken") return ws_token(c, id);
  found = false;
  return fail("EGeneral:Unknown method");
}

}  // namespace kgw::sim::rest
