// Exchange: order entry (add, batch, amend, edit, cancel, cancel-all, dead-man), status, tick.
#include <fmt/format.h>

#include <algorithm>

#include "kgw/sim/exchange.hpp"
#include "exchange_internal.hpp"

namespace kgw::sim {
namespace {

using detail::kraken_error;
using kraken::TradingAction;

bool valid_cl_ord_id(std::string_view s) {
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
  if (s.size() == 36) {
    for (std::size_t i = 0; i < 36; ++i) {
      const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? s[i] != '-' : !hex(s[i])) return false;
    }
    return true;
  }
  if (s.size() == 32 && std::all_of(s.begin(), s.end(), hex)) return true;
  if (s.empty() || s.size() > 18) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 127; });
}

}  // namespace

result<Order> Exchange::build_order(AccountId id, std::size_t pair, const AddOrderRequest& req, OrderRecord& rec) {
  const auto& in = *instruments_[pair];
  Order o;
  o.account = id;
  o.side = req.side;
  o.type = req.type;
  o.tif = req.tif;
  o.post_only = req.post_only;
  o.stp = req.stp.value_or(SelfTradePrevention::cancel_newest);

  int leverage = 0;
  if (req.leverage) {
    // "5" or "5:1"; it must be one the pair offers for that side (AssetPairs leverage_buy/sell).
    std::string_view lv = *req.leverage;
    if (auto colon = lv.find(':'); colon != std::string_view::npos) {
      if (lv.substr(colon) != ":1") return kraken_error("EGeneral:Invalid arguments:leverage");
      lv = lv.substr(0, colon);
    }
    auto n = parse_fixed(lv, 0);
    const auto& allowed = req.side == Side::buy ? in.leverage_buy : in.leverage_sell;
    if (!n || std::find(allowed.begin(), allowed.end(), static_cast<int>(*n)) == allowed.end())
      return kraken_error("EGeneral:Invalid arguments:leverage");
    leverage = static_cast<int>(*n);
  }
  if (req.reduce_only && !leverage) return kraken_error("EOrder:Reduce only:Non-PC");
  if (req.trigger != "last" && req.trigger != "index") return kraken_error("EGeneral:Invalid arguments:trigger");
  if (req.trigger == "index") return kraken_error("EGeneral:Invalid arguments:Index unavailable");

  if (req.viqc && !(req.type == OrderType::market && req.side == Side::buy))
    return kraken_error("EGeneral:Invalid arguments:viqc");
  if (req.viqc) {
    // Volume in quote currency (buy market only): spend that much, walking the asks.
    const std::size_t quote = pair_quote_[pair];
    auto spend = parse_fixed(req.volume, assets_[quote]->decimals);
    if (!spend || *spend <= 0) return kraken_error("EGeneral:Invalid arguments:volume");
    // Work at the book's scale: price × qty has price_precision + qty_precision decimals.
    const int scale = in.price_precision + in.qty_precision;
    const int qd = assets_[quote]->decimals;
    Int128 budget = scale >= qd ? static_cast<Int128>(*spend) * kPow10[scale - qd] : static_cast<Int128>(*spend) / kPow10[qd - scale];
    std::vector<BookLevel> asks;
    engines_[pair]->top(Side::sell, 1000, asks);
    std::int64_t qty = 0;
    for (const auto& l : asks) {
      const Int128 level_cost = static_cast<Int128>(l.price) * l.qty;
      if (level_cost <= budget) {
        qty += l.qty;
        budget -= level_cost;
      } else {
        qty += static_cast<std::int64_t>(budget / l.price);
        break;
      }
    }
    if (qty <= 0) return kraken_error("EOrder:Insufficient liquidity");
    o.volume = Qty{qty - qty % in.qty_increment};
  } else {
    auto vol = parse_fixed(req.volume, in.qty_precision);
    if (!vol || *vol <= 0) return kraken_error("EGeneral:Invalid arguments:volume");
    o.volume = Qty{*vol};
  }
  if (o.volume.value < in.qty_min) return kraken_error("EOrder:Order minimum not met");
  if (!in.qty_on_grid(o.volume)) return kraken_error("EGeneral:Invalid arguments:volume");

  if (req.displayvol) {
    if (req.type != OrderType::iceberg) return kraken_error("EGeneral:Invalid arguments:displayvol");
    auto d = parse_fixed(*req.displayvol, in.qty_precision);
    if (!d || *d <= 0 || *d > o.volume.value || *d * 15 < o.volume.value)
      return kraken_error("EGeneral:Invalid arguments:displayvol");
    o.display = Qty{*d};
  } else if (req.type == OrderType::iceberg) {
    return kraken_error("EGeneral:Invalid arguments:displayvol");
  }

  const bool needs_price = req.type != OrderType::market;
  if (needs_price && !req.price) return kraken_error("EGeneral:Invalid arguments:price");
  if (req.type == OrderType::market && req.price) return kraken_error("EGeneral:Invalid arguments:price");
  const bool needs_price2 = triggers_into_limit(req.type);
  if (needs_price2 && !req.price2) return kraken_error("EGeneral:Invalid arguments:price2");

  const bool trailing = req.type == OrderType::trailing_stop || req.type == OrderType::trailing_stop_limit;
  if (req.price) {
    if (trailing) {
      // Trailing stops take an offset that must start with '+' (PROTOCOL.md §3.3).
      if (req.price->empty() || req.price->front() != '+') return kraken_error("EGeneral:Invalid arguments:price");
      PriceOffset off;
      auto p = parse_price(pair, req.side, *req.price, "price", true, &off);
      if (!p) return p.error();
      o.trail = PriceOffset{off.value < 0 ? -off.value : off.value, off.pct};
    } else {
      auto p = parse_price(pair, req.side, *req.price, "price", true, nullptr);
      if (!p) return p.error();
      if (p->value <= 0) return kraken_error("EGeneral:Invalid arguments:price");
      if (!in.price_on_grid(*p)) return kraken_error("EOrder:Tick size check failed");
      if (is_triggered(req.type)) o.trigger = *p;
      else o.limit = *p;
    }
  }
  if (req.price2) {
    if (!needs_price2) return kraken_error("EGeneral:Invalid arguments:price2");
    if (req.type == OrderType::trailing_stop_limit) {
      const char f = req.price2->empty() ? 0 : req.price2->front();
      if (f != '+' && f != '-') return kraken_error("EGeneral:Invalid arguments:price2");
      PriceOffset off;
      auto p = parse_price(pair, req.side, *req.price2, "price2", true, &off);
      if (!p) return p.error();
      o.limit_off = off;
    } else {
      auto p = parse_price(pair, req.side, *req.price2, "price2", true, nullptr);
      if (!p) return p.error();
      if (p->value <= 0) return kraken_error("EGeneral:Invalid arguments:price2");
      if (!in.price_on_grid(*p)) return kraken_error("EOrder:Tick size check failed");
      o.limit = *p;
    }
  }
  o.has_limit = req.type == OrderType::limit || req.type == OrderType::iceberg;

  // Cost minimum: at the limit price, else the trigger price, else the last trade.
  const Price ref = o.has_limit ? o.limit : (o.trigger.value ? o.trigger : engines_[pair]->last_price().value_or(Price{}));
  if (ref.value > 0) {
    const Int128 pxq = static_cast<Int128>(ref.value) * o.volume.value;
    const Int128 min = static_cast<Int128>(in.cost_min.mantissa) *
                       kPow10[std::max(0, in.price_precision + in.qty_precision - in.cost_min.scale)];
    if (in.cost_min.scale <= in.price_precision + in.qty_precision && pxq < min)
      return kraken_error("EOrder:Cost minimum not met");
  }

  if (req.tif == TimeInForce::gtd) {
    if (!req.expiretm) return kraken_error("EGeneral:Invalid arguments:expiretm");
    if (*req.expiretm < now() + std::chrono::seconds(5)) return kraken_error("EGeneral:Invalid arguments:expiretm");
    o.expiretm = *req.expiretm;
  } else if (req.expiretm) {
    return kraken_error("EGeneral:Invalid arguments:expiretm");
  }
  if (req.tif == TimeInForce::fok && !o.has_limit && req.type != OrderType::market)
    return kraken_error("EGeneral:Invalid arguments:timeinforce");
  if (req.post_only && !o.has_limit && !triggers_into_limit(req.type))
    return kraken_error("EGeneral:Invalid arguments:oflags");
  if (req.fcib && req.fciq) return kraken_error("EGeneral:Invalid arguments:oflags");

  if (req.cl_ord_id && req.userref) return kraken_error("EGeneral:Invalid arguments:cl_ord_id");
  if (req.cl_ord_id) {
    if (!valid_cl_ord_id(*req.cl_ord_id)) return kraken_error("EGeneral:Invalid arguments:cl_ord_id");
    if (open_cl_ord_id_.count({id, *req.cl_ord_id})) return kraken_error("EOrder:cl_ord_id already in use");
  }
  if (req.deadline && *req.deadline < now()) return kraken_error("EService:Deadline elapsed");

  if (req.reduce_only) {
    // Reduce-only: only against open opposite positions, and never more than they hold (a
    // reduce-only order does not flip the position).
    std::int64_t opposite = 0;
    for (const Position* p : positions(id))
      if (p->pair == pair && p->side != req.side) opposite += p->open().value;
    if (opposite == 0) return kraken_error("EOrder:Reduce only:No position exists");
    if (o.volume.value > opposite) o.volume = Qty{opposite};
  }
  rec.pair = pair;
  rec.margin = leverage > 0;
  rec.leverage_n = leverage;
  if (leverage) rec.leverage = fmt::format("{}:1", leverage);
  rec.reduce_only = req.reduce_only;
  rec.cl_ord_id = req.cl_ord_id;
  rec.userref = req.userref;
  rec.trigger = req.trigger;
  rec.fee_in_base = req.fcib;
  rec.close = req.close;
  std::string flags;
  auto add_flag = [&](const char* f) {
    if (!flags.empty()) flags += ',';
    flags += f;
  };
  if (req.post_only) add_flag("post");
  add_flag(req.fcib ? "fcib" : "fciq");
  rec.oflags = flags;
  return o;
}

