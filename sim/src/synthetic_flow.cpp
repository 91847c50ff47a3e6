#include "kgw/sim/synthetic_flow.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "kgw/sim/default_market.hpp"

namespace kgw::sim {
namespace {

using kraken::TradingAction;

// Randomness is drawn from raw mt19937_64 words with our own transforms: the std::*_distribution
// algorithms differ between standard libraries, and a seed must give the same market everywhere.
double uniform01(std::mt19937_64& g) { return static_cast<double>(g() >> 11) * 0x1.0p-53; }
double normal(std::mt19937_64& g) {
  const double u1 = 1.0 - uniform01(g);  // (0, 1]: log() stays finite
  const double u2 = uniform01(g);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}
std::uint64_t below(std::mt19937_64& g, std::uint64_t n) { return n <= 1 ? 0 : g() % n; }

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
std::int64_t round_up(std::int64_t v, std::int64_t inc) { return inc <= 1 ? v : (v + inc - 1) / inc * inc; }
std::int64_t round_down(std::int64_t v, std::int64_t inc) { return inc <= 1 ? v : v / inc * inc; }
std::int64_t clamp64(Int128 v) {
  constexpr Int128 kMax = std::numeric_limits<std::int64_t>::max() / 16;
  return static_cast<std::int64_t>(v > kMax ? kMax : v < 0 ? 0 : v);
}

// A buy holds its cost plus the taker fee (0.26 % at the top of Kraken's schedule); funding 1 %
// over the cost covers any fee schedule.
constexpr double kFeeAllowance = 1.01;

std::chrono::nanoseconds seconds_to_ns(double s) {
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::min(s, 1e9) * 1e9));
}

}  // namespace

struct SyntheticFlow::Quote {
  OrderId id = 0;
  std::string txid;
  AccountId acct = 0;
  Price price;
  Qty volume, filled;
  WallTime last_change{};
  bool live = true;
};

struct SyntheticFlow::PairState {
  std::size_t pair = 0;  // exchange index
  std::shared_ptr<const Instrument> in;
  std::int64_t tick = 1;                 // price mantissa units
  std::int64_t spread = 1, spacing = 1;  // price mantissa units (multiples of tick)
  int levels = 10;
  Qty min_size, max_size, taker_min, taker_max;
  double taker_rate = 1, refresh_rate = 2, vol = 1e-4, market_share = 0.6, buy_share = 0.5, sweep_prob = 0.05;
  double mid = 0, start_mid = 0;  // price mantissa units; the fair value
  // The ladder's best bid slot. It follows the mid in whole spacings, and only once the mid is
  // more than a spacing away: quotes stay exactly on their slots, a small wobble of the mid costs
  // no requotes, and a move of one spacing costs one amend per side.
  std::int64_t bid0 = 0;
  bool anchored = false;
  std::size_t base = 0, quote = 0;  // asset indexes
  std::mt19937_64 rng;
  WallTime next_taker{WallTime::max()}, next_refresh{WallTime::max()};
  std::vector<Quote> quotes[2];                        // by Side
  std::size_t next_maker = 0, next_taker_account = 0;  // round-robin cursors

  std::vector<Quote>& side(Side s) { return quotes[s == Side::buy ? 0 : 1]; }
  void anchor() {
    const double centre = static_cast<double>(bid0) + static_cast<double>(spread) / 2;
    if (!anchored) {
      bid0 =
          static_cast<std::int64_t>(std::floor((mid - static_cast<double>(spread) / 2) / static_cast<double>(tick))) *
          tick;
      anchored = true;
    } else if (std::abs(mid - centre) > static_cast<double>(spacing)) {
      bid0 += std::llround((mid - centre) / static_cast<double>(spacing)) * spacing;
    }
  }
  std::int64_t slot_price(Side s, int k) const {
    return s == Side::buy ? bid0 - k * spacing : bid0 + spread + k * spacing;
  }
  // How far behind the best slot a price sits (negative: more aggressive than the best slot).
  std::int64_t behind(Side s, std::int64_t price) const {
    return s == Side::buy ? bid0 - price : price - (bid0 + spread);
  }
  std::size_t open_count(AccountId a) const {
    std::size_t n = 0;
    for (const auto& v : quotes)
      for (const auto& q : v) n += q.live && q.acct == a;
    return n;
  }
};

