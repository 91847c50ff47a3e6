#include "kgw/feed/frame_journal.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>

#include "kgw/core/thread_name.hpp"

namespace kgw::feed {

namespace {
constexpr std::size_t kFlushBytes = std::size_t{1} << 20;
}  // namespace

result<std::unique_ptr<FrameJournal>> FrameJournal::open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "ae");
  if (!f) return Error(errc::invalid_argument, fmt::format("journal_file: cannot open '{}'", path));
  return std::unique_ptr<FrameJournal>(new FrameJournal(f));
}

FrameJournal::FrameJournal(std::FILE* file) : file_(file) {
  pending_.reserve(kFlushBytes + (64 << 10));
  writer_ = std::thread([this] {
    set_thread_name("kgw-journal");
    run();
  });
}

FrameJournal::~FrameJournal() { close(); }

void FrameJournal::record(std::int64_t recv_ns, std::string_view frame) {
  char num[24];
  const auto n = static_cast<std::size_t>(std::to_chars(num, num + sizeof num, recv_ns).ptr - num);
  std::lock_guard lock(mu_);
  if (closing_) return;
  pending_.append(R"({"recv_ns":)").append(num, n).append(R"(,"frame":)").append(frame).append("}\n");
  ++lines_;
  if (pending_.size() >= kFlushBytes) wake_.notify_one();
}

void FrameJournal::run() {
  std::string batch;
  batch.reserve(kFlushBytes + (64 << 10));
  for (;;) {
    bool last = false;
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return closing_ || pending_.size() >= kFlushBytes; });
      batch.swap(pending_);  // the feed thread keeps appending into the other buffer
      last = closing_;
    }
    if (!batch.empty()) {
      const bool ok = std::fwrite(batch.data(), 1, batch.size(), file_) == batch.size() && std::fflush(file_) == 0;
      if (!ok) {
        std::lock_guard lock(mu_);
        if (write_errors_++ == 0) spdlog::error("feed journal: write failed; frames are being lost");
      }
      batch.clear();
    }
    if (last) return;
  }
}

void FrameJournal::close() {
  {
    std::lock_guard lock(mu_);
    if (closing_) return;
    closing_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
  // Lines recorded between the writer's last swap and `closing_` were refused by record();
  // what it swapped out has been written.
  std::fclose(file_);
  file_ = nullptr;
}

std::uint64_t FrameJournal::lines() const noexcept {
  std::lock_guard lock(mu_);
  return lines_;
}

std::uint64_t FrameJournal::write_errors() const noexcept {
  std::lock_guard lock(mu_);
  return write_errors_;
}

}  // namespace kgw::feed
