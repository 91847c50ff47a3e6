#pragma once
// The end-to-end bench's measurement core: paced (open-loop) calls whose latency is measured
// from each call's intended send time, so a stall is charged to every call it delayed
// (coordinated omission), and the rows that hold the results. Percentiles are nearest-rank over
// every sample kept (v[ceil(p*n)-1], the rule of ../shared/FLOORS.md), so figures compare with
// the floors measured there. Single-threaded helpers; a row is a plain value.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace kgw::bench {

using Clock = std::chrono::steady_clock;

// One row of the report: a latency distribution in microseconds, or a note saying why there are
// no numbers (a skipped step never gets invented figures).
struct Row {
  std::string name;
  std::string transport;  // "tcp", "unix", "process", "http", ...
  std::size_t count = 0;
  double p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
  std::size_t failures = 0;  // calls that did not succeed (left out of the percentiles)
  std::string note;          // what else the reader needs: a rate, a split, or "skipped: ..."
  bool skipped = false;
};

// Nearest-rank quantile of sorted samples: v[ceil(q*n)-1].
inline double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

inline Row summarize(std::string name, std::string transport, std::vector<double> us, std::size_t failures = 0,
                     std::string note = {}) {
  Row r;
  r.name = std::move(name);
  r.transport = std::move(transport);
  std::sort(us.begin(), us.end());
  r.count = us.size();
  r.failures = failures;
  r.note = std::move(note);
  if (us.empty()) {
    r.skipped = true;
    if (r.note.empty()) r.note = "no samples";
    return r;
  }
  r.p50_us = quantile(us, 0.50);
  r.p90_us = quantile(us, 0.90);
  r.p99_us = quantile(us, 0.99);
  r.p999_us = quantile(us, 0.999);
  r.max_us = us.back();
  return r;
}

inline Row skipped_row(std::string name, std::string transport, std::string why) {
  Row r;
  r.name = std::move(name);
  r.transport = std::move(transport);
  r.skipped = true;
  r.note = "skipped: " + std::move(why);
  return r;
}

inline double to_us(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

// The schedule of an open-loop client: one intended send time every 1/rate seconds. wait()
// returns the next one, having slept until shortly before it and yielded the rest: a sleep on
// these machines overshoots by ~60-90 us (FLOORS.md), which would otherwise be charged to the
// call. When the previous call ran past the intended time, wait() returns at once and the
// latency still counts from the intended time.
class Schedule {
 public:
  explicit Schedule(double rate_per_s)
      : interval_(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate_per_s))),
        next_(Clock::now() + interval_) {}

  Clock::time_point wait() {
    const auto intended = next_;
    next_ += interval_;
    constexpr auto kSpin = std::chrono::microseconds(200);
    if (Clock::now() < intended - kSpin) std::this_thread::sleep_until(intended - kSpin);
    while (Clock::now() < intended) std::this_thread::yield();
    return intended;
  }

 private:
  Clock::duration interval_;
  Clock::time_point next_;
};

// `warmup` then `count` calls of `call(error)` (returns true on success, else may say why in
// `error`) at `rate_per_s`; the latency of each measured call, from its intended send time to
// its return, in microseconds. The first failure's reason goes into the row's note.
template <class Call>
Row paced(std::string name, std::string transport, std::size_t warmup, std::size_t count, double rate_per_s, Call&& call,
          std::string note = {}) {
  std::vector<double> us;
  us.reserve(count);
  std::size_t failures = 0;
  std::string error, first_error;
  for (std::size_t i = 0; i < warmup; ++i) (void)call(error);
  Schedule schedule(rate_per_s);
  for (std::size_t i = 0; i < count; ++i) {
    const auto intended = schedule.wait();
    const bool ok = call(error);
    const auto done = Clock::now();
    if (ok) {
      us.push_back(to_us(done - intended));
    } else {
      ++failures;
      if (first_error.empty()) first_error = error.empty() ? "?" : error;
    }
  }
  if (!first_error.empty()) note += (note.empty() ? "first failure: " : "; first failure: ") + first_error;
  return summarize(std::move(name), std::move(transport), std::move(us), failures, std::move(note));
}

// Several kinds of call on one schedule, taken in turn (a, b, c, a, b, c, ...): `count` of each
// at `rate_per_s` in all. Interleaved, every kind meets the same stalls of this shared machine,
// so their ratios compare like with like even in the tail. One row per call, in order.
inline std::vector<Row> paced_in_turn(const std::vector<std::string>& names, const std::string& transport, std::size_t warmup,
                                      std::size_t count, double rate_per_s,
                                      const std::vector<std::function<bool(std::string&)>>& calls, const std::string& note) {
  const std::size_t k = calls.size();
  std::vector<std::vector<double>> us(k);
  std::vector<std::size_t> failures(k, 0);
  std::vector<std::string> first_error(k);
  std::string error;
  for (std::size_t i = 0; i < warmup * k; ++i) (void)calls[i % k](error);
  Schedule schedule(rate_per_s);
  for (std::size_t i = 0; i < count * k; ++i) {
    const std::size_t which = i % k;
    const auto intended = schedule.wait();
    const bool ok = calls[which](error);
    const auto done = Clock::now();
    if (ok) {
      us[which].push_back(to_us(done - intended));
    } else {
      ++failures[which];
      if (first_error[which].empty()) first_error[which] = error.empty() ? "?" : error;
    }
  }
  std::vector<Row> rows;
  for (std::size_t j = 0; j < k; ++j)
    rows.push_back(summarize(names[j], transport, std::move(us[j]), failures[j],
                             first_error[j].empty() ? note : note + "; first failure: " + first_error[j]));
  return rows;
}

}  // namespace kgw::bench
