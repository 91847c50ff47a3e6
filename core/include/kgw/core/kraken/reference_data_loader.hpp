#pragma once
// Start-up reference data: Kraken's REST Assets and AssetPairs into the InstrumentRegistry, which
// the market-data feed needs before it subscribes and the order manager before it takes an order
// (kgw-feed, kgw-oms and the daemon load it first). A public read at start meets the same
// outages as everything later (a 502 from Kraken's front end, a timeout, a refused connection),
// so it is retried like a reconnect instead of ending the process; only an error that no retry
// can fix ends it.
// Blocking: for start-up code (main), never for an io_context thread.

#include <chrono>
#include <functional>

#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"
#include "kgw/core/instrument.hpp"
#include "kgw/core/kraken/rest_service.hpp"

namespace kgw::kraken {

// True for an error that a later attempt of the same public read could not get past: a bad
// argument or configuration, a Kraken answer classified `rejected`, a call refused because the
// REST service is shutting down, a broken invariant.
bool permanent_read_error(const Error& e) noexcept;

// Loads `registry` from `rest` (Assets, then AssetPairs). A failed attempt is logged
// (rate-limited) and tried again after a pause from Backoff(retry_min, retry_max) (the caller's
// reconnect policy); a permanent_read_error() is returned at once. `stop` (a Ctrl-C flag, a
// deadline) is asked at least every 50 ms, also while a call is in flight: once it says true,
// errc::cancelled. `clock` stamps the log's rate limiting and seeds the jitter.
result<void> load_reference_data(KrakenRestService& rest, InstrumentRegistry& registry, std::chrono::milliseconds retry_min,
                                 std::chrono::milliseconds retry_max, const std::function<bool()>& stop, const Clock& clock);

}  // namespace kgw::kraken