result<AddOrderResult> Exchange::add_order(AccountId id, const AddOrderRequest& req) { return place(id, req, true); }

result<AddOrderResult> Exchange::place(AccountId id, const AddOrderRequest& req, bool charge_add) {
  auto pair = pair_index(req.pair);
  if (!pair) return kraken_error("EQuery:Unknown asset pair");
  OrderRecord probe;
  probe.pair = *pair;
  probe.order.type = req.type;
  if (auto s = check_status_allows(probe, req.post_only); !s) return s.error();

  if (req.type == OrderType::settle_position) return settle_position(id, *pair, req);
  auto rec = std::make_unique<OrderRecord>();
  auto built = build_order(id, *pair, req, *rec);
  if (!built) return built.error();
  Order o = *built;
  rec->order = o;
  rec->descr = describe(*pair, *rec);
  if (req.close) {
    rec->close_descr = "close position @ " + describe_type(req.close->type, req.close->price.value_or(""),
                                                           req.close->price2.value_or(""));
  }
  AddOrderResult out{"", rec->descr, rec->close_descr, req.cl_ord_id, req.userref};
  if (req.validate) return out;

  // Engine-level checks: the per-pair trading counter, open-order limit, funds.
  if (charge_add)
    if (auto r = charge_rate(id, *pair, kraken::trading_cost(TradingAction::add, {})); !r) return r.error();
  if (auto it = open_per_pair_.find({id, *pair}); it != open_per_pair_.end() && it->second >= limits().max_open_per_pair)
    return kraken_error("EOrder:Orders limit exceeded");
  if (auto r = reserve(id, *rec, o); !r) return r.error();

  o.id = next_order_++;
  rec->order.id = o.id;
  rec->txid = next_id('O');
  rec->last_change = now();
  record_amend(*rec, next_id('T'), "original");
  out.txid = rec->txid;
  OrderRecord* r = rec.get();
  by_txid_[rec->txid] = o.id;
  index_open(*rec);  // before submit: a fill during submit unindexes it again
  orders_[o.id] = std::move(rec);
  if (req.starttm && *req.starttm > now()) {
    // Scheduled: accepted and funded now, in the book at starttm (tick() submits it).
    r->starttm = *req.starttm;
    r->order.status = OrderStatus::pending;
    r->order.opentm = now();
    scheduled_.emplace_back(*req.starttm, o.id);
    return out;
  }
  submit_to_engine(*r);
  return out;
}

