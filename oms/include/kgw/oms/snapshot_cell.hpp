#pragma once
// SnapshotCell<T>: the latest immutable snapshot of a collection, published by one writer thread
// and taken by any number of reader threads without locks (DESIGN.md §3: "an atomically swapped
// immutable snapshot"). Owned by whoever publishes (the order manager's account view); load() is
// for any thread, store()/flush() for the one writer thread.
//
// Why not std::atomic<std::shared_ptr<T>>: libstdc++ 12 implements it with a spin bit in the
// control-block pointer (is_lock_free() is false: readers and the writer spin on each other), and
// its load() releases that bit with a relaxed store, so a reader's copy and the writer's next
// store are unordered in the memory model and TSan reports them.
//
// The scheme: kSlots slots, each a shared_ptr and a pin count; `current_` names the published
// slot. A reader pins the current slot, checks it is still current, copies the shared_ptr (one
// reference increment) and unpins. The writer fills a slot that is neither current nor pinned,
// then makes it current. The pin and the current index form a Dekker pair (reader: pin, then
// read current; writer: publish current, then read pins), hence seq_cst on those four
// operations: a reader that saw a slot current after pinning it has its pin seen by any writer
// that later considers reusing that slot. Readers never wait for the writer (a reader retries
// only when a publication overtook it); the writer never waits for readers: if every spare slot
// is pinned (readers preempted mid-copy), store() keeps the value and flush() publishes it later.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

namespace kgw::oms {

template <class T>
class SnapshotCell {
 public:
  static constexpr std::uint32_t kSlots = 8;

  explicit SnapshotCell(std::shared_ptr<const T> initial) { slots_[0].value = std::move(initial); }
  SnapshotCell(const SnapshotCell&) = delete;
  SnapshotCell& operator=(const SnapshotCell&) = delete;

  // Any thread.
  std::shared_ptr<const T> load() const noexcept {
    for (;;) {
      const std::uint32_t i = current_.load(std::memory_order_seq_cst);
      Slot& s = slots_[i];
      s.pins.fetch_add(1, std::memory_order_seq_cst);
      if (current_.load(std::memory_order_seq_cst) == i) {
        std::shared_ptr<const T> out = s.value;
        // Release: this copy happens before a writer that sees the pin gone refills the slot.
        s.pins.fetch_sub(1, std::memory_order_release);
        return out;
      }
      s.pins.fetch_sub(1, std::memory_order_release);  // overtaken by a publication: take the new one
    }
  }

  // Writer thread only. True if `next` is now what readers load; false if it waits for flush().
  bool store(std::shared_ptr<const T> next) noexcept {
    pending_ = std::move(next);
    return flush();
  }
  // Writer thread only: publishes a value store() had to keep. True when nothing is pending.
  bool flush() noexcept {
    if (!pending_) return true;
    const std::uint32_t cur = current_.load(std::memory_order_relaxed);  // only this thread writes it
    for (std::uint32_t k = 1; k < kSlots; ++k) {
      const std::uint32_t i = (cur + k) % kSlots;
      Slot& s = slots_[i];
      if (s.pins.load(std::memory_order_seq_cst) != 0) continue;
      s.value = std::move(pending_);  // the slot's old snapshot may be destroyed here
      current_.store(i, std::memory_order_seq_cst);
      return true;
    }
    return false;
  }
  bool pending() const noexcept { return pending_ != nullptr; }

 private:
  struct alignas(64) Slot {
    std::atomic<std::uint32_t> pins{0};
    std::shared_ptr<const T> value;
  };
  mutable std::array<Slot, kSlots> slots_{};
  alignas(64) std::atomic<std::uint32_t> current_{0};
  std::shared_ptr<const T> pending_;  // writer only
};

}  // namespace kgw::oms
