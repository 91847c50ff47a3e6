// The plain TCP instantiation of the server connection (HTTP and WebSocket). Beast-heavy: built
// with -g0 (sim/CMakeLists.txt) and kept apart from the TLS one so the two compile in parallel.
#include "server_connection.hpp"

namespace kgw::sim::detail {

asio::awaitable<void> serve_plain(std::shared_ptr<ServerState> state, tcp::socket socket) {
  auto connection = std::make_shared<HttpConnection<tcp::socket>>(std::move(state), std::move(socket));
  co_await connection->run();
}

}  // namespace kgw::sim::detail
