#include "kgw/sim/exchange.hpp"
#include "exchange_internal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace kgw::sim {
namespace {

using detail::kraken_error;

}  // namespace

// Bridges engine callbacks to the exchange's records, accounts and observers.
class Exchange::EngineListener final : public MatchingEngine::Listener {
 public:
  explicit EngineListener(Exchange& ex) : ex_(ex) {}
  void on_accepted(const Order& o) override {
    if (OrderRecord* r = ex_.record(o.id)) {
      r->order = o;
      ex_.emit(o.account, ExecType::pending_new, *r);
      ex_.emit(o.account, ExecType::new_, *r);
    }
  }
  void on_fill(const Order& taker, const Order& maker, Price price, Qty qty, std::uint64_t trade_id) override {
    OrderRecord* t = ex_.record(taker.id);
    OrderRecord* m = ex_.record(maker.id);
    if (!t || !m) return;
    t->order = taker;
    m->order = maker;
    ex_.settle_fill(*t, *m, price, qty, trade_id);
  }
  void on_triggered(const Order& o) override {
    if (OrderRecord* r = ex_.record(o.id)) {
      r->order = o;
      r->misc = "triggered";
      ex_.emit(o.account, ExecType::status, *r, nullptr, "triggered");
    }
  }
  void on_closed(const Order& o, std::optional<CancelReason> reason) override { ex_.on_engine_closed(o, reason); }
  void on_amended(const Order& o) override {
    if (OrderRecord* r = ex_.record(o.id)) r->order = o;
  }

 private:
  Exchange& ex_;
};

Exchange::Exchange(Config config, const Clock& clock) : clock_(clock), cfg_(std::move(config)), id_state_(cfg_.seed) {
  if (auto r = registry_.load(cfg_.assets, cfg_.instruments); !r)
    throw std::invalid_argument("simulator reference data: " + r.error().message());
  instruments_ = registry_.instruments();
  assets_ = registry_.assets();
  listener_ = std::make_unique<EngineListener>(*this);
  for (const auto& in : instruments_) {
    auto base = registry_.find_asset(in->base_asset);
    auto quote = registry_.find_asset(in->quote_asset);
    if (!base || !quote)
      throw std::invalid_argument(fmt::format("simulator reference data: pair {} needs assets {} and {}", in->rest_key,
                                              in->base_asset, in->quote_asset));
    auto idx = [&](const std::shared_ptr<const Asset>& a) {
      return static_cast<std::size_t>(std::find(assets_.begin(), assets_.end(), a) - assets_.begin());
    };
    pair_base_.push_back(idx(base));
    pair_quote_.push_back(idx(quote));
    engines_.push_back(std::make_unique<MatchingEngine>(
        MatchingEngine::Config{in->price_precision, in->qty_precision}, *listener_));
  }
}

Exchange::~Exchange() = default;

void Exchange::remove_observer(Observer* o) { observers_.erase(std::remove(observers_.begin(), observers_.end(), o), observers_.end()); }

std::optional<std::size_t> Exchange::pair_index(std::string_view name) const {
  auto p = registry_.find(name);
  if (!p) return std::nullopt;
  for (std::size_t i = 0; i < instruments_.size(); ++i)
    if (instruments_[i]->rest_key == p->rest_key) return i;
  return std::nullopt;
}

std::optional<std::size_t> Exchange::asset_index(std::string_view name) const {
  auto a = registry_.find_asset(name);
  if (!a) return std::nullopt;
  for (std::size_t i = 0; i < assets_.size(); ++i)
    if (assets_[i]->id == a->id) return i;
  return std::nullopt;
}

