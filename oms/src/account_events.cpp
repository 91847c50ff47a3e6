#include "kgw/oms/account_events.hpp"

#include <algorithm>

namespace kgw::oms {

AccountSubscription::AccountSubscription(std::size_t capacity, std::function<void()> wake)
    : queue_(capacity < 2 ? 2 : capacity), wake_(std::move(wake)) {}

EventHub::EventHub(std::uint64_t epoch, std::size_t log_capacity)
    : cursor_{epoch, 0}, log_capacity_(log_capacity == 0 ? 1 : log_capacity) {}

bool EventHub::push(AccountSubscription& s, const AccountEvent& e) {
  if (s.cancelled()) return false;
  s.unwoken_ = true;  // woken either way: to read the event, or to see the overflow
  if (s.queue_.push(e)) return true;
  // Never wait for a slow consumer: end it; it resumes from its last cursor if it can.
  s.overflowed_.store(true, std::memory_order_release);
  ++overflows_;
  return false;
}

void EventHub::broadcast(const AccountEvent& e) {
  for (auto& s : subs_)
    if (!push(*s, e)) ended_.push_back(s);
  if (ended_.empty()) return;
  subs_.erase(std::remove_if(subs_.begin(), subs_.end(), [](const auto& s) { return s->overflowed() || s->cancelled(); }),
              subs_.end());
}

const AccountEvent& EventHub::record(AccountEvent e) {
  e.cursor = EventCursor{cursor_.epoch, ++cursor_.sequence};
  if (log_.size() == log_capacity_) log_.pop_front();
  log_.push_back(std::move(e));
  return log_.back();
}

void EventHub::begin_epoch(std::uint64_t epoch) {
  cursor_ = EventCursor{std::max(epoch, cursor_.epoch + 1), 0};
  log_.clear();
}

void EventHub::announce_reset(std::shared_ptr<const AccountSnapshot> now) {
  AccountEvent e;
  e.kind = EventKind::reset;
  e.cursor = cursor_;
  e.snapshot = std::move(now);
  broadcast(e);
}

void EventHub::attach(std::shared_ptr<AccountSubscription> sub, std::optional<EventCursor> from,
                      std::shared_ptr<const AccountSnapshot> now) {
  AccountEvent start;
  start.kind = EventKind::start;
  // Resumable: same epoch, not ahead of us, and every event after it still kept.
  const std::uint64_t oldest_kept = log_.empty() ? cursor_.sequence + 1 : log_.front().cursor.sequence;
  const bool resumable =
      from && from->epoch == cursor_.epoch && from->sequence <= cursor_.sequence && from->sequence + 1 >= oldest_kept;
  if (resumable) {
    start.resumed = true;
    start.cursor = *from;
  } else {
    start.cursor = cursor_;
    start.snapshot = std::move(now);
  }
  bool ok = push(*sub, start);
  if (ok && resumable)
    for (const auto& e : log_)
      if (e.cursor.sequence > from->sequence && !(ok = push(*sub, e))) break;
  if (ok) subs_.push_back(sub);
  else ended_.push_back(sub);
}

void EventHub::wake() {
  auto wake_one = [](AccountSubscription& s) {
    if (!s.unwoken_) return;
    s.unwoken_ = false;
    if (s.wake_) s.wake_();
  };
  for (auto& s : subs_) wake_one(*s);
  for (auto& s : ended_) wake_one(*s);
  ended_.clear();
}

}  // namespace kgw::oms
