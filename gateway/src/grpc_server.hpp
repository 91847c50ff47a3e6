#pragma once
// GrpcServer: the gRPC server of kraken-gatewayd — the kgw.v1 services, the standard health
// service (per service: MarketData serves only while the public feed is up; Account and Trading
// only while the order manager's private session is up) and server reflection, on
// 127.0.0.1:<port> and a unix socket, with every call's latency observed into the metrics. A
// pimpl: gRPC headers stay in grpc_server.cpp. start()/shutdown() from the owner; the
// set_*_serving() calls from any thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "kgw/core/error.hpp"

namespace kgw::gateway {

struct Backend;
class Metrics;

class GrpcServer {
 public:
  struct Options {
    std::uint16_t port = 0;   // on 127.0.0.1; 0: ephemeral
    std::string unix_socket;  // empty: none
  };

  // Errors: a port or socket that cannot be bound (another gateway running), a bad path.
  static result<std::unique_ptr<GrpcServer>> start(const Options& options, Backend& backend, Metrics* metrics);
  ~GrpcServer();  // shutdown_begin() with no grace, shutdown_wait()
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  std::uint16_t port() const noexcept;
  void set_market_data_serving(bool serving);
  // Account and Trading.
  void set_trading_serving(bool serving);
  // Health says NOT_SERVING, every stream ends with UNAVAILABLE, no new calls are taken, and
  // calls in flight get until `grace` to finish before they are cancelled. Returns at once.
  // Idempotent.
  void shutdown_begin(std::chrono::milliseconds grace);
  // Waits until every call has finished: a call still waiting for Kraken (even a cancelled one)
  // finishes when its REST call completes, so shut the REST service down before waiting here.
  void shutdown_wait();

 private:
  struct Impl;
  explicit GrpcServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kgw::gateway
