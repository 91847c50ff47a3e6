// How Kraken's executions, REST orders and trades, and balances frames become the account
// view's values (PROTOCOL.md §3.3, §6.5). Pure functions.
#include <algorithm>
#include <climits>
#include <cstdint>

#include "account_writer.hpp"

namespace kgw::oms {

using kraken::ExecType;
using kraken::Word;
using kraken::WsOrderStatus;

namespace {

template <class E>
void take(Word<E>& into, const Word<E>& from) {
  if (!from.raw.empty()) into = from;
}
template <class T>
void take(std::optional<T>& into, const std::optional<T>& from) {
  if (from) into = from;
}

// An order status from an execution that lacks `order_status` (Kraken sends it; be safe).
Word<WsOrderStatus> status_of_exec(const Word<ExecType>& e) {
  if (!e.value) return {};
  switch (*e.value) {
    case ExecType::pending_new: return Word<WsOrderStatus>::read("pending_new");
    case ExecType::new_: return Word<WsOrderStatus>::read("new");
    case ExecType::filled: return Word<WsOrderStatus>::read("filled");
    case ExecType::canceled: return Word<WsOrderStatus>::read("canceled");
    case ExecType::expired: return Word<WsOrderStatus>::read("expired");
    default: return {};
  }
}

// REST statuses in WS v2 words: open splits into new and partially_filled by the filled volume.
Word<WsOrderStatus> status_of_rest(std::string_view status, const Decimal& vol_exec) {
  if (status == "pending") return Word<WsOrderStatus>::read("pending_new");
  if (status == "open") return Word<WsOrderStatus>::read(vol_exec.is_zero() ? "new" : "partially_filled");
  if (status == "closed") return Word<WsOrderStatus>::read("filled");
  return Word<WsOrderStatus>::read(status);  // canceled, expired; anything else kept raw
}

// How far along an order is; an unknown word ranks lowest, so a known one replaces it.
int rank(const Word<WsOrderStatus>& s) {
  if (!s.value) return -1;
  switch (*s.value) {
    case WsOrderStatus::pending_new: return 0;
    case WsOrderStatus::new_: return 1;
    case WsOrderStatus::partially_filled: return 2;
    default: return 3;  // filled, canceled, expired
  }
}

WallTime nonzero_time(const Decimal& seconds, std::optional<WallTime> otherwise = std::nullopt) {
  return seconds.is_zero() ? otherwise.value_or(WallTime{}) : from_unix(seconds);
}

}  // namespace

std::string_view to_string(Source s) noexcept {
  switch (s) {
    case Source::ws_snapshot: return "ws_snapshot";
    case Source::ws_update: return "ws_update";
    case Source::rest: return "rest";
  }
  return "?";
}

bool OrderState::is_closed() const noexcept { return rank(status) == 3; }

WallTime from_unix(const Decimal& seconds) {
  const Decimal d = seconds.normalized();
  std::int64_t ns = 0;
  if (d.scale <= 9) ns = d.mantissa * kPow10[9 - d.scale];
  else ns = d.mantissa / kPow10[d.scale - 9];
  return WallTime{std::chrono::nanoseconds{ns}};
}

bool same_state(const OrderState& a, const OrderState& b) {
  OrderState x = a;
  x.stamp = b.stamp;
  x.last_exec = b.last_exec;
  return x == b;
}

std::string symbol_of(const InstrumentRegistry& registry, std::string_view pair) {
  if (auto in = registry.find(pair)) return in->symbol;
  return std::string(pair);
}

OrderState merge_execution(const OrderState* prev, const kraken::ExecutionItem& x, const Stamp& stamp,
                           const InstrumentRegistry& registry) {
  OrderState o = prev ? *prev : OrderState{};
  o.order_id = x.order_id;
  if (!x.cl_ord_id.empty()) o.cl_ord_id = x.cl_ord_id;
  take(o.userref, x.order_userref);
  if (!x.symbol.empty()) o.symbol = symbol_of(registry, x.symbol);
  take(o.side, x.side);
  take(o.order_type, x.order_type);
  take(o.time_in_force, x.time_in_force);
  if (!x.order_status.raw.empty()) o.status = x.order_status;
  else if (auto s = status_of_exec(x.exec_type); !s.raw.empty()) o.status = s;
  o.last_exec = x.exec_type;
  take(o.order_qty, x.order_qty);
  take(o.limit_price, x.limit_price);
  take(o.display_qty, x.display_qty);
  if (x.cum_qty) o.cum_qty = *x.cum_qty;
  if (x.cum_cost) o.cum_cost = *x.cum_cost;
  take(o.avg_price, x.avg_price);
  take(o.fee_usd_equiv, x.fee_usd_equiv);
  take(o.margin, x.margin);
  take(o.post_only, x.post_only);
  take(o.reduce_only, x.reduce_only);
  take(o.triggers, x.triggers);
  if (!x.reason.empty()) o.reason = x.reason;
  else if (!x.cancel_reason.empty()) o.reason = x.cancel_reason;  // deprecated spelling
  o.stamp = stamp;
  if (!x.timestamp && prev) o.stamp.exchange = prev->stamp.exchange;
  return o;
}

Fill fill_of_execution(const kraken::ExecutionItem& x, const OrderState* order, const Stamp& stamp,
                       const InstrumentRegistry& registry) {
  Fill f;
  f.exec_id = x.exec_id;
  f.trade_id = x.trade_id;
  f.order_id = x.order_id;
  f.cl_ord_id = !x.cl_ord_id.empty() ? x.cl_ord_id : order ? order->cl_ord_id : std::string();
  f.symbol = !x.symbol.empty() ? symbol_of(registry, x.symbol) : order ? order->symbol : std::string();
  f.side = !x.side.raw.empty() || !order ? x.side : order->side;
  f.qty = x.last_qty.value_or(Decimal{});
  f.price = x.last_price.value_or(Decimal{});
  f.cost = x.cost.value_or(Decimal{});
  f.fees = x.fees;
  f.liquidity = x.liquidity_ind;
  f.margin = x.margin ? x.margin : order ? order->margin : std::nullopt;
  f.stamp = stamp;
  return f;
}

std::optional<OrderState> merge_rest_order(const OrderState* prev, const kraken::OrderInfo& r, WallTime received,
                                           const InstrumentRegistry& registry) {
  OrderState o = prev ? *prev : OrderState{};
  o.order_id = r.txid;
  if (o.cl_ord_id.empty() && r.cl_ord_id) o.cl_ord_id = *r.cl_ord_id;
  if (!o.userref && r.userref != 0) o.userref = r.userref;
  if (o.symbol.empty() && !r.descr.pair.empty()) o.symbol = symbol_of(registry, r.descr.pair);
  if (o.side.raw.empty() && !r.descr.type.empty()) o.side = Word<kraken::Side>::read(r.descr.type);
  if (o.order_type.raw.empty() && !r.descr.ordertype.empty()) o.order_type = Word<kraken::OrderType>::read(r.descr.ordertype);
  if (!o.order_qty) o.order_qty = r.vol;
  if (!o.limit_price && o.order_type.value && kraken::has_limit_price(*o.order_type.value)) {
    // descr.price is the limit of limit/iceberg orders; price2 that of the triggered -limit ones.
    const std::string& text = kraken::is_triggered(*o.order_type.value) ? r.descr.price2 : r.descr.price;
    if (auto p = Decimal::parse(text); p && !p->is_zero()) o.limit_price = *p;
  }
  if (!o.margin && !r.descr.leverage.empty()) o.margin = r.descr.leverage != "none";
  if (!o.opened && !r.opentm.is_zero()) o.opened = from_unix(r.opentm);
  const Word<WsOrderStatus> status = status_of_rest(r.status, r.vol_exec);
  if (rank(status) > rank(o.status)) {
    o.status = status;
    if (o.reason.empty() && r.reason) o.reason = *r.reason;
  }
  if (r.vol_exec > o.cum_qty) {
    o.cum_qty = r.vol_exec;
    o.cum_cost = r.cost;
    if (!r.price.is_zero()) o.avg_price = r.price;
  }
  if (o.is_closed() && !o.closed && !r.closetm.is_zero()) o.closed = from_unix(r.closetm);
  if (prev && same_state(*prev, o)) return std::nullopt;
  o.stamp = Stamp{o.closed ? *o.closed : nonzero_time(r.opentm), received, Source::rest};
  return o;
}

Fill fill_of_trade(const kraken::TradeInfo& t, const OrderState* order, WallTime received,
                   const InstrumentRegistry& registry) {
  Fill f;
  f.exec_id = t.txid;
  if (t.trade_id != 0) f.trade_id = t.trade_id;
  f.order_id = t.ordertxid;
  f.cl_ord_id = order ? order->cl_ord_id : std::string();
  const auto in = registry.find(t.pair);
  f.symbol = in ? in->symbol : t.pair;
  f.side = Word<kraken::Side>::read(t.type);
  f.qty = t.vol;
  f.price = t.price;
  f.cost = t.cost;
  // REST gives one fee, in the quote currency (PROTOCOL.md §3.3).
  f.fees.push_back(kraken::ExecutionFee{in ? in->quote : std::string(), t.fee});
  f.liquidity.push_back(t.maker ? 'm' : 't');  // (GCC 12 misreads operator= of a literal here: -Wrestrict)
  // A margin trade reports the initial margin it took; a spot trade 0.
  f.margin = !t.margin.is_zero() || (order && order->margin.value_or(false));
  f.stamp = Stamp{from_unix(t.time), received, Source::rest};
  return f;
}

namespace {

Balance named(const kraken::BalanceItem& b, const Balance* prev, const InstrumentRegistry& registry) {
  if (prev) return *prev;
  Balance out;
  if (auto a = registry.find_asset(b.asset)) {
    out.asset = a->id;
    out.code = a->code;
    out.altname = a->altname;
  } else {
    out.asset = out.code = out.altname = b.asset;
  }
  return out;
}

}  // namespace

Balance balance_of_snapshot(const kraken::BalanceItem& b, const Balance* prev, WallTime received,
                            const InstrumentRegistry& registry) {
  Balance out = named(b, prev, registry);
  out.asset_class = b.asset_class;
  out.total = b.balance;
  out.wallets = b.wallets;
  out.transaction.reset();
  out.stamp = Stamp{WallTime{}, received, Source::ws_snapshot};  // a snapshot carries no time
  return out;
}

Balance balance_after_ledger(const kraken::BalanceItem& b, const Balance* prev, WallTime received,
                             const InstrumentRegistry& registry) {
  Balance out = named(b, prev, registry);
  if (!b.asset_class.empty()) out.asset_class = b.asset_class;
  out.total = b.balance;  // the asset's total after the transaction
  // The wallet moves by amount − fee (Kraken's ledger arithmetic); a wallet not seen before
  // starts from zero, unless no wallet is known at all (then it holds the total).
  const Decimal amount = b.amount.value_or(Decimal{});
  const Decimal fee = b.fee.value_or(Decimal{});
  if (!b.wallet_type.empty()) {
    auto w = std::find_if(out.wallets.begin(), out.wallets.end(),
                          [&](const auto& x) { return x.type == b.wallet_type && x.id == b.wallet_id; });
    if (w == out.wallets.end() && out.wallets.empty()) {
      out.wallets.push_back(kraken::BalanceWallet{b.wallet_type, b.wallet_id, b.balance});
    } else {
      if (w == out.wallets.end()) w = out.wallets.insert(out.wallets.end(), kraken::BalanceWallet{b.wallet_type, b.wallet_id, {}});
      const auto net = add(amount, fee, -1);
      if (const auto moved = net ? add(w->balance, *net) : std::nullopt) w->balance = *moved;
    }
  }
  out.ledger_id = b.ledger_id;
  out.transaction = b;
  out.stamp = Stamp{b.timestamp.value_or(WallTime{}), received, Source::ws_update};
  return out;
}

}  // namespace kgw::oms