std::string Exchange::next_id(char prefix) {
  // Kraken ids look like OUF4EM-FRGI2-MQMWZD: 6-5-6 upper-case letters and digits. splitmix64
  // keeps them deterministic for a seed.
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  auto next = [this] {
    std::uint64_t z = (id_state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  std::uint64_t a = next(), b = next();
  std::string id(19, '-');
  id[0] = prefix;
  for (int i = 1; i < 19; ++i) {
    if (i == 6 || i == 12) continue;
    id[static_cast<std::size_t>(i)] = kAlphabet[a & 31];
    a >>= 5;
    if (i == 11) a = b;
  }
  return id;
}

// ---------------------------------------------------------------- accounts

AccountId Exchange::add_account(std::string name, std::string api_key, Secret api_secret, Permissions perms) {
  auto acct = std::make_unique<Account>();
  acct->id = static_cast<AccountId>(accounts_.size() + 1);
  acct->name = std::move(name);
  acct->api_key = api_key;
  acct->api_secret = std::move(api_secret);
  acct->perms = perms;
  acct->balance.assign(assets_.size(), 0);
  acct->hold.assign(assets_.size(), 0);
  const AccountId id = acct->id;
  by_key_[api_key] = id;
  accounts_.push_back(std::move(acct));
  return id;
}

Account* Exchange::account(AccountId id) { return id >= 1 && id <= accounts_.size() ? accounts_[id - 1].get() : nullptr; }
const Account* Exchange::account(AccountId id) const {
  return id >= 1 && id <= accounts_.size() ? accounts_[id - 1].get() : nullptr;
}
const Account* Exchange::account_by_key(std::string_view key) const {
  auto it = by_key_.find(std::string(key));
  return it == by_key_.end() ? nullptr : account(it->second);
}

bool Exchange::accept_nonce(AccountId id, std::uint64_t nonce) {
  Account* a = account(id);
  if (!a || nonce <= a->last_nonce) return false;
  a->last_nonce = nonce;
  return true;
}

std::int64_t Exchange::available(AccountId id, std::size_t asset) const {
  const Account* a = account(id);
  return a ? a->balance[asset] - a->hold[asset] : 0;
}

result<void> Exchange::deposit(AccountId id, std::string_view asset, std::string_view amount, std::string_view type) {
  auto idx = asset_index(asset);
  if (!idx) return Error(errc::not_found, fmt::format("unknown asset '{}'", asset));
  auto m = parse_fixed_checked(amount, assets_[*idx]->decimals, "amount");
  if (!m) return m.error();
  if (!account(id)) return Error(errc::not_found, "unknown account");
  post_ledger(id, *idx, *m, 0, next_id('Q'), std::string(type));
  return {};
}

void Exchange::post_ledger(AccountId id, std::size_t asset, std::int64_t amount, std::int64_t fee, std::string refid,
                           std::string type, std::string subtype) {
  Account* a = account(id);
  a->balance[asset] += amount - fee;
  LedgerEntry e;
  e.id = next_id('L');
  e.refid = std::move(refid);
  e.time = now();
  e.type = std::move(type);
  e.subtype = std::move(subtype);
  e.asset = asset;
  e.amount = amount;
  e.fee = fee;
  e.balance = a->balance[asset];
  a->ledger.push_back(e);
  for (auto* o : observers_) o->on_ledger(id, a->ledger.back());
}

// ---------------------------------------------------------------- formatting

std::string Exchange::format_price(std::size_t pair, Price p) const {
  return format_fixed(p.value, instruments_.at(pair)->price_precision);
}
std::string Exchange::format_qty(std::size_t pair, Qty q) const { return format_fixed(q.value, instruments_.at(pair)->qty_precision); }
std::string Exchange::format_asset(std::size_t asset, std::int64_t amount) const {
  return format_fixed(amount, assets_.at(asset)->decimals);
}

std::int64_t Exchange::to_asset_amount(std::size_t pair, Int128 pxq, std::size_t asset, bool round_up) const {
  const auto& in = *instruments_[pair];
  const int from = in.price_precision + in.qty_precision;
  const int to = assets_[asset]->decimals;
  if (to >= from) return static_cast<std::int64_t>(pxq * kPow10[to - from]);
  const Int128 div = kPow10[from - to];
  Int128 q = pxq / div;
  const Int128 r = pxq % div;
  if (round_up ? r > 0 : r * 2 >= div) ++q;  // fees round up, costs to nearest
  return static_cast<std::int64_t>(q);
}

// The "@ ..." part of Kraken's descr texts: "limit 30010.0", "market", "stop loss 2310.00",
// "stop loss 2677.00 -> limit 2577.00", "take profit ...", "trailing stop +5.0000% -> limit -100.0"
// (sim/KRAKEN-BEHAVIOUR.md §4; iceberg orders read like limits).
std::string describe_type(OrderType type, std::string_view price, std::string_view price2) {
  switch (type) {
    case OrderType::market: return "market";
    case OrderType::limit:
    case OrderType::iceberg: return fmt::format("limit {}", price);
    case OrderType::stop_loss: return fmt::format("stop loss {}", price);
    case OrderType::take_profit: return fmt::format("take profit {}", price);
    case OrderType::stop_loss_limit: return fmt::format("stop loss {} -> limit {}", price, price2);
    case OrderType::take_profit_limit: return fmt::format("take profit {} -> limit {}", price, price2);
    case OrderType::trailing_stop: return fmt::format("trailing stop {}", price);
    case OrderType::trailing_stop_limit: return fmt::format("trailing stop {} -> limit {}", price, price2);
    case OrderType::settle_position: return "settle position";
  }
  return "market";
}

std::string Exchange::describe(std::size_t pair, const OrderRecord& rec) const {
  const auto& in = *instruments_[pair];
  const Order& o = rec.order;
  auto offset = [&](const PriceOffset& off) {
    const std::string v = off.pct ? format_fixed(off.value < 0 ? -off.value : off.value, 4) + "%"
                                  : format_price(pair, Price{off.value < 0 ? -off.value : off.value});
    return (off.value < 0 ? "-" : "+") + v;
  };
  std::string price, price2;
  if (o.type == OrderType::trailing_stop || o.type == OrderType::trailing_stop_limit) {
    price = offset(o.trail);
    price2 = offset(o.limit_off);
  } else if (is_triggered(o.type)) {
    price = format_price(pair, o.trigger);
    price2 = format_price(pair, o.limit);
  } else {
    price = format_price(pair, o.limit);
  }
  std::string s = fmt::format("{} {} {} @ {}", to_string(o.side), format_qty(pair, o.volume), in.altname,
                              describe_type(o.type, price, price2));
  if (rec.leverage) s += fmt::format(" with {} leverage", *rec.leverage);
  return s;
}

// ---------------------------------------------------------------- validation helpers

result<Price> Exchange::parse_price(std::size_t pair, Side side, std::string_view text, std::string_view field,
                                    bool allow_relative, PriceOffset* offset_out) const {
  const auto& in = *instruments_[pair];
  char prefix = 0;
  bool pct = false;
  std::string_view t = text;
  if (!t.empty() && (t.front() == '+' || t.front() == '-' || t.front() == '#')) {
    prefix = t.front();
    t.remove_prefix(1);
  }
  if (!t.empty() && t.back() == '%') {
    pct = true;
    t.remove_suffix(1);
  }
  if ((prefix || pct) && !allow_relative) return kraken_error(fmt::format("EGeneral:Invalid arguments:{}", field));
  if (prefix || pct) {
    // Relative: an offset from the last trade price (or, for trailing stops, from the peak).
    PriceOffset off;
    off.pct = pct;
    auto v = pct ? parse_fixed(t, 4) : parse_fixed(t, in.price_precision);
    if (!v || *v < 0) {
      if (v && v.error().is(errc::precision_exceeded))
        return kraken_error(fmt::format("EOrder:Invalid price:{} price can only be specified up to {} decimals.",
                                        in.wsname, in.price_precision));
      return kraken_error(fmt::format("EGeneral:Invalid arguments:{}", field));
    }
    off.value = *v;  // pct parsed at 4 decimals: units of 1e-4 % (2% -> 20000), as the engine expects
    const bool negative = prefix == '-' || (prefix == '#' && side == Side::buy);
    if (negative) off.value = -off.value;
    if (offset_out) *offset_out = off;
    const auto last = engines_[pair]->last_price();
    if (!last) return Price{};  // resolved later (trailing) or rejected by the caller
    std::int64_t delta = off.pct ? static_cast<std::int64_t>(static_cast<Int128>(last->value) * off.value / 1'000'000)
                                 : off.value;
    return Price{last->value + delta};
  }
  auto v = parse_fixed(t, in.price_precision);
  if (!v) {
    if (v.error().is(errc::precision_exceeded))
      return kraken_error(fmt::format("EOrder:Invalid price:{} price can only be specified up to {} decimals.",
                                      in.wsname, in.price_precision));
    return kraken_error(fmt::format("EGeneral:Invalid arguments:{}", field));
  }
  if (*v <= 0) return kraken_error(fmt::format("EGeneral:Invalid arguments:{}", field));
  if (offset_out) *offset_out = PriceOffset{};
  return Price{*v};
}

result<void> Exchange::check_status_allows(const OrderRecord& rec, bool post_only) const {
  const auto& in = *instruments_[rec.pair];
  if (status_ == SystemStatus::maintenance || in.status == PairStatus::maintenance ||
      in.status == PairStatus::delisted || in.status == PairStatus::work_in_progress)
    return kraken_error("EService:Unavailable");
  if (status_ == SystemStatus::cancel_only || in.status == PairStatus::cancel_only)
    return kraken_error("EService:Market in cancel_only mode");
  const bool passive_limit = post_only && (rec.order.type == OrderType::limit || rec.order.type == OrderType::iceberg);
  if ((status_ == SystemStatus::post_only || in.status == PairStatus::post_only) && !passive_limit)
    return kraken_error("EService:Market in post_only mode");
  if (in.status == PairStatus::limit_only && rec.order.type == OrderType::market)
    return kraken_error("EService:Market in limit_only mode");
  return {};
}

std::int64_t Exchange::fee_for(AccountId id, std::size_t pair, std::int64_t cost, bool maker) const {
  const auto& in = *instruments_[pair];
  const auto& tiers = maker && !in.fees_maker.empty() ? in.fees_maker : in.fees_taker;
  if (tiers.empty() || cost == 0) return 0;
  const Account* a = account(id);
  const Decimal volume{a ? a->volume_30d_usd : 0, 0};
  Decimal pct = tiers.front().percent;
  for (const auto& t : tiers)
    if (t.volume <= volume) pct = t.percent;
  // cost × pct / 100, rounded up in the cost's unit.
  const Int128 num = static_cast<Int128>(cost) * pct.mantissa;
  const Int128 den = static_cast<Int128>(kPow10[pct.scale]) * 100;
  return static_cast<std::int64_t>((num + den - 1) / den);
}

// ---------------------------------------------------------------- rate counter

double Exchange::rate_counter(AccountId id, std::size_t pair) const {
  auto it = rate_.find({id, pair});
  if (it == rate_.end()) return 0;
  return kraken::decayed(it->second.first, now() - it->second.second, limits().trading_decay_per_s);
}

result<void> Exchange::charge_rate(AccountId id, std::size_t pair, double amount) {
  const double current = rate_counter(id, pair);
  rate_[{id, pair}] = {current + amount, now()};
  if (current + amount > limits().trading_threshold) return kraken_error("EOrder:Rate limit exceeded");
  return {};
}

// ---------------------------------------------------------------- records and events

OrderRecord* Exchange::record(OrderId oid) {
  auto it = orders_.find(oid);
  return it == orders_.end() ? nullptr : it->second.get();
}

void Exchange::emit(AccountId id, ExecType type, const OrderRecord& rec, const TradeRecord* trade, std::string reason) {
  Execution e{type, &rec, trade, std::move(reason)};
  for (auto* o : observers_) o->on_execution(id, e);
}

const OrderRecord* Exchange::find_order(AccountId id, std::string_view txid) const {
  auto it = by_txid_.find(std::string(txid));
  if (it == by_txid_.end()) return nullptr;
  const OrderRecord* r = orders_.at(it->second).get();
  return r->order.account == id ? r : nullptr;
}

std::vector<const OrderRecord*> Exchange::open_orders(AccountId id) const {
  std::vector<const OrderRecord*> out;
  if (auto it = open_by_account_.find(id); it != open_by_account_.end())
    for (auto oid = it->second.rbegin(); oid != it->second.rend(); ++oid) out.push_back(orders_.at(*oid).get());
  return out;
}

void Exchange::index_open(const OrderRecord& rec) {
  const AccountId a = rec.order.account;
  open_by_account_[a].insert(rec.order.id);
  ++open_per_pair_[{a, rec.pair}];
  if (rec.cl_ord_id) open_cl_ord_id_[{a, *rec.cl_ord_id}] = rec.order.id;
}

void Exchange::unindex_open(const OrderRecord& rec) {
  const AccountId a = rec.order.account;
  if (auto it = open_by_account_.find(a); it != open_by_account_.end() && it->second.erase(rec.order.id)) {
    if (auto c = open_per_pair_.find({a, rec.pair}); c != open_per_pair_.end() && c->second > 0) --c->second;
    if (rec.cl_ord_id) open_cl_ord_id_.erase({a, *rec.cl_ord_id});
  }
}

std::vector<const OrderRecord*> Exchange::closed_orders(AccountId id) const {
  std::vector<const OrderRecord*> out;
  if (auto it = closed_by_account_.find(id); it != closed_by_account_.end())
    for (auto r = it->second.rbegin(); r != it->second.rend(); ++r) out.push_back(orders_.at(*r).get());
  return out;
}

std::vector<const TradeRecord*> Exchange::trades(AccountId id) const {
  std::vector<const TradeRecord*> out;
  if (auto it = trades_by_account_.find(id); it != trades_by_account_.end())
    for (auto r = it->second.rbegin(); r != it->second.rend(); ++r) out.push_back(trades_.at(*r).get());
  return out;
}

const TradeRecord* Exchange::find_trade(AccountId id, std::string_view txid) const {
  auto it = trade_by_txid_.find(std::string(txid));
  if (it == trade_by_txid_.end()) return nullptr;
  const TradeRecord* t = trades_.at(it->second).get();
  const OrderRecord* o = find_order(id, t->ordertxid);
  return o ? t : nullptr;
}

std::vector<OrderRecord*> Exchange::select(AccountId id, const OrderSelector& which) {
  std::vector<OrderRecord*> out;
  auto add_if_open = [&](OrderId oid) {
    OrderRecord* r = record(oid);
    if (r && r->order.account == id && r->order.is_open()) out.push_back(r);
  };
  if (which.txid) {
    if (auto it = by_txid_.find(*which.txid); it != by_txid_.end()) add_if_open(it->second);
  } else if (which.cl_ord_id) {
    if (auto it = open_cl_ord_id_.find({id, *which.cl_ord_id}); it != open_cl_ord_id_.end()) add_if_open(it->second);
  } else if (which.userref) {
    // userref is not unique: every open order of the account carrying it (ascending ids).
    if (auto it = open_by_account_.find(id); it != open_by_account_.end())
      for (OrderId oid : it->second) {
        OrderRecord* r = record(oid);
        if (r && r->userref == which.userref) out.push_back(r);
      }
  }
  return out;
}

// ---------------------------------------------------------------- holds and settlement

result<void> Exchange::reserve(AccountId id, OrderRecord& rec, const Order& o) {
  const std::size_t pair = rec.pair;
  const auto& in = *instruments_[pair];
  Account* a = account(id);
  if (rec.margin) {
    // Margin orders hold nothing; opening exposure needs free margin (equity - margin in use)
    // for cost / leverage + fee, at the limit (or last) price. Reduce-only orders open nothing.
    if (rec.reduce_only) return {};
    const std::size_t quote = pair_quote_[pair];
    const Price ref = o.has_limit ? o.limit : engines_[pair]->last_price().value_or(o.trigger);
    const std::int64_t cost = to_asset_amount(pair, static_cast<Int128>(ref.value) * o.volume.value, quote, true);
    const std::int64_t need = cost / std::max(1, rec.leverage_n) + fee_for(id, pair, cost, false);
    if (collateral(id, quote) - margin_used(id, quote) < need) return kraken_error("EOrder:Insufficient initial margin");
    return {};
  }
  if (o.side == Side::sell) {
    // Sells hold the base quantity.
    const std::size_t base = pair_base_[pair];
    const std::int64_t need = o.volume.value * kPow10[std::max(0, assets_[base]->decimals - in.qty_precision)];
    if (a->balance[base] - a->hold[base] < need) return kraken_error("EOrder:Insufficient funds");
    a->hold[base] += need;
    rec.hold_asset = static_cast<std::int64_t>(base);
    rec.held = need;
    return {};
  }
  // Buys hold cost + taker fee in the quote asset at the limit price, or for market and
  // triggered orders at the price the book (or the trigger) implies now.
  const std::size_t quote = pair_quote_[pair];
  Int128 pxq = 0;
  if (o.has_limit) {
    pxq = static_cast<Int128>(o.limit.value) * o.volume.value;
  } else if (is_triggered(o.type)) {
    const Price ref = triggers_into_limit(o.type) ? o.limit : (o.trigger.value ? o.trigger : engines_[pair]->last_price().value_or(Price{}));
    pxq = static_cast<Int128>(ref.value) * o.volume.value;
  } else {
    std::vector<BookLevel> asks;
    engines_[pair]->top(Side::sell, 1000, asks);
    std::int64_t left = o.volume.value;
    for (const auto& l : asks) {
      const std::int64_t q = std::min(left, l.qty);
      pxq += static_cast<Int128>(l.price) * q;
      left -= q;
      if (!left) break;
    }
  }
  std::int64_t need = to_asset_amount(pair, pxq, quote, true);
  need += fee_for(id, pair, need, false);
  if (a->balance[quote] - a->hold[quote] < need) return kraken_error("EOrder:Insufficient funds");
  a->hold[quote] += need;
  rec.hold_asset = static_cast<std::int64_t>(quote);
  rec.held = need;
  return {};
}

void Exchange::release_hold(OrderRecord& rec, std::int64_t amount) {
  if (rec.hold_asset < 0 || amount <= 0) return;
  amount = std::min(amount, rec.held);
  Account* a = account(rec.order.account);
  a->hold[static_cast<std::size_t>(rec.hold_asset)] -= amount;
  rec.held -= amount;
}

void Exchange::settle_fill(OrderRecord& taker, OrderRecord& maker, Price price, Qty qty, std::uint64_t trade_id) {
  const std::size_t pair = taker.pair;
  const auto& in = *instruments_[pair];
  const std::size_t base = pair_base_[pair], quote = pair_quote_[pair];
  const Int128 pxq = static_cast<Int128>(price.value) * qty.value;
  const std::int64_t cost = to_asset_amount(pair, pxq, quote, false);
  const std::int64_t base_amount = qty.value * kPow10[std::max(0, assets_[base]->decimals - in.qty_precision)];
  const WallTime t = now();

  for (OrderRecord* r : {&taker, &maker}) {
    const bool is_maker = r == &maker;
    const AccountId acct = r->order.account;
    TradeRecord tr;
    tr.txid = next_id('T');
    tr.ordertxid = r->txid;
    tr.postxid = next_id('T');
    tr.pair = pair;
    tr.time = t;
    tr.side = r->order.side;
    tr.ordertype = r->order.type;
    tr.price = price;
    tr.vol = qty;
    tr.cost = cost;
    tr.maker = is_maker;
    tr.trade_id = trade_id;
    const std::int64_t fee_quote = fee_for(acct, pair, cost, is_maker);
    // Fee currency: quote by default (fciq), base with fcib.
    std::int64_t fee_base = 0;
    if (r->fee_in_base) {
      fee_base = fee_for(acct, pair, base_amount, is_maker);
      tr.fee = fee_base;
    } else {
      tr.fee = fee_quote;
    }
    // Release the part of the hold this fill consumed (margin orders hold no funds).
    if (r->margin) {
    } else if (r->order.side == Side::buy) {
      const Int128 hold_px = r->order.has_limit ? static_cast<Int128>(r->order.limit.value) * qty.value : pxq;
      const std::int64_t hold_cost = to_asset_amount(pair, hold_px, quote, true);
      release_hold(*r, hold_cost + fee_for(acct, pair, hold_cost, false));
      if (r->order.remaining().value == 0) release_hold(*r, r->held);
    } else {
      release_hold(*r, base_amount);
    }
    const std::size_t tr_index = next_trade_seq_++;
    if (r->margin) {
      // Margin trades move no base/quote: they open or close positions; fees and realised
      // P&L are booked against the quote balance as "margin" ledger entries.
      margin_fill(*r, tr, price, qty, fee_quote);
    } else if (r->order.side == Side::buy) {
      // Ledger: base and quote movements share the trade id as refid (PROTOCOL.md §8).
      post_ledger(acct, base, base_amount, fee_base, tr.txid, "trade");
      post_ledger(acct, quote, -cost, r->fee_in_base ? 0 : fee_quote, tr.txid, "trade");
    } else {
      post_ledger(acct, base, -base_amount, fee_base, tr.txid, "trade");
      post_ledger(acct, quote, cost, r->fee_in_base ? 0 : fee_quote, tr.txid, "trade");
    }
    if (!r->margin) {
      const Account* a = account(acct);
      tr.ledgers = {a->ledger[a->ledger.size() - 2].id, a->ledger.back().id};
    }
    r->cost += cost;
    r->fee += tr.fee;
    r->trades.push_back(tr.txid);
    trade_by_txid_[tr.txid] = tr_index;
    trades_by_account_[acct].push_back(tr_index);
    const TradeRecord* stored = (trades_[tr_index] = std::make_unique<TradeRecord>(std::move(tr))).get();
    if (auto* acc = account(acct)) {
      // 30-day volume for fee tiers, in whole quote units (good enough for USD pairs).
      acc->volume_30d_usd += cost / kPow10[std::min(18, assets_[quote]->decimals)];
    }
    emit(acct, ExecType::trade, *r, stored);
  }
  PublicTrade pt{pair, taker.order.side, price, qty, !taker.order.has_limit, trade_id, t};
  for (auto* o : observers_) o->on_public_trade(pt);
}

void Exchange::margin_fill(OrderRecord& r, TradeRecord& tr, Price price, Qty qty, std::int64_t fee) {
  const AccountId acct = r.order.account;
  const std::size_t pair = r.pair, quote = pair_quote_[pair];
  std::int64_t left = qty.value;
  // Close opposite positions first, oldest first.
  for (auto it = positions_.begin(); it != positions_.end() && left > 0;) {
    Position& p = **it;
    if (p.account != acct || p.pair != pair || p.side == r.order.side) {
      ++it;
      continue;
    }
    const std::int64_t open = p.open().value;
    const std::int64_t q = std::min(left, open);
    const Int128 entry = p.pxq * q / open;
    const Int128 exit = static_cast<Int128>(price.value) * q;
    const Int128 pnl = p.side == Side::buy ? exit - entry : entry - exit;
    const std::int64_t pnl_amount = pnl >= 0 ? to_asset_amount(pair, pnl, quote, false) : -to_asset_amount(pair, -pnl, quote, false);
    const std::int64_t cost_part = static_cast<std::int64_t>(static_cast<Int128>(p.cost) * q / open);
    const std::int64_t margin_part = static_cast<std::int64_t>(static_cast<Int128>(p.margin) * q / open);
    p.pxq -= entry;
    p.cost -= cost_part;
    p.margin -= margin_part;
    p.vol_closed.value += q;
    left -= q;
    post_ledger(acct, quote, pnl_amount, 0, tr.txid, "margin");
    tr.ledgers.push_back(account(acct)->ledger.back().id);
    tr.postxid = p.txid;
    tr.posstatus = "closed";
    pending_restate_.emplace_back(acct, pair);
    if (p.open().value == 0) it = positions_.erase(it);
    else ++it;
  }
  // What is left opens a new position (reduce-only orders were sized not to flip).
  if (left > 0 && !r.reduce_only) {
    auto p = std::make_unique<Position>();
    p->txid = tr.postxid;
    p->ordertxid = r.txid;
    p->pair = pair;
    p->account = acct;
    p->side = r.order.side;
    p->ordertype = r.order.type;
    p->time = tr.time;
    p->vol = Qty{left};
    p->pxq = static_cast<Int128>(price.value) * left;
    p->cost = to_asset_amount(pair, p->pxq, quote, false);
    p->fee = fee;
    p->leverage = r.leverage_n;
    p->margin = p->cost / std::max(1, r.leverage_n);
    p->oflags = r.oflags;
    p->next_rollover = tr.time + std::chrono::hours(4);
    tr.margin = p->margin;
    tr.posstatus = "open";
    positions_.push_back(std::move(p));
  }
  post_ledger(acct, quote, 0, fee, tr.txid, "margin");
  tr.ledgers.push_back(account(acct)->ledger.back().id);
  tr.fee = fee;
}

void Exchange::restate_reduce_only(AccountId id, std::size_t pair) {
  // A reduce-only order may never exceed the position it reduces: when the position shrinks
  // (another order closed part of it, or it was settled) the engine restates the order down,
  // or cancels it once nothing is left to reduce.
  std::vector<OrderRecord*> orders;
  if (auto it = open_by_account_.find(id); it != open_by_account_.end())
    for (OrderId oid : it->second)
      if (OrderRecord* r = record(oid); r && r->reduce_only && r->pair == pair) orders.push_back(r);
  for (OrderRecord* r : orders) {
    std::int64_t open = 0;
    for (const Position* p : positions(id))
      if (p->pair == pair && p->side != r->order.side) open += p->open().value;
    if (r->order.remaining().value <= open) continue;
    if (open == 0) {
      engines_[pair]->cancel(r->order.id, now(), CancelReason::position_closed);
      continue;
    }
    MatchingEngine::Amend a;
    a.volume = Qty{r->order.filled.value + open};
    if (engines_[pair]->amend(r->order.id, a, now())) {
      if (const Order* live = engines_[pair]->find(r->order.id)) r->order = *live;
      r->descr = describe(pair, *r);
      record_amend(*r, next_id('T'), "restated", "Position reduced");
      emit(id, ExecType::restated, *r, nullptr, "Position reduced");
    }
  }
}

void Exchange::run_pending_closes() {
  while (!pending_restate_.empty()) {
    const auto [id, pair] = pending_restate_.back();
    pending_restate_.pop_back();
    restate_reduce_only(id, pair);
  }
  // A filled order with close[...] places its conditional close: the opposite side, for the
  // executed volume, with the close order type and prices (and the same leverage).
  while (!pending_close_.empty()) {
    const OrderId oid = pending_close_.front();
    pending_close_.erase(pending_close_.begin());
    OrderRecord* r = record(oid);
    if (!r || !r->close) continue;
    AddOrderRequest req;
    req.pair = instruments_[r->pair]->rest_key;
    req.side = opposite(r->order.side);
    req.type = r->close->type;
    req.volume = format_qty(r->pair, r->order.filled);
    req.price = r->close->price;
    req.price2 = r->close->price2;
    if (r->leverage_n) req.leverage = std::to_string(r->leverage_n);
    auto placed = add_order(r->order.account, req);
    r->misc = placed ? "" : "close order rejected: " + (placed.error().kraken ? placed.error().kraken->joined() : placed.error().message());
  }
}

std::vector<const Position*> Exchange::positions(AccountId id) const {
  std::vector<const Position*> out;
  for (const auto& p : positions_)
    if (p->account == id) out.push_back(p.get());
  return out;
}

Exchange::PositionValue Exchange::position_value(const Position& p) const {
  const auto last = engines_[p.pair]->last_price();
  const std::size_t quote = pair_quote_[p.pair];
  if (!last) return {p.cost, 0};
  const Int128 now_pxq = static_cast<Int128>(last->value) * p.open().value;
  const std::int64_t value = to_asset_amount(p.pair, now_pxq, quote, false);
  return {value, p.side == Side::buy ? value - p.cost : p.cost - value};
}

std::optional<Int128> Exchange::value_in(std::size_t from, Int128 amount, std::size_t to) const {
  if (from == to) return amount;
  auto direct = [&](std::size_t a, std::size_t b, Int128 x) -> std::optional<Int128> {
    for (std::size_t p = 0; p < instruments_.size(); ++p) {
      const auto last = engines_[p]->last_price();
      if (!last || last->value == 0) continue;
      const int ad = assets_[a]->decimals, bd = assets_[b]->decimals, pp = instruments_[p]->price_precision;
      if (pair_base_[p] == a && pair_quote_[p] == b) {
        const int scale = ad + pp - bd;  // amount[ad] × price[pp] -> b[bd]
        const Int128 v = x * last->value;
        return scale >= 0 ? v / kPow10[scale] : v * kPow10[-scale];
      }
      if (pair_base_[p] == b && pair_quote_[p] == a) {
        const int scale = bd + pp - ad;
        const Int128 v = scale >= 0 ? x * kPow10[scale] : x / kPow10[-scale];
        return v / last->value;
      }
    }
    return std::nullopt;
  };
  if (auto v = direct(from, to, amount)) return v;
  if (auto xbt = asset_index("XBT"); xbt && from != *xbt && to != *xbt)
    if (auto mid = direct(from, *xbt, amount)) return direct(*xbt, to, *mid);
  return std::nullopt;
}

std::int64_t Exchange::collateral(AccountId id, std::size_t in) const {
  const Account* a = account(id);
  if (!a) return 0;
  Int128 total = 0;
  for (std::size_t i = 0; i < a->balance.size(); ++i)
    if (a->balance[i])
      if (auto v = value_in(i, a->balance[i], in)) total += *v;
  for (const Position* p : positions(id))
    if (auto v = value_in(pair_quote_[p->pair], position_value(*p).net, in)) total += *v;
  return static_cast<std::int64_t>(total);
}

std::int64_t Exchange::margin_used(AccountId id, std::size_t in) const {
  Int128 total = 0;
  for (const Position* p : positions(id))
    if (auto v = value_in(pair_quote_[p->pair], p->margin, in)) total += *v;
  return static_cast<std::int64_t>(total);
}

void Exchange::prune_history(AccountId id) {
  const std::size_t limit = cfg_.history_limit;
  const std::size_t slack = limit / 10 + 1;
  if (auto it = closed_by_account_.find(id); it != closed_by_account_.end() && it->second.size() > limit + slack) {
    const std::size_t drop = it->second.size() - limit;
    for (std::size_t i = 0; i < drop; ++i) {
      const OrderId oid = it->second[i];
      if (auto rec = orders_.find(oid); rec != orders_.end()) {
        by_txid_.erase(rec->second->txid);
        orders_.erase(rec);
      }
    }
    it->second.erase(it->second.begin(), it->second.begin() + static_cast<std::ptrdiff_t>(drop));
  }
  if (auto it = trades_by_account_.find(id); it != trades_by_account_.end() && it->second.size() > limit + slack) {
    const std::size_t drop = it->second.size() - limit;
    for (std::size_t i = 0; i < drop; ++i)
      if (auto t = trades_.find(it->second[i]); t != trades_.end()) {
        trade_by_txid_.erase(t->second->txid);
        trades_.erase(t);
      }
    it->second.erase(it->second.begin(), it->second.begin() + static_cast<std::ptrdiff_t>(drop));
  }
  if (Account* a = account(id); a && a->ledger.size() > limit + slack)
    a->ledger.erase(a->ledger.begin(), a->ledger.begin() + static_cast<std::ptrdiff_t>(a->ledger.size() - limit));
}

void Exchange::on_engine_closed(const Order& o, std::optional<CancelReason> reason) {
  OrderRecord* r = record(o.id);
  if (!r) return;
  unindex_open(*r);
  r->order = o;
  release_hold(*r, r->held);
  r->closetm = now();
  if (reason) r->reason = std::string(to_string(*reason));
  closed_by_account_[o.account].push_back(o.id);
  if (r->close && o.filled.value > 0) pending_close_.push_back(o.id);
  ExecType t = ExecType::filled;
  if (o.status == OrderStatus::canceled) t = ExecType::canceled;
  else if (o.status == OrderStatus::expired) t = ExecType::expired;
  emit(o.account, t, *r, nullptr, r->reason);
}

}  // namespace kgw::sim
