#pragma once
// FrameJournal: appends inbound WS frames to an NDJSON file in the simulator's replay format,
// {"recv_ns":N,"frame":<frame>} per line, without putting file I/O on the feed thread: lines
// are copied into an in-memory buffer under a short lock and a background thread writes them
// (every 100 ms, or sooner when 1 MiB is waiting). Owned by the MarketFeed; record() may be
// called from any thread; close() (or the destructor) writes what is left and stops the thread.

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "kgw/core/error.hpp"

namespace kgw::feed {

class FrameJournal {
 public:
  // Opens `path` for appending. Errors: invalid_argument naming the path.
  static result<std::unique_ptr<FrameJournal>> open(const std::string& path);
  ~FrameJournal();
  FrameJournal(const FrameJournal&) = delete;
  FrameJournal& operator=(const FrameJournal&) = delete;

  // Copies one line into the buffer. Never blocks on the disk.
  void record(std::int64_t recv_ns, std::string_view frame);
  // Writes everything recorded so far and stops the writer. Idempotent.
  void close();

  std::uint64_t lines() const noexcept;
  std::uint64_t write_errors() const noexcept;

 private:
  explicit FrameJournal(std::FILE* file);
  void run();

  std::FILE* file_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::string pending_;  // guarded by mu_
  bool closing_ = false;  // guarded by mu_
  std::uint64_t lines_ = 0, write_errors_ = 0;  // guarded by mu_
  std::thread writer_;
};

}  // namespace kgw::feed
