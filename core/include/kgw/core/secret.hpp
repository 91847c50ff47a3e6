#pragma once
// Secret: owns a credential (API secret, API key, WS token). It cannot be streamed or formatted
// as its value (fmt prints "<redacted>"), its bytes are wiped with OPENSSL_cleanse when it dies,
// and while it lives its value is registered with the log redactor, so even a value that leaks
// into a log line by another path is masked. Not thread-safe for mutation; const access is.

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace kgw {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value);
  Secret(const Secret& other) : Secret(other.value_) {}
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret other) noexcept;
  ~Secret();

  // The only way to the bytes; call sites are easy to audit with grep.
  std::string_view reveal() const noexcept { return value_; }
  bool empty() const noexcept { return value_.empty(); }
  friend void swap(Secret& a, Secret& b) noexcept { a.value_.swap(b.value_); }

 private:
  void wipe() noexcept;
  std::string value_;
};

}  // namespace kgw

template <>
struct fmt::formatter<kgw::Secret> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(const kgw::Secret&, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format("<redacted>", ctx);
  }
};
