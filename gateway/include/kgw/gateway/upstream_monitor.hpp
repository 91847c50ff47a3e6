#pragma once
// UpstreamMonitor: the state of each connection to Kraken as the Gateway service, the health
// service and the metrics report it: the public WS (from the feed's counters and caches), the
// private WS (from the order manager's session; disabled without an API key) and REST (from the
// outcome of the gateway's own calls). refresh() works the state out and says whether it changed (the watch
// thread calls it every tick); everything else is for any thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"
#include "kgw/core/kraken/vocabulary.hpp"
#include "kgw/core/kraken/ws_connection.hpp"
#include "kgw/feed/market_cache.hpp"
#include "kgw/feed/market_feed.hpp"

namespace kgw::gateway {

enum class UpstreamKind : unsigned char { public_ws, private_ws, rest };
enum class ConnectionState : unsigned char { disabled, connecting, connected, ready, backoff, closed };

struct ConnectionInfo {
  UpstreamKind kind = UpstreamKind::public_ws;
  std::string endpoint;
  ConnectionState state = ConnectionState::connecting;
  std::int64_t state_since_ns = 0, ready_since_ns = 0, last_receive_ns = 0;
  std::uint64_t reconnects = 0;
  std::uint32_t consecutive_failures = 0;
  std::string last_error;
  std::int64_t last_error_ns = 0;
  std::uint32_t subscriptions = 0;
  std::uint64_t kraken_connection_id = 0;
  std::string api_version;
  std::int64_t round_trip_ns = 0;
  std::uint64_t messages = 0;
};

struct UpstreamSnapshot {
  std::vector<ConnectionInfo> connections;  // public WS, private WS, REST
  kraken::SystemStatus exchange_status = kraken::SystemStatus::unknown;
  std::uint64_t generation = 0;  // bumped by every change refresh() sees
  // The connection whose change made the last generation; nullopt for the first or a status change.
  std::optional<UpstreamKind> changed;
};

class UpstreamMonitor {
 public:
  struct Sources {
    const feed::FeedStats* feed = nullptr;  // the public feed's counters
    std::uint32_t feed_connections = 1;  // connections the feed keeps when all is well
    std::uint32_t feed_subscriptions = 0;
    const feed::MarketCache* cache = nullptr;
    std::string public_ws, private_ws, rest;
    // The order manager's private session: its counters, and whether it is authenticated with
    // its executions subscription acknowledged. Null: no private session (no API key).
    const kraken::WsConnectionStats* private_stats = nullptr;
    std::function<bool()> private_ready;
    std::function<std::uint64_t()> private_frames;  // channel frames received
  };
  UpstreamMonitor(Sources sources, const Clock& clock);

  // Works the public WS state out from the feed; true when any state or the exchange status
  // changed since the last call.
  bool refresh();
  UpstreamSnapshot snapshot() const;
  // The public feed has every connection up: what MarketData's health means.
  bool public_feed_up() const noexcept { return public_up_.load(std::memory_order_acquire); }
  // The private session is ready: what Trading's and Account's health mean.
  bool private_session_up() const noexcept { return private_up_.load(std::memory_order_acquire); }

  // The outcome of one of the gateway's own REST calls (any thread). A Kraken error answer still
  // reached Kraken; a transport failure did not.
  void rest_result(const Error* error, std::int64_t round_trip_ns);
  std::uint64_t rest_calls() const noexcept { return rest_calls_.load(std::memory_order_relaxed); }

 private:
  void set_state(ConnectionInfo& c, ConnectionState s, std::int64_t now);
  // One WS connection's state from its counters; `expected` connections when all is well.
  void ws_state(ConnectionInfo& c, std::uint32_t up, std::uint32_t expected, std::uint64_t connects,
                std::uint64_t failures, bool ready, std::uint64_t& failures_seen, std::int64_t now);

  Sources src_;
  const Clock& clock_;
  std::atomic<bool> public_up_{false};
  std::atomic<bool> private_up_{false};
  std::atomic<std::uint64_t> rest_calls_{0};
  std::atomic<bool> rest_changed_{false};  // a REST state change refresh() has not reported yet
  mutable std::mutex mu_;
  UpstreamSnapshot snap_;           // guarded by mu_
  std::uint64_t failures_seen_ = 0;  // guarded by mu_: feed connect_failures at the last READY
  std::uint64_t private_failures_seen_ = 0;  // guarded by mu_: the same for the private session
};

std::string_view to_string(ConnectionState s) noexcept;
std::string_view to_string(UpstreamKind k) noexcept;

}  // namespace kgw::gateway
