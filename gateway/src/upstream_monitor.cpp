#include "kgw/gateway/upstream_monitor.hpp"

#include <algorithm>

namespace kgw::gateway {

std::string_view to_string(ConnectionState s) noexcept {
  switch (s) {
    case ConnectionState::disabled: return "disabled";
    case ConnectionState::connecting: return "connecting";
    case ConnectionState::connected: return "connected";
    case ConnectionState::ready: return "ready";
    case ConnectionState::backoff: return "backoff";
    case ConnectionState::closed: return "closed";
  }
  return "unknown";
}

std::string_view to_string(UpstreamKind k) noexcept {
  switch (k) {
    case UpstreamKind::public_ws: return "public_ws";
    case UpstreamKind::private_ws: return "private_ws";
    case UpstreamKind::rest: return "rest";
  }
  return "unknown";
}

UpstreamMonitor::UpstreamMonitor(Sources sources, const Clock& clock) : src_(std::move(sources)), clock_(clock) {
  const std::int64_t now = clock_.wall_now().time_since_epoch().count();
  auto connection = [now](UpstreamKind kind, const std::string& endpoint, ConnectionState state) {
    ConnectionInfo c;
    c.kind = kind;
    c.endpoint = endpoint;
    c.state = state;
    c.state_since_ns = now;
    return c;
  };
  snap_.connections = {
      connection(UpstreamKind::public_ws, src_.public_ws, ConnectionState::connecting),
      connection(UpstreamKind::private_ws, src_.private_ws,
                 src_.private_stats ? ConnectionState::connecting : ConnectionState::disabled),
      connection(UpstreamKind::rest, src_.rest, ConnectionState::connecting)};
}

void UpstreamMonitor::set_state(ConnectionInfo& c, ConnectionState s, std::int64_t now) {
  if (c.state == s) return;
  c.state = s;
  c.state_since_ns = now;
  c.ready_since_ns = s == ConnectionState::ready ? now : 0;
}

void UpstreamMonitor::ws_state(ConnectionInfo& c, std::uint32_t up, std::uint32_t expected, std::uint64_t connects,
                               std::uint64_t failures, bool ready, std::uint64_t& failures_seen, std::int64_t now) {
  ConnectionState s = ConnectionState::connecting;
  if (ready) s = ConnectionState::ready;
  else if (up > 0) s = ConnectionState::connected;  // some shards up, others not yet; or not authenticated yet
  else if (connects > 0 || failures > 0) s = ConnectionState::backoff;
  set_state(c, s, now);
  if (s == ConnectionState::ready) failures_seen = failures;
  c.consecutive_failures = static_cast<std::uint32_t>(failures - std::min(failures, failures_seen));
  c.reconnects = connects > expected ? connects - expected : 0;
}

bool UpstreamMonitor::refresh() {
  const std::int64_t now = clock_.wall_now().time_since_epoch().count();
  std::lock_guard lock(mu_);
  ConnectionInfo& pub = snap_.connections[0];
  ConnectionInfo& priv = snap_.connections[1];
  const ConnectionState public_before = pub.state, private_before = priv.state;
  const kraken::SystemStatus status_before = snap_.exchange_status;
  if (src_.feed) {
    const auto& st = *src_.feed;
    const std::uint32_t up = st.connections_up.load(std::memory_order_relaxed);
    ws_state(pub, up, src_.feed_connections, st.connects.load(std::memory_order_relaxed),
             st.connect_failures.load(std::memory_order_relaxed), up >= src_.feed_connections, failures_seen_, now);
    pub.messages = st.frames.load(std::memory_order_relaxed);
    pub.subscriptions = up > 0 ? src_.feed_subscriptions : 0;
  }
  if (src_.private_stats) {
    const auto& st = *src_.private_stats;
    const std::uint32_t up = st.connections_up.load(std::memory_order_relaxed);
    const bool ready = src_.private_ready && src_.private_ready();
    ws_state(priv, up, 1, st.connects.load(std::memory_order_relaxed), st.connect_failures.load(std::memory_order_relaxed),
             ready, private_failures_seen_, now);
    priv.subscriptions = ready ? 2 : 0;  // executions and balances
    if (src_.private_frames) priv.messages = src_.private_frames();
    private_up_.store(ready, std::memory_order_release);
  }
  if (src_.cache) {
    if (auto status = src_.cache->status()) {
      snap_.exchange_status = status->system;
      pub.kraken_connection_id = status->connection_id;
      pub.api_version = status->api_version.data();
    }
    pub.last_receive_ns = std::max(pub.last_receive_ns, src_.cache->status_live_ns());
  }
  public_up_.store(pub.state == ConnectionState::ready, std::memory_order_release);
  // Counters move all the time; a change is a change of state or of the exchange status.
  const bool changed = pub.state != public_before || priv.state != private_before || snap_.exchange_status != status_before;
  if (changed) {
    ++snap_.generation;
    snap_.changed = pub.state != public_before    ? std::optional<UpstreamKind>(UpstreamKind::public_ws)
                    : priv.state != private_before ? std::optional<UpstreamKind>(UpstreamKind::private_ws)
                                                   : std::nullopt;
  }
  return changed || rest_changed_.exchange(false, std::memory_order_acq_rel);
}

UpstreamSnapshot UpstreamMonitor::snapshot() const {
  std::lock_guard lock(mu_);
  return snap_;
}

void UpstreamMonitor::rest_result(const Error* error, std::int64_t round_trip_ns) {
  rest_calls_.fetch_add(1, std::memory_order_relaxed);
  const std::int64_t now = clock_.wall_now().time_since_epoch().count();
  // An answer from Kraken, even an error one, means REST is up; only a transport failure is not.
  const bool reached = !error || (error->kraken && !error->kraken->errors.empty()) || error->is(errc::invalid_argument);
  std::lock_guard lock(mu_);
  ConnectionInfo& rest = snap_.connections[2];
  const ConnectionState before = rest.state;
  rest.round_trip_ns = round_trip_ns;
  if (reached) {
    rest.last_receive_ns = now;
    ++rest.messages;
    rest.consecutive_failures = 0;
    set_state(rest, ConnectionState::ready, now);
  } else {
    ++rest.consecutive_failures;
    set_state(rest, ConnectionState::backoff, now);
  }
  if (error) {
    rest.last_error = error->message();
    rest.last_error_ns = now;
  }
  if (rest.state != before) {
    ++snap_.generation;
    snap_.changed = UpstreamKind::rest;
    rest_changed_.store(true, std::memory_order_release);
  }
}

}  // namespace kgw::gateway
