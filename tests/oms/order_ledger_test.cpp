// The order ledger: one live attempt per cl_ord_id, outcomes that only move forward, and a new
// attempt only once an order is known not to exist.

#include "kgw/oms/order_ledger.hpp"

#include <gtest/gtest.h>

#include <set>

namespace kgw::oms {
namespace {

kraken::OrderRequest order(const char* deadline = nullptr) {
  kraken::OrderRequest o;
  o.pair = "BTC/USD";
  o.volume = "0.01";
  o.price = "30000.0";
  if (deadline) o.deadline = deadline;
  return o;
}

const WallTime kNow{std::chrono::seconds(1'700'000'000)};
const MonoTime kMono{std::chrono::seconds(100)};

TEST(OrderLedger, ASecondAttemptIsRefusedUnlessTheFirstIsKnownNotToExist) {
  OrderLedger l;
  ASSERT_TRUE(l.begin("c-1", order(), EntryPath::ws, kNow, kMono));
  EXPECT_EQ(l.begin("c-1", order(), EntryPath::rest, kNow, kMono).error().detail, "cl_ord_id: 'c-1' is already sending");
  EXPECT_TRUE(l.ambiguous("c-1", Error(errc::timeout, "no answer")));
  EXPECT_EQ(l.begin("c-1", order(), EntryPath::rest, kNow, kMono).error().detail, "cl_ord_id: 'c-1' is already ambiguous");
  EXPECT_TRUE(l.absent("c-1"));
  ASSERT_TRUE(l.begin("c-1", order(), EntryPath::rest, kNow, kMono));  // never placed: may go again
  EXPECT_EQ(l.find("c-1")->path, EntryPath::rest);
  EXPECT_TRUE(l.rejected("c-1", Error(errc::exchange_error, "EOrder:Insufficient funds")));
  ASSERT_TRUE(l.begin("c-1", order(), EntryPath::ws, kNow, kMono));
  EXPECT_TRUE(l.accepted("c-1", "OABC12-DEF34-GHIJ56"));
  EXPECT_EQ(l.begin("c-1", order(), EntryPath::ws, kNow, kMono).error().detail, "cl_ord_id: 'c-1' is already accepted");
  EXPECT_EQ(l.find_by_order_id("OABC12-DEF34-GHIJ56")->cl_ord_id, "c-1");
  EXPECT_TRUE(l.closed_by_order_id("OABC12-DEF34-GHIJ56"));
  EXPECT_EQ(l.begin("c-1", order(), EntryPath::ws, kNow, kMono).error().detail, "cl_ord_id: 'c-1' is already closed");
}

TEST(OrderLedger, TheStreamsWinOverALateOrLostAnswer) {
  OrderLedger l;
  ASSERT_TRUE(l.begin("c-2", order(), EntryPath::ws, kNow, kMono));
  // The executions stream saw the order before its ack, then saw it filled.
  EXPECT_TRUE(l.accepted("c-2", "O1"));
  EXPECT_TRUE(l.closed("c-2"));
  EXPECT_FALSE(l.ambiguous("c-2", Error(errc::timeout)));  // the ack's timeout comes too late
  EXPECT_TRUE(l.accepted("c-2", "O1"));                     // a late ack does not reopen it
  EXPECT_EQ(l.find("c-2")->state, EntryState::closed);
  EXPECT_FALSE(l.absent("c-2"));
}

TEST(OrderLedger, TheDeadlineOfAnAttemptIsKeptToBoundItsAmbiguity) {
  OrderLedger l;
  auto e = l.begin("c-3", order("2023-11-14T22:13:25.000Z"), EntryPath::ws, kNow, kMono);
  ASSERT_TRUE(e);
  ASSERT_TRUE((*e)->deadline);
  EXPECT_EQ(*(*e)->deadline, kNow + std::chrono::seconds(5));
  EXPECT_TRUE(l.ambiguous("c-3", Error(errc::connection_closed)));
  ASSERT_EQ(l.in_state(EntryState::ambiguous).size(), 1u);
}

TEST(OrderLedger, KeepsABoundedNumberOfFinishedEntriesAndEveryUnfinishedOne) {
  OrderLedger l(3);
  ASSERT_TRUE(l.begin("live", order(), EntryPath::ws, kNow, kMono));
  for (int i = 0; i < 10; ++i) {
    const std::string id = "done-" + std::to_string(i);
    ASSERT_TRUE(l.begin(id, order(), EntryPath::ws, kNow, kMono));
    l.rejected(id, Error(errc::exchange_error));
  }
  EXPECT_EQ(l.size(), 4u);  // the live one and the three newest finished
  EXPECT_NE(l.find("live"), nullptr);
  EXPECT_EQ(l.find("done-6"), nullptr);
  EXPECT_NE(l.find("done-9"), nullptr);
}

TEST(OrderLedger, CountsEntriesPerStateThroughEveryChangeAndEviction) {
  OrderLedger l(2);
  auto count = [&l](EntryState s) { return l.count(s); };
  ASSERT_TRUE(l.begin("a", order(), EntryPath::ws, kNow, kMono));
  ASSERT_TRUE(l.begin("b", order(), EntryPath::ws, kNow, kMono));
  EXPECT_EQ(count(EntryState::sending), 2u);
  l.ambiguous("a", Error(errc::timeout));
  l.accepted("b", "OB");
  EXPECT_EQ(count(EntryState::sending), 0u);
  EXPECT_EQ(count(EntryState::ambiguous), 1u);
  EXPECT_EQ(count(EntryState::accepted), 1u);
  l.absent("a");
  ASSERT_TRUE(l.begin("a", order(), EntryPath::rest, kNow, kMono));  // the resend replaces the absent attempt
  EXPECT_EQ(count(EntryState::absent), 0u);
  EXPECT_EQ(count(EntryState::sending), 1u);
  l.rejected("a", Error(errc::exchange_error));
  l.closed("b");
  for (int i = 0; i < 3; ++i) {
    const std::string id = "x-" + std::to_string(i);
    ASSERT_TRUE(l.begin(id, order(), EntryPath::ws, kNow, kMono));
    l.rejected(id, Error(errc::exchange_error));
  }
  // Two finished entries are kept: the evicted ones leave the counts too.
  EXPECT_EQ(count(EntryState::rejected) + count(EntryState::closed), 2u);
  EXPECT_EQ(count(EntryState::sending) + count(EntryState::accepted) + count(EntryState::ambiguous), 0u);
  EXPECT_EQ(l.size(), 2u);
}

TEST(OrderLedger, GeneratedClOrdIdsAreVersion4UuidsKrakenTakes) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = make_cl_ord_id();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[14], '4');
    EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') << id;
    seen.insert(id);
    kraken::OrderRequest o = order();
    o.cl_ord_id = id;
    EXPECT_TRUE(kraken::check(o)) << id;
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace kgw::oms
