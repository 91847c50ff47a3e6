#pragma once
// Internal to core/src/net: one keep-alive HTTP connection behind the pool in http_client.cpp;
// the Beast instantiations live in http_plain.cpp and http_tls.cpp.

#include "async_util.hpp"
#include "kgw/core/net/http_client.hpp"

#include <memory>
#include <optional>

namespace kgw::net::detail {

struct HttpExchange {
  result<HttpResponse> response{fail(errc::internal, "no exchange")};
  bool sent = false;      // a byte of the request may have reached the server
  bool reusable = false;  // the connection may carry another request
};

// What every request on a connection needs from the client.
struct HttpRequestContext {
  const Url& origin;
  const std::string& host_header;
  const std::string& user_agent;
  std::size_t max_body_bytes;
};

struct HttpConnectParams {
  const Url& origin;
  const std::optional<Url>& proxy;
  const std::shared_ptr<boost::asio::ssl::context>& tls;
  const std::string& user_agent;
  Clock::time_point deadline;
};

// Owned by the pool (idle) or by the request using it. Single executor.
class HttpConnection {
 public:
  virtual ~HttpConnection() = default;
  // Writes the request and reads the response, both before `deadline`.
  virtual boost::asio::awaitable<HttpExchange> exchange(const HttpRequest& request, const HttpRequestContext& ctx,
                                                        Clock::time_point deadline) = 0;
  // True when an idle connection can carry a new request (the server has not closed it).
  virtual bool usable_when_idle() noexcept = 0;
  virtual void close() noexcept = 0;

  Clock::time_point idle_since{};
};

boost::asio::awaitable<result<std::unique_ptr<HttpConnection>>> connect_http_plain(const HttpConnectParams& params);
boost::asio::awaitable<result<std::unique_ptr<HttpConnection>>> connect_http_tls(const HttpConnectParams& params);

}  // namespace kgw::net::detail
