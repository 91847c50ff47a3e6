#pragma once
// GatewayConfig: everything kraken-gatewayd is told at start, from a TOML file (config/sim.toml,
// config/live.toml) with command-line overrides on top. The file is read strictly: an unknown
// section or key, a value of the wrong type or out of range is an error naming the key and its
// line, never silently ignored (a typo in `stale_after_ms` must not leave the default in force).
// API credentials never come from here (credentials.hpp). Plain values; thread-compatible.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kgw/core/error.hpp"
#include "kgw/core/kraken/rate_rules.hpp"

namespace kgw::gateway {

struct GrpcConfig {
  // TCP port on 127.0.0.1 (the contract has no authentication of its own: loopback only).
  // 0: an ephemeral port, printed at start.
  std::uint16_t port = 50051;
  // Unix socket path; empty: default_socket_path(); "none": no unix socket.
  std::string unix_socket;

  bool operator==(const GrpcConfig&) const = default;
};

struct MetricsConfig {
  bool enabled = true;
  std::uint16_t port = 9464;  // on 127.0.0.1; 0: ephemeral

  bool operator==(const MetricsConfig&) const = default;
};

struct KrakenConfig {
  std::string rest_url = "https://api.kraken.com";
  std::string ws_public_url = "wss://ws.kraken.com/v2";
  std::string ws_private_url = "wss://ws-auth.kraken.com/v2";
  kraken::Tier tier = kraken::Tier::intermediate;  // the account's verification tier (rate limits)
  std::string nonce_file;  // persisted nonce authority of the key; empty: none

  bool operator==(const KrakenConfig&) const = default;
};

struct FeedConfig {
  std::vector<std::string> pairs{"BTC/USD", "ETH/USD"};  // any Kraken spelling
  int book_depth = 10;                                   // 10, 25, 100, 500 or 1000
  std::vector<int> ohlc_intervals{1};                    // of Kraken's intervals
  bool ticker_bbo = false;                               // ticker_trigger = "bbo" (else "trades")
  std::chrono::milliseconds symbol_stale_after{3'000};
  std::chrono::milliseconds max_age{5'000};  // MarketReader's bound on a cached value's vouching
  std::size_t symbols_per_connection = 50;
  std::size_t recent_trades = 1024;  // trades kept per pair for GetTrades (feed::FeedOptions)
  std::size_t recent_spreads = 256;  // spreads kept per pair for GetSpread
  std::string journal_file;

  bool operator==(const FeedConfig&) const = default;
};

struct StreamsConfig {
  // Per client: trades, and closed candles, waiting behind a write the client has not taken
  // yet; a client that lets either fill has its stream ended with RESOURCE_EXHAUSTED (the others
  // are not affected). Kraken sends trades in bursts: keep trade_queue well above one.
  std::size_t trade_queue = 4096;
  std::size_t candle_queue = 1024;
  // Per client: the order manager's account events (StreamExecutions, StreamBalances) not yet
  // taken; a client that lets its queue fill has its stream ended the same way.
  std::size_t executions_queue = 4096;
  std::size_t balances_queue = 1024;
  // How often the stream fan-out looks at the caches for new values.
  std::chrono::microseconds poll_interval{10'000};

  bool operator==(const StreamsConfig&) const = default;
};

// The order manager (with an API key, or --sim): order entry, the kill switch, the dead-man
// switch and the account caches.
struct TradingConfig {
  std::string state_dir;                // the kill switch survives a restart here; empty: not persisted
  bool cancel_all_on_stop = false;      // cancel every open order on a clean stop (SIGTERM)
  // The gateway keeps Kraken's dead-man switch (CancelAllOrdersAfter) armed while a trading
  // client has StreamExecutions open, renewing it every dead_man_refresh.
  bool dead_man = false;
  std::chrono::seconds dead_man_refresh{20};
  int dead_man_timeout_s = 60;
  std::chrono::milliseconds reply_timeout{5'000};     // a WS order request unanswered this long: outcome unknown
  std::chrono::milliseconds default_deadline{5'000};  // Kraken's deadline for orders sent without one
  std::chrono::seconds positions_refresh{30};         // OpenPositions polling (WS v2 has no positions channel)
  // The private WebSocket's reconnect backoff after a drop (doubling from min to max).
  std::chrono::milliseconds reconnect_min{250}, reconnect_max{30'000};
  std::string max_notional;            // largest order value in its quote currency; empty: none
  std::size_t max_open_orders = 0;     // open orders across pairs; 0: Kraken's per-pair limit only
  // The order manager's thread spins instead of sleeping, so an order reaches it (and Kraken's
  // reply is read) without a thread wake-up; it keeps one CPU busy. cpu >= 0 pins that thread.
  bool busy_poll = false;
  int cpu = -1;

  bool operator==(const TradingConfig&) const = default;
};

struct SimConfig {
  bool enabled = false;            // --sim: run kraken-sim in process and trade against it
  bool synthetic_flow = true;      // false: a frozen market (no synthetic orders or trades)
  std::vector<std::string> pairs;  // empty: the simulator's default pairs
  std::uint64_t seed = 1;
  kraken::Tier tier = kraken::Tier::intermediate;
  std::uint16_t rest_port = 0, ws_public_port = 0, ws_private_port = 0, admin_port = 0;  // 0: ephemeral

  bool operator==(const SimConfig&) const = default;
};

struct LogConfig {
  std::string level = "info";  // trace|debug|info|warn|error|critical|off
  std::string file;            // empty: stderr only

  bool operator==(const LogConfig&) const = default;
};

struct GatewayConfig {
  std::string name;  // base name of the file read; empty for the built-in defaults
  std::chrono::milliseconds stop_deadline{5'000};  // SIGTERM to exit, at most
  GrpcConfig grpc;
  MetricsConfig metrics;
  KrakenConfig kraken;
  FeedConfig feed;
  StreamsConfig streams;
  TradingConfig trading;
  SimConfig sim;
  LogConfig log;

  bool operator==(const GatewayConfig&) const = default;
};

// Parses a TOML document. `source` names it in errors ("config/sim.toml:12: feed.pairs: ...").
// Keys absent from the document keep their defaults. Errors are errc::invalid_argument.
result<GatewayConfig> parse_config(std::string_view toml_text, std::string_view source);
// Reads and parses a file (errors name the path).
result<GatewayConfig> load_config(const std::string& path);

// Checks what parsing alone cannot: URLs (plain http:// and ws:// only to a loopback host, so
// a typo never sends signed requests in clear text), values that depend on each other. `origin`
// names where each URL came from, for the error ("--rest-url", "kraken.rest_url").
struct UrlOrigins {
  std::string rest = "kraken.rest_url", ws_public = "kraken.ws_public_url", ws_private = "kraken.ws_private_url";
};
result<void> validate(const GatewayConfig& config, const UrlOrigins& origins = {});

// What a reload (SIGHUP) cannot apply to a running gateway: the names of the settings that
// differ between `running` and `next` other than log.level ("feed", "grpc", "log.file", ...).
std::vector<std::string> restart_needed(const GatewayConfig& running, const GatewayConfig& next);

// True for 127.0.0.0/8, ::1 and "localhost".
bool loopback_host(std::string_view host) noexcept;

// Where the unix socket goes when the config leaves it empty: $RUNTIME_DIRECTORY (systemd's
// RuntimeDirectory=), else $XDG_RUNTIME_DIR, else /tmp, then "/kraken-gatewayd.sock" (with the
// uid under /tmp, which is shared). kgwctl connects there by default.
std::string default_socket_path();

}  // namespace kgw::gateway