void Exchange::submit_to_engine(OrderRecord& rec) {
  rec.order = engines_[rec.pair]->submit(rec.order, now());
  for (auto* ob : observers_) ob->on_book_changed(rec.pair);
  run_pending_closes();
}

bool Exchange::cancel_scheduled(OrderRecord& rec, std::optional<CancelReason> reason) {
  auto it = std::find_if(scheduled_.begin(), scheduled_.end(), [&](const auto& s) { return s.second == rec.order.id; });
  if (it == scheduled_.end()) return false;
  scheduled_.erase(it);
  Order o = rec.order;
  o.status = OrderStatus::canceled;
  on_engine_closed(o, reason);
  return true;
}

// settle-position: closes opposite margin positions with the account's own funds instead of a
// trade in the book (Kraken's docs list the type without describing it; this is the simulator's
// reading). A sell settles longs: the borrowed cost is paid in quote and the base is received;
// a buy settles shorts: the base is delivered and the cost received. volume 0 = everything.
// Booked as "settled" ledger entries; the order closes at once at the positions' entry prices.
result<AddOrderResult> Exchange::settle_position(AccountId id, std::size_t pair, const AddOrderRequest& req) {
  const auto& in = *instruments_[pair];
  auto vol = parse_fixed(req.volume, in.qty_precision);
  if (!vol || *vol < 0) return kraken_error("EGeneral:Invalid arguments:volume");
  if (req.price || req.price2) return kraken_error("EGeneral:Invalid arguments:price");
  const Side settles = opposite(req.side);  // the side of the positions this order settles
  std::int64_t open_vol = 0;
  for (const Position* p : positions(id))
    if (p->pair == pair && p->side == settles) open_vol += p->open().value;
  if (open_vol == 0) return kraken_error("EOrder:Reduce only:No position exists");
  const std::int64_t want = *vol == 0 ? open_vol : std::min(*vol, open_vol);
  const std::size_t base = pair_base_[pair], quote = pair_quote_[pair];
  const std::int64_t lot_to_base = kPow10[std::max(0, assets_[base]->decimals - in.qty_precision)];
  // Funds first: the whole settlement or nothing.
  Int128 cost_total = 0;
  {
    std::int64_t left = want;
    for (const Position* p : positions(id)) {
      if (p->pair != pair || p->side != settles || left == 0) continue;
      const std::int64_t q = std::min(left, p->open().value);
      cost_total += static_cast<Int128>(p->cost) * q / p->open().value;
      left -= q;
    }
  }
  if (settles == Side::buy ? available(id, quote) < cost_total : available(id, base) < static_cast<Int128>(want) * lot_to_base)
    return kraken_error("EOrder:Insufficient funds");
  AddOrderResult out;
  auto rec = std::make_unique<OrderRecord>();
  rec->pair = pair;
  rec->order.account = id;
  rec->order.side = req.side;
  rec->order.type = OrderType::settle_position;
  rec->order.volume = Qty{want};
  rec->leverage = req.leverage;
  rec->margin = true;
  rec->descr = describe(pair, *rec);
  out.descr = rec->descr;
  if (req.validate) return out;
  rec->order.id = next_order_++;
  rec->txid = next_id('O');
  rec->order.opentm = now();
  const std::string refid = rec->txid;
  std::int64_t left = want;
  for (auto it = positions_.begin(); it != positions_.end() && left > 0;) {
    Position& p = **it;
    if (p.account != id || p.pair != pair || p.side != settles) {
      ++it;
      continue;
    }
    const std::int64_t open = p.open().value;
    const std::int64_t q = std::min(left, open);
    const std::int64_t cost_part = static_cast<std::int64_t>(static_cast<Int128>(p.cost) * q / open);
    const Int128 pxq_part = p.pxq * q / open;
    if (settles == Side::buy) {
      post_ledger(id, quote, -cost_part, 0, refid, "settled");
      post_ledger(id, base, q * lot_to_base, 0, refid, "settled");
    } else {
      post_ledger(id, base, -q * lot_to_base, 0, refid, "settled");
      post_ledger(id, quote, cost_part, 0, refid, "settled");
    }
    p.pxq -= pxq_part;
    p.cost -= cost_part;
    p.margin -= static_cast<std::int64_t>(static_cast<Int128>(p.margin) * q / open);
    p.vol_closed.value += q;
    rec->order.filled.value += q;
    rec->order.cost += pxq_part;
    rec->cost += cost_part;
    left -= q;
    if (p.open().value == 0) it = positions_.erase(it);
    else ++it;
  }
  rec->order.status = OrderStatus::closed;
  rec->closetm = now();
  out.txid = rec->txid;
  by_txid_[rec->txid] = rec->order.id;
  closed_by_account_[id].push_back(rec->order.id);
  const OrderRecord* stored = (orders_[rec->order.id] = std::move(rec)).get();
  emit(id, ExecType::filled, *stored);
  restate_reduce_only(id, pair);
  return out;
}

