#pragma once
// SeqlockRing<T>: the last N values of a stream, written by a single writer thread and read by
// any number of reader threads without locks (recent trades, spread history; DESIGN.md §3). N is
// set at construction (rounded up to a power of two) and the slots are allocated then, once; a
// ring of capacity 0 keeps nothing (its pushes are only counted).
// Each slot carries its own sequence: the absolute position it holds (2p+1 while being written,
// 2p+2 once written), so a reader copying position p knows whether it got p, a torn value, or a
// later value that lapped it, and never returns the latter two. Readers never block the writer.
// Payload words are relaxed atomics, as in SeqlockSlot, so the concurrent copy is race-free.

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <type_traits>

namespace kgw {

template <class T>
class SeqlockRing {
  static_assert(std::is_trivially_copyable_v<T>, "ring payloads are copied bytewise");
  static constexpr std::size_t kWords = (sizeof(T) + 7) / 8;

 public:
  // Room for `capacity` values, rounded up to a power of two (0: none).
  explicit SeqlockRing(std::size_t capacity) : n_(capacity > 0 ? std::bit_ceil(capacity) : 0) {
    if (n_ > 0) slots_ = std::make_unique<Slot[]>(n_);
  }

  std::size_t capacity() const noexcept { return n_; }
  // Bytes of slots held (what the capacity costs).
  std::size_t bytes() const noexcept { return n_ * sizeof(Slot); }

  // Writer side: exactly one thread.
  void push(const T& v) noexcept {
    const std::uint64_t p = head_.load(std::memory_order_relaxed);
    if (n_ == 0) {
      head_.store(p + 1, std::memory_order_release);
      return;
    }
    Slot& s = slots_[p & (n_ - 1)];
    std::uint64_t buf[kWords] = {};
    std::memcpy(buf, &v, sizeof(T));
    s.seq.store(2 * p + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);  // odd sequence before the payload
    for (std::size_t i = 0; i < kWords; ++i) s.words[i].store(buf[i], std::memory_order_relaxed);
    s.seq.store(2 * p + 2, std::memory_order_release);
    head_.store(p + 1, std::memory_order_release);
  }

  // Values pushed so far (the next position to be written).
  std::uint64_t size() const noexcept { return head_.load(std::memory_order_acquire); }

  // Reader side, any thread: copies up to out.size() of the most recent values, oldest first,
  // into `out` and returns how many. If the writer laps the reader during the copy, the
  // overwritten (oldest) values are left out rather than returned torn or out of order.
  std::size_t latest(std::span<T> out) const noexcept {
    const std::uint64_t head = head_.load(std::memory_order_acquire);
    std::uint64_t want = out.size() < n_ ? out.size() : n_;
    if (want > head) want = head;
    // Newest first, so a lap costs only the oldest values; then shift to oldest-first order.
    std::size_t got = 0;
    for (std::uint64_t i = 0; i < want; ++i) {
      if (!read(head - 1 - i, out[want - 1 - i])) break;
      ++got;
    }
    if (got < want) std::memmove(out.data(), out.data() + (want - got), got * sizeof(T));
    return got;
  }

  // The value at absolute position `p` (0 = first ever pushed), if it is still in the ring.
  bool read(std::uint64_t p, T& out) const noexcept {
    if (n_ == 0) return false;
    const Slot& s = slots_[p & (n_ - 1)];
    const std::uint64_t expect = 2 * p + 2;
    if (s.seq.load(std::memory_order_acquire) != expect) return false;
    std::uint64_t buf[kWords];
    for (std::size_t i = 0; i < kWords; ++i) buf[i] = s.words[i].load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);  // payload loads before the re-check
    if (s.seq.load(std::memory_order_relaxed) != expect) return false;
    std::memcpy(&out, buf, sizeof(T));
    return true;
  }

 private:
  struct Slot {
    std::atomic<std::uint64_t> seq{0};  // 0: never written (position p's is always >= 2)
    std::array<std::atomic<std::uint64_t>, kWords> words{};
  };
  std::size_t n_;
  std::unique_ptr<Slot[]> slots_;  // n_ slots, value-initialised (every seq 0), allocated once
  alignas(64) std::atomic<std::uint64_t> head_{0};
};

}  // namespace kgw
