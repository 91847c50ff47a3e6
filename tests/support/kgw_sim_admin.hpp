#pragma once
// Test helper: one HTTP request from a test thread, on an io_context of its own — a POST to
// kraken-sim's admin API (README "Admin API": /ws/stall, /ws/drop, /rest/http_status,
// /rest/error, /book/corrupt_checksum, ...) or a GET of a page such as the daemon's /metrics.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <optional>
#include <string>

#include "kgw/core/net/http_client.hpp"

namespace kgw::test {

// A plain coroutine function with named locals: GCC 12 mishandles temporaries (a ternary over
// two co_awaits, co_return of a moved-from value) inside coroutine lambdas.
inline boost::asio::awaitable<std::optional<net::HttpResponse>> http_exchange(std::string base_url, net::HttpMethod method,
                                                                              std::string target) {
  std::optional<net::HttpResponse> out;
  net::HttpClientOptions o;
  o.base_url = std::move(base_url);
  auto http = net::HttpClient::create(o);
  if (!http) co_return out;
  result<net::HttpResponse> r = Error(errc::internal);
  if (method == net::HttpMethod::post) r = co_await http->post(std::move(target), "", "application/x-www-form-urlencoded");
  else r = co_await http->get(std::move(target));
  if (r) out.emplace(std::move(*r));
  co_return out;
}

// The response to one request on `base_url` (an origin such as "http://127.0.0.1:8084"); nullopt
// when there was no answer.
inline std::optional<net::HttpResponse> http_request(const std::string& base_url, net::HttpMethod method,
                                                     const std::string& target) {
  boost::asio::io_context io;
  auto response = boost::asio::co_spawn(io, http_exchange(base_url, method, target), boost::asio::use_future);
  io.run();
  return response.get();
}

// One POST to kraken-sim's admin API; the HTTP status, 0 when there was no answer.
inline unsigned sim_admin_post(const std::string& admin_url, const std::string& target) {
  auto r = http_request(admin_url, net::HttpMethod::post, target);
  return r ? r->status : 0u;
}

}  // namespace kgw::test