result<std::vector<result<AddOrderResult>>> Exchange::add_order_batch(AccountId id, const std::vector<AddOrderRequest>& reqs,
                                                                      bool validate) {
  if (reqs.size() < 2 || reqs.size() > 15) return kraken_error("EGeneral:Invalid arguments:orders");
  auto pair = pair_index(reqs.front().pair);
  if (!pair) return kraken_error("EQuery:Unknown asset pair");
  // Validation first, for the whole batch: one invalid order rejects all.
  for (const auto& r : reqs) {
    if (pair_index(r.pair) != pair) return kraken_error("EGeneral:Invalid arguments:pair");
    OrderRecord probe;
    probe.pair = *pair;
    probe.order.type = r.type;
    if (auto s = check_status_allows(probe, r.post_only); !s) return s.error();
    OrderRecord scratch;
    if (auto b = build_order(id, *pair, r, scratch); !b) return b.error();
  }
  // One charge for the batch (n/2), not one per order.
  if (!validate)
    if (auto c = charge_rate(id, *pair, kraken::trading_cost(TradingAction::batch_add, {}, reqs.size())); !c)
      return c.error();
  std::vector<result<AddOrderResult>> out;
  for (auto r : reqs) {
    r.validate = validate;
    out.push_back(place(id, r, false));
  }
  return out;
}

