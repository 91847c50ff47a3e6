// The account view's numbered events: a subscriber starts at a snapshot or resumes from its
// cursor; one that cannot keep up is ended alone, without the oms thread waiting.

#include <gtest/gtest.h>

#include "account_test_support.hpp"

namespace kgw::oms {
namespace {

using namespace test;

class AccountEvents : public AccountViewFixture {
 protected:
  std::uint64_t seq_ = 1;

  void SetUp() override { connect(); }
  // One order event per call.
  void order_event(const std::string& id) {
    feed(frame("executions", "update", ++seq_, {order_item(id, "pending_new", "pending_new")}));
  }
  std::shared_ptr<AccountSubscription> subscribe(std::optional<EventCursor> from, std::size_t capacity = 64,
                                                 std::function<void()> wake = {}) {
    auto s = view_.subscribe(from, capacity, std::move(wake));
    drain(io_);
    return s;
  }
};

TEST_F(AccountEvents, ASubscriberWithoutACursorStartsAtASnapshot) {
  order_event("O1");
  order_event("O2");
  auto sub = subscribe(std::nullopt);
  order_event("O3");
  const auto events = events_of(*sub);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, EventKind::start);
  EXPECT_FALSE(events[0].resumed);
  ASSERT_TRUE(events[0].snapshot);
  EXPECT_EQ(events[0].snapshot->open_orders->size(), 2u);
  EXPECT_EQ(events[0].cursor, events[0].snapshot->cursor);
  EXPECT_EQ(events[0].cursor.sequence, 2u);
  EXPECT_EQ(events[1].cursor.sequence, 3u);
  EXPECT_EQ(events[1].order->order_id, "O3");
}

TEST_F(AccountEvents, ASubscriberResumesFromItsCursorWithWhatItMissed) {
  order_event("O1");
  const EventCursor seen = view_.snapshot()->cursor;
  order_event("O2");
  order_event("O3");
  auto sub = subscribe(seen);
  const auto events = events_of(*sub);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kind, EventKind::start);
  EXPECT_TRUE(events[0].resumed);
  EXPECT_EQ(events[0].cursor, seen);
  EXPECT_FALSE(events[0].snapshot);
  EXPECT_EQ(events[1].order->order_id, "O2");
  EXPECT_EQ(events[2].order->order_id, "O3");
}

TEST_F(AccountEvents, ACursorOfAnotherEpochOrAheadStartsAtASnapshot) {
  order_event("O1");
  const EventCursor now = view_.snapshot()->cursor;
  for (EventCursor c : {EventCursor{now.epoch - 1, 1}, EventCursor{now.epoch, now.sequence + 5}}) {
    auto sub = subscribe(c);
    const auto first = sub->next();
    ASSERT_TRUE(first);
    EXPECT_FALSE(first->resumed);
    EXPECT_TRUE(first->snapshot);
  }
}

TEST_F(AccountEvents, ACursorOlderThanTheKeptEventsStartsAtASnapshot) {
  asio::io_context io;
  AccountViewOptions o;
  o.event_log = 4;
  AccountView view(io.get_executor(), catalogue(), clock_, o);
  (void)view.subscription_requests("TOKEN", 1, 2);
  ASSERT_TRUE(view.on_frame(frame("executions", "snapshot", 1, {}), clock_.wall_now()));
  const EventCursor early = view.snapshot()->cursor;
  for (int i = 0; i < 6; ++i)
    ASSERT_TRUE(view.on_frame(frame("executions", "update", 2 + i, {order_item("O" + std::to_string(i), "new", "new")}),
                              clock_.wall_now()));
  auto sub = view.subscribe(early);
  drain(io);
  EXPECT_FALSE(sub->next()->resumed);
  auto recent = view.subscribe(EventCursor{early.epoch, 2});  // events 3..6 are kept
  drain(io);
  EXPECT_TRUE(recent->next()->resumed);
  EXPECT_EQ(events_of(*recent).size(), 4u);
}

TEST_F(AccountEvents, ASlowSubscriberOverflowsAloneAndTheOthersKeepReceiving) {
  int slow_wakes = 0, fast_wakes = 0;
  auto slow = subscribe(std::nullopt, 4, [&] { ++slow_wakes; });
  auto fast = subscribe(std::nullopt, 1024, [&] { ++fast_wakes; });
  for (int i = 0; i < 10; ++i) order_event("O" + std::to_string(i));
  EXPECT_TRUE(slow->overflowed());
  EXPECT_FALSE(fast->overflowed());
  EXPECT_EQ(events_of(*slow).size(), 4u);   // start + 3, then it was ended
  EXPECT_EQ(events_of(*fast).size(), 11u);  // start + 10
  EXPECT_EQ(slow_wakes, 5);                 // at attach, once a frame, once to see its overflow
  EXPECT_EQ(fast_wakes, 11);
  order_event("O10");
  EXPECT_EQ(events_of(*slow).size(), 0u);
  EXPECT_EQ(events_of(*fast).size(), 1u);
}

TEST_F(AccountEvents, ACancelledSubscriptionGetsNothingMore) {
  auto sub = subscribe(std::nullopt);
  (void)sub->next();
  sub->cancel();
  order_event("O1");
  EXPECT_FALSE(sub->next());
  EXPECT_FALSE(sub->overflowed());
}

TEST_F(AccountEvents, SequencesCountFromOneWithinAnEpochStartedAtTheClock) {
  EXPECT_EQ(view_.snapshot()->cursor.epoch, static_cast<std::uint64_t>(std::chrono::nanoseconds(kStart).count()));
  EXPECT_EQ(view_.snapshot()->cursor.sequence, 0u);
  order_event("O1");
  EXPECT_EQ(view_.snapshot()->cursor.sequence, 1u);
}

}  // namespace
}  // namespace kgw::oms
