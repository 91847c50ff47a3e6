#pragma once
// The counting allocator of a bench executable: every path to the heap through operator new ends
// here and bumps g_allocations, so a bench can prove a hot path allocates nothing (or say how
// much it does). Replaces the global operator new: include it from exactly one source file of
// an executable.

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace {
std::atomic<std::uint64_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
