#pragma once
// Time sources. Everything that stamps or ages a value takes a Clock so tests can inject a
// ManualClock and stay deterministic. SystemClock is stateless and thread-safe; ManualClock is
// thread-safe (atomics) so a test thread can advance it while workers read it.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "kgw/core/error.hpp"

namespace kgw {

// Wall-clock time (exchange timestamps, nonces) in nanoseconds since the Unix epoch.
using WallTime = std::chrono::sys_time<std::chrono::nanoseconds>;
// Monotonic time (ages, timeouts) in nanoseconds since an arbitrary origin.
using MonoTime = std::chrono::time_point<std::chrono::steady_clock, std::chrono::nanoseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual WallTime wall_now() const noexcept = 0;
  virtual MonoTime mono_now() const noexcept = 0;
};

class SystemClock final : public Clock {
 public:
  WallTime wall_now() const noexcept override {
    return std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
  }
  MonoTime mono_now() const noexcept override {
    return std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now());
  }
  // One process-wide instance for code that has no injected clock.
  static const SystemClock& instance() noexcept;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(WallTime wall = WallTime{std::chrono::seconds{1'700'000'000}},
                       MonoTime mono = MonoTime{std::chrono::seconds{1000}})
      : wall_ns_(wall.time_since_epoch().count()), mono_ns_(mono.time_since_epoch().count()) {}

  WallTime wall_now() const noexcept override {
    return WallTime{std::chrono::nanoseconds{wall_ns_.load(std::memory_order_acquire)}};
  }
  MonoTime mono_now() const noexcept override {
    return MonoTime{std::chrono::nanoseconds{mono_ns_.load(std::memory_order_acquire)}};
  }
  // Moves both clocks forward together.
  void advance(std::chrono::nanoseconds d) noexcept {
    wall_ns_.fetch_add(d.count(), std::memory_order_acq_rel);
    mono_ns_.fetch_add(d.count(), std::memory_order_acq_rel);
  }
  void set_wall(WallTime t) noexcept { wall_ns_.store(t.time_since_epoch().count(), std::memory_order_release); }

 private:
  std::atomic<std::int64_t> wall_ns_;
  std::atomic<std::int64_t> mono_ns_;
};

// RFC 3339 as Kraken writes it in WS v2 (`2023-09-25T09:04:31.742648Z`, up to 9 decimals,
// `Z` or a numeric offset). Hot-path safe: no allocation.
result<WallTime> parse_rfc3339(std::string_view text) noexcept;
// Formats with exactly `decimals` fractional digits (0..9) and a `Z`, as Kraken does (6 for
// time_in/time_out and timestamps, 9 for ohlc interval_begin).
std::string format_rfc3339(WallTime t, int decimals = 6);

}  // namespace kgw