class SyntheticFlow::Listener final : public Exchange::Observer {
 public:
  explicit Listener(SyntheticFlow& flow) : flow_(flow) {}
  void on_execution(AccountId acct, const Execution& e) override { flow_.on_execution(acct, e); }

 private:
  SyntheticFlow& flow_;
};

namespace {

WallTime after(WallTime from, double rate, std::mt19937_64& g) {
  if (rate <= 0) return WallTime::max();
  return from + seconds_to_ns(-std::log(1.0 - uniform01(g)) / rate);
}

std::string random_base64(std::mt19937_64& g, std::size_t chars, std::string_view pad) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string s(chars, 'A');
  for (auto& c : s) c = kAlphabet[g() & 63];
  s += pad;
  return s;
}

}  // namespace

SyntheticFlow::SyntheticFlow(Exchange& ex, Config config) : ex_(ex), cfg_(std::move(config)) {
  if (cfg_.pairs.empty())
    for (const auto& in : ex_.instruments()) cfg_.pairs.push_back(PairConfig{.pair = in->rest_key});
  if (cfg_.maker_accounts < 1 || cfg_.taker_accounts < 1 || cfg_.max_actions_per_step < 1 || cfg_.max_open_per_pair < 1)
    throw std::invalid_argument(
        "synthetic flow: needs at least one maker and one taker account and a positive step budget");
  by_exchange_pair_.assign(ex_.instruments().size(), -1);
  const auto refs = default_reference_prices();

  for (std::size_t k = 0; k < cfg_.pairs.size(); ++k) {
    const PairConfig& pc = cfg_.pairs[k];
    const auto idx = ex_.pair_index(pc.pair);
    if (!idx) throw std::invalid_argument("synthetic flow: unknown pair '" + pc.pair + "'");
    if (by_exchange_pair_[*idx] >= 0)
      throw std::invalid_argument("synthetic flow: pair '" + pc.pair + "' listed twice");
    auto p = std::make_unique<PairState>();
    p->pair = *idx;
    p->in = ex_.instruments()[*idx];
    const Instrument& in = *p->in;
    p->base = ex_.base_asset(*idx);
    p->quote = ex_.quote_asset(*idx);
    p->tick = std::max<std::int64_t>(1, in.price_increment);

    std::optional<std::int64_t> mid;
    auto parse_mid = [&](const std::string& text) {
      auto m = parse_fixed(text, in.price_precision);
      if (!m || *m <= 0) throw std::invalid_argument("synthetic flow: bad start price '" + text + "' for " + pc.pair);
      return *m;
    };
    if (pc.mid) {
      mid = parse_mid(*pc.mid);
    } else {
      for (const auto& [key, text] : refs)
        if (key == in.rest_key) mid = parse_mid(text);
      if (!mid)
        if (auto last = ex_.engine(*idx).last_price()) mid = last->value;
    }
    if (!mid) throw std::invalid_argument("synthetic flow: no start price for " + pc.pair);
    p->mid = p->start_mid = static_cast<double>(*mid);

    // Spread and spacing default to 2 bp and 1 bp of the price: with the default volatility the
    // mid crosses about one level a second, which the makers' rate budget follows comfortably.
    auto ticks_of = [&](double bp) {
      return std::max<std::int64_t>(1, std::llround(p->mid * bp * 1e-4 / static_cast<double>(p->tick)));
    };
    p->spread = (pc.spread_ticks > 0 ? pc.spread_ticks : ticks_of(2)) * p->tick;
    p->spacing = (pc.spacing_ticks > 0 ? pc.spacing_ticks : ticks_of(1)) * p->tick;
    if (pc.levels_per_side < 1 || pc.levels_per_side > 200)
      throw std::invalid_argument("synthetic flow: levels_per_side must be 1..200 for " + pc.pair);
    p->levels = pc.levels_per_side;
    p->anchor();

    const std::int64_t qmin = round_up(std::max<std::int64_t>(in.qty_min, std::max<std::int64_t>(1, in.qty_increment)),
                                       std::max<std::int64_t>(1, in.qty_increment));
    auto size = [&](const std::string& text, std::int64_t multiple) {
      if (text.empty()) return Qty{qmin * multiple};
      auto q = parse_fixed(text, in.qty_precision);
      if (!q || *q <= 0) throw std::invalid_argument("synthetic flow: bad size '" + text + "' for " + pc.pair);
      return Qty{std::max(qmin, round_up(*q, std::max<std::int64_t>(1, in.qty_increment)))};
    };
    p->min_size = size(pc.min_size, 2);
    p->max_size = size(pc.max_size, 400);
    p->taker_min = size(pc.taker_min_size, 1);
    p->taker_max = size(pc.taker_max_size, 200);
    if (p->max_size < p->min_size || p->taker_max < p->taker_min)
      throw std::invalid_argument("synthetic flow: max size below min size for " + pc.pair);
    p->taker_rate = std::max(0.0, pc.taker_rate_per_s);
    p->refresh_rate = std::max(0.0, pc.refresh_rate_per_s);
    p->vol = std::max(0.0, pc.volatility);
    p->market_share = pc.market_share;
    p->buy_share = pc.buy_share;
    p->sweep_prob = pc.sweep_probability;
    // One stream per pair, so adding a pair does not change the others' markets.
    p->rng.seed(splitmix(cfg_.seed ^ splitmix(k + 1)));
    by_exchange_pair_[*idx] = static_cast<int>(pairs_.size());
    pairs_.push_back(std::move(p));
  }

  // Keys look like Kraken's (56 base64 chars; secrets 64 bytes) and are fixed by the seed; a key
  // already taken on this exchange (a second flow with the same seed) is drawn again.
  std::mt19937_64 keys(splitmix(cfg_.seed ^ 0x6B6579730000ULL));
  auto make = [&](const std::string& name) {
    std::string key;
    do key = random_base64(keys, 56, "");
    while (ex_.account_by_key(key));
    return ex_.add_account(name, key, Secret(random_base64(keys, 86, "==")));
  };
  for (int i = 1; i <= cfg_.maker_accounts; ++i) makers_.push_back(make("synthetic-maker-" + std::to_string(i)));
  for (int i = 1; i <= cfg_.taker_accounts; ++i) takers_.push_back(make("synthetic-taker-" + std::to_string(i)));
  is_maker_.assign(static_cast<std::size_t>(std::max(makers_.back(), takers_.back())) + 1, false);
  for (auto a : makers_) is_maker_[a] = true;

  top_up();
  listener_ = std::make_unique<Listener>(*this);
  ex_.add_observer(listener_.get());
}

