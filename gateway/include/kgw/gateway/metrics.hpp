#pragma once
// Metrics: the daemon's Prometheus registry and its /metrics endpoint on loopback. RPC latency
// histograms per method and status code are observed by the gRPC server; everything the feed,
// the REST service, the order manager and the upstream monitor already count (cache ages,
// reconnects, checksum failures, rate-limit headroom, orders by state) is read when scraped, so no hot path writes a metric twice.
// Thread safety: observe_rpc() from any thread; serve() and the destructor from the owner.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"
#include "kgw/feed/market_cache.hpp"
#include "kgw/feed/market_feed.hpp"

namespace kgw::oms {
class OrderManager;
}

namespace kgw::gateway {

class UpstreamMonitor;
class MarketWatch;
struct RestBudget;

class Metrics {
 public:
  // What the scrape reads. Every pointer must outlive the Metrics (or be null: not reported).
  struct Sources {
    const Clock* clock = nullptr;
    const feed::MarketCache* cache = nullptr;
    std::vector<std::string> symbols;  // the feed's v2 symbols
    const feed::FeedStats* feed = nullptr;
    const UpstreamMonitor* upstream = nullptr;
    const MarketWatch* watch = nullptr;
    std::function<RestBudget()> rest_budget;
    std::function<std::uint64_t()> rest_calls, rest_rate_limited;
    // Orders by ledger state, order-entry paths and fallbacks, private reconnects; null: no key.
    const oms::OrderManager* oms = nullptr;
  };

  explicit Metrics(Sources sources);
  ~Metrics();  // stops the HTTP endpoint (civetweb takes up to 2 s)
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Serves /metrics on 127.0.0.1:port (0: ephemeral); returns the port.
  result<std::uint16_t> serve(std::uint16_t port);
  // Stops serving. Idempotent.
  void stop();
  // From now on scrapes report RPC latencies only: the sources are about to go away (a scrape
  // may be running on the endpoint's thread meanwhile; it is waited for).
  void detach_sources();
  // One finished RPC: its full method name ("/kgw.v1.MarketData/GetTicker"), its gRPC status code.
  void observe_rpc(std::string_view method, int code, double seconds);
  // The text a scrape would return (tests, and the daemon's own checks).
  std::string scrape() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kgw::gateway
