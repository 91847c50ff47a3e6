#pragma once
// Simulator: kraken-sim assembled — the Exchange with its market statistics, synthetic flow,
// Kraken REST and WS v2 (public and authenticated) front-ends and the admin API for faults, each
// on its own loopback port, all on one thread. Used by the kraken-sim executable, by tests (in
// process, ephemeral ports) and by the daemon's paper-trading mode. start()/stop() and call()
// may be used from any thread; everything else happens on the simulator's thread.

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"
#include "kgw/sim/exchange.hpp"
#include "kgw/sim/faults.hpp"
#include "kgw/sim/permissions_file.hpp"

namespace kgw::sim {

struct SimulatorOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t rest_port = 0, ws_public_port = 0, ws_private_port = 0, admin_port = 0;  // 0: ephemeral
  bool tls_self_signed = false;
  std::vector<std::string> pairs;  // empty: the default pairs
  // > 0: the market is the 22-pair catalogue plus this many synthetic pairs (default_market.hpp),
  // all traded by the synthetic flow; `pairs` then picks from that set when given.
  std::size_t synthetic_pairs = 0;
  std::uint64_t seed = 1;
  kraken::Tier tier = kraken::Tier::intermediate;  // rate limits of the REST and trading counters
  // Instead of the tier's limits: a venue that allows more than any tier (tests that reconnect
  // far more often than Kraken's REST counter would allow).
  std::optional<kraken::TierLimits> limits{};
  bool synthetic_flow = true;
  std::vector<AccountSpec> accounts;  // empty: one demo account with deterministic credentials
  const Clock* clock = nullptr;       // null: the system clock
  std::chrono::milliseconds tick{20};  // flow step, expiries, dead-man timers, heartbeats
  // Replay: the public WS endpoint serves this recording (any form core/kraken/capture.hpp reads:
  // NDJSON of raw WS v2 frames or journal lines, a JSON array of frames, the fixtures' capture)
  // instead of the synthetic market; REST and the private endpoint stay on the simulated exchange.
  std::string replay_file;
  double replay_speed = 1.0;  // 1 = recorded pace, 0 = as fast as possible
  bool replay_loop = false;
  bool replay_wait = false;   // start playback on the first subscribe
};

// Where the simulator listens, as the ready block prints it.
struct SimulatorEndpoints {
  std::string rest, ws_public, ws_private, admin;
  std::string api_key, api_secret;  // the first account's credentials
  std::string ca_pem;               // with TLS: the certificate clients should trust
};

class Simulator {
 public:
  explicit Simulator(SimulatorOptions options);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Builds the market, binds the ports and starts the thread. Errors: bad options (unknown pair,
  // bad accounts), a port already in use.
  result<SimulatorEndpoints> start();
  // Stops servers and the thread; idempotent. State is discarded with the object.
  void stop();
  // Fault: closes every listener and connection and reopens them on the same ports, keeping the
  // exchange state (accounts, orders, books).
  result<void> restart_servers();

  // Runs `fn(exchange)` on the simulator thread and returns its result (tests, admin).
  template <class Fn>
  auto call(Fn&& fn) -> decltype(fn(std::declval<Exchange&>())) {
    using R = decltype(fn(std::declval<Exchange&>()));
    std::packaged_task<R()> task([&] { return fn(exchange()); });
    auto fut = task.get_future();
    post([&task] { task(); });
    return fut.get();
  }

  // HTTP requests the REST endpoint has been handed since start(), bad ones included: tests prove
  // with it that a call was refused before anything was sent. 0 when not running.
  std::uint64_t rest_requests();
  // The same, to these paths only (e.g. "/0/private/AddOrder"): what a test counts when the
  // gateway's own background calls (positions, reconciliation, tokens) may run meanwhile.
  std::uint64_t rest_requests(std::vector<std::string> paths);

  const SimulatorEndpoints& endpoints() const noexcept { return endpoints_; }
  Faults& faults_unsafe();  // only on the simulator thread (via call())

  struct Impl;  // implementation detail (simulator.cpp)

 private:
  void post(std::function<void()> fn);
  Exchange& exchange();

  SimulatorOptions options_;
  SimulatorEndpoints endpoints_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kgw::sim