SyntheticFlow::~SyntheticFlow() {
  ex_.remove_observer(listener_.get());
  // A market maker that stops pulls its quotes rather than leaving a frozen ladder behind.
  for (auto a : makers_) ex_.cancel_all(a);
}

std::vector<std::size_t> SyntheticFlow::pairs() const {
  std::vector<std::size_t> out;
  for (const auto& p : pairs_) out.push_back(p->pair);
  return out;
}

std::optional<Price> SyntheticFlow::mid(std::size_t pair) const {
  if (pair >= by_exchange_pair_.size() || by_exchange_pair_[pair] < 0) return std::nullopt;
  const PairState& p = *pairs_[static_cast<std::size_t>(by_exchange_pair_[pair])];
  return Price{std::llround(p.mid / static_cast<double>(p.tick)) * p.tick};
}

// ---------------------------------------------------------------- driving

void SyntheticFlow::seed_book() {
  for (auto& p : pairs_) {
    if (!tradable(*p, false)) continue;
    budget_ = 8 * p->levels + 8;
    repair(*p);
  }
}

void SyntheticFlow::step(WallTime now) {
  ++stats_.steps;
  if (!last_step_) last_step_ = now;
  const WallTime from =
      std::max(*last_step_, now - std::chrono::duration_cast<std::chrono::nanoseconds>(cfg_.max_catch_up));
  const double dt = std::max(0.0, std::chrono::duration<double>(now - from).count());
  last_step_ = std::max(*last_step_, now);

  top_up();
  for (auto& ptr : pairs_) {
    PairState& p = *ptr;
    walk_mid(p, dt);
    // Events that fell into a pause longer than max_catch_up are re-drawn from its end.
    if (p.next_refresh < from || p.next_refresh == WallTime::max()) p.next_refresh = after(from, p.refresh_rate, p.rng);
    if (p.next_taker < from || p.next_taker == WallTime::max()) p.next_taker = after(from, p.taker_rate, p.rng);
    budget_ = cfg_.max_actions_per_step;
    const bool makers_on = tradable(p, false);
    if (makers_on) repair(p);
    for (; p.next_refresh <= now; p.next_refresh = after(p.next_refresh, p.refresh_rate, p.rng)) {
      if (!makers_on) continue;
      if (budget_ <= 0)
        ++stats_.dropped;
      else
        refresh(p);
    }
    for (; p.next_taker <= now; p.next_taker = after(p.next_taker, p.taker_rate, p.rng)) {
      if (budget_ <= 0)
        ++stats_.dropped;
      else
        take(p);
    }
  }
}

