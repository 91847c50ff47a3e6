// The https:// instantiation of the HTTP connection.
#include "http_stream_connection.hpp"

#include <boost/asio/ssl/stream.hpp>

namespace kgw::net::detail {

asio::awaitable<result<std::unique_ptr<HttpConnection>>> connect_http_tls(const HttpConnectParams& params) {
  return connect_http_stream<asio::ssl::stream<tcp::socket>>(params);
}

}  // namespace kgw::net::detail
