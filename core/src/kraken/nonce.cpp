#include "kgw/core/kraken/nonce.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace kgw::kraken {

result<std::unique_ptr<NonceAuthority>> NonceAuthority::open(std::string state_file, const Clock& clock) {
  std::uint64_t floor = 0;
  if (!state_file.empty()) {
    std::ifstream in(state_file);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string text = ss.str();
      const auto end = text.find_first_not_of("0123456789");
      const std::string digits = text.substr(0, end);
      if (digits.empty() || std::from_chars(digits.data(), digits.data() + digits.size(), floor).ec != std::errc{})
        return Error(errc::parse_error, fmt::format("nonce state file {} is not a number", state_file));
    }
  }
  std::unique_ptr<NonceAuthority> a(new NonceAuthority(std::move(state_file), clock, floor));
  if (!a->file_.empty()) {
    // Reserve before the first nonce is handed out: a crash right after start stays safe.
    const std::uint64_t start = std::max<std::uint64_t>(floor, static_cast<std::uint64_t>(clock.wall_now().time_since_epoch().count()));
    if (auto r = a->persist(start + kReserveNs); !r) return r.error();
  }
  return a;
}

NonceAuthority::NonceAuthority(std::string file, const Clock& clock, std::uint64_t floor)
    : file_(std::move(file)), clock_(clock), last_(floor), reserved_(file_.empty() ? UINT64_MAX : floor) {}

result<std::uint64_t> NonceAuthority::next() {
  const auto now = static_cast<std::uint64_t>(clock_.wall_now().time_since_epoch().count());
  std::uint64_t prev = last_.load(std::memory_order_relaxed);
  std::uint64_t mine = 0;
  // Lock-free: every caller gets a distinct value above every earlier one.
  do {
    mine = std::max(now, prev + 1);
  } while (!last_.compare_exchange_weak(prev, mine, std::memory_order_acq_rel, std::memory_order_relaxed));
  if (mine >= reserved_.load(std::memory_order_acquire)) {
    std::lock_guard lock(persist_mu_);
    if (mine >= reserved_.load(std::memory_order_acquire))
      if (auto r = persist(mine + kReserveNs); !r) return r.error();
  }
  return mine;
}

result<void> NonceAuthority::persist(std::uint64_t mark) {
  // Write a temporary file, fsync it, rename it over the state file: the mark on disk is always
  // a whole number, old or new.
  const std::string tmp = file_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Error(errc::internal, fmt::format("nonce state {}: {}", tmp, std::strerror(errno)));
  const std::string text = std::to_string(mark) + "\n";
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), file_.c_str()) != 0)
    return Error(errc::internal, fmt::format("nonce state {}: {}", file_, std::strerror(errno)));
  reserved_.store(mark, std::memory_order_release);
  return {};
}

}  // namespace kgw::kraken
