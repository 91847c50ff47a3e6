#pragma once
// WakeSignal: one thread sleeps until others say something changed (an eventcount on a Linux
// futex). Telling costs a fence and a load while nobody sleeps, and at most one system call per
// sleep (the first notify() after the sleeper armed it), so a writer that must never wait (the
// feed thread) can tell a reader (the market watch) that new values are there. The sleeper:
//
//   for (;;) { auto t = s.prepare(); look_for_changes(); s.wait(t, timeout); }
//
// A notify() that comes after prepare() either finds the sleeper armed and wakes it, or comes
// before the look and its change is seen there; none is lost. wait() may also return early
// (a signal, a spurious futex wake), so the sleeper always looks again.

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>

namespace kgw {

class WakeSignal {
 public:
  // Sleeper: arms the signal; returns the token wait() takes. Look for changes after this.
  std::uint32_t prepare() noexcept {
    armed_.store(true, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_seq_cst);  // armed before the look (see notify)
    return epoch_.load(std::memory_order_acquire);
  }

  // Sleeper: returns once notified since prepare() gave `token`, or after `timeout`.
  void wait(std::uint32_t token, std::chrono::nanoseconds timeout) noexcept {
    if (timeout.count() > 0 && epoch_.load(std::memory_order_acquire) == token) {
      timespec ts{};
      ts.tv_sec = static_cast<std::time_t>(timeout.count() / 1'000'000'000);
      ts.tv_nsec = static_cast<long>(timeout.count() % 1'000'000'000);
      ::syscall(SYS_futex, word(), FUTEX_WAIT_PRIVATE, token, &ts, nullptr, 0);
    }
    armed_.store(false, std::memory_order_relaxed);
  }

  // Anyone, after making the change visible: never blocks.
  void notify() noexcept {
    std::atomic_thread_fence(std::memory_order_seq_cst);  // the change before the look at armed_
    if (!armed_.load(std::memory_order_relaxed)) return;
    if (!armed_.exchange(false, std::memory_order_acq_rel)) return;  // another notify took it
    epoch_.fetch_add(1, std::memory_order_release);
    ::syscall(SYS_futex, word(), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
  }

  // Sleeps so far (notifies that made a system call): for tests and metrics.
  std::uint32_t epoch() const noexcept { return epoch_.load(std::memory_order_acquire); }

 private:
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                    std::atomic<std::uint32_t>::is_always_lock_free,
                "the futex word is the atomic's own storage");
  std::uint32_t* word() noexcept { return reinterpret_cast<std::uint32_t*>(&epoch_); }

  std::atomic<bool> armed_{false};
  alignas(64) std::atomic<std::uint32_t> epoch_{0};
};

}  // namespace kgw
