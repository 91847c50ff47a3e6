#pragma once
// Names the calling thread as top -H, perf and /proc/PID/task/TID/comm show it ("kgw-feed"):
// the daemon runs a dozen threads, and a profile or a stuck process is read by thread. Linux
// keeps 15 bytes; a longer name is cut.

#include <pthread.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

namespace kgw {

inline void set_thread_name(std::string_view name) noexcept {
  std::array<char, 16> buf{};
  std::memcpy(buf.data(), name.data(), std::min(name.size(), buf.size() - 1));
  ::pthread_setname_np(::pthread_self(), buf.data());
}

}  // namespace kgw