void SyntheticFlow::walk_mid(PairState& p, double dt) {
  if (dt <= 0) return;
  const double z = normal(p.rng);
  double drift = 0;
  if (cfg_.reversion_half_life_s > 0)
    drift = -std::log(2.0) / cfg_.reversion_half_life_s * std::log(p.mid / p.start_mid) * dt;
  p.mid *= std::exp(p.vol * std::sqrt(dt) * z + drift);
  // Keep the whole bid ladder above zero and the mantissas far from overflow.
  const double lo = static_cast<double>(p.spread + (p.levels + 1) * p.spacing + 2 * p.tick);
  p.mid = std::clamp(p.mid, lo, 1e15);
  p.anchor();
}

bool SyntheticFlow::tradable(const PairState& p, bool taker) const {
  const SystemStatus s = ex_.status();
  if (s == SystemStatus::maintenance || s == SystemStatus::cancel_only) return false;
  switch (p.in->status) {
    case PairStatus::online:
    case PairStatus::limit_only:
      break;
    case PairStatus::post_only:
      return !taker;
    default:
      return false;
  }
  return !(taker && s == SystemStatus::post_only);
}

bool SyntheticFlow::room(AccountId acct, std::size_t pair, kraken::TradingAction action,
                         std::chrono::nanoseconds rested) const {
  return ex_.rate_counter(acct, pair) + kraken::trading_cost(action, rested) <= cfg_.rate_budget;
}

void SyntheticFlow::reject(const Error& e) { ++stats_.rejected[e.kraken ? e.kraken->joined() : e.message()]; }

// ---------------------------------------------------------------- the ladder

void SyntheticFlow::repair(PairState& p) {
  // Both sides in turn, so a bid that became too aggressive moves before an ask is placed where
  // it would have taken it. Every successful action brings the ladder closer to its slots, so
  // the loop ends; the bound is a guard against a book others keep changing.
  for (int round = 0; round < 4 * p.levels + 4 && budget_ > 0; ++round) {
    const bool bids = repair_side(p, Side::buy);
    const bool asks = budget_ > 0 && repair_side(p, Side::sell);
    if (!bids && !asks) break;
  }
}

