// The http:// instantiation of the HTTP connection (loopback tests, the simulator, proxies).
#include "http_stream_connection.hpp"

namespace kgw::net::detail {

asio::awaitable<result<std::unique_ptr<HttpConnection>>> connect_http_plain(const HttpConnectParams& params) {
  return connect_http_stream<tcp::socket>(params);
}

}  // namespace kgw::net::detail
