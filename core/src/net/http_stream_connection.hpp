#pragma once
// Internal to core/src/net: the Beast HTTP connection over one transport. Include only from
// http_plain.cpp and http_tls.cpp.

#include "http_connection.hpp"
#include "net_error.hpp"
#include "tcp_connect.hpp"
#include "tls_stream.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <type_traits>

namespace kgw::net::detail {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::asio::ip::tcp;
using namespace boost::asio::experimental::awaitable_operators;

inline http::verb to_verb(HttpMethod m) noexcept {
  switch (m) {
    case HttpMethod::get: return http::verb::get;
    case HttpMethod::post: return http::verb::post;
    case HttpMethod::put: return http::verb::put;
    case HttpMethod::del: return http::verb::delete_;
  }
  return http::verb::get;
}

// Stream is tcp::socket (http://) or ssl::stream<tcp::socket> (https://).
template <class Stream>
class HttpStreamConnection final : public HttpConnection {
  static constexpr bool kTls = !std::is_same_v<Stream, tcp::socket>;

 public:
  explicit HttpStreamConnection(const asio::any_io_executor& ex, const HttpConnectParams& params)
      : stream_(make_stream(ex, params)), resolver_(ex) {}

  // TCP to the origin or the proxy, CONNECT through the proxy, TLS; all before params.deadline.
  asio::awaitable<result<void>> connect(const HttpConnectParams& params) {
    auto raced = co_await (dial(params) || expire_at(params.deadline, [this] { close(); }));
    if (raced.index() == 1) co_return fail(errc::timeout, "connect to " + params.origin.to_string() + " timed out during " + phase_);
    co_return std::get<0>(std::move(raced));
  }

  asio::awaitable<HttpExchange> exchange(const HttpRequest& request, const HttpRequestContext& ctx,
                                         Clock::time_point deadline) override {
    HttpExchange out;
    const std::string what = std::string(http::to_string(to_verb(request.method))) + " " + request.target + " at " +
                             ctx.origin.to_string();
    const auto budget = std::to_string(millis(deadline - Clock::now()));

    http::request<http::string_body> msg{to_verb(request.method), request.target, 11};
    msg.set(http::field::host, ctx.host_header);
    if (!ctx.user_agent.empty()) msg.set(http::field::user_agent, ctx.user_agent);
    for (const auto& h : request.headers) msg.set(h.name, h.value);
    if (!request.content_type.empty()) msg.set(http::field::content_type, request.content_type);
    msg.body() = request.body;
    msg.keep_alive(true);
    msg.prepare_payload();

    bool expired = false;
    auto on_expire = [this, &expired] {
      expired = true;
      close();
    };
    auto written = co_await (http::async_write(stream_, msg, kUseTuple) || expire_at(deadline, on_expire));
    if (expired) {
      out.sent = true;  // how much left is unknowable once the timer won
      out.response = fail(errc::unknown_outcome, what + ": timed out after " + budget +
                                                     " ms while sending; the request may have reached the server");
      co_return out;
    }
    const auto [wec, wn] = std::get<0>(written);
    if (wec) {
      out.sent = wn > 0;
      close();
      if (out.sent)
        out.response = fail(errc::unknown_outcome,
                            what + ": send failed after part of the request went out (" + wec.message() + ")");
      else
        out.response = fail(errc::connection_failed, what + ": nothing sent: " + wec.message());
      co_return out;
    }
    out.sent = true;

    http::response_parser<http::string_body> parser;
    parser.body_limit(ctx.max_body_bytes);
    parser.header_limit(64 * 1024);
    auto read = co_await (http::async_read(stream_, buffer_, parser, kUseTuple) || expire_at(deadline, on_expire));
    if (expired) {
      out.response = fail(errc::unknown_outcome, what + ": no response within " + budget +
                                                     " ms after the request was sent; it may have executed");
      co_return out;
    }
    const auto [rec, rn] = std::get<0>(read);
    (void)rn;
    if (rec) {
      close();
      if (rec == http::error::body_limit)
        out.response = fail(errc::message_too_big, what + ": response body exceeds " +
                                                       std::to_string(ctx.max_body_bytes) + " bytes");
      else
        out.response = fail(errc::unknown_outcome, what + ": " + rec.message() +
                                                       " after the request was sent; it may have executed");
      co_return out;
    }

    auto& res = parser.get();
    HttpResponse response;
    response.status = res.result_int();
    response.keep_alive = res.keep_alive();
    response.headers.reserve(16);
    for (const auto& field : res) {
      HttpHeader h{std::string(field.name_string()), std::string(field.value())};
      if (field.name() == http::field::content_type) response.content_type = h.value;
      else if (field.name() == http::field::connection) response.connection = h.value;
      response.headers.push_back(std::move(h));
    }
    response.body = std::move(res.body());
    // Leftover bytes would be an unrequested response; such a connection is not trusted again.
    out.reusable = response.keep_alive && buffer_.size() == 0;
    response.keep_alive = out.reusable;
    if (!out.reusable) close();
    out.response = std::move(response);
    co_return out;
  }

  bool usable_when_idle() noexcept override { return idle_socket_usable(beast::get_lowest_layer(stream_)); }

  void close() noexcept override {
    boost::system::error_code ignored;
    beast::get_lowest_layer(stream_).close(ignored);
    resolver_.cancel();
  }

 private:
  static Stream make_stream(const asio::any_io_executor& ex, const HttpConnectParams& params) {
    if constexpr (kTls) return Stream(ex, *params.tls);
    else return Stream(ex);
  }

  asio::awaitable<result<void>> dial(const HttpConnectParams& params) {
    auto& socket = beast::get_lowest_layer(stream_);
    const Url& hop = params.proxy ? *params.proxy : params.origin;
    phase_ = params.proxy ? "connect to proxy" : "resolve/connect";
    auto tcp_ok = co_await connect_tcp(socket, resolver_, hop.host, hop.port);
    if (!tcp_ok) {
      if (params.proxy) tcp_ok.error().detail = "proxy " + params.proxy->authority() + ": " + tcp_ok.error().detail;
      co_return tcp_ok.error();
    }
    if (params.proxy) {
      phase_ = "proxy CONNECT";
      auto tunnel = co_await proxy_connect(socket, params.origin.authority(), params.user_agent);
      if (!tunnel) co_return tunnel.error();
    }
    if constexpr (kTls) {
      phase_ = "TLS handshake";
      auto prepared = prepare_tls_client(stream_, *params.tls, params.origin.host);
      if (!prepared) co_return prepared.error();
      auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::client, kUseTuple);
      if (ec) co_return tls_handshake_error(ec, stream_.native_handle(), params.origin.authority());
    }
    phase_ = "open";
    co_return result<void>{};
  }

  Stream stream_;
  tcp::resolver resolver_;
  beast::flat_buffer buffer_;
  const char* phase_ = "start";
};

template <class Stream>
asio::awaitable<result<std::unique_ptr<HttpConnection>>> connect_http_stream(const HttpConnectParams& params) {
  auto ex = co_await asio::this_coro::executor;
  auto conn = std::make_unique<HttpStreamConnection<Stream>>(ex, params);
  auto ok = co_await conn->connect(params);
  if (!ok) co_return ok.error();
  co_return std::unique_ptr<HttpConnection>(std::move(conn));
}

}  // namespace kgw::net::detail