result<int> Exchange::cancel_order(AccountId id, const OrderSelector& which) {
  if (status_ == SystemStatus::maintenance) return kraken_error("EService:Unavailable");
  auto targets = select(id, which);
  // Kraken answers the same for a garbage id and an order that is already closed.
  if (targets.empty()) return kraken_error("EOrder:Invalid order");
  int n = 0;
  for (OrderRecord* r : targets) {
    // Cancels are accepted past the threshold (PROTOCOL.md §5.2), each priced by its order's age.
    (void)charge_rate(id, r->pair, kraken::trading_cost(TradingAction::cancel, rested(*r)));
    if (cancel_scheduled(*r, CancelReason::user_requested)) {
      ++n;
      continue;
    }
    if (engines_[r->pair]->cancel(r->order.id, now())) {
      ++n;
      for (auto* ob : observers_) ob->on_book_changed(r->pair);
    }
  }
  return n;
}

int Exchange::cancel_all(AccountId id) {
  std::vector<std::pair<std::size_t, OrderId>> open;
  if (auto it = open_by_account_.find(id); it != open_by_account_.end())
    for (OrderId oid : it->second) open.emplace_back(orders_.at(oid)->pair, oid);
  int n = 0;
  std::vector<std::size_t> touched;
  for (auto [pair, oid] : open)
    if (cancel_scheduled(*record(oid), CancelReason::user_requested) || engines_[pair]->cancel(oid, now())) {
      ++n;
      touched.push_back(pair);
    }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (auto p : touched)
    for (auto* ob : observers_) ob->on_book_changed(p);
  return n;
}

result<std::pair<WallTime, WallTime>> Exchange::cancel_all_orders_after(AccountId id, std::int64_t timeout_s) {
  if (timeout_s < 0) return kraken_error("EGeneral:Invalid arguments:timeout");
  if (timeout_s >= 86400) return kraken_error("EGeneral:Invalid timeout argument:above max");
  const WallTime t = now();
  if (timeout_s == 0) {
    deadman_.erase(id);
    return std::pair{t, WallTime{}};
  }
  const WallTime trigger = t + std::chrono::seconds(timeout_s);
  deadman_[id] = trigger;
  return std::pair{t, trigger};
}

