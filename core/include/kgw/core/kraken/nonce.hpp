#pragma once
// NonceAuthority: the one source of nonces for one API key in the whole daemon. Nonces are
// strictly increasing across all threads (lock-free), at nanosecond magnitude (a key that has
// used a magnitude must stay above it, PROTOCOL.md §2.2), and never go backwards across a
// restart: a high-water mark is persisted ahead of use in a state file, so after a crash the
// next process starts above anything the previous one could have sent.
// Thread-safe. Ordering of requests on the wire is the REST client's job (it takes the nonce
// and writes the request under one per-key sequence).

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"

namespace kgw::kraken {

class NonceAuthority {
 public:
  // How far ahead of the issued nonces the persisted mark is kept (a restart skips at most this).
  static constexpr std::uint64_t kReserveNs = 10'000'000'000ULL;  // 10 s

  // `state_file` empty: no persistence (tests, the simulator). Otherwise the file's mark (if
  // any) is the floor of every nonce; errors reading or creating it are returned by open().
  static result<std::unique_ptr<NonceAuthority>> open(std::string state_file, const Clock& clock);

  // The next nonce: max(now in ns, previous + 1), and above the persisted floor. Persists a new
  // mark (write + fsync + rename) only when the reserve runs out, i.e. at most every 10 s.
  result<std::uint64_t> next();

  std::uint64_t last() const noexcept { return last_.load(std::memory_order_acquire); }
  std::uint64_t persisted_mark() const noexcept { return reserved_.load(std::memory_order_acquire); }

 private:
  NonceAuthority(std::string file, const Clock& clock, std::uint64_t floor);
  result<void> persist(std::uint64_t mark);

  std::string file_;
  const Clock& clock_;
  std::atomic<std::uint64_t> last_;
  std::atomic<std::uint64_t> reserved_;
  std::mutex persist_mu_;
};

}  // namespace kgw::kraken
