#include "kgw/core/kraken/reference_data_loader.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "kgw/core/log.hpp"
#include "kgw/core/backoff.hpp"

namespace kgw::kraken {

namespace {

constexpr std::chrono::milliseconds kStopPoll{50};

Error stopped() { return Error(errc::cancelled, "reference data: stopped before it was loaded"); }

// One call through the service, given up (not waited for) once `stop` is set: its completion
// then lands in a promise nobody reads.
template <class T>
result<T> call_unless_stopped(KrakenRestService& rest, KrakenRestService::Call<T> call,
                              const std::function<bool()>& stop) {
  auto promise = std::make_shared<std::promise<result<T>>>();
  auto answer = promise->get_future();
  rest.submit<T>(std::move(call), [promise](result<T> r) { promise->set_value(std::move(r)); });
  while (answer.wait_for(kStopPoll) != std::future_status::ready)
    if (stop()) return stopped();
  return answer.get();
}

// False when `stop` was set during the pause.
bool pause(std::chrono::nanoseconds d, const std::function<bool()>& stop) {
  const auto until = std::chrono::steady_clock::now() + d;
  for (auto now = std::chrono::steady_clock::now(); now < until; now = std::chrono::steady_clock::now()) {
    if (stop()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(kStopPoll, until - now));
  }
  return !stop();
}

// One attempt: both reads, then the registry. The lists are explicit, not default arguments
// (GCC 12 destroys a default-argument temporary of a coroutine call twice: ws_session.hpp).
result<void> attempt(KrakenRestService& rest, InstrumentRegistry& registry, const std::function<bool()>& stop) {
  auto assets = call_unless_stopped<std::vector<Asset>>(
      rest, [](KrakenRestClient& c) { return c.assets(std::vector<std::string>{}); }, stop);
  if (!assets) return assets.error();
  auto pairs = call_unless_stopped<std::vector<Instrument>>(
      rest, [](KrakenRestClient& c) { return c.asset_pairs(std::vector<std::string>{}); }, stop);
  if (!pairs) return pairs.error();
  return registry.load(std::move(*assets), std::move(*pairs));
}

}  // namespace

bool permanent_read_error(const Error& e) noexcept {
  if (e.is(errc::invalid_argument) || e.is(errc::not_supported) || e.is(errc::cancelled) || e.is(errc::internal) ||
      e.is(errc::protocol_error))
    return true;
  return e.kraken && e.kraken->classification == ErrorClass::rejected;
}

result<void> load_reference_data(KrakenRestService& rest, InstrumentRegistry& registry, std::chrono::milliseconds retry_min,
                                 std::chrono::milliseconds retry_max, const std::function<bool()>& stop, const Clock& clock) {
  Backoff backoff(retry_min, retry_max,
                  static_cast<std::uint32_t>(clock.mono_now().time_since_epoch().count()));
  log::RateLimiter failure_log(5, std::chrono::seconds(60));
  for (std::uint64_t n = 1;; ++n) {
    if (stop()) return stopped();
    auto r = attempt(rest, registry, stop);
    if (r) {
      if (n > 1) spdlog::info("reference data: loaded at attempt {}", n);
      return r;
    }
    if (permanent_read_error(r.error())) return r.error();
    const auto wait = backoff.next();
    std::uint64_t suppressed = 0;
    if (failure_log.allow(clock.wall_now().time_since_epoch().count(), suppressed))
      spdlog::warn("reference data: attempt {} failed: {}; retrying in {} ms ({} similar suppressed)", n,
                   r.error().message(), std::chrono::duration_cast<std::chrono::milliseconds>(wait).count(), suppressed);
    if (!pause(wait, stop)) return stopped();
  }
}

}  // namespace kgw::kraken