bool SyntheticFlow::repair_side(PairState& p, Side side) {
  auto& qs = p.side(side);
  std::erase_if(qs, [](const Quote& q) { return !q.live; });
  const int n = p.levels;
  // Quotes sit exactly on slots (the anchor moves in whole spacings); rounding to the nearest
  // slot only matters for an order an amend or a fill left elsewhere.
  const std::int64_t half = (p.spacing / p.tick / 2) * p.tick;
  const MatchingEngine& eng = ex_.engine(p.pair);

  auto slot_of = [&](const Quote& q) { return floor_div(p.behind(side, q.price.value) + half, p.spacing); };
  // How many quotes cover each slot (a quote covers the slot within half a spacing of it).
  cover_.assign(static_cast<std::size_t>(n), 0);
  for (const auto& q : qs)
    if (const auto k = slot_of(q); k >= 0 && k < n) ++cover_[static_cast<std::size_t>(k)];
  auto vacant = [&](const Quote* ignore) -> std::optional<std::int64_t> {
    const std::int64_t skip = ignore ? slot_of(*ignore) : -1;
    for (int k = 0; k < n; ++k) {
      const std::int64_t price = p.slot_price(side, k);
      if (cover_[static_cast<std::size_t>(k)] - (k == skip ? 1 : 0) > 0 || price <= 0) continue;
      if (eng.would_take(side, Price{price})) continue;  // someone else's order sits there
      return price;
    }
    return std::nullopt;
  };

  // 1. A quote ahead of the best slot (the anchor moved against it) goes to a vacant slot: left
  //    there it would narrow the spread, and the other side's new slots could cross it.
  const Quote* ahead = nullptr;
  for (const auto& q : qs)
    if (p.behind(side, q.price.value) < 0 &&
        (!ahead || p.behind(side, q.price.value) < p.behind(side, ahead->price.value)))
      ahead = &q;
  if (ahead) {
    if (auto to = vacant(ahead)) return move_quote(p, side, *ahead, Price{*to});
    return cancel_quote(p, *ahead);
  }

  // 2. More quotes than levels (a resized config, or a replace that raced a fill): drop the worst.
  if (static_cast<int>(qs.size()) > n) {
    const auto worst = std::max_element(qs.begin(), qs.end(), [&](const Quote& a, const Quote& b) {
      return p.behind(side, a.price.value) < p.behind(side, b.price.value);
    });
    return cancel_quote(p, *worst);
  }

  // 3. A vacant slot: fill it with a new order while the side is short, else move the worst
  //    quote that covers no slot of its own (the mid moved away from it).
  const auto to = vacant(nullptr);
  if (!to) return false;
  if (static_cast<int>(qs.size()) < n) return add_quote(p, side, Price{*to});
  const Quote* spare = nullptr;
  for (const auto& q : qs) {
    const auto k = slot_of(q);
    const bool redundant = k >= n || k < 0 || cover_[static_cast<std::size_t>(k)] > 1;
    if (redundant && (!spare || p.behind(side, q.price.value) > p.behind(side, spare->price.value))) spare = &q;
  }
  if (!spare) return false;
  return move_quote(p, side, *spare, Price{*to});
}

void SyntheticFlow::refresh(PairState& p) {
  const Side side = (p.rng() & 1) ? Side::sell : Side::buy;
  auto& qs = p.side(side);
  std::erase_if(qs, [](const Quote& q) { return !q.live; });
  if (qs.empty()) return;
  if (uniform01(p.rng) < 0.6) {
    // Resize: a new remaining size on a random quote (keeps priority when it shrinks).
    const Quote q = qs[below(p.rng, qs.size())];
    if (!room(q.acct, p.pair, TradingAction::amend, ex_.now() - q.last_change)) {
      ++stats_.throttled;
      return;
    }
    Qty rest = random_size(p, p.min_size, p.max_size, q.price);
    if (rest == q.volume - q.filled) rest += Qty{std::max<std::int64_t>(1, p.in->qty_increment)};
    if (side == Side::buy) ensure_funds(q.acct, p.quote, quote_amount(p, q.price, q.filled + rest));
    AmendOrderRequest a;
    a.which.txid = q.txid;
    a.order_qty = format_fixed((q.filled + rest).value, p.in->qty_precision);
    --budget_;
    if (auto r = ex_.amend_order(q.acct, a); !r)
      reject(r.error());
    else
      ++stats_.maker_amends;
    return;
  }
  // Replace: cancel the oldest quote (the cheapest cancel) and requote the slot it leaves.
  const auto oldest = std::min_element(qs.begin(), qs.end(),
                                       [](const Quote& a, const Quote& b) { return a.last_change < b.last_change; });
  if (cancel_quote(p, *oldest) && budget_ > 0) repair_side(p, side);
}

