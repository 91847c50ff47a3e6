#pragma once
// HTTP/1.1 client (https:// and, for loopback and the simulator, http://) with keep-alive and a
// small bounded connection pool for one origin. Beast's stream types stay in core/src/net.

#include "kgw/core/error.hpp"
#include "kgw/core/net/url.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace kgw::net {

enum class HttpMethod : unsigned char { get, post, put, del };

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  HttpMethod method = HttpMethod::get;
  std::string target = "/";  // path and query, e.g. "/0/public/Ticker?pair=XBTUSD"
  // Extra headers (API-Key, API-Sign, ...). Their values never appear in errors or logs.
  std::vector<HttpHeader> headers;
  std::string body;
  std::string content_type;  // sent when not empty; Content-Length is always computed
  // 0: HttpClientOptions::request_timeout. Bounds the whole call, waiting for a pooled
  // connection included.
  std::chrono::milliseconds timeout{0};
};

struct HttpResponse {
  unsigned status = 0;
  std::string body;
  std::string content_type;
  std::string connection;   // the Connection header as sent, often empty
  bool keep_alive = false;  // the connection went back to the pool
  std::vector<HttpHeader> headers;

  // First header with that name (case-insensitive); empty when absent.
  std::string_view header(std::string_view name) const noexcept;
};

struct HttpClientOptions {
  std::string base_url;  // the origin: "https://api.kraken.com", "http://127.0.0.1:8080"
  std::string user_agent = "kraken-gatewayd/0.1";
  // Connections open at once (idle + busy + connecting). Requests beyond wait for one.
  std::size_t max_connections = 4;
  std::chrono::milliseconds connect_timeout{5'000};  // TCP + proxy CONNECT + TLS handshake
  std::chrono::milliseconds request_timeout{10'000};
  // A pooled connection idle longer than this is closed instead of reused: servers drop idle
  // keep-alive connections after a while, and a request racing that close is an unknown outcome.
  std::chrono::milliseconds idle_timeout{20'000};
  std::size_t max_body_bytes = std::size_t{8} << 20;
  std::string proxy;  // "" or "http://host:port": every connection tunnels through CONNECT
  // For https://. Null: a default context with the system trust store (make_client_tls_context).
  std::shared_ptr<boost::asio::ssl::context> tls;
};

// Pool and traffic numbers, for metrics and tests.
struct HttpClientStats {
  std::size_t open = 0;     // idle + busy + connecting
  std::size_t idle = 0;
  std::size_t waiting = 0;  // requests queued for a connection
  std::uint64_t connections_opened = 0;
  std::uint64_t requests = 0;
};

// A pool of keep-alive connections to one origin. Owned by its user (the Kraken REST client,
// the simulator tests); cheap to move. Thread safety: use it from one executor (io_context
// thread or strand) only; requests may run concurrently as coroutines there. A request is never
// resent once a byte of it may have reached the server.
class HttpClient {
 public:
  // Errors: invalid_argument (base_url, proxy), tls_error (default TLS context).
  static result<HttpClient> create(HttpClientOptions options);

  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  ~HttpClient();  // closes idle connections; requests in flight finish on their own

  // Sends `request` and returns the response (any status code). Errors:
  //  - timeout: no connection became free / could be opened in time; nothing was sent.
  //  - connection_failed, tls_error: a connection could not be opened; nothing was sent.
  //  - unknown_outcome: the request was (possibly partly) sent and no complete response came
  //    (timeout, EOF, reset, garbage). It may have executed: reconcile, do not resend blindly.
  //  - message_too_big: the response body exceeds max_body_bytes.
  //  - invalid_argument: a header name/value with CR/LF, a target not starting with '/'.
  boost::asio::awaitable<result<HttpResponse>> request(HttpRequest request);
  boost::asio::awaitable<result<HttpResponse>> get(std::string target);
  boost::asio::awaitable<result<HttpResponse>> post(std::string target, std::string body, std::string content_type);

  void close_idle() noexcept;
  HttpClientStats stats() const noexcept;
  const Url& origin() const noexcept;

 private:
  struct Impl;
  explicit HttpClient(std::shared_ptr<Impl> impl) noexcept;
  std::shared_ptr<Impl> impl_;
};

}  // namespace kgw::net
