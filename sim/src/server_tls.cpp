// The TLS instantiation of the server connection (HTTPS and wss://): the costliest TU of the
// simulator (BUILD-NOTES.md), so it instantiates nothing else.
#include "server_connection.hpp"

namespace kgw::sim::detail {

asio::awaitable<void> serve_tls(std::shared_ptr<ServerState> state, tcp::socket socket) {
  auto connection =
      std::make_shared<HttpConnection<asio::ssl::stream<tcp::socket>>>(std::move(state), std::move(socket));
  co_await connection->run();
}

}  // namespace kgw::sim::detail
