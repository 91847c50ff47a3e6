#include "kgw/core/net/url.hpp"

#include <charconv>

namespace kgw::net {
namespace {

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool is_host_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_';
}

bool is_ipv6_char(char c) noexcept {
  return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') || c == ':' || c == '.';
}

// RFC 1035 §2.3.4 limits as resolvers apply them; a trailing dot (a fully qualified name) is
// allowed. Returns what is wrong, or null.
const char* dns_name_problem(std::string_view host) noexcept {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty() || host.size() > 253) return host.empty() ? "missing host" : "host name longer than 253 characters";
  std::size_t label = 0;
  for (char c : host) {
    if (c != '.') {
      if (++label > 63) return "host name label longer than 63 characters";
      continue;
    }
    if (label == 0) return "empty label in host name ('..' or a leading '.')";
    label = 0;
  }
  return nullptr;
}

Error bad(std::string_view url, std::string_view why) {
  std::string d = "URL '";
  d += url;
  d += "': ";
  d += why;
  return fail(errc::invalid_argument, std::move(d));
}

}  // namespace

std::string_view to_string(Scheme s) noexcept {
  switch (s) {
    case Scheme::ws: return "ws";
    case Scheme::wss: return "wss";
    case Scheme::http: return "http";
    case Scheme::https: return "https";
  }
  return "?";
}

std::string Url::host_header() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != default_port()) {
    out += ':';
    out += std::to_string(port);
  }
  return out;
}

std::string Url::authority() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  out += ':';
  out += std::to_string(port);
  return out;
}

std::string Url::to_string() const {
  std::string out(net::to_string(scheme));
  out += "://";
  out += host_header();
  out += target;
  return out;
}

result<Url> parse_url(std::string_view text) {
  for (char c : text) {
    // Control characters and blanks would let a caller smuggle header lines into a request.
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return bad(text, "contains a blank or control character");
  }
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return bad(text, "missing '://' (expected ws, wss, http or https)");
  const std::string_view scheme = text.substr(0, sep);
  Url url;
  if (iequals(scheme, "ws")) url.scheme = Scheme::ws;
  else if (iequals(scheme, "wss")) url.scheme = Scheme::wss;
  else if (iequals(scheme, "http")) url.scheme = Scheme::http;
  else if (iequals(scheme, "https")) url.scheme = Scheme::https;
  else return bad(text, "unsupported scheme (expected ws, wss, http or https)");

  std::string_view rest = text.substr(sep + 3);
  const auto path_at = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_at);
  std::string_view target = path_at == std::string_view::npos ? std::string_view{} : rest.substr(path_at);

  if (authority.find('@') != std::string_view::npos)
    // Do not echo the URL: the part before '@' is a credential.
    return fail(errc::invalid_argument, "URL: credentials (user@host) are not supported");
  if (target.find('#') != std::string_view::npos) return bad(text, "fragments ('#') are not supported");
  if (authority.empty()) return bad(text, "missing host");

  std::string_view host;
  std::string_view port_text;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad(text, "unterminated IPv6 literal");
    host = authority.substr(1, close - 1);
    if (host.empty()) return bad(text, "empty IPv6 literal");
    for (char c : host)
      if (!is_ipv6_char(c)) return bad(text, "invalid character in IPv6 literal");
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad(text, "unexpected text after IPv6 literal");
      port_text = after.substr(1);
      if (port_text.empty()) return bad(text, "empty port");
    }
  } else {
    const auto colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return bad(text, "empty port");
    }
    if (host.empty()) return bad(text, "missing host");
    for (char c : host)
      if (!is_host_char(c)) return bad(text, "invalid character in host");
    if (const char* why = dns_name_problem(host)) return bad(text, why);
  }

  url.host.reserve(host.size());
  for (char c : host) url.host.push_back(lower(c));

  url.port = url.default_port();
  if (!port_text.empty()) {
    unsigned value = 0;
    const auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || p != port_text.data() + port_text.size())
      return bad(text, "port is not a number");
    if (value == 0 || value > 65535) return bad(text, "port out of range 1..65535");
    url.port = static_cast<std::uint16_t>(value);
  }

  if (target.empty()) url.target = "/";
  else if (target.front() == '?') url.target = "/" + std::string(target);
  else url.target = std::string(target);
  return url;
}

result<Url> parse_url(std::string_view text, UrlUse use) {
  auto url = parse_url(text);
  if (!url) return url;
  switch (use) {
    case UrlUse::any: break;
    case UrlUse::websocket:
      if (!url->websocket()) return bad(text, "expected ws:// or wss://");
      break;
    case UrlUse::http_origin:
      if (url->websocket()) return bad(text, "expected http:// or https://");
      if (url->target != "/") return bad(text, "expected an origin without a path or query (scheme://host[:port])");
      break;
  }
  return url;
}

}  // namespace kgw::net
