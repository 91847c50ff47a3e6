// The wss:// instantiation of the Beast WebSocket session: the costliest TU of the project
// (BUILD-NOTES.md), so it instantiates nothing else.
#include "ws_stream_session.hpp"

#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace kgw::net::detail {

asio::awaitable<result<WsSession>> connect_ws_tls(Url url, WsOptions options) {
  return connect_ws_stream<asio::ssl::stream<tcp::socket>>(std::move(url), std::move(options));
}

}  // namespace kgw::net::detail
