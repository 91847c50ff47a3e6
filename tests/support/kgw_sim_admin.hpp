#pragma once
// Test helper: one POST to kraken-sim's admin API (README "Admin API": /ws/stall, /ws/drop,
// /rest/http_status, /rest/error, /book/corrupt_checksum, ...) from a test thread, on an
// io_context of its own. Returns the HTTP status, 0 when there was no answer.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <string>

#include "kgw/core/net/http_client.hpp"

namespace kgw::test {

inline unsigned sim_admin_post(const std::string& admin_url, const std::string& target) {
  namespace asio = boost::asio;
  asio::io_context io;
  auto status = asio::co_spawn(
      io,
      [&]() -> asio::awaitable<unsigned> {
        net::HttpClientOptions o;
        o.base_url = admin_url;
        auto http = net::HttpClient::create(o);
        if (!http) co_return 0u;
        auto r = co_await http->post(target, "", "application/x-www-form-urlencoded");
        co_return r ? r->status : 0u;
      },
      asio::use_future);
  io.run();
  return status.get();
}

}  // namespace kgw::test
