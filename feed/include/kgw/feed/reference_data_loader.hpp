#pragma once
// The feed's start-up reference data: core's retrying loader (kgw/core/kraken/reference_data_loader.hpp,
// shared with the order manager's tool) paced by the feed's own reconnect policy.

#include "kgw/core/kraken/reference_data_loader.hpp"
#include "kgw/feed/market_feed.hpp"

namespace kgw::feed {

using kraken::permanent_read_error;

// Retried after pauses from Backoff(feed.reconnect_min, feed.reconnect_max).
inline result<void> load_reference_data(kraken::KrakenRestService& rest, InstrumentRegistry& registry, const FeedOptions& feed,
                                        const std::function<bool()>& stop, const Clock& clock) {
  return kraken::load_reference_data(rest, registry, feed.reconnect_min, feed.reconnect_max, stop, clock);
}

}  // namespace kgw::feed