bool SyntheticFlow::add_quote(PairState& p, Side side, Price price) {
  // Makers take orders in turn, skipping any without budget or at the open-order limit, so the
  // ladder and its rate-counter charges spread over the accounts.
  AccountId acct = 0;
  for (std::size_t i = 0; i < makers_.size() && acct == 0; ++i) {
    const AccountId a = makers_[p.next_maker++ % makers_.size()];
    if (p.open_count(a) < cfg_.max_open_per_pair && room(a, p.pair, TradingAction::add)) acct = a;
  }
  if (acct == 0) {
    ++stats_.throttled;
    return false;
  }
  const Qty size = random_size(p, p.min_size, p.max_size, price);
  if (side == Side::buy)
    ensure_funds(acct, p.quote, quote_amount(p, price, size));
  else
    ensure_funds(acct, p.base, base_amount(p, size));
  AddOrderRequest req;
  req.pair = p.in->rest_key;
  req.side = side;
  req.type = OrderType::limit;
  req.volume = format_fixed(size.value, p.in->qty_precision);
  req.price = format_fixed(price.value, p.in->price_precision);
  req.post_only = true;  // a maker never takes, even if the book moved under it
  --budget_;
  auto r = ex_.add_order(acct, req);
  if (!r) {
    reject(r.error());
    return false;
  }
  ++stats_.maker_adds;
  const OrderRecord* rec = ex_.find_order(acct, r->txid);
  if (!rec || !rec->order.is_open()) {
    ++stats_.post_only_cancelled;
    return true;
  }
  p.side(side).push_back(Quote{rec->order.id, r->txid, acct, rec->order.limit, rec->order.volume, rec->order.filled,
                               rec->last_change, true});
  return true;
}

bool SyntheticFlow::move_quote(PairState& p, Side side, Quote q, Price price) {
  if (!room(q.acct, p.pair, TradingAction::amend, ex_.now() - q.last_change)) {
    ++stats_.throttled;
    return false;
  }
  if (side == Side::buy) ensure_funds(q.acct, p.quote, quote_amount(p, price, q.volume - q.filled));
  AmendOrderRequest a;
  a.which.txid = q.txid;
  a.limit_price = format_fixed(price.value, p.in->price_precision);
  a.post_only = true;
  --budget_;
  if (auto r = ex_.amend_order(q.acct, a); !r) {
    reject(r.error());
    return false;
  }
  ++stats_.maker_amends;
  return true;
}

bool SyntheticFlow::cancel_quote(PairState& p, Quote q) {
  // Kraken accepts cancels past the threshold but still charges them; spending budget we do not
  // have would lock the account out of adds until the counter decays.
  if (!room(q.acct, p.pair, TradingAction::cancel, ex_.now() - q.last_change)) {
    ++stats_.throttled;
    return false;
  }
  --budget_;
  if (auto r = ex_.cancel_order(q.acct, OrderSelector{.txid = q.txid}); !r) {
    reject(r.error());
    return false;
  }
  ++stats_.maker_cancels;
  return true;
}

// ---------------------------------------------------------------- takers

