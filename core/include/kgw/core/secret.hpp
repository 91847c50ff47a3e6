#pragma once
// Secret: owns a credential (API secret, API key, WS token). It cannot be streamed or formatted
// as its value (fmt prints "<redacted>"); its bytes live in a small process-wide arena that is
// excluded from core dumps (MADV_DONTDUMP) and locked out of swap where the limit allows; they
// are wiped with OPENSSL_cleanse when it dies; and while it lives its value is registered with
// the log redactor, so even a value that leaks into a log line by another path is masked.
// Not thread-safe for mutation; const access is. The arena itself is thread-safe.

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace kgw {

class Secret {
 public:
  Secret() = default;
  // The argument's bytes are copied into the arena and then wiped.
  explicit Secret(std::string value);
  Secret(const Secret& other);
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret other) noexcept;
  ~Secret();

  // The only way to the bytes; call sites are easy to audit with grep.
  std::string_view reveal() const noexcept { return {data_, size_}; }
  bool empty() const noexcept { return size_ == 0; }
  friend void swap(Secret& a, Secret& b) noexcept;

 private:
  void assign(std::string_view value);
  void wipe() noexcept;
  char* data_ = nullptr;
  std::size_t size_ = 0;
};

// Whether `p` points into the no-dump arena (tests; a value too large for the arena's slots
// falls back to the heap, still wiped).
bool secret_arena_contains(const void* p) noexcept;

}  // namespace kgw

template <>
struct fmt::formatter<kgw::Secret> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(const kgw::Secret&, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format("<redacted>", ctx);
  }
};
