// The account view's two lock-free pieces: SnapshotCell (the published snapshot) and RecentLog
// (fills and closed orders shared by snapshots without copying), each with a writer thread and
// reader threads at once; run under TSan by the tsan preset.

#include "kgw/oms/snapshot_cell.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "kgw/oms/recent_log.hpp"

namespace kgw::oms {
namespace {

// A value whose parts must agree: a torn or half-built one would not.
struct Numbered {
  std::uint64_t n = 0;
  std::vector<std::uint64_t> copies;  // n, repeated n % 7 + 1 times
};
std::shared_ptr<const Numbered> numbered(std::uint64_t n) {
  auto v = std::make_shared<Numbered>();
  v->n = n;
  v->copies.assign(n % 7 + 1, n);
  return v;
}

TEST(SnapshotCell, ReadersSeeTheLatestStoredValue) {
  SnapshotCell<Numbered> cell(numbered(0));
  EXPECT_EQ(cell.load()->n, 0u);
  EXPECT_TRUE(cell.store(numbered(1)));
  EXPECT_EQ(cell.load()->n, 1u);
  auto held = cell.load();
  for (std::uint64_t i = 2; i < 50; ++i) EXPECT_TRUE(cell.store(numbered(i)));
  EXPECT_EQ(held->n, 1u);  // a value held by a reader outlives later publications
  EXPECT_EQ(cell.load()->n, 49u);
  EXPECT_FALSE(cell.pending());
}

TEST(SnapshotCell, ReadersOnOtherThreadsSeeWholeValuesThatNeverGoBack) {
  SnapshotCell<Numbered> cell(numbered(0));
  constexpr std::uint64_t kWrites = 200'000;
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> bad{0}, reads{0};
  auto reader = [&] {
    std::uint64_t last = 0;
    while (!done.load(std::memory_order_acquire)) {
      auto v = cell.load();
      if (v->n < last || v->copies.size() != v->n % 7 + 1) ++bad;
      for (auto c : v->copies)
        if (c != v->n) ++bad;
      last = v->n;
      reads.fetch_add(1, std::memory_order_relaxed);
    }
  };
  std::thread r1(reader), r2(reader);
  std::uint64_t unpublished = 0;
  for (std::uint64_t i = 1; i <= kWrites; ++i)
    if (!cell.store(numbered(i))) ++unpublished;
  while (!cell.flush()) std::this_thread::yield();
  done.store(true, std::memory_order_release);
  r1.join();
  r2.join();
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_GT(reads.load(), 0u);
  EXPECT_EQ(cell.load()->n, kWrites);
  EXPECT_LT(unpublished, kWrites / 100);  // all spare slots pinned at once is rare
}

std::vector<int> values(const RecentLog<int>& log) {
  std::vector<int> out;
  for (std::size_t i = 0; i < log.size(); ++i) out.push_back(*log.at(i));
  return out;
}

TEST(RecentLog, KeepsTheNewestValuesAcrossPagesOldestFirst) {
  RecentLogWriter<int> w(100);
  for (int i = 0; i < 1000; ++i) w.append(std::make_shared<const int>(i));
  const auto view = w.view();
  ASSERT_EQ(view->size(), 100u);
  EXPECT_EQ(*view->at(0), 900);
  EXPECT_EQ(*view->newest(0), 999);
  EXPECT_EQ(*view->find_newest([](int v) { return v % 40 == 0; }), 960);
  EXPECT_FALSE(view->find_newest([](int v) { return v < 900; }));
  EXPECT_EQ(*w.find_newest([](int v) { return v == 950; }), 950);
}

TEST(RecentLog, AppendHandsBackTheValueItForgotOnceFull) {
  RecentLogWriter<int> w(70);  // past one page, so the forgetting crosses a page boundary
  for (int i = 0; i < 70; ++i) EXPECT_FALSE(w.append(std::make_shared<const int>(i))) << i;
  for (int i = 70; i < 300; ++i) {
    const auto forgotten = w.append(std::make_shared<const int>(i));
    ASSERT_TRUE(forgotten) << i;
    EXPECT_EQ(*forgotten, i - 70);
  }
}

TEST(RecentLog, AViewDoesNotChangeWhenTheWriterGoesOn) {
  RecentLogWriter<int> w(3);
  for (int i = 0; i < 2; ++i) w.append(std::make_shared<const int>(i));
  const auto before = w.view();
  for (int i = 2; i < 200; ++i) w.append(std::make_shared<const int>(i));
  EXPECT_EQ(values(*before), (std::vector<int>{0, 1}));
  EXPECT_EQ(values(*w.view()), (std::vector<int>{197, 198, 199}));
}

TEST(RecentLog, ViewsReadOnOtherThreadsWhileTheWriterAppends) {
  RecentLogWriter<Numbered> w(500);
  SnapshotCell<RecentLog<Numbered>> cell(w.view());
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> bad{0};
  auto reader = [&] {
    while (!done.load(std::memory_order_acquire)) {
      const auto view = cell.load();
      for (std::size_t i = 0; i < view->size(); ++i) {
        const auto& v = view->at(i);
        if (i > 0 && v->n != view->at(i - 1)->n + 1) ++bad;  // contiguous, oldest first
        if (v->copies.size() != v->n % 7 + 1) ++bad;
      }
    }
  };
  std::thread r1(reader), r2(reader);
  for (std::uint64_t i = 0; i < 50'000; ++i) {
    w.append(numbered(i));
    (void)cell.store(w.view());
  }
  while (!cell.flush()) std::this_thread::yield();
  done.store(true, std::memory_order_release);
  r1.join();
  r2.join();
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_EQ(cell.load()->newest(0)->n, 49'999u);
}

}  // namespace
}  // namespace kgw::oms
