#pragma once
// Gateway: kraken-gatewayd assembled — optionally the embedded simulator, the REST service, the
// instrument registry (loaded from REST), the public feed and its caches, the reader, the
// stream watch, the upstream monitor, the metrics endpoint and the gRPC server — started in
// that order and stopped in reverse. The daemon's main() and the end-to-end tests both run it.
// start() blocks until everything is up (reference data is retried while Kraken is down, until
// `stop_requested` says so); start()/stop() from one owner thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"
#include "kgw/core/kraken/rest_transport.hpp"
#include "kgw/gateway/config.hpp"

namespace kgw::sim {
class Simulator;
}

namespace kgw::gateway {

struct GatewayOptions {
  std::optional<kraken::RestCredentials> credentials;  // none: public data only
  std::string credentials_origin;                      // for the start-up summary
  const Clock* clock = nullptr;                        // null: the system clock
  std::function<bool()> stop_requested;                // asked while start() waits for Kraken
};

// Where the started gateway can be reached (the daemon prints these).
struct GatewayEndpoints {
  std::uint16_t grpc_port = 0;
  std::string unix_socket;         // empty: none
  std::uint16_t metrics_port = 0;  // 0: metrics disabled
  std::string rest_url, ws_public_url, ws_private_url;
  std::string sim_admin;           // with the embedded simulator: its admin API
};

class Gateway {
 public:
  Gateway(GatewayConfig config, GatewayOptions options);
  ~Gateway();  // stop()
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Errors name what failed: the option at fault, the port that could not be bound, Kraken's
  // answer to the reference-data calls. Whatever started before the error is stopped again.
  result<GatewayEndpoints> start();
  // New calls are refused, streams end with UNAVAILABLE, calls in flight get `grace`, then
  // everything stops. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2'000));

  const GatewayConfig& config() const noexcept;
  // The embedded simulator (tests, the admin URL); null without --sim or before start().
  sim::Simulator* simulator() noexcept;
  // The text /metrics would serve now.
  std::string metrics_text() const;
  // Applies a new log level now (SIGHUP); false if the name is not a level.
  static bool set_log_level(const std::string& level);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kgw::gateway
