#pragma once
// The account view's numbered events and their subscribers. The order manager numbers what it
// emits itself (EventCursor: an epoch and a sequence), so a consumer of executions can resume
// after its own disconnect, and learns from an epoch change that continuity is not promised.
//
// EventHub is owned by the account view and used on the oms thread only: it numbers events,
// keeps the newest ones for resumption, and pushes each into every subscriber's bounded queue.
// It never waits: a subscriber whose queue is full is ended (overflowed) and dropped.
// AccountSubscription is shared by the hub and one consumer: next() on the consumer's thread,
// the rest on any thread.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "kgw/core/spsc_ring.hpp"
#include "kgw/oms/account_types.hpp"

namespace kgw::oms {

enum class EventKind : unsigned char {
  start,    // a subscription's first event: resumed from the consumer's cursor, or a snapshot
  reset,    // the epoch changed: continuity is not promised; `snapshot` is the state now
  order,    // an order's state changed (an execution, a snapshot or REST merge)
  fill,     // a new own trade (each exec_id once, whichever source saw it first)
  balance,  // an asset's balance changed
};

struct AccountEvent {
  EventKind kind = EventKind::order;
  EventCursor cursor;   // start: where the events that follow continue from
  bool resumed = false;  // start: continuing from the consumer's cursor (no snapshot)
  std::shared_ptr<const AccountSnapshot> snapshot;  // start (not resumed) and reset
  std::shared_ptr<const OrderState> order;
  std::shared_ptr<const Fill> fill;
  std::shared_ptr<const Balance> balance;
};

class AccountSubscription {
 public:
  AccountSubscription(std::size_t capacity, std::function<void()> wake);
  AccountSubscription(const AccountSubscription&) = delete;
  AccountSubscription& operator=(const AccountSubscription&) = delete;

  // The consumer's thread: the next event, if any. The first is always a `start`.
  std::optional<AccountEvent> next() noexcept { return queue_.pop(); }

  // Any thread. Overflowed: the queue was full, the hub dropped this subscription; drain what is
  // queued, then subscribe again from the last cursor popped.
  bool overflowed() const noexcept { return overflowed_.load(std::memory_order_acquire); }
  // Ends the subscription; the hub drops it at its next event.
  void cancel() noexcept { cancelled_.store(true, std::memory_order_release); }
  bool cancelled() const noexcept { return cancelled_.load(std::memory_order_acquire); }

 private:
  friend class EventHub;
  SpscRing<AccountEvent> queue_;
  std::function<void()> wake_;  // called on the oms thread after events were queued; must not block
  std::atomic<bool> overflowed_{false}, cancelled_{false};
  bool unwoken_ = false;  // oms thread only: events queued since the last wake
};

class EventHub {
 public:
  EventHub(std::uint64_t epoch, std::size_t log_capacity);
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  // The last event emitted (sequence 0: none yet in this epoch).
  EventCursor cursor() const noexcept { return cursor_; }

  // Numbers `e` and keeps it for resumption; broadcast() then queues it to every subscriber (in
  // between, the owner's synchronous hooks see it first). The reference is valid until the next
  // record().
  const AccountEvent& record(AccountEvent e);
  void broadcast(const AccountEvent& e);
  // Starts a new epoch (strictly above the current one): forgets the kept events and queues a
  // `reset` carrying `now` (which must already show the new epoch) to every subscriber.
  void begin_epoch(std::uint64_t epoch);
  void announce_reset(std::shared_ptr<const AccountSnapshot> now);
  // Adds a subscriber: its first event is a `start`, resumed from `from` when the kept events
  // reach back to it in this epoch, else carrying `now` (the state as of cursor()).
  void attach(std::shared_ptr<AccountSubscription> sub, std::optional<EventCursor> from,
              std::shared_ptr<const AccountSnapshot> now);
  // Wakes the subscribers that got events since their last wake (once per frame, not per event).
  void wake();

  std::size_t subscribers() const noexcept { return subs_.size(); }
  std::uint64_t overflows() const noexcept { return overflows_; }

 private:
  bool push(AccountSubscription& s, const AccountEvent& e);

  EventCursor cursor_;
  std::size_t log_capacity_;
  std::deque<AccountEvent> log_;  // this epoch's newest events, oldest first
  std::vector<std::shared_ptr<AccountSubscription>> subs_;
  std::vector<std::shared_ptr<AccountSubscription>> ended_;  // dropped since the last wake()
  std::uint64_t overflows_ = 0;
};

}  // namespace kgw::oms
