#pragma once
// Start-up reference data: Kraken's REST Assets and AssetPairs into the InstrumentRegistry, which
// the feed needs before it can subscribe (kgw-feed does it; the daemon starts the feed the same
// way). A public read at start meets the same outages as everything later (a 502 from Kraken's
// front end, a timeout, a refused connection), so it is retried like a reconnect instead of
// ending the process; only an error that no retry can fix ends it.
// Blocking: for start-up code (main), never for an io_context thread.

#include <functional>

#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"
#include "kgw/core/instrument.hpp"
#include "kgw/core/kraken/rest_service.hpp"
#include "kgw/feed/market_feed.hpp"

namespace kgw::feed {

// True for an error that a later attempt of the same public read could not get past: a bad
// argument or configuration, a Kraken answer classified `rejected`, a call refused because the
// REST service is shutting down, a broken invariant.
bool permanent_read_error(const Error& e) noexcept;

// Loads `registry` from `rest` (Assets, then AssetPairs). A failed attempt is logged
// (rate-limited) and tried again after a pause from Backoff(feed.reconnect_min,
// feed.reconnect_max), the feed's own reconnect policy; a permanent_read_error() is returned at
// once. `stop` (a Ctrl-C flag, a deadline) is asked at least every 50 ms, also while a call is
// in flight: once it says true, errc::cancelled. `clock` stamps the log's rate limiting and
// seeds the jitter.
result<void> load_reference_data(kraken::KrakenRestService& rest, InstrumentRegistry& registry, const FeedOptions& feed,
                                 const std::function<bool()>& stop, const Clock& clock);

}  // namespace kgw::feed
