#pragma once
// URLs the network layer accepts: ws://, wss://, http://, https:// with an optional port and a
// request target. Nothing else (no userinfo, no fragment) because Kraken, the simulator and an
// HTTP proxy never need more, and a credential inside a URL would end up in logs.

#include "kgw/core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace kgw::net {

enum class Scheme : unsigned char { ws, wss, http, https };

std::string_view to_string(Scheme s) noexcept;

// A parsed absolute URL. A plain value; thread-compatible.
struct Url {
  Scheme scheme = Scheme::https;
  std::string host;        // lower-cased; IPv6 literals without the brackets
  std::uint16_t port = 0;  // always set: the scheme default (80/443) when the URL has none
  std::string target;      // path plus query, never empty ("/" when the URL has no path)

  bool tls() const noexcept { return scheme == Scheme::wss || scheme == Scheme::https; }
  bool websocket() const noexcept { return scheme == Scheme::ws || scheme == Scheme::wss; }
  std::uint16_t default_port() const noexcept { return tls() ? 443 : 80; }
  // The Host header value: host, bracketed when IPv6, with ":port" only when not the default.
  std::string host_header() const;
  // host:port, as an HTTP CONNECT request wants it (port always present).
  std::string authority() const;
  // scheme://host[:port]target, for logs and error details.
  std::string to_string() const;
};

// What a URL is configured for. Checking it at start-up (kgw-feed --url, --rest; the daemon's
// config) refuses at once what a connection attempt could never fix, instead of retrying it.
enum class UrlUse : unsigned char {
  any,          // ws, wss, http or https
  websocket,    // ws:// or wss://, any target (a WebSocket endpoint: "wss://ws.kraken.com/v2")
  http_origin,  // http:// or https:// with no path or query (a REST base URL)
};

// Parses `text`. Errors are errc::invalid_argument with a detail that names the problem. Host
// names are checked as DNS names (labels of 1 to 63 characters, 253 in all), so a typo such as
// "api..kraken.com" is refused here rather than by a resolver on every retry.
result<Url> parse_url(std::string_view text);
// As parse_url, and the URL must suit `use` (the detail says what was expected).
result<Url> parse_url(std::string_view text, UrlUse use);

}  // namespace kgw::net
