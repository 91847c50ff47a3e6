#pragma once
// Internal to core/src/net: TCP dialling shared by the WebSocket and HTTP clients.

#include "kgw/core/error.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <string>

namespace kgw::net::detail {

// Resolves `host` and connects `socket` to the first address that accepts, then turns Nagle off
// (orders and subscriptions are small writes that must not wait for an ACK). No deadline inside:
// callers race it and close `socket` + cancel `resolver` when their deadline passes.
boost::asio::awaitable<result<void>> connect_tcp(boost::asio::ip::tcp::socket& socket,
                                                 boost::asio::ip::tcp::resolver& resolver, const std::string& host,
                                                 std::uint16_t port);

// Asks an HTTP proxy on `socket` (already connected) to open a tunnel to `authority`
// (host:port) with CONNECT. Errors: connection_failed when the proxy refuses, protocol_error
// when it answers something that is not HTTP.
boost::asio::awaitable<result<void>> proxy_connect(boost::asio::ip::tcp::socket& socket, const std::string& authority,
                                                   const std::string& user_agent);

// True when an idle socket can carry a new request: nothing to read and not closed by the
// peer. A pooled keep-alive socket the server closed shows EOF here before we write to it.
bool idle_socket_usable(boost::asio::ip::tcp::socket& socket) noexcept;

}  // namespace kgw::net::detail
