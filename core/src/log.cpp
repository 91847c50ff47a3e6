#include "kgw/core/log.hpp"

#include <spdlog/async.h>
#include <spdlog/details/registry.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>

namespace kgw::log {
namespace {

constexpr std::string_view kMask = "<redacted>";

struct SecretRegistry {
  std::mutex mu;
  // Views of live Secrets' bytes (no copies of a credential here); a Secret unregisters before
  // it wipes, under this mutex, so a view is never read after its bytes are gone.
  std::vector<std::string_view> values;
};

// Leaked on purpose, like the Secret arena: a Secret destroyed during static destruction still
// unregisters from a live registry.
SecretRegistry& registry() {
  static SecretRegistry* r = new SecretRegistry();
  return *r;
}

bool iequals_at(std::string_view text, std::size_t pos, std::string_view word) {
  if (pos + word.size() > text.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[pos + i])) != std::tolower(static_cast<unsigned char>(word[i])))
      return false;
  return true;
}

// Replaces the value that follows each occurrence of `key` up to a terminator.
void mask_after(std::string& s, std::string_view key, std::string_view terminators) {
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t hit = std::string::npos;
    for (std::size_t i = pos; i + key.size() <= s.size(); ++i)
      if (iequals_at(s, i, key)) {
        hit = i;
        break;
      }
    if (hit == std::string::npos) return;
    std::size_t begin = hit + key.size();
    while (begin < s.size() && s[begin] == ' ') ++begin;
    std::size_t end = begin;
    while (end < s.size() && terminators.find(s[end]) == std::string_view::npos) ++end;
    if (end > begin) s.replace(begin, end - begin, kMask);
    pos = begin + kMask.size();
  }
}

void mask_registered(std::string& s) {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  for (const auto& v : r.values) {
    if (v.empty()) continue;
    for (std::size_t p = s.find(v); p != std::string::npos; p = s.find(v, p + kMask.size())) s.replace(p, v.size(), kMask);
  }
}

// Applies redact() to every record before the wrapped sinks see it (the synchronous fallback
// logger after shutdown()).
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit RedactingSink(std::vector<spdlog::sink_ptr> inner) : inner_(std::move(inner)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string clean = redact(std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg copy = msg;
    copy.payload = clean;
    for (auto& s : inner_)
      if (s->should_log(copy.level)) s->log(copy);
  }
  void flush_() override {
    for (auto& s : inner_) s->flush();
  }
  // The logger's pattern must reach the sinks that write.
  void set_pattern_(const std::string& pattern) override {
    for (auto& s : inner_) s->set_pattern(pattern);
  }
  void set_formatter_(std::unique_ptr<spdlog::formatter> f) override {
    for (auto& s : inner_) s->set_formatter(f->clone());
  }

 private:
  std::vector<spdlog::sink_ptr> inner_;
};

// The front of the process logger: redacts on the calling thread, then hands the record to the
// async logger behind it. Redacting there and not in the background thread matters: a Secret
// that leaked into a message is alive while its caller logs, but may be gone (and unregistered)
// by the time the background thread writes the line.
class RedactingFront final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  explicit RedactingFront(std::shared_ptr<spdlog::async_logger> back) : back_(std::move(back)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string clean = redact(std::string_view(msg.payload.data(), msg.payload.size()));
    back_->log(msg.time, msg.source, msg.level, clean);  // the queued record copies the text
  }
  void flush_() override { back_->flush(); }

 private:
  std::shared_ptr<spdlog::async_logger> back_;
};

}  // namespace

std::string redact(std::string_view text) {
  std::string s(text);
  mask_registered(s);
  mask_after(s, "API-Key:", "\r\n");
  mask_after(s, "API-Sign:", "\r\n");
  mask_after(s, "\"token\":\"", "\"");
  mask_after(s, "\"token\": \"", "\"");
  mask_after(s, "\"secret\":\"", "\"");
  mask_after(s, "\"secret\": \"", "\"");
  mask_after(s, "\"otp\":\"", "\"");
  mask_after(s, "\"otp\": \"", "\"");
  mask_after(s, "token=", "& \r\n\"");
  mask_after(s, "otp=", "& \r\n\"");
  return s;
}

void register_secret(std::string_view value) {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  r.values.emplace_back(value);
}

void unregister_secret(std::string_view value) {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  // By identity: two Secrets may hold the same text.
  auto it = std::find_if(r.values.begin(), r.values.end(), [&](std::string_view v) { return v.data() == value.data(); });
  if (it != r.values.end()) r.values.erase(it);
}

void init(const Options& options) {
  spdlog::drop("kgw");
  spdlog::init_thread_pool(options.queue_size, 1);
  std::vector<spdlog::sink_ptr> sinks;
  if (options.to_stderr) sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (!options.file.empty()) sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file));
  const auto level = spdlog::level::from_str(options.level);
  auto back = std::make_shared<spdlog::async_logger>("kgw-writer", sinks.begin(), sinks.end(), spdlog::thread_pool(),
                                                     spdlog::async_overflow_policy::overrun_oldest);
  back->set_level(level);
  back->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %^%l%$ [%t] %v", spdlog::pattern_time_type::utc);
  back->flush_on(spdlog::level::warn);
  auto front = std::make_shared<spdlog::logger>("kgw", std::make_shared<RedactingFront>(back));
  front->set_level(level);
  front->flush_on(spdlog::level::warn);
  spdlog::register_logger(front);
  spdlog::set_default_logger(front);
}

void shutdown() {
  // The synchronous fallback becomes the default first, so no log call on another thread ever
  // finds no logger; the old front is kept alive until the writer thread has been joined.
  std::vector<spdlog::sink_ptr> sinks{std::make_shared<spdlog::sinks::stderr_color_sink_mt>()};
  auto fallback = std::make_shared<spdlog::logger>("kgw-exit", std::make_shared<RedactingSink>(std::move(sinks)));
  fallback->set_level(spdlog::level::warn);
  auto old = spdlog::default_logger();
  spdlog::set_default_logger(fallback);  // also takes the old default out of the registry
  // Drain and join the writer thread, then drop the loggers: the join orders everything the
  // writer did before their destruction (spdlog::shutdown alone drops them first).
  if (old) old->flush();
  auto& registry = spdlog::details::registry::instance();
  registry.flush_all();
  registry.set_tp(nullptr);
  old.reset();
}

bool RateLimiter::allow(std::int64_t now_ns, std::uint64_t& suppressed) noexcept {
  std::int64_t start = window_start_.load(std::memory_order_acquire);
  if (start == INT64_MIN || now_ns - start >= interval_ns_) {
    // New window: one thread wins the reset; others fall through to the counter.
    if (window_start_.compare_exchange_strong(start, now_ns, std::memory_order_acq_rel)) in_window_.store(0, std::memory_order_release);
  }
  if (in_window_.fetch_add(1, std::memory_order_acq_rel) < burst_) {
    suppressed = suppressed_.exchange(0, std::memory_order_acq_rel);
    return true;
  }
  suppressed_.fetch_add(1, std::memory_order_relaxed);
  suppressed = 0;
  return false;
}

}  // namespace kgw::log