result<std::string> Exchange::amend_order(AccountId id, const AmendOrderRequest& req) {
  if (status_ == SystemStatus::maintenance) return kraken_error("EService:Unavailable");
  if (status_ == SystemStatus::cancel_only) return kraken_error("EService:Market in cancel_only mode");
  if (!req.which.txid && !req.which.cl_ord_id) return kraken_error("EGeneral:Invalid arguments:txid");
  auto targets = select(id, req.which);
  if (targets.empty()) return kraken_error("EOrder:Unknown order");
  OrderRecord& r = *targets.front();
  const auto& in = *instruments_[r.pair];
  if (r.close) return kraken_error("EOrder:Cannot amend order with conditional close");
  if (req.deadline && *req.deadline < now()) return kraken_error("EService:Deadline elapsed");
  MatchingEngine::Amend a;
  a.post_only = req.post_only;
  if (req.order_qty) {
    auto q = parse_fixed(*req.order_qty, in.qty_precision);
    if (!q || *q <= 0) return kraken_error("EGeneral:Invalid arguments:order_qty");
    a.volume = Qty{*q};
  }
  if (req.display_qty) {
    if (r.order.type != OrderType::iceberg) return kraken_error("EGeneral:Invalid arguments:display_qty");
    auto q = parse_fixed(*req.display_qty, in.qty_precision);
    if (!q || *q <= 0) return kraken_error("EGeneral:Invalid arguments:display_qty");
    a.display = Qty{*q};
  }
  if (req.limit_price) {
    if (!r.order.has_limit && !triggers_into_limit(r.order.type)) return kraken_error("EGeneral:Invalid arguments:limit_price");
    auto p = parse_price(r.pair, r.order.side, *req.limit_price, "limit_price", true, nullptr);
    if (!p) return p.error();
    if (!in.price_on_grid(*p)) return kraken_error("EOrder:Tick size check failed");
    a.limit = *p;
  }
  if (req.trigger_price) {
    if (!is_triggered(r.order.type) || r.order.triggered) return kraken_error("EGeneral:Invalid arguments:trigger_price");
    auto p = parse_price(r.pair, r.order.side, *req.trigger_price, "trigger_price", true, nullptr);
    if (!p) return p.error();
    a.trigger = *p;
  }
  if (auto c = charge_rate(id, r.pair, kraken::trading_cost(TradingAction::amend, rested(r))); !c) return c.error();
  // The hold follows the amended order: quantity for sells, cost + fee for buys (also the price).
  if (a.volume || (r.order.side == Side::buy && a.limit)) {
    Order probe = r.order;
    if (a.volume) probe.volume = Qty{a.volume->value - r.order.filled.value};
    if (a.limit) probe.limit = *a.limit;
    const std::int64_t old_held = r.held;
    const std::int64_t old_asset = r.hold_asset;
    release_hold(r, r.held);
    if (probe.volume.value > 0) {
      if (auto res = reserve(id, r, probe); !res) {
        Account* acct = account(id);
        acct->hold[static_cast<std::size_t>(old_asset)] += old_held;
        r.hold_asset = old_asset;
        r.held = old_held;
        return res.error();
      }
    }
  }
  if (!engines_[r.pair]->amend(r.order.id, a, now())) {
    if (a.post_only) return kraken_error("EOrder:Post only order");
    return kraken_error("EOrder:Unknown order");
  }
  r.last_change = now();
  r.misc = "amended";
  if (const Order* live = engines_[r.pair]->find(r.order.id)) r.order = *live;
  r.descr = describe(r.pair, r);
  std::string amend_id = next_id('T');
  record_amend(r, amend_id, "user");
  emit(id, ExecType::amended, r);
  for (auto* ob : observers_) ob->on_book_changed(r.pair);
  run_pending_closes();
  return amend_id;
}

void Exchange::record_amend(OrderRecord& r, std::string amend_id, std::string type, std::string reason) {
  const Order& o = r.order;
  AmendRecord a;
  a.amend_id = std::move(amend_id);
  a.type = std::move(type);
  a.reason = std::move(reason);
  a.volume = o.volume;
  a.remaining = o.remaining();
  a.display = o.display;
  if (o.has_limit || triggers_into_limit(o.type)) a.limit = o.limit;
  if (is_triggered(o.type)) a.trigger = o.trigger;
  a.post_only = o.post_only;
  a.at = now();
  r.amends.push_back(std::move(a));
}