void SyntheticFlow::take(PairState& p) {
  if (!tradable(p, true)) {
    ++stats_.skipped;
    return;
  }
  const Side side = uniform01(p.rng) < p.buy_share ? Side::buy : Side::sell;
  const Side opp = opposite(side);
  const MatchingEngine& eng = ex_.engine(p.pair);
  levels_.clear();
  eng.top(opp, static_cast<std::size_t>(4 * p.levels + 16), levels_);
  // Leave the two deepest levels alone so our own flow never empties a side.
  if (levels_.size() < 3) {
    ++stats_.skipped;
    return;
  }
  const std::size_t takeable = levels_.size() - 2;
  std::int64_t cap = 0;
  for (std::size_t i = 0; i < takeable; ++i) cap += levels_[i].qty;

  const std::size_t most = std::min<std::size_t>(takeable, static_cast<std::size_t>(p.levels / 2 + 1));
  const bool sweep = most >= 2 && uniform01(p.rng) < p.sweep_prob;
  const bool limit_only = p.in->status == PairStatus::limit_only;
  bool market = !limit_only && (sweep || uniform01(p.rng) < p.market_share);
  std::int64_t qty = 0;
  std::int64_t limit = 0;
  std::int64_t worst = levels_[takeable - 1].price;
  if (sweep) {
    const std::size_t m = 2 + below(p.rng, most - 1);
    for (std::size_t i = 0; i < m; ++i) qty += levels_[i].qty;
    worst = levels_[m - 1].price;
    if (limit_only) limit = worst;
  } else {
    // A marketable limit reaches zero to two levels past the touch.
    const std::int64_t k = static_cast<std::int64_t>(below(p.rng, 3));
    const std::int64_t touch = levels_.front().price;
    limit = side == Side::buy ? touch + k * p.spacing : std::max(p.tick, touch - k * p.spacing);
    if (!market) worst = limit;
    qty = random_size(p, p.taker_min, p.taker_max, Price{touch}).value;
  }
  qty = round_down(std::min(qty, cap), std::max<std::int64_t>(1, p.in->qty_increment));
  // The exchange checks a market order's cost minimum at the last trade price, a limit's at its
  // price; the lower of last and best keeps a market order above it at either.
  const Price best{levels_.front().price};
  const Price ref = market ? std::min(eng.last_price().value_or(best), best) : Price{limit};
  if (qty < min_qty_at(p, ref).value) {
    ++stats_.skipped;
    return;
  }

  AccountId acct = 0;
  for (std::size_t i = 0; i < takers_.size() && acct == 0; ++i) {
    const AccountId a = takers_[p.next_taker_account++ % takers_.size()];
    if (room(a, p.pair, TradingAction::add)) acct = a;
  }
  if (acct == 0) {
    ++stats_.throttled;
    return;
  }
  if (side == Side::buy)
    ensure_funds(acct, p.quote, quote_amount(p, Price{std::max(worst, limit)}, Qty{qty}));
  else
    ensure_funds(acct, p.base, base_amount(p, Qty{qty}));

  AddOrderRequest req;
  req.pair = p.in->rest_key;
  req.side = side;
  req.type = market ? OrderType::market : OrderType::limit;
  req.volume = format_fixed(qty, p.in->qty_precision);
  if (!market) {
    req.price = format_fixed(limit, p.in->price_precision);
    req.tif = TimeInForce::ioc;  // takes what crosses, never rests
  }
  --budget_;
  if (auto r = ex_.add_order(acct, req); !r) {
    reject(r.error());
    return;
  }
  ++stats_.taker_orders;
  stats_.sweeps += sweep;
}

// ---------------------------------------------------------------- sizes and funds

Qty SyntheticFlow::min_qty_at(const PairState& p, Price at) const {
  const Instrument& in = *p.in;
  std::int64_t q = std::max<std::int64_t>(in.qty_min, 1);
  const int scale = in.price_precision + in.qty_precision;
  if (at.value > 0 && in.cost_min.scale <= scale && in.cost_min.mantissa > 0) {
    const Int128 min = static_cast<Int128>(in.cost_min.mantissa) * kPow10[scale - in.cost_min.scale];
    q = std::max(q, clamp64((min + at.value - 1) / at.value));
  }
  return Qty{round_up(q, std::max<std::int64_t>(1, in.qty_increment))};
}

