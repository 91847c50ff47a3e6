// Book: Kraken's L2 rules (apply in order, qty 0 deletes, truncate after every message), the
// checksum over the top 10, crossed detection. Expected checksums come from the independent
// text book (tests/support/kgw_ws_book_check.hpp), not from the code under test.

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <random>
#include <stdexcept>
#include <vector>

#include "kgw/core/kraken/book.hpp"
#include "kgw_ws_book_check.hpp"

namespace kgw::kraken {
namespace {

using Levels = std::vector<BookLevel>;
using Pairs = std::vector<std::pair<std::int64_t, std::int64_t>>;  // (price, qty), comparable

// Prices at 1 decimal, quantities at 8, as BTC/USD.
BookMessage message(bool snapshot, const Levels& bids, const Levels& asks, std::uint32_t checksum = 0) {
  BookMessage m;
  m.symbol = "BTC/USD";
  m.snapshot = snapshot;
  m.bids = bids;
  m.asks = asks;
  m.checksum = checksum;
  return m;
}

Pairs pairs(std::span<const BookLevel> s) {
  Pairs out;
  for (const auto& l : s) out.emplace_back(l.price, l.qty);
  return out;
}

// Kraken's checksum of `book` computed by the text book: mantissas written back as decimal
// text at 1/8 decimals, then '.' and leading zeros stripped, zlib CRC.
std::uint32_t text_checksum(const Book& book) {
  test::TextBook t;
  t.depth = book.depth();
  auto text = [](std::int64_t m, int decimals) {
    std::string s = std::to_string(m);
    while (static_cast<int>(s.size()) <= decimals) s.insert(s.begin(), '0');
    s.insert(s.end() - decimals, '.');
    return s;
  };
  for (const auto& l : book.bids()) t.bids[static_cast<double>(l.price)] = {text(l.price, 1), text(l.qty, 8)};
  for (const auto& l : book.asks()) t.asks[static_cast<double>(l.price)] = {text(l.price, 1), text(l.qty, 8)};
  return t.checksum();
}

// A full snapshot of `n` levels a side around 29430.0, one tick apart.
Book snapshot_book(int depth, int n) {
  Book b(depth);
  Levels bids, asks;
  for (int i = 0; i < n; ++i) {
    bids.push_back({294300 - i, 100000000 + i});
    asks.push_back({294301 + i, 200000000 + i});
  }
  const BookApplyResult r = b.apply(message(true, bids, asks));
  EXPECT_TRUE(r.applied);
  return b;
}

TEST(Book, AppliesASnapshotBestFirstOnBothSides) {
  Book b(10);
  const Levels bids = {{294290, 5}, {294302, 7}, {294295, 6}};  // unordered on purpose
  const Levels asks = {{294310, 3}, {294303, 1}, {294305, 2}};
  const auto r = b.apply(message(true, bids, asks));
  EXPECT_TRUE(r.applied);
  EXPECT_EQ(pairs(b.bids()), (Pairs{{294302, 7}, {294295, 6}, {294290, 5}}));
  EXPECT_EQ(pairs(b.asks()), (Pairs{{294303, 1}, {294305, 2}, {294310, 3}}));
  EXPECT_EQ(r.computed, text_checksum(b));
  EXPECT_EQ(b.best_bid()->price, 294302);
  EXPECT_EQ(b.best_ask()->price, 294303);
}

TEST(Book, ZeroQtyDeletesTheLevel) {
  Book b = snapshot_book(10, 10);
  const Levels del_bid = {{294298, 0}};
  const Levels del_ask = {{294301, 0}};
  b.apply(message(false, del_bid, del_ask));
  ASSERT_EQ(b.bids().size(), 9u);
  ASSERT_EQ(b.asks().size(), 9u);
  for (const auto& l : b.bids()) EXPECT_NE(l.price, 294298);
  EXPECT_EQ(b.best_ask()->price, 294302);
}

TEST(Book, ZeroQtyForALevelTheBookDoesNotHoldChangesNothing) {
  Book b = snapshot_book(10, 10);
  const Pairs before_bids = pairs(b.bids()), before_asks = pairs(b.asks());
  const Levels del = {{100, 0}};
  b.apply(message(false, del, del));
  EXPECT_EQ(pairs(b.bids()), before_bids);
  EXPECT_EQ(pairs(b.asks()), before_asks);
}

TEST(Book, RepeatedPricesInOneMessageApplyInMessageOrder) {
  Book b = snapshot_book(10, 10);
  // Set, delete, set again: the last word wins because order is kept.
  const Levels bids = {{294300, 11}, {294300, 0}, {294300, 33}, {294305, 1}, {294305, 0}};
  b.apply(message(false, bids, {}));
  EXPECT_EQ(b.best_bid()->price, 294300);
  EXPECT_EQ(b.best_bid()->qty, 33);
  EXPECT_EQ(b.bids().size(), 10u);
}

TEST(Book, TruncatesToSubscribedDepthAfterEveryUpdate) {
  Book b = snapshot_book(10, 10);
  // Two better bids push the two worst out; Kraken sends no delete for them.
  const Levels bids = {{294310, 1}, {294309, 2}};
  b.apply(message(false, bids, {}));
  ASSERT_EQ(b.bids().size(), 10u);
  EXPECT_EQ(b.bids().front().price, 294310);
  EXPECT_EQ(b.bids().back().price, 294300 - 7);
  // Deleting the best bid now must not resurrect a truncated level: the side shrinks to 9.
  const Levels del = {{294310, 0}};
  b.apply(message(false, del, {}));
  EXPECT_EQ(b.bids().size(), 9u);
  EXPECT_EQ(b.bids().back().price, 294300 - 7);
}

TEST(Book, ASnapshotDeeperThanTheSubscriptionIsTruncatedToo) {
  Book b = snapshot_book(10, 15);
  EXPECT_EQ(b.bids().size(), 10u);
  EXPECT_EQ(b.asks().size(), 10u);
  EXPECT_EQ(b.asks().back().price, 294301 + 9);
}

TEST(Book, ALevelBeyondTheDepthComesBackWhenABetterOneIsDeletedLaterInTheSameMessage) {
  Book b = snapshot_book(10, 10);
  // The new ask lands 11th, then the best ask goes: after the message it is 10th.
  const Levels asks = {{294301 + 10, 5}, {294301, 0}};
  const auto r = b.apply(message(false, {}, asks));
  EXPECT_EQ(r.dropped, 0u);
  ASSERT_EQ(b.asks().size(), 10u);
  EXPECT_EQ(b.asks().back().price, 294311);
  EXPECT_EQ(b.asks().back().qty, 5);
}

TEST(Book, AMessageThatOverfillsTheWorkingRoomDropsOnlyTheWorstLevels) {
  Book b = snapshot_book(10, 10);
  // 15 better asks on a 20-level working room: the 5 worst old levels are dropped, the final
  // truncation keeps the 10 best.
  Levels asks;
  for (int i = 0; i < 15; ++i) asks.push_back({294000 + i, 1});
  const auto r = b.apply(message(false, {}, asks));
  EXPECT_EQ(r.dropped, 5u);
  ASSERT_EQ(b.asks().size(), 10u);
  EXPECT_EQ(b.asks().front().price, 294000);
  EXPECT_EQ(b.asks().back().price, 294009);
}

TEST(Book, ReportsACrossedBook) {
  Book b = snapshot_book(10, 10);
  EXPECT_FALSE(b.crossed());
  const Levels bids = {{294301, 1}};  // bid at the best ask: locked counts as crossed
  Book copy = b;
  const auto r = b.apply(message(false, bids, {}, 0));
  EXPECT_TRUE(r.crossed);
  EXPECT_TRUE(b.crossed());
  EXPECT_FALSE(b.in_sync());
  const Levels bids2 = {{294300, 5}};  // one tick below the ask: fine
  EXPECT_FALSE(copy.apply(message(false, bids2, {}, 0)).crossed);
}

TEST(Book, IgnoresUpdatesBeforeTheFirstSnapshot) {
  Book b(10);
  const Levels bids = {{294300, 1}};
  const auto r = b.apply(message(false, bids, {}));
  EXPECT_FALSE(r.applied);
  EXPECT_TRUE(b.bids().empty());
  EXPECT_FALSE(b.has_snapshot());
}

TEST(Book, ASnapshotReplacesTheWholeBook) {
  Book b = snapshot_book(10, 10);
  const Levels bids = {{100, 1}};
  const Levels asks = {{200, 2}};
  b.apply(message(true, bids, asks));
  EXPECT_EQ(pairs(b.bids()), pairs(bids));
  EXPECT_EQ(pairs(b.asks()), pairs(asks));
}

TEST(Book, ACorruptedChecksumIsDetectedAndTheBookStaysOutOfSyncUntilTheNextSnapshot) {
  Book b(10);
  const Levels bids = {{294300, 100000000}}, asks = {{294301, 200000000}};
  Book probe(10);
  const std::uint32_t good = probe.apply(message(true, bids, asks)).computed;
  ASSERT_EQ(good, text_checksum(probe));

  auto r = b.apply(message(true, bids, asks, good));
  EXPECT_TRUE(r.checksum_ok);
  EXPECT_TRUE(b.in_sync());

  const Levels none;
  r = b.apply(message(false, none, none, good ^ 1u));
  EXPECT_FALSE(r.checksum_ok);
  EXPECT_EQ(r.expected, good ^ 1u);
  EXPECT_EQ(r.computed, good);
  EXPECT_FALSE(b.in_sync());

  r = b.apply(message(false, none, none, good));  // verifies again, still not trusted
  EXPECT_TRUE(r.checksum_ok);
  EXPECT_FALSE(b.in_sync());
  r = b.apply(message(true, bids, asks, good));
  EXPECT_TRUE(b.in_sync());
}

TEST(Book, TheChecksumCoversOnlyTheTopTenLevelsAtDeeperDepths) {
  Book b = snapshot_book(25, 25);
  EXPECT_EQ(b.bids().size(), 25u);
  const std::uint32_t before = b.checksum();
  EXPECT_EQ(before, text_checksum(b));
  // A change at level 20 does not move the checksum; one at level 3 does.
  const Levels deep = {{294300 - 19, 1}};
  b.apply(message(false, deep, {}));
  EXPECT_EQ(b.checksum(), before);
  const Levels top = {{294300 - 2, 1}};
  b.apply(message(false, top, {}));
  EXPECT_NE(b.checksum(), before);
  EXPECT_EQ(b.checksum(), text_checksum(b));
}

TEST(Book, EveryDepthKrakenOffersIsAcceptedAndNoOther) {
  for (int d : Book::kDepths) EXPECT_EQ(Book(d).depth(), d);
  EXPECT_THROW(Book(0), std::invalid_argument);
  EXPECT_THROW(Book(20), std::invalid_argument);
  EXPECT_FALSE(Book::valid_depth(5));
}

TEST(Book, ADepthOf1000HoldsAThousandLevelsASide) {
  Book b = snapshot_book(1000, 1000);
  EXPECT_EQ(b.bids().size(), 1000u);
  EXPECT_EQ(b.asks().back().price, 294301 + 999);
  const Levels del = {{294300 - 500, 0}};
  b.apply(message(false, del, {}));
  EXPECT_EQ(b.bids().size(), 999u);
  EXPECT_EQ(b.checksum(), text_checksum(b));
}

// The cached digit text must always equal core's stateless checksum. Random messages (inserts
// above, inside and below the top 10, deletes, qty changes, repeats) against a std::map model
// and kgw::book_checksum, at a depth where the checksum window and the depth coincide and at
// one where they do not.
void random_walk(int depth, std::uint32_t seed) {
  std::mt19937 rng(seed);
  Book book(depth);
  std::map<std::int64_t, std::int64_t, std::greater<>> bids;
  std::map<std::int64_t, std::int64_t> asks;
  auto random_side = [&](Levels& out, bool is_bid) {
    const int changes = static_cast<int>(rng() % 6);
    for (int i = 0; i < changes; ++i) {
      // Bids 1000..1040, asks 1041..1081: near the touch so the top 10 moves a lot.
      const std::int64_t px = is_bid ? 1000 + rng() % 41 : 1041 + rng() % 41;
      const std::int64_t qty = rng() % 3 == 0 ? 0 : 1 + rng() % 100000;
      out.push_back({px, qty});
    }
  };
  for (int step = 0; step < 5000; ++step) {
    const bool snapshot = step % 1000 == 0;
    Levels b, a;
    random_side(b, true);
    random_side(a, false);
    if (snapshot) {
      bids.clear();
      asks.clear();
      for (int i = 0; i < depth; ++i) b.push_back({1000 + i, 7 + i}), a.push_back({1041 + i, 9 + i});
    }
    for (const auto& l : b) l.qty ? void(bids[l.price] = l.qty) : void(bids.erase(l.price));
    for (const auto& l : a) l.qty ? void(asks[l.price] = l.qty) : void(asks.erase(l.price));
    while (static_cast<int>(bids.size()) > depth) bids.erase(std::prev(bids.end()));
    while (static_cast<int>(asks.size()) > depth) asks.erase(std::prev(asks.end()));

    const auto r = book.apply(message(snapshot, b, a));
    Pairs want_b(bids.begin(), bids.end()), want_a(asks.begin(), asks.end());
    ASSERT_EQ(pairs(book.bids()), want_b) << "step " << step;
    ASSERT_EQ(pairs(book.asks()), want_a) << "step " << step;
    ASSERT_EQ(r.computed, kgw::book_checksum(book.asks(), book.bids())) << "step " << step;
    if (step % 97 == 0) {
      ASSERT_EQ(r.computed, text_checksum(book)) << "step " << step;
    }
  }
}

TEST(Book, CachedChecksumDigitsAlwaysMatchCoresChecksumAtDepth10) { random_walk(10, 1); }
TEST(Book, CachedChecksumDigitsAlwaysMatchCoresChecksumAtDepth25) { random_walk(25, 2); }

}  // namespace
}  // namespace kgw::kraken
