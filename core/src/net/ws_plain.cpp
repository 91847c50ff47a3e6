// The ws:// instantiation of the Beast WebSocket session (kept apart from wss:// so the two
// expensive translation units build in parallel).
#include "ws_stream_session.hpp"

namespace kgw::net::detail {

asio::awaitable<result<WsSession>> connect_ws_plain(Url url, WsOptions options) {
  return connect_ws_stream<tcp::socket>(std::move(url), std::move(options));
}

}  // namespace kgw::net::detail
