#pragma once
// SpscRing<T>: a bounded single-producer single-consumer queue. Exactly one thread pushes and
// exactly one thread pops; neither blocks nor allocates after construction. push() fails (returns
// false) when full, so the producer decides what to drop. Capacity is rounded up to a power of two.

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace kgw {

template <class T>
class SpscRing {
  static_assert(std::is_nothrow_move_constructible_v<T>, "ring elements move without throwing");

 public:
  explicit SpscRing(std::size_t capacity) : mask_(round_up(capacity) - 1), slots_(new Slot[mask_ + 1]) {}
  ~SpscRing() {
    while (pop()) {
    }
  }
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  std::size_t capacity() const noexcept { return mask_ + 1; }

  // Producer thread only.
  template <class... Args>
  bool emplace(Args&&... args) noexcept(std::is_nothrow_constructible_v<T, Args...>) {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - head_cache_ > mask_) {
      // Looks full with the cached head: refresh it (acquire pairs with the consumer's release).
      head_cache_ = head_.load(std::memory_order_acquire);
      if (tail - head_cache_ > mask_) return false;
    }
    new (slots_[tail & mask_].ptr()) T(std::forward<Args>(args)...);
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }
  bool push(T v) noexcept { return emplace(std::move(v)); }

  // Consumer thread only.
  std::optional<T> pop() noexcept {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    if (head == tail_cache_) {
      tail_cache_ = tail_.load(std::memory_order_acquire);
      if (head == tail_cache_) return std::nullopt;
    }
    T* p = slots_[head & mask_].ptr();
    std::optional<T> out(std::move(*p));
    p->~T();
    head_.store(head + 1, std::memory_order_release);
    return out;
  }

  // Approximate (exact when called from either end while the other is idle).
  std::size_t size() const noexcept {
    return tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_acquire);
  }
  bool empty() const noexcept { return size() == 0; }

 private:
  struct Slot {
    alignas(T) unsigned char bytes[sizeof(T)];
    T* ptr() noexcept { return std::launder(reinterpret_cast<T*>(bytes)); }
  };
  static std::size_t round_up(std::size_t n) noexcept {
    std::size_t c = 2;
    while (c < n) c <<= 1;
    return c;
  }

  const std::size_t mask_;
  std::unique_ptr<Slot[]> slots_;
  // Producer's line: its index and its cached view of the consumer's index.
  alignas(64) std::atomic<std::size_t> tail_{0};
  std::size_t head_cache_ = 0;
  // Consumer's line.
  alignas(64) std::atomic<std::size_t> head_{0};
  std::size_t tail_cache_ = 0;
};

}  // namespace kgw
