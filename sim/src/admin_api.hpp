#pragma once
// The simulator's admin API: faults, system and pair status, and account funding over plain HTTP
// on its own loopback port (README "Admin API"). Every fault test depends on it, so it is strict:
// an unknown path, parameter or value is answered 400 with a message naming it, and nothing is
// changed. Owned by the Simulator; runs on the simulator's io_context thread like every handler.

#include <functional>
#include <memory>
#include <vector>

#include "kgw/sim/server.hpp"

namespace kgw::sim {

class Exchange;
class TokenStore;
struct Faults;

class AdminApi final : public ServerHandler {
 public:
  struct Targets {
    Exchange& exchange;
    Faults& faults;
    TokenStore& tokens;
    // The open peers of both WebSocket endpoints (public and private).
    std::function<std::vector<std::shared_ptr<WsPeer>>()> ws_peers;
    // Closes and reopens the REST and WS servers on their ports, after the answer is sent.
    std::function<void()> restart;
  };

  explicit AdminApi(Targets targets) : t_(std::move(targets)) {}

  HttpServerResponse on_http(const HttpServerRequest& req) override;
  void on_ws_message(const std::shared_ptr<WsPeer>& peer, std::string_view) override { peer->close(1008, "admin endpoint"); }

 private:
  Targets t_;
};

}  // namespace kgw::sim
