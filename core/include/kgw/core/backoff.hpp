#pragma once
// Backoff: the pause between attempts of something that may work again later — a WS reconnect,
// a REST read at start-up. Exponential from `min` to `max`, jittered half fixed, half random, so
// that many gateways reconnecting after one outage spread out. One per retry loop; not
// thread-safe.

#include <chrono>
#include <cstdint>
#include <random>

namespace kgw {

class Backoff {
 public:
  Backoff(std::chrono::nanoseconds min, std::chrono::nanoseconds max, std::uint32_t seed);

  // The pause before the next attempt: between half and all of the current base, which then
  // doubles (up to max).
  std::chrono::nanoseconds next();
  // After an attempt that held long enough: the next pause starts from min again.
  void reset() noexcept { base_ = min_; }

 private:
  std::chrono::nanoseconds min_, max_, base_;
  std::minstd_rand rng_;
};

}  // namespace kgw
