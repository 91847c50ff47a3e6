#include "kgw/sim/matching_engine.hpp"

#include <algorithm>

namespace kgw::sim {

std::string_view to_string(CancelReason r) noexcept {
  switch (r) {
    case CancelReason::user_requested: return "User requested";
    case CancelReason::post_only: return "Post only order";
    case CancelReason::ioc_unfilled: return "Insufficient liquidity";
    case CancelReason::fok_unfillable: return "Order could not be fully filled";
    case CancelReason::self_trade: return "Self trade prevention";
    case CancelReason::expired: return "Order expired";
    case CancelReason::no_liquidity: return "No orders in the book";
    case CancelReason::position_closed: return "Reduce only: position closed";
  }
  return "";
}

MatchingEngine::MatchingEngine(Config config, Listener& listener) : cfg_(config), listener_(listener) {}
MatchingEngine::~MatchingEngine() = default;

const Order* MatchingEngine::find(OrderId id) const {
  auto it = orders_.find(id);
  return it == orders_.end() || !it->second->is_open() ? nullptr : it->second.get();
}

std::optional<Price> MatchingEngine::best(Side side) const noexcept {
  if (side == Side::buy) return bids_.empty() ? std::nullopt : std::optional<Price>(Price{bids_.begin()->first});
  return asks_.empty() ? std::nullopt : std::optional<Price>(Price{asks_.begin()->first});
}

std::size_t MatchingEngine::level_count(Side side) const noexcept { return side == Side::buy ? bids_.size() : asks_.size(); }

Qty MatchingEngine::level_qty(Side side, Price p) const noexcept {
  if (side == Side::buy) {
    auto it = bids_.find(p.value);
    return it == bids_.end() ? Qty{} : it->second.visible;
  }
  auto it = asks_.find(p.value);
  return it == asks_.end() ? Qty{} : it->second.visible;
}

bool MatchingEngine::would_take(Side side, Price limit) const noexcept {
  if (side == Side::buy) return !asks_.empty() && asks_.begin()->first <= limit.value;
  return !bids_.empty() && bids_.begin()->first >= limit.value;
}

bool MatchingEngine::fillable(Side side, Qty qty, std::optional<Price> limit, AccountId stp_account) const {
  std::int64_t sum = 0;
  auto walk = [&](const auto& book, auto crosses) {
    for (const auto& [price, level] : book) {
      if (limit && !crosses(price)) break;
      for (const Order* o = level.head; o; o = o->next)
        if (o->account != stp_account) sum += o->remaining().value;  // hidden iceberg size refills
      if (sum >= qty.value) return;
    }
  };
  if (side == Side::buy) walk(asks_, [&](std::int64_t p) { return p <= limit->value; });
  else walk(bids_, [&](std::int64_t p) { return p >= limit->value; });
  return sum >= qty.value;
}

void MatchingEngine::top(Side side, std::size_t n, std::vector<BookLevel>& out) const {
  out.clear();
  auto copy = [&](const auto& book) {
    for (const auto& [price, level] : book) {
      if (out.size() >= n) break;
      out.push_back({price, level.visible.value});
    }
  };
  if (side == Side::buy) copy(bids_);
  else copy(asks_);
}

void MatchingEngine::mark_changed(Side side, std::int64_t price) {
  (side == Side::buy ? changed_bids_ : changed_asks_).push_back(price);
}

void MatchingEngine::take_changed_levels(std::vector<Price>& bids, std::vector<Price>& asks) {
  auto drain = [](std::vector<std::int64_t>& from, std::vector<Price>& to) {
    std::sort(from.begin(), from.end());
    from.erase(std::unique(from.begin(), from.end()), from.end());
    to.clear();
    for (auto p : from) to.push_back(Price{p});
    from.clear();
  };
  drain(changed_bids_, bids);
  drain(changed_asks_, asks);
}

MatchingEngine::Level* MatchingEngine::level_of(const Order& o) {
  if (o.side == Side::buy) {
    auto it = bids_.find(o.limit.value);
    return it == bids_.end() ? nullptr : &it->second;
  }
  auto it = asks_.find(o.limit.value);
  return it == asks_.end() ? nullptr : &it->second;
}

void MatchingEngine::rest(Order& o) {
  Level& lvl = o.side == Side::buy ? bids_[o.limit.value] : asks_[o.limit.value];
  o.visible = (o.display.value > 0 && o.display < o.remaining()) ? o.display : o.remaining();
  o.prev = lvl.tail;
  o.next = nullptr;
  if (lvl.tail) lvl.tail->next = &o;
  else lvl.head = &o;
  lvl.tail = &o;
  lvl.visible += o.visible;
  ++resting_;
  mark_changed(o.side, o.limit.value);
}

void MatchingEngine::unlink(Order& o) {
  Level* lvl = level_of(o);
  if (!lvl) return;
  bool member = false;
  for (Order* p = lvl->head; p; p = p->next)
    if (p == &o) {
      member = true;
      break;
    }
  if (!member) return;
  if (o.prev) o.prev->next = o.next;
  else lvl->head = o.next;
  if (o.next) o.next->prev = o.prev;
  else lvl->tail = o.prev;
  o.prev = o.next = nullptr;
  lvl->visible -= o.visible;
  --resting_;
  mark_changed(o.side, o.limit.value);
  if (!lvl->head) {
    if (o.side == Side::buy) bids_.erase(o.limit.value);
    else asks_.erase(o.limit.value);
  }
}

void MatchingEngine::close(Order& o, OrderStatus status, std::optional<CancelReason> reason) {
  if (!o.is_open()) return;
  unlink(o);
  o.status = status;
  if (auto it = std::find(waiting_.begin(), waiting_.end(), &o); it != waiting_.end()) waiting_.erase(it);
  listener_.on_closed(o, reason);
  graveyard_.push_back(o.id);
}

void MatchingEngine::reap() {
  for (OrderId id : graveyard_) orders_.erase(id);
  graveyard_.clear();
}

Order MatchingEngine::submit(Order in, WallTime now) {
  auto owned = std::make_unique<Order>(std::move(in));
  Order& o = *owned;
  o.seq = next_seq_++;
  o.opentm = now;
  o.filled = Qty{};
  o.cost = 0;
  o.prev = o.next = nullptr;
  o.triggered = false;
  o.has_limit = o.type == OrderType::limit || o.type == OrderType::iceberg;
  o.visible = (o.display.value > 0 && o.display < o.volume) ? o.display : o.volume;
  o.status = OrderStatus::open;
  orders_[o.id] = std::move(owned);
  listener_.on_accepted(o);

  if (is_triggered(o.type)) {
    if (o.type == OrderType::trailing_stop || o.type == OrderType::trailing_stop_limit) {
      o.peak = last_.value_or(best(opposite(o.side)).value_or(Price{}));
      update_trailing(o, o.peak);
    }
    waiting_.push_back(&o);
    after_trades(now);  // a stop already through the last price fires at once
  } else if (o.post_only && o.has_limit && would_take(o.side, o.limit)) {
    close(o, OrderStatus::canceled, CancelReason::post_only);
  } else if (o.tif == TimeInForce::fok &&
             !fillable(o.side, o.volume, o.has_limit ? std::optional<Price>(o.limit) : std::nullopt, o.account)) {
    close(o, OrderStatus::canceled, CancelReason::fok_unfillable);
  } else {
    match(o, now);
    if (o.is_open()) {
      if (o.remaining().value == 0) close(o, OrderStatus::closed, std::nullopt);
      else if (!o.has_limit) close(o, OrderStatus::canceled, o.filled.value ? CancelReason::ioc_unfilled : CancelReason::no_liquidity);
      else if (o.tif == TimeInForce::ioc || o.tif == TimeInForce::fok) close(o, OrderStatus::canceled, CancelReason::ioc_unfilled);
      else rest(o);
    }
    after_trades(now);
  }
  Order result = o;
  result.prev = result.next = nullptr;
  reap();
  return result;
}

void MatchingEngine::match(Order& taker, WallTime now) {
  if (taker.side == Side::buy) match_side(asks_, taker, now);
  else match_side(bids_, taker, now);
}

template <class Book>
void MatchingEngine::match_side(Book& book, Order& taker, WallTime) {
  const Side maker_side = opposite(taker.side);
  while (taker.is_open() && taker.remaining().value > 0 && !book.empty()) {
    auto lvl_it = book.begin();
    const std::int64_t price = lvl_it->first;
    if (taker.has_limit && (taker.side == Side::buy ? price > taker.limit.value : price < taker.limit.value)) break;
    Level& lvl = lvl_it->second;
    bool level_gone = false;
    for (Order* m = lvl.head; m && taker.is_open() && taker.remaining().value > 0 && !level_gone;) {
      Order* next = m->next;
      if (m->account == taker.account) {
        // Self-trade prevention; the incoming order's setting decides (Kraken: stptype).
        if (taker.stp != SelfTradePrevention::cancel_newest) {
          close(*m, OrderStatus::canceled, CancelReason::self_trade);
          level_gone = book.find(price) == book.end();
        }
        if (taker.stp != SelfTradePrevention::cancel_oldest) {
          close(taker, OrderStatus::canceled, CancelReason::self_trade);
          return;
        }
        m = next;
        continue;
      }
      const std::int64_t qty = std::min(taker.remaining().value, m->visible.value);
      m->filled.value += qty;
      m->visible.value -= qty;
      lvl.visible.value -= qty;
      m->cost += static_cast<Int128>(price) * qty;
      taker.filled.value += qty;
      taker.cost += static_cast<Int128>(price) * qty;
      last_ = Price{price};
      mark_changed(maker_side, price);
      listener_.on_fill(taker, *m, Price{price}, Qty{qty}, next_trade_id_++);
      if (m->remaining().value == 0) {
        close(*m, OrderStatus::closed, std::nullopt);
        level_gone = book.find(price) == book.end();
      } else if (m->visible.value == 0) {
        // Iceberg refill: a new visible slice joins the back of the queue (priority lost).
        if (m->prev) m->prev->next = m->next;
        else lvl.head = m->next;
        if (m->next) m->next->prev = m->prev;
        else lvl.tail = m->prev;
        m->prev = lvl.tail;
        m->next = nullptr;
        if (lvl.tail) lvl.tail->next = m;
        else lvl.head = m;
        lvl.tail = m;
        m->visible.value = std::min(m->display.value, m->remaining().value);
        m->seq = next_seq_++;
        lvl.visible.value += m->visible.value;
        if (!next) next = m;
      }
      m = next;
    }
    // Leave when the taker is done or this level still has orders (only possible if the taker
    // stopped); otherwise the level was consumed and the next one is tried.
    if (!level_gone && book.find(price) != book.end()) break;
  }
}

bool MatchingEngine::trigger_hit(const Order& o, Price last) const noexcept {
  const bool take_profit = o.type == OrderType::take_profit || o.type == OrderType::take_profit_limit;
  if (take_profit) return o.side == Side::buy ? last <= o.trigger : last >= o.trigger;
  return o.side == Side::buy ? last >= o.trigger : last <= o.trigger;
}

Price MatchingEngine::apply_offset(Price base, PriceOffset off, bool up) const noexcept {
  std::int64_t delta = off.value < 0 ? -off.value : off.value;
  if (off.pct) delta = static_cast<std::int64_t>(static_cast<Int128>(base.value) * delta / 1'000'000);
  return Price{up ? base.value + delta : base.value - delta};
}

void MatchingEngine::update_trailing(Order& o, Price last) noexcept {
  if (o.type != OrderType::trailing_stop && o.type != OrderType::trailing_stop_limit) return;
  // A sell trails below the highest last price seen, a buy above the lowest.
  if (o.side == Side::sell) {
    if (last > o.peak) o.peak = last;
    o.trigger = apply_offset(o.peak, o.trail, false);
  } else {
    if (o.peak.value == 0 || last < o.peak) o.peak = last;
    o.trigger = apply_offset(o.peak, o.trail, true);
  }
}

void MatchingEngine::fire_trigger(Order& o, WallTime now) {
  o.triggered = true;
  if (triggers_into_limit(o.type)) {
    o.has_limit = true;
    if (o.type == OrderType::trailing_stop_limit) o.limit = apply_offset(o.trigger, o.limit_off, o.limit_off.value >= 0);
  }
  listener_.on_triggered(o);
  match(o, now);
  if (!o.is_open()) return;
  if (o.remaining().value == 0) close(o, OrderStatus::closed, std::nullopt);
  else if (!o.has_limit) close(o, OrderStatus::canceled, o.filled.value ? CancelReason::ioc_unfilled : CancelReason::no_liquidity);
  else if (o.tif == TimeInForce::ioc) close(o, OrderStatus::canceled, CancelReason::ioc_unfilled);
  else rest(o);
}

void MatchingEngine::after_trades(WallTime now) {
  if (in_trigger_pass_ || !last_) return;
  in_trigger_pass_ = true;
  // Fires every stop the last price has reached; a fired stop may trade and move the last price,
  // so repeat until nothing more fires (bounded: each order fires at most once).
  for (bool fired = true; fired;) {
    fired = false;
    for (std::size_t i = 0; i < waiting_.size(); ++i) {
      Order* o = waiting_[i];
      update_trailing(*o, *last_);
      if (!trigger_hit(*o, *last_)) continue;
      waiting_.erase(waiting_.begin() + static_cast<std::ptrdiff_t>(i));
      fire_trigger(*o, now);
      fired = true;
      break;
    }
  }
  in_trigger_pass_ = false;
}

bool MatchingEngine::cancel(OrderId id, WallTime, CancelReason reason) {
  auto it = orders_.find(id);
  if (it == orders_.end() || !it->second->is_open()) return false;
  close(*it->second, OrderStatus::canceled, reason);
  reap();
  return true;
}

bool MatchingEngine::amend(OrderId id, const Amend& a, WallTime now) {
  auto it = orders_.find(id);
  if (it == orders_.end() || !it->second->is_open()) return false;
  Order& o = *it->second;
  const bool resting = o.has_limit && !(is_triggered(o.type) && !o.triggered) && level_of(o) != nullptr;
  const Price new_limit = a.limit.value_or(o.limit);
  if (a.post_only && resting && new_limit != o.limit && would_take(o.side, new_limit)) return false;
  if (a.volume && a.volume->value <= o.filled.value) {
    close(o, OrderStatus::canceled, CancelReason::user_requested);
    reap();
    return true;
  }
  const bool loses_priority = (a.limit && *a.limit != o.limit) || (a.volume && *a.volume > o.volume) ||
                              (a.display && o.display.value > 0 && *a.display > o.visible);
  if (resting && loses_priority) unlink(o);
  if (a.volume) o.volume = *a.volume;
  if (a.display) o.display = *a.display;
  if (a.limit) o.limit = *a.limit;
  if (a.trigger) o.trigger = *a.trigger;
  if (resting && loses_priority) {
    o.seq = next_seq_++;
    listener_.on_amended(o);
    match(o, now);  // a new price may cross (only without post_only)
    if (o.is_open()) {
      if (o.remaining().value == 0) close(o, OrderStatus::closed, std::nullopt);
      else rest(o);
    }
    after_trades(now);
  } else if (resting) {
    // Shrinking in place keeps queue priority: adjust the visible slice and the level total.
    Level* lvl = level_of(o);
    const Qty want = (o.display.value > 0 && o.display < o.remaining()) ? o.display : o.remaining();
    if (want < o.visible && lvl) {
      lvl->visible -= (o.visible - want);
      o.visible = want;
      mark_changed(o.side, o.limit.value);
    }
    listener_.on_amended(o);
  } else {
    listener_.on_amended(o);
    after_trades(now);
  }
  reap();
  return true;
}

void MatchingEngine::expire(WallTime now) {
  std::vector<Order*> due;
  for (auto& [id, o] : orders_)
    if (o->is_open() && o->tif == TimeInForce::gtd && o->expiretm.time_since_epoch().count() > 0 && o->expiretm <= now)
      due.push_back(o.get());
  std::sort(due.begin(), due.end(), [](const Order* a, const Order* b) { return a->seq < b->seq; });
  for (Order* o : due) close(*o, OrderStatus::expired, CancelReason::expired);
  reap();
}

}  // namespace kgw::sim
