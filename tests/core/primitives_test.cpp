#include "kgw/core/clock.hpp"
#include "kgw/core/crc32.hpp"
#include "kgw/core/seqlock.hpp"
#include "kgw/core/seqlock_ring.hpp"
#include "kgw/core/spsc_ring.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <thread>

namespace kgw {
namespace {

TEST(Crc32, MatchesTheStandardCheckValue) {
  EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(crc32(""), 0u);
}

TEST(Crc32, MatchesKrakensDocumentedBookChecksum) {
  // vectors.json ws_v2_book_checksum_official_btcusd: asks string then bids string.
  const std::string asks =
      "45285210000045286415457195345286615457110945289615456091145290215890660452918154553491452947445474945296135380000"
      "452975994554245299518772827";
  const std::string bids =
      "452835100000004528341545820154528211000000045281010000000452803154592586452790799000045277633101034527753000000"
      "045277315460273745276615445238";
  EXPECT_EQ(crc32(asks + bids), 3310070434u);
  // Incremental feeding gives the same value.
  std::uint32_t st = crc32_init();
  st = crc32_update(st, asks);
  st = crc32_update(st, bids);
  EXPECT_EQ(crc32_final(st), 3310070434u);
}

TEST(Crc32, AgreesWithZlibOnRandomInputsOfEveryLength) {
  std::mt19937 rng(7);
  std::string buf;
  for (std::size_t len = 0; len < 600; ++len) {
    buf.resize(len);
    for (auto& c : buf) c = static_cast<char>(rng());
    const auto z = ::crc32(0L, reinterpret_cast<const Bytef*>(buf.data()), static_cast<uInt>(buf.size()));
    ASSERT_EQ(crc32(buf), static_cast<std::uint32_t>(z)) << len;
  }
}

TEST(Clock, ManualClockAdvancesWallAndMonotonicTogether) {
  ManualClock c;
  const auto w = c.wall_now();
  const auto m = c.mono_now();
  c.advance(std::chrono::milliseconds(1500));
  EXPECT_EQ(c.wall_now() - w, std::chrono::milliseconds(1500));
  EXPECT_EQ(c.mono_now() - m, std::chrono::milliseconds(1500));
}

TEST(Rfc3339, ParsesKrakenTimestampsToTheNanosecond) {
  auto t = parse_rfc3339("2023-09-25T09:04:31.742648Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->time_since_epoch().count(), 1695632671742648000LL);
  auto ns = parse_rfc3339("2023-10-04T16:25:00.000000000Z");
  ASSERT_TRUE(ns);
  EXPECT_EQ(format_rfc3339(*ns, 9), "2023-10-04T16:25:00.000000000Z");
  auto off = parse_rfc3339("2023-03-24T18:41:56+01:00");
  ASSERT_TRUE(off);
  EXPECT_EQ(format_rfc3339(*off, 0), "2023-03-24T17:41:56Z");
  EXPECT_EQ(format_rfc3339(*t), "2023-09-25T09:04:31.742648Z");
  for (const char* bad : {"", "2023-09-25", "2023-13-01T00:00:00Z", "2023-09-25T09:04:31", "2023-09-25T09:04:31.Z",
                          "2023-09-25T09:04:31Zjunk", "2023-02-30T00:00:00Z"})
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
}

struct Wide {
  std::uint64_t a, b, c, d, e, f, g, h;
};

TEST(SeqlockSlot, ReaderNeverSeesATornValueWhileTheWriterRuns) {
  SeqlockSlot<Wide> slot;
  std::atomic<bool> reader_started{false}, done{false};
  constexpr std::uint64_t kWrites = 200000;
  std::thread writer([&] {
    // Start writing only once the reader runs, so the two really overlap (in a release build the
    // writer could otherwise finish before the reader's first load).
    while (!reader_started.load(std::memory_order_acquire)) cpu_relax();
    for (std::uint64_t i = 1; i <= kWrites; ++i) slot.store(Wide{i, i, i, i, i, i, i, i});
    done.store(true, std::memory_order_release);
  });
  std::uint64_t last = 0, reads = 0, torn = 0, backwards = 0;
  reader_started.store(true, std::memory_order_release);
  // Bounded: the writer finishes after kWrites; the reader also stops after 50M reads. At least
  // one read always happens, whatever the scheduler does.
  do {
    const Wide w = slot.load();
    ++reads;
    if (w.a != w.b || w.a != w.c || w.a != w.d || w.a != w.e || w.a != w.f || w.a != w.g || w.a != w.h) ++torn;
    if (w.a < last) ++backwards;
    last = w.a;
  } while (!done.load(std::memory_order_acquire) && reads < 50'000'000);
  writer.join();
  EXPECT_EQ(torn, 0u);
  EXPECT_EQ(backwards, 0u);
  EXPECT_EQ(slot.load().a, kWrites);
  EXPECT_EQ(slot.version(), kWrites + 1);  // + the constructor's initial store
  EXPECT_GT(reads, 0u);
}

TEST(SeqlockSlot, TryLoadFailsWhileAWriteIsInProgressOnlyAndOtherwiseSucceeds) {
  SeqlockSlot<int> slot(5);
  int v = 0;
  ASSERT_TRUE(slot.try_load(v));
  EXPECT_EQ(v, 5);
}

TEST(SeqlockRing, LatestReturnsTheMostRecentValuesOldestFirst) {
  SeqlockRing<Wide> ring(8);
  Wide out[16];
  EXPECT_EQ(ring.latest(out), 0u);
  for (std::uint64_t i = 1; i <= 5; ++i) ring.push(Wide{i, i, i, i, i, i, i, i});
  ASSERT_EQ(ring.latest(std::span<Wide>(out, 3)), 3u);
  EXPECT_EQ(out[0].a, 3u);
  EXPECT_EQ(out[2].a, 5u);
  for (std::uint64_t i = 6; i <= 20; ++i) ring.push(Wide{i, i, i, i, i, i, i, i});
  ASSERT_EQ(ring.latest(out), 8u);  // capped at the capacity
  EXPECT_EQ(out[0].a, 13u);
  EXPECT_EQ(out[7].a, 20u);
  Wide one{};
  EXPECT_FALSE(ring.read(0, one));  // overwritten
  EXPECT_TRUE(ring.read(19, one));
  EXPECT_EQ(one.a, 20u);
  EXPECT_FALSE(ring.read(20, one));  // not written yet
}

TEST(SeqlockRing, CapacityIsRoundedUpToAPowerOfTwoAndZeroKeepsNothing) {
  SeqlockRing<Wide> five(5);
  EXPECT_EQ(five.capacity(), 8u);
  EXPECT_GE(five.bytes(), 8 * sizeof(Wide));
  for (std::uint64_t i = 1; i <= 9; ++i) five.push(Wide{i, i, i, i, i, i, i, i});
  Wide out[16];
  ASSERT_EQ(five.latest(out), 8u);
  EXPECT_EQ(out[0].a, 2u);

  SeqlockRing<Wide> none(0);
  EXPECT_EQ(none.capacity(), 0u);
  EXPECT_EQ(none.bytes(), 0u);
  none.push(Wide{1, 1, 1, 1, 1, 1, 1, 1});
  EXPECT_EQ(none.size(), 1u);  // counted, not kept
  EXPECT_EQ(none.latest(out), 0u);
  Wide one{};
  EXPECT_FALSE(none.read(0, one));
}

TEST(SeqlockRing, ReadersNeverSeeTornOrReorderedValuesWhileTheWriterLapsThem) {
  SeqlockRing<Wide> ring(16);  // small, so the writer laps readers often
  std::atomic<bool> readers_started{false}, done{false};
  constexpr std::uint64_t kWrites = 300000;
  std::thread writer([&] {
    while (!readers_started.load(std::memory_order_acquire)) cpu_relax();
    for (std::uint64_t i = 1; i <= kWrites; ++i) ring.push(Wide{i, i, i, i, i, i, i, i});
    done.store(true, std::memory_order_release);
  });
  std::uint64_t reads = 0, torn = 0, unordered = 0, values = 0;
  Wide out[16];
  readers_started.store(true, std::memory_order_release);
  do {
    const std::size_t n = ring.latest(out);
    ++reads;
    values += n;
    for (std::size_t i = 0; i < n; ++i) {
      const Wide& w = out[i];
      if (w.a != w.b || w.a != w.c || w.a != w.d || w.a != w.e || w.a != w.f || w.a != w.g || w.a != w.h) ++torn;
      if (i > 0 && w.a != out[i - 1].a + 1) ++unordered;  // consecutive positions, oldest first
    }
  } while (!done.load(std::memory_order_acquire) && reads < 20'000'000);
  writer.join();
  EXPECT_EQ(torn, 0u);
  EXPECT_EQ(unordered, 0u);
  EXPECT_GT(reads, 0u);
  ASSERT_EQ(ring.latest(out), 16u);
  EXPECT_EQ(out[15].a, kWrites);
}

TEST(SpscRing, RejectsPushWhenFullAndKeepsFifoOrder) {
  SpscRing<int> r(4);
  EXPECT_EQ(r.capacity(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(r.push(i));
  EXPECT_FALSE(r.push(99));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(r.pop().value(), i);
  EXPECT_FALSE(r.pop().has_value());
}

TEST(SpscRing, DestroysElementsLeftInTheRing) {
  auto counter = std::make_shared<int>(0);
  {
    SpscRing<std::shared_ptr<int>> r(8);
    r.push(counter);
    r.push(counter);
    EXPECT_EQ(counter.use_count(), 3);
  }
  EXPECT_EQ(counter.use_count(), 1);
}

TEST(SpscRing, TwoThreadsTransferEveryValueInOrder) {
  SpscRing<std::uint64_t> r(1024);
  constexpr std::uint64_t kCount = 2'000'000;
  std::thread producer([&] {
    for (std::uint64_t i = 0; i < kCount; ++i)
      while (!r.push(i)) cpu_relax();
  });
  std::uint64_t expected = 0, mismatches = 0;
  while (expected < kCount) {
    if (auto v = r.pop()) {
      if (*v != expected) ++mismatches;
      ++expected;
    } else {
      cpu_relax();
    }
  }
  producer.join();
  EXPECT_EQ(mismatches, 0u);
  EXPECT_TRUE(r.empty());
}

}  // namespace
}  // namespace kgw

#include "kgw/core/book_checksum.hpp"
#include "kgw/core/decimal.hpp"

namespace kgw {
namespace {

TEST(BookChecksum, ReproducesKrakensDocumentedBtcUsdSnapshot) {
  // vectors.json ws_v2_book_checksum_official_btcusd (precision 1/8).
  const char* asks[][2] = {{"45285.2", "0.00100000"}, {"45286.4", "1.54571953"}, {"45286.6", "1.54571109"},
                           {"45289.6", "1.54560911"}, {"45290.2", "0.15890660"}, {"45291.8", "1.54553491"},
                           {"45294.7", "0.04454749"}, {"45296.1", "0.35380000"}, {"45297.5", "0.09945542"},
                           {"45299.5", "0.18772827"}};
  const char* bids[][2] = {{"45283.5", "0.10000000"}, {"45283.4", "1.54582015"}, {"45282.1", "0.10000000"},
                           {"45281.0", "0.10000000"}, {"45280.3", "1.54592586"}, {"45279.0", "0.07990000"},
                           {"45277.6", "0.03310103"}, {"45277.5", "0.30000000"}, {"45277.3", "1.54602737"},
                           {"45276.6", "0.15445238"}};
  std::vector<BookLevel> a, b;
  for (auto& l : asks) a.push_back({parse_fixed(l[0], 1).value(), parse_fixed(l[1], 8).value()});
  for (auto& l : bids) b.push_back({parse_fixed(l[0], 1).value(), parse_fixed(l[1], 8).value()});
  EXPECT_EQ(book_checksum(a, b), 3310070434u);
  // Levels beyond the tenth do not count.
  a.push_back({999999, 1});
  EXPECT_EQ(book_checksum(a, b), 3310070434u);
}

TEST(BookChecksum, ReproducesTheDocsMaticSnapshotPrintedWithoutTrailingZeros) {
  // vectors.json ws_v2_book_checksum_official_maticusd_snapshot: values as printed (0.566,
  // 18097.1547) only reproduce at precision 4/8.
  const char* bids[][2] = {{"0.5666", "4831.75496356"}, {"0.5665", "6658.22734739"}, {"0.5664", "18724.91513344"},
                           {"0.5663", "11563.92544914"}, {"0.5662", "14006.65365711"}, {"0.5661", "17454.85679807"},
                           {"0.566", "18097.1547"}, {"0.5659", "33644.89175666"}, {"0.5658", "148.3464"},
                           {"0.5657", "606.70854372"}};
  const char* asks[][2] = {{"0.5668", "4410.79769741"}, {"0.5669", "4655.40412487"}, {"0.567", "49844.89424998"},
                           {"0.5671", "24306.41678"}, {"0.5672", "29783.25223475"}, {"0.5673", "57234.71239278"},
                           {"0.5674", "45065.04744"}, {"0.5675", "5912.76380354"}, {"0.5676", "42514.92434778"},
                           {"0.5677", "36304.0847022"}};
  std::vector<BookLevel> a, b;
  for (auto& l : asks) a.push_back({parse_fixed(l[0], 4).value(), parse_fixed(l[1], 8).value()});
  for (auto& l : bids) b.push_back({parse_fixed(l[0], 4).value(), parse_fixed(l[1], 8).value()});
  EXPECT_EQ(book_checksum(a, b), 2439117997u);
}

}  // namespace
}  // namespace kgw