result<EditOrderResult> Exchange::edit_order(AccountId id, const EditOrderRequest& req) {
  if (status_ == SystemStatus::maintenance) return kraken_error("EService:Unavailable");
  auto pair = pair_index(req.pair);
  if (!pair) return kraken_error("EQuery:Unknown asset pair");
  auto targets = select(id, req.which);
  if (targets.empty()) return kraken_error("EOrder:Unknown order");
  OrderRecord& old = *targets.front();
  if (old.pair != *pair) return kraken_error("EGeneral:Invalid arguments:pair");
  if (is_triggered(old.order.type) || old.close) return kraken_error("EOrder:Cannot edit triggered or conditional order");
  const auto& in = *instruments_[old.pair];
  AddOrderRequest add;
  add.pair = req.pair;
  add.side = old.order.side;
  add.type = old.order.type;
  add.volume = req.volume.value_or(format_qty(old.pair, old.order.volume));
  if (old.order.has_limit) add.price = req.price.value_or(format_price(old.pair, old.order.limit));
  if (req.price2) add.price2 = req.price2;
  if (old.order.type == OrderType::iceberg)
    add.displayvol = req.displayvol.value_or(format_qty(old.pair, old.order.display));
  add.tif = old.order.tif;
  add.post_only = req.post_only.value_or(old.order.post_only);
  add.fcib = old.fee_in_base;
  add.userref = req.new_userref ? req.new_userref : old.userref;
  add.validate = true;
  auto check = add_order(id, add);
  if (!check) return check.error();
  // The new volume includes what the old order already executed (Kraken: fills stay on the old).
  auto newvol = parse_fixed(add.volume, in.qty_precision);
  if (!newvol || *newvol <= old.order.filled.value) return kraken_error("EGeneral:Invalid arguments:volume");
  EditOrderResult out;
  out.original_txid = old.txid;
  if (req.validate) {
    out.descr = check->descr;
    return out;
  }
  // One charge for the whole edit, refused before the old order is touched; the replacement's
  // placement is part of it and not charged as an add of its own.
  if (auto c = charge_rate(id, old.pair, kraken::trading_cost(TradingAction::edit, rested(old))); !c) return c.error();
  engines_[old.pair]->cancel(old.order.id, now());
  out.orders_cancelled = 1;
  add.validate = false;
  add.volume = format_qty(old.pair, Qty{*newvol - old.order.filled.value});
  auto placed = place(id, add, false);
  if (!placed) return placed.error();
  out.txid = placed->txid;
  out.descr = placed->descr;
  out.volume = add.volume;
  out.price = add.price.value_or("0");
  out.price2 = add.price2.value_or("0");
  return out;
}

void Exchange::set_status(SystemStatus s) {
  if (s == status_) return;
  status_ = s;
  for (auto* o : observers_) o->on_status(s);
}

result<void> Exchange::set_pair_status(std::string_view pair, PairStatus status) {
  auto idx = pair_index(pair);
  if (!idx) return kraken_error("EQuery:Unknown asset pair");
  InstrumentUpdate u;
  u.symbol = instruments_[*idx]->symbol;
  u.status = status;
  if (auto r = registry_.apply(u); !r) return r.error();
  // The registry keeps the pair order, so indexes stay valid; refresh our views of it.
  instruments_ = registry_.instruments();
  for (auto* o : observers_) o->on_instrument(*idx);
  return {};
}

void Exchange::tick() {
  const WallTime t = now();
  for (std::size_t p = 0; p < engines_.size(); ++p) {
    const auto before = engines_[p]->resting_count();
    engines_[p]->expire(t);
    if (engines_[p]->resting_count() != before)
      for (auto* ob : observers_) ob->on_book_changed(p);
  }
  // Margin rollover: 0.01 % of each position's open cost every 4 hours ("terms" in
  // OpenPositions), booked as a "rollover" ledger entry on the quote balance.
  for (auto& p : positions_)
    while (p->next_rollover <= t) {
      const std::int64_t fee = (p->cost + 9999) / 10000;
      post_ledger(p->account, pair_quote_[p->pair], 0, fee, p->txid, "rollover");
      p->fee += fee;
      p->next_rollover += std::chrono::hours(4);
    }
  // Scheduled orders whose starttm has come enter the book, earliest first.
  std::sort(scheduled_.begin(), scheduled_.end());
  while (!scheduled_.empty() && scheduled_.front().first <= t) {
    const OrderId oid = scheduled_.front().second;
    scheduled_.erase(scheduled_.begin());
    if (OrderRecord* r = record(oid)) submit_to_engine(*r);
  }
  run_pending_closes();
  for (const auto& a : accounts_) prune_history(a->id);
  for (auto it = deadman_.begin(); it != deadman_.end();) {
    if (it->second <= t) {
      const AccountId id = it->first;
      it = deadman_.erase(it);
      cancel_all(id);
    } else {
      ++it;
    }
  }
}

}  // namespace kgw::sim
