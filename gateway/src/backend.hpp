#pragma once
// Backend: what the gRPC services read and call — the caches, the reader, the REST service, the
// order manager, the stream watch, the upstream monitor and the configuration — owned by the
// Gateway, which keeps it alive until the gRPC server has shut down. No protobuf here. Members are thread-safe as
// their own types say; submit() may be called from any thread.

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/core/instrument.hpp"
#include "kgw/core/kraken/rest_service.hpp"
#include "kgw/feed/market_cache.hpp"
#include "kgw/feed/market_reader.hpp"
#include "kgw/gateway/config.hpp"
#include "kgw/gateway/market_watch.hpp"
#include "kgw/gateway/errors.hpp"
#include "kgw/gateway/upstream_monitor.hpp"
#include "kgw/oms/order_manager.hpp"

namespace kgw::gateway {

// What the Gateway service shows of trading beyond the order manager's own state: who changed
// the kill switch last and when it was disengaged, the orders it refused, and Kraken's dead-man
// switch as clients set it (CancelAllOrdersAfter). Owned by the Gateway; any thread.
struct TradingRecord {
  mutable std::mutex mu;
  std::int64_t disengaged_ns = 0;          // guarded by mu
  std::string changed_by;                  // guarded by mu
  std::atomic<std::uint64_t> kill_refused{0};
  // The last client CancelAllOrdersAfter. Guarded by mu.
  std::uint32_t client_timeout_s = 0;
  std::int64_t client_trigger_ns = 0, client_refresh_ns = 0, client_exchange_ns = 0;
  std::uint64_t client_refreshes = 0, client_failures = 0;
  std::optional<Error> client_error;
};

// The REST call-counter budget as the Gateway service and the metrics report it.
struct RestBudget {
  double counter = 0, limit = 0, decay_per_s = 0, headroom = 0;
};

struct Backend {
  const GatewayConfig& config;
  const Clock& clock;
  const InstrumentRegistry& registry;
  const feed::MarketCache& cache;
  const feed::MarketReader& reader;
  kraken::KrakenRestService& rest;
  const kraken::GovernorOptions& governor;  // what the REST service was started with
  MarketWatch& watch;
  UpstreamMonitor& upstream;
  bool simulated = false;
  bool api_key = false;
  std::int64_t start_ns = 0;
  // The v2 symbols the feed subscribes, in configuration order.
  std::vector<std::string> streamed;
  // The order manager: set when an API key is configured (or --sim), else null.
  oms::OrderManager* oms = nullptr;
  TradingRecord* trading = nullptr;  // set with oms

  // Account and Trading calls need the order manager: FAILED_PRECONDITION without a key.
  std::optional<Error> no_order_manager() const {
    if (oms) return std::nullopt;
    return fail(gateway_errc::no_api_key, "no Kraken API key configured");
  }

  std::int64_t now_ns() const noexcept { return clock.wall_now().time_since_epoch().count(); }
  // A pair of a request in any Kraken spelling; invalid_argument naming `field` otherwise.
  result<InstrumentRegistry::InstrumentPtr> pair(std::string_view name, std::string_view field) const {
    if (name.empty()) return Error(errc::invalid_argument, fmt::format("{}: a pair is required", field));
    if (auto in = registry.find(name)) return in;
    return Error(errc::invalid_argument, fmt::format("{}: unknown pair '{}'", field, name));
  }
  bool is_streamed(std::string_view symbol) const {
    return std::find(streamed.begin(), streamed.end(), symbol) != streamed.end();
  }
  RestBudget rest_budget() const {
    const auto& g = rest.governor();
    const auto limits = kraken::tier_limits(governor.tier);
    RestBudget b{g.rest_counter(), g.rest_limit(), limits.rest_decay_per_s, 0};
    b.headroom = std::max(0.0, b.limit - b.counter - governor.rest_reserve);
    return b;
  }

  // A REST call on behalf of a gRPC request; its outcome is recorded for the upstream status.
  template <class T>
  void submit(kraken::KrakenRestService::Call<T> call, std::function<void(result<T>)> done) {
    const MonoTime sent = clock.mono_now();
    rest.submit<T>(std::move(call), [this, sent, done = std::move(done)](result<T> r) {
      const std::int64_t took = (clock.mono_now() - sent).count();
      if (r) {
        upstream.rest_result(nullptr, took);
      } else {
        const Error e = r.error();
        upstream.rest_result(&e, took);
      }
      done(std::move(r));
    });
  }
};

}  // namespace kgw::gateway
