#include "tcp_connect.hpp"

#include "async_util.hpp"
#include "net_error.hpp"

#include <boost/asio/connect.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <sys/socket.h>

#include <cerrno>

namespace kgw::net::detail {

namespace http = boost::beast::http;
using boost::asio::ip::tcp;

asio::awaitable<result<void>> connect_tcp(tcp::socket& socket, tcp::resolver& resolver, const std::string& host,
                                          std::uint16_t port) {
  auto [rec, endpoints] = co_await resolver.async_resolve(host, std::to_string(port), kUseTuple);
  if (rec) co_return to_error(rec, "resolve " + host);
  auto [cec, ep] = co_await asio::async_connect(socket, endpoints, kUseTuple);
  if (cec) co_return to_error(cec, "connect to " + host + ":" + std::to_string(port));
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  co_return result<void>{};
}

asio::awaitable<result<void>> proxy_connect(tcp::socket& socket, const std::string& authority,
                                            const std::string& user_agent) {
  http::request<http::empty_body> req{http::verb::connect, authority, 11};
  req.set(http::field::host, authority);
  if (!user_agent.empty()) req.set(http::field::user_agent, user_agent);
  auto [wec, wn] = co_await http::async_write(socket, req, kUseTuple);
  (void)wn;
  if (wec) co_return to_error(wec, "send CONNECT " + authority + " to proxy");

  boost::beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  parser.skip(true);  // a 2xx answer to CONNECT has no body: the tunnel starts right after the header
  auto [rec, rn] = co_await http::async_read_header(socket, buffer, parser, kUseTuple);
  (void)rn;
  if (rec) co_return to_error(rec, "read proxy answer to CONNECT " + authority, errc::protocol_error);
  const unsigned status = parser.get().result_int();
  if (status < 200 || status > 299)
    co_return fail(errc::connection_failed,
                   "proxy refused CONNECT " + authority + ": HTTP " + std::to_string(status));
  // Bytes after the header would belong to the tunnel, but the target cannot have spoken before
  // we did (TLS and HTTP are client-first); anything here means a confused proxy.
  if (buffer.size() != 0)
    co_return fail(errc::protocol_error, "proxy sent unexpected bytes after its CONNECT answer");
  co_return result<void>{};
}

bool idle_socket_usable(tcp::socket& socket) noexcept {
  if (!socket.is_open()) return false;
  char byte = 0;
  const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  // -1/EAGAIN: nothing pending, still open. 0: the peer closed. >0: unsolicited bytes (a TLS
  // close_notify or an HTTP 408) mean the server is done with this connection too.
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace kgw::net::detail