Qty SyntheticFlow::random_size(PairState& p, Qty lo, Qty hi, Price at) {
  const std::int64_t floor_q = std::max(lo.value, min_qty_at(p, at).value);
  const std::int64_t top = std::max(floor_q, hi.value);
  // Log-uniform: many small orders, a few large ones, as on a real book.
  const double l = std::log(static_cast<double>(floor_q)), h = std::log(static_cast<double>(top));
  std::int64_t q = std::llround(std::exp(l + uniform01(p.rng) * (h - l)));
  q = round_down(q, std::max<std::int64_t>(1, p.in->qty_increment));
  return Qty{std::clamp(q, floor_q, top)};
}

std::int64_t SyntheticFlow::quote_amount(const PairState& p, Price price, Qty qty) const {
  const int from = p.in->price_precision + p.in->qty_precision;
  const int to = ex_.asset_decimals(p.quote);
  Int128 v = static_cast<Int128>(price.value) * qty.value;
  if (to >= from)
    v *= kPow10[to - from];
  else
    v = (v + kPow10[from - to] - 1) / kPow10[from - to];
  return clamp64(static_cast<Int128>(static_cast<double>(v) * kFeeAllowance) + 1);
}

std::int64_t SyntheticFlow::base_amount(const PairState& p, Qty qty) const {
  const int from = p.in->qty_precision;
  const int to = ex_.asset_decimals(p.base);
  if (to >= from) return clamp64(static_cast<Int128>(qty.value) * kPow10[to - from]);
  return clamp64((static_cast<Int128>(qty.value) + kPow10[from - to] - 1) / kPow10[from - to]);
}

void SyntheticFlow::top_up() {
  // Floors follow the current mids: twice a full side of the largest orders, per pair the asset
  // trades in. Inventory drifts as takers hit the makers, so every account is checked each step.
  floor_.assign(ex_.assets().size(), 0);
  for (const auto& p : pairs_) {
    const Qty lot{std::max(p->max_size.value, p->taker_max.value) * p->levels * 2};
    const Price top{static_cast<std::int64_t>(p->mid) + p->spread + p->levels * p->spacing};
    floor_[p->base] = clamp64(static_cast<Int128>(floor_[p->base]) + base_amount(*p, lot));
    floor_[p->quote] = clamp64(static_cast<Int128>(floor_[p->quote]) + quote_amount(*p, top, lot));
  }
  for (const auto* group : {&makers_, &takers_})
    for (auto acct : *group)
      for (std::size_t a = 0; a < floor_.size(); ++a)
        if (floor_[a] > 0 && ex_.available(acct, a) < floor_[a]) ensure_funds(acct, a, floor_[a]);
}

void SyntheticFlow::ensure_funds(AccountId acct, std::size_t asset, std::int64_t need) {
  const std::int64_t have = ex_.available(acct, asset);
  if (have >= need) return;
  // Refill to four floors above the need, so deposits stay rare.
  const std::int64_t amount =
      clamp64(static_cast<Int128>(need) - have + 4 * static_cast<Int128>(floor_.empty() ? 0 : floor_[asset]));
  if (auto r = ex_.deposit(acct, ex_.assets()[asset]->id, format_fixed(amount, ex_.asset_decimals(asset))); !r) {
    reject(r.error());
    return;
  }
  ++stats_.deposits;
}

// ---------------------------------------------------------------- exchange events

void SyntheticFlow::on_execution(AccountId acct, const Execution& e) {
  // Makers' orders change under us when takers (ours or anyone's) fill them; keep our copy exact.
  if (acct >= is_maker_.size() || !is_maker_[acct] || !e.order) return;
  const OrderRecord& r = *e.order;
  if (r.pair >= by_exchange_pair_.size() || by_exchange_pair_[r.pair] < 0) return;
  PairState& p = *pairs_[static_cast<std::size_t>(by_exchange_pair_[r.pair])];
  for (auto& q : p.side(r.order.side)) {
    if (q.id != r.order.id) continue;
    q.price = r.order.limit;
    q.volume = r.order.volume;
    q.filled = r.order.filled;
    q.last_change = r.last_change;
    q.live = r.order.is_open();
    return;
  }
}

}  // namespace kgw::sim
