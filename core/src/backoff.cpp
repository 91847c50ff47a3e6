#include "kgw/core/backoff.hpp"

#include <algorithm>

namespace kgw {

Backoff::Backoff(std::chrono::nanoseconds min, std::chrono::nanoseconds max, std::uint32_t seed)
    : min_(std::max(min, std::chrono::nanoseconds(1))), max_(std::max(max, min_)), base_(min_), rng_(seed) {}

std::chrono::nanoseconds Backoff::next() {
  std::uniform_int_distribution<std::int64_t> d(0, base_.count() / 2);
  const std::chrono::nanoseconds pause(base_.count() - base_.count() / 2 + d(rng_));
  base_ = std::min(base_ * 2, max_);
  return pause;
}

}  // namespace kgw
