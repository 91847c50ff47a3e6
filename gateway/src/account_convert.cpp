#include "account_convert.hpp"

#include "contract_words.hpp"
#include "proto_convert.hpp"

namespace kgw::gateway {
namespace {

std::int64_t ns_of(const std::optional<WallTime>& t) { return t ? t->time_since_epoch().count() : 0; }
std::int64_t ns_of(WallTime t) { return t.time_since_epoch().count(); }

// Unix seconds as REST writes them ("1688669597.8277369"), as nanoseconds; 0 for 0.
std::int64_t rest_time_ns(const Decimal& seconds) { return seconds.is_zero() ? 0 : seconds_to_ns(seconds); }

// The asset's REST decimals (Balance prints them); 8 for an asset the registry does not know.
int asset_decimals(const InstrumentRegistry& registry, std::string_view asset) {
  const auto a = registry.find_asset(asset);
  return a ? a->decimals : 8;
}

std::string opt_text(const std::optional<Decimal>& d) { return d ? text(*d) : std::string(); }

// Kraken prints an unrealised P&L with its sign, "+154186.9728" (OpenPositions `net`).
std::string signed_text(const Decimal& d) { return d.is_negative() ? d.to_string() : "+" + d.to_string(); }

v1::ExecutionTriggers triggers_of(const kraken::ExecutionTriggers& t, int price_precision) {
  v1::ExecutionTriggers out;
  out.set_reference(proto_of<v1::TriggerReference>(t.reference));
  if (t.price) out.set_price(padded(*t.price, price_precision));
  out.set_price_type(proto_of<v1::PriceType>(t.price_type));
  if (t.actual_price) out.set_actual_price(padded(*t.actual_price, price_precision));
  if (t.peak_price) out.set_peak_price(padded(*t.peak_price, price_precision));
  if (t.last_price) out.set_last_price(padded(*t.last_price, price_precision));
  out.set_status(t.status);
  out.set_time_ns(ns_of(t.timestamp));
  return out;
}

}  // namespace

v1::OrderStatus rest_status(const kraken::Word<kraken::WsOrderStatus>& s) {
  if (!s.value) return v1::ORDER_STATUS_UNSPECIFIED;
  switch (*s.value) {
    case kraken::WsOrderStatus::pending_new: return v1::ORDER_STATUS_PENDING;
    case kraken::WsOrderStatus::new_:
    case kraken::WsOrderStatus::partially_filled: return v1::ORDER_STATUS_OPEN;
    case kraken::WsOrderStatus::filled: return v1::ORDER_STATUS_CLOSED;
    case kraken::WsOrderStatus::canceled: return v1::ORDER_STATUS_CANCELED;
    case kraken::WsOrderStatus::expired: return v1::ORDER_STATUS_EXPIRED;
  }
  return v1::ORDER_STATUS_UNSPECIFIED;
}

void fill(v1::Order& out, const kraken::OrderInfo& o, const InstrumentRegistry& registry) {
  out.set_order_id(o.txid);
  if (o.refid && *o.refid != "None") out.set_refid(*o.refid);
  if (o.userref != 0) out.set_userref(static_cast<std::int32_t>(o.userref));
  out.set_cl_ord_id(o.cl_ord_id.value_or(""));
  out.set_status(proto_of_text<v1::OrderStatus>(o.status));
  out.set_open_time_ns(rest_time_ns(o.opentm));
  out.set_start_time_ns(rest_time_ns(o.starttm));
  out.set_expire_time_ns(rest_time_ns(o.expiretm));
  out.set_close_time_ns(rest_time_ns(o.closetm));
  out.set_reason(o.reason.value_or(""));
  v1::OrderDescr* d = out.mutable_descr();
  d->set_pair(o.descr.pair);
  d->set_type(proto_of_text<v1::Side>(o.descr.type));
  d->set_ordertype(proto_of_text<v1::OrderType>(o.descr.ordertype));
  d->set_price(o.descr.price);
  d->set_price2(o.descr.price2);
  d->set_leverage(o.descr.leverage);
  d->set_order(o.descr.order);
  d->set_close(o.descr.close);
  out.set_vol(text(o.vol));
  out.set_vol_exec(text(o.vol_exec));
  out.set_cost(text(o.cost));
  out.set_fee(text(o.fee));
  out.set_price(text(o.price));
  out.set_stopprice(text(o.stopprice));
  out.set_limitprice(text(o.limitprice));
  out.set_trigger(proto_of_text<v1::TriggerReference>(o.trigger));
  out.set_margin(!o.descr.leverage.empty() && o.descr.leverage != "none");
  out.set_misc(o.misc);
  out.set_oflags(o.oflags);
  for (const auto& t : o.trades) out.add_trades(t);
  if (auto in = registry.find(o.descr.pair)) {
    out.set_pair(in->rest_key);
    out.set_symbol(in->symbol);
  }
}

void fill(v1::Order& out, const oms::OrderState& o, const oms::AccountSnapshot& s, const InstrumentRegistry& registry) {
  const auto in = registry.find(o.symbol);
  const int pp = in ? in->price_precision : 0, qp = in ? in->qty_precision : 8;
  const int cp = in && in->cost_precision > 0 ? in->cost_precision : pp;
  out.set_order_id(o.order_id);
  if (o.userref) out.set_userref(static_cast<std::int32_t>(*o.userref));
  out.set_cl_ord_id(o.cl_ord_id);
  out.set_status(rest_status(o.status));
  // REST's opentm when the order manager has seen it, else the time of its last event.
  out.set_open_time_ns(o.opened ? ns_of(*o.opened) : ns_of(o.stamp.exchange));
  if (o.is_closed()) out.set_close_time_ns(o.closed ? ns_of(*o.closed) : ns_of(o.stamp.exchange));
  out.set_reason(o.reason);
  v1::OrderDescr* d = out.mutable_descr();
  d->set_pair(in ? in->altname : o.symbol);
  d->set_type(proto_of<v1::Side>(o.side));
  d->set_ordertype(proto_of<v1::OrderType>(o.order_type));
  const std::optional<kraken::OrderType> type = o.order_type.value;
  const bool triggered = type && kraken::is_triggered(*type);
  // descr.price: the limit of limit/iceberg orders, the trigger of triggered ones; price2: the
  // limit of the triggered -limit ones ("0" when none, as REST writes it).
  std::optional<Decimal> price = triggered && o.triggers ? o.triggers->price : o.limit_price;
  if (triggered && !o.triggers) price.reset();
  d->set_price(price ? padded(*price, pp) : "0");
  d->set_price2(type && kraken::triggers_into_limit(*type) && o.limit_price ? padded(*o.limit_price, pp) : "0");
  d->set_leverage(o.margin.value_or(false) ? "" : "none");  // the level is REST's to tell
  out.set_vol(o.order_qty ? padded(*o.order_qty, qp) : "");
  out.set_vol_exec(padded(o.cum_qty, qp));
  out.set_cost(padded(o.cum_cost, cp));
  // The fee: the order's own fills, in the quote currency as REST reports it.
  Decimal fee;
  if (s.fills)
    for (std::size_t i = 0; i < s.fills->size(); ++i) {
      const auto& f = *s.fills->at(i);
      if (f.order_id != o.order_id) continue;
      for (const auto& x : f.fees)
        if (!in || x.asset == in->quote)
          if (auto sum = add(fee, x.qty)) fee = *sum;
    }
  out.set_fee(padded(fee, in ? asset_decimals(registry, in->quote_asset) : 8));
  out.set_price(padded(o.avg_price.value_or(Decimal{}), o.avg_price ? pp : cp));
  out.set_stopprice(padded(triggered && o.triggers && o.triggers->price ? *o.triggers->price : Decimal{}, cp));
  out.set_limitprice(padded(Decimal{}, cp));
  if (o.triggers) out.set_trigger(proto_of<v1::TriggerReference>(o.triggers->reference));
  out.set_margin(o.margin.value_or(false));
  if (o.post_only.value_or(false)) out.set_oflags("post");
  if (in) {
    out.set_pair(in->rest_key);
    out.set_symbol(in->symbol);
  }
}

void fill(v1::Execution& out, const oms::OrderState& o, const InstrumentRegistry& registry) {
  const auto in = registry.find(o.symbol);
  const int pp = in ? in->price_precision : 0, qp = in ? in->qty_precision : 8;
  out.set_exec_type(proto_of<v1::ExecType>(o.last_exec));
  out.set_order_status(proto_of<v1::ExecOrderStatus>(o.status));
  out.set_order_id(o.order_id);
  out.set_cl_ord_id(o.cl_ord_id);
  if (o.userref) out.set_order_userref(static_cast<std::int32_t>(*o.userref));
  out.set_symbol(o.symbol);
  if (in) out.set_pair(in->rest_key);
  out.set_side(proto_of<v1::Side>(o.side));
  out.set_order_type(proto_of<v1::OrderType>(o.order_type));
  if (o.order_qty) out.set_order_qty(padded(*o.order_qty, qp));
  if (o.display_qty) out.set_display_qty(padded(*o.display_qty, qp));
  if (o.limit_price) out.set_limit_price(padded(*o.limit_price, pp));
  out.set_time_in_force(proto_of<v1::TimeInForce>(o.time_in_force));
  if (o.post_only) out.set_post_only(*o.post_only);
  if (o.reduce_only) out.set_reduce_only(*o.reduce_only);
  if (o.margin) out.set_margin(*o.margin);
  out.set_time_ns(ns_of(o.stamp.exchange));
  out.set_cum_qty(padded(o.cum_qty, qp));
  out.set_cum_cost(o.cum_cost.to_string());
  if (o.avg_price) out.set_avg_price(padded(*o.avg_price, pp));
  if (o.fee_usd_equiv) out.set_fee_usd_equiv(o.fee_usd_equiv->to_string());
  out.set_reason(o.reason);
  if (o.triggers) *out.mutable_triggers() = triggers_of(*o.triggers, pp);
}

void fill(v1::Execution& out, const oms::Fill& f, const InstrumentRegistry& registry) {
  const auto in = registry.find(f.symbol);
  const int pp = in ? in->price_precision : 0, qp = in ? in->qty_precision : 8;
  out.set_exec_type(v1::EXEC_TYPE_TRADE);
  out.set_order_id(f.order_id);
  out.set_cl_ord_id(f.cl_ord_id);
  out.set_symbol(f.symbol);
  if (in) out.set_pair(in->rest_key);
  out.set_side(proto_of<v1::Side>(f.side));
  out.set_exec_id(f.exec_id);
  if (f.trade_id) out.set_trade_id(*f.trade_id);
  out.set_last_qty(padded(f.qty, qp));
  out.set_last_price(padded(f.price, pp));
  out.set_cost(f.cost.to_string());
  out.set_liquidity_ind(f.liquidity == "m"   ? v1::LIQUIDITY_INDICATOR_MAKER
                        : f.liquidity == "t" ? v1::LIQUIDITY_INDICATOR_TAKER
                                             : v1::LIQUIDITY_INDICATOR_UNSPECIFIED);
  for (const auto& x : f.fees) {
    v1::Fee* fee = out.add_fees();
    fee->set_asset(x.asset);
    fee->set_qty(x.qty.to_string());
  }
  if (f.margin) out.set_margin(*f.margin);
  out.set_time_ns(ns_of(f.stamp.exchange));
}

void fill(v1::Trade& out, const kraken::TradeInfo& t, const InstrumentRegistry& registry) {
  out.set_trade_txid(t.txid);
  out.set_ordertxid(t.ordertxid);
  out.set_postxid(t.postxid);
  out.set_pair(t.pair);
  if (auto in = registry.find(t.pair)) out.set_symbol(in->symbol);
  out.set_time_ns(rest_time_ns(t.time));
  out.set_type(proto_of_text<v1::Side>(t.type));
  out.set_ordertype(proto_of_text<v1::OrderType>(t.ordertype));
  out.set_price(text(t.price));
  out.set_cost(text(t.cost));
  out.set_fee(text(t.fee));
  out.set_vol(text(t.vol));
  out.set_margin(text(t.margin));
  out.set_leverage(t.leverage);
  out.set_misc(t.misc);
  for (const auto& l : t.ledgers) out.add_ledgers(l);
  out.set_trade_id(t.trade_id);
  out.set_maker(t.maker);
  out.set_posstatus(t.posstatus);
  out.set_cprice(opt_text(t.cprice));
  out.set_ccost(opt_text(t.ccost));
  out.set_cfee(opt_text(t.cfee));
  out.set_cvol(opt_text(t.cvol));
  out.set_cmargin(opt_text(t.cmargin));
  if (t.net) out.set_net(text(*t.net));
  for (const auto& c : t.trades) out.add_closing_trades(c);
}

void fill(v1::LedgerEntry& out, const kraken::LedgerInfo& l) {
  out.set_ledger_id(l.id);
  out.set_refid(l.refid);
  out.set_time_ns(rest_time_ns(l.time));
  out.set_type(l.type);
  out.set_subtype(l.subtype);
  out.set_aclass(l.aclass);
  out.set_asset(l.asset);
  out.set_amount(text(l.amount));
  out.set_fee(text(l.fee));
  out.set_balance(text(l.balance));
}

void fill(v1::Position& out, const kraken::PositionInfo& p, const InstrumentRegistry& registry) {
  out.set_position_id(p.txid);
  out.set_ordertxid(p.ordertxid);
  out.set_posstatus(p.posstatus);
  out.set_pair(p.pair);
  if (auto in = registry.find(p.pair)) out.set_symbol(in->symbol);
  out.set_time_ns(rest_time_ns(p.time));
  out.set_type(proto_of_text<v1::Side>(p.type));
  out.set_ordertype(proto_of_text<v1::OrderType>(p.ordertype));
  out.set_cost(text(p.cost));
  out.set_fee(text(p.fee));
  out.set_vol(text(p.vol));
  out.set_vol_closed(text(p.vol_closed));
  out.set_margin(text(p.margin));
  out.set_value(opt_text(p.value));
  if (p.net) out.set_net(signed_text(*p.net));
  out.set_terms(p.terms);
  if (auto t = Decimal::parse(p.rollovertm); t && !p.rollovertm.empty()) out.set_rollover_time_ns(rest_time_ns(*t));
  out.set_misc(p.misc);
  out.set_oflags(p.oflags);
}

void fill(v1::OrderAmend& out, const kraken::OrderAmendInfo& a) {
  out.set_amend_id(a.amend_id);
  out.set_amend_type(a.amend_type);
  out.set_order_qty(opt_text(a.order_qty));
  out.set_display_qty(opt_text(a.display_qty));
  out.set_remaining_qty(opt_text(a.remaining_qty));
  out.set_limit_price(opt_text(a.limit_price));
  out.set_trigger_price(opt_text(a.trigger_price));
  out.set_reason(a.reason);
  out.set_post_only(a.post_only);
  out.set_time_ns(a.timestamp);
}

void fill(v1::Balance& out, const oms::Balance& b, const InstrumentRegistry& registry) {
  const int dp = asset_decimals(registry, b.asset);
  out.set_asset(b.asset);
  out.set_code(b.code);
  out.set_balance(padded(b.total, dp));
  out.set_asset_class(b.asset_class);
  for (const auto& w : b.wallets) {
    v1::Wallet* x = out.add_wallets();
    x->set_type(w.type);
    x->set_id(w.id);
    x->set_balance(padded(w.balance, dp));
  }
}

void fill(v1::Balance& out, const kraken::AssetBalance& b, const InstrumentRegistry& registry) {
  out.set_asset(b.asset);
  if (auto a = registry.find_asset(b.asset)) out.set_code(a->code);
  out.set_balance(text(b.balance));
}

void fill(v1::ExtendedBalance& out, const kraken::AssetBalance& b, const InstrumentRegistry& registry) {
  out.set_asset(b.asset);
  if (auto a = registry.find_asset(b.asset)) out.set_code(a->code);
  out.set_balance(text(b.balance));
  out.set_credit(opt_text(b.credit));
  out.set_credit_used(opt_text(b.credit_used));
  out.set_hold_trade(opt_text(b.hold_trade));
  // balance + credit - credit_used - hold_trade, exactly; absent terms count as 0.
  std::optional<Decimal> available = b.balance;
  if (available && b.credit) available = add(*available, *b.credit);
  if (available && b.credit_used) available = add(*available, *b.credit_used, -1);
  if (available && b.hold_trade) available = add(*available, *b.hold_trade, -1);
  if (available) out.set_available(available->to_string());
}

void fill(v1::BalanceUpdate& out, const oms::Balance& b) {
  const auto* t = b.transaction ? &*b.transaction : nullptr;
  out.set_ledger_id(b.ledger_id);
  out.set_asset(b.code);
  out.set_asset_class(b.asset_class);
  out.set_balance(b.total.to_string());
  out.set_time_ns(ns_of(b.stamp.exchange));
  if (!t) return;
  out.set_ref_id(t->ref_id);
  out.set_type(t->type);
  out.set_subtype(t->subtype);
  out.set_category(t->category);
  out.set_wallet_type(t->wallet_type);
  out.set_wallet_id(t->wallet_id);
  out.set_amount(opt_text(t->amount));
  out.set_fee(opt_text(t->fee));
}

}  // namespace kgw::gateway
