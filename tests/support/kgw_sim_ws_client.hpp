#pragma once
// Test helper: a WebSocket connection as kraken-sim's WS APIs see it (sim::WsClient) that keeps
// every frame the simulator sends it, so a test drives KrakenWsApi or ReplayWsApi without sockets.

#include <cstdint>
#include <string>
#include <vector>

#include "kgw/sim/kraken_ws_api.hpp"

namespace kgw::test {

struct FakeWsClient final : sim::WsClient {
  explicit FakeWsClient(std::uint64_t i) : id_(i) {}
  std::uint64_t id() const override { return id_; }
  bool send(std::string text) override {
    out.push_back(std::move(text));
    return true;
  }
  std::uint64_t id_;
  std::vector<std::string> out;  // every frame sent, in order
};

}  // namespace kgw::test
