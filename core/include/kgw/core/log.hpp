#pragma once
// Logging: one process-wide spdlog async logger (a background thread formats and writes, so a
// log call on a hot path is a queue push), a redactor applied to every message before it
// reaches a sink, and a rate limiter for floods such as malformed exchange frames.
// init()/shutdown() are for main(); everything else is thread-safe.

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace kgw::log {

struct Options {
  std::string level = "info";   // trace|debug|info|warn|error|critical|off
  std::string file;             // empty: stderr only
  bool to_stderr = true;
  std::size_t queue_size = 8192;  // async queue; when full the oldest message is dropped
};

// Installs the async "kgw" logger as spdlog's default. Idempotent: a second call replaces it.
void init(const Options& options);
// Flushes and stops the background thread (call before exit). Later log calls go, redacted and
// synchronously, to stderr (warnings and above).
void shutdown();

// Masks credentials in free text: every registered secret value, the values of API-Key and
// API-Sign headers, `"token":"..."`, `token=...`, `otp=...` and `"secret":"..."`.
std::string redact(std::string_view text);

// Secret values currently alive (see kgw::Secret); redact() replaces each occurrence. The
// registry keeps the view, not a copy: the bytes must stay put until unregister_secret() is
// called with a view of the same bytes.
void register_secret(std::string_view value);
void unregister_secret(std::string_view value);

// Allows at most `burst` events per `interval`; the first allowed event after a suppressed run
// reports how many were suppressed, so floods are visible but bounded. Thread-safe, lock-free.
class RateLimiter {
 public:
  RateLimiter(std::uint32_t burst, std::chrono::nanoseconds interval) : burst_(burst), interval_ns_(interval.count()) {}

  // True if the caller may log now; `suppressed` receives the count dropped since the last
  // allowed event.
  bool allow(std::int64_t now_ns, std::uint64_t& suppressed) noexcept;

 private:
  const std::uint32_t burst_;
  const std::int64_t interval_ns_;
  std::atomic<std::int64_t> window_start_{INT64_MIN};
  std::atomic<std::uint32_t> in_window_{0};
  std::atomic<std::uint64_t> suppressed_{0};
};

}  // namespace kgw::log
