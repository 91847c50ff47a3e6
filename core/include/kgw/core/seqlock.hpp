#pragma once
// SeqlockSlot<T>: one value written by a single writer thread and read by any number of reader
// threads without locks. Readers never block the writer and never observe a torn value: they
// retry while a write is in progress. Used for tickers and top-of-book per symbol (DESIGN.md §3).
//
// The payload is stored as relaxed std::atomic<uint64_t> words so the concurrent copy is not a
// data race in the C++ memory model (and TSan agrees); on x86-64 these are plain moves.

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace kgw {

// A spin-wait hint: lets the sibling hyperthread run and saves power while a loop polls.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

template <class T>
class SeqlockSlot {
  static_assert(std::is_trivially_copyable_v<T>, "seqlock payloads are copied bytewise");
  static constexpr std::size_t kWords = (sizeof(T) + 7) / 8;

 public:
  SeqlockSlot() noexcept { store(T{}); }
  explicit SeqlockSlot(const T& v) noexcept { store(v); }

  // Writer side: exactly one thread may call store().
  void store(const T& v) noexcept {
    std::uint64_t buf[kWords] = {};
    std::memcpy(buf, &v, sizeof(T));
    const std::uint64_t s = seq_.load(std::memory_order_relaxed);
    seq_.store(s + 1, std::memory_order_relaxed);  // odd: write in progress
    // The release fence orders the odd sequence before the payload stores, so a reader that
    // sees any new word also sees the odd sequence on its re-check.
    std::atomic_thread_fence(std::memory_order_release);
    for (std::size_t i = 0; i < kWords; ++i) words_[i].store(buf[i], std::memory_order_relaxed);
    seq_.store(s + 2, std::memory_order_release);
  }

  // Reader side: any thread. Spins only while a write is in progress (a few ns).
  T load() const noexcept {
    T out;
    while (!try_load(out)) cpu_relax();
    return out;
  }

  // One attempt; false if a write overlapped (nothing useful in `out`).
  bool try_load(T& out) const noexcept {
    const std::uint64_t s1 = seq_.load(std::memory_order_acquire);
    if (s1 & 1) return false;
    std::uint64_t buf[kWords];
    for (std::size_t i = 0; i < kWords; ++i) buf[i] = words_[i].load(std::memory_order_relaxed);
    // The acquire fence keeps the payload loads before the sequence re-check.
    std::atomic_thread_fence(std::memory_order_acquire);
    if (seq_.load(std::memory_order_relaxed) != s1) return false;
    std::memcpy(&out, buf, sizeof(T));
    return true;
  }

  // Number of completed writes (even sequence / 2); lets readers detect "changed since".
  std::uint64_t version() const noexcept { return seq_.load(std::memory_order_acquire) / 2; }

 private:
  alignas(64) std::atomic<std::uint64_t> seq_{0};
  alignas(64) std::array<std::atomic<std::uint64_t>, kWords> words_{};
};

}  // namespace kgw
