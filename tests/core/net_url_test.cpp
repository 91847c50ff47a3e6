#include "kgw/core/net/url.hpp"

#include <gtest/gtest.h>

namespace kgw::net {
namespace {

TEST(Url, ParsesKrakenWebSocketAndRestUrlsWithDefaultPorts) {
  auto ws = parse_url("wss://ws.kraken.com/v2");
  ASSERT_TRUE(ws);
  EXPECT_EQ(ws->scheme, Scheme::wss);
  EXPECT_EQ(ws->host, "ws.kraken.com");
  EXPECT_EQ(ws->port, 443);
  EXPECT_EQ(ws->target, "/v2");
  EXPECT_TRUE(ws->tls());
  EXPECT_TRUE(ws->websocket());
  EXPECT_EQ(ws->host_header(), "ws.kraken.com");
  EXPECT_EQ(ws->authority(), "ws.kraken.com:443");

  auto rest = parse_url("https://api.kraken.com");
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->port, 443);
  EXPECT_EQ(rest->target, "/");
  EXPECT_FALSE(rest->websocket());

  auto plain = parse_url("http://127.0.0.1:8080/0/public/Ticker?pair=XBTUSD");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->scheme, Scheme::http);
  EXPECT_EQ(plain->port, 8080);
  EXPECT_EQ(plain->target, "/0/public/Ticker?pair=XBTUSD");
  EXPECT_EQ(plain->host_header(), "127.0.0.1:8080");
  EXPECT_EQ(plain->to_string(), "http://127.0.0.1:8080/0/public/Ticker?pair=XBTUSD");

  auto ws_plain = parse_url("ws://localhost");
  ASSERT_TRUE(ws_plain);
  EXPECT_EQ(ws_plain->port, 80);
  EXPECT_FALSE(ws_plain->tls());
}

TEST(Url, LowerCasesSchemeAndHostButKeepsTheTargetVerbatim) {
  auto u = parse_url("HTTPS://API.Kraken.COM/0/Public/Time?X=Y");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, Scheme::https);
  EXPECT_EQ(u->host, "api.kraken.com");
  EXPECT_EQ(u->target, "/0/Public/Time?X=Y");
}

TEST(Url, AcceptsBracketedIpv6LiteralsAndQueryOnlyTargets) {
  auto u = parse_url("ws://[::1]:9000?x=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9000);
  EXPECT_EQ(u->target, "/?x=1");
  EXPECT_EQ(u->host_header(), "[::1]:9000");
  EXPECT_EQ(u->authority(), "[::1]:9000");
  auto d = parse_url("https://[::1]/");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->host_header(), "[::1]");
}

TEST(Url, RejectsMalformedUrlsWithInvalidArgument) {
  for (const char* bad : {"", "api.kraken.com", "ftp://x/", "https://", "https:///path", "https://host:",
                          "https://host:0", "https://host:65536", "https://host:12ab", "https://ho st/",
                          "https://host/a b", "https://[::1/", "https://[]/", "https://[::1]x/", "https://host/#frag",
                          "https://h\nost/", "https://:443/", "https://ho$t/"}) {
    auto u = parse_url(bad);
    EXPECT_FALSE(u) << "accepted: " << bad;
    if (!u) {
      EXPECT_TRUE(u.error().is(errc::invalid_argument)) << bad;
    }
  }
}

TEST(Url, RefusesHostNamesNoResolverCouldFind) {
  const std::string label63(63, 'a'), label64(64, 'a');
  EXPECT_TRUE(parse_url("https://" + label63 + ".kraken.com/"));
  EXPECT_TRUE(parse_url("https://api.kraken.com./"));  // fully qualified
  struct Case {
    std::string url;
    const char* says;
  };
  const Case cases[] = {
      {"https://api..kraken.com/", "empty label in host name"},
      {"wss://.kraken.com/v2", "empty label in host name"},
      {"https://" + label64 + ".kraken.com/", "label longer than 63"},
      {"https://" + std::string(250, 'a') + ".com/", "longer than 253"},
  };
  for (const auto& c : cases) {
    auto u = parse_url(c.url);
    ASSERT_FALSE(u) << c.url;
    EXPECT_TRUE(u.error().is(errc::invalid_argument));
    EXPECT_NE(u.error().detail.find(c.says), std::string::npos) << u.error().detail;
  }
}

TEST(Url, ChecksTheSchemeAndShapeForItsUse) {
  EXPECT_TRUE(parse_url("wss://ws.kraken.com/v2", UrlUse::websocket));
  EXPECT_TRUE(parse_url("https://api.kraken.com", UrlUse::http_origin));
  EXPECT_TRUE(parse_url("http://127.0.0.1:8081/", UrlUse::http_origin));
  EXPECT_TRUE(parse_url("https://api.kraken.com/0/public/Time", UrlUse::any));
  auto detail = [](std::string_view text, UrlUse use) {
    auto u = parse_url(text, use);
    return u ? std::string() : u.error().detail;
  };
  EXPECT_EQ(detail("https://api.kraken.com", UrlUse::websocket), "URL 'https://api.kraken.com': expected ws:// or wss://");
  EXPECT_EQ(detail("ws://127.0.0.1:/v2", UrlUse::websocket), "URL 'ws://127.0.0.1:/v2': empty port");
  EXPECT_EQ(detail("wss://ws.kraken.com/v2", UrlUse::http_origin), "URL 'wss://ws.kraken.com/v2': expected http:// or https://");
  EXPECT_EQ(detail("https://api.kraken.com/0/public", UrlUse::http_origin),
            "URL 'https://api.kraken.com/0/public': expected an origin without a path or query (scheme://host[:port])");
  EXPECT_EQ(detail("https://api.kraken.com?x=1", UrlUse::http_origin),
            "URL 'https://api.kraken.com?x=1': expected an origin without a path or query (scheme://host[:port])");
}

TEST(Url, NeverEchoesCredentialsInTheError) {
  auto u = parse_url("https://user:s3cret@api.kraken.com/");
  ASSERT_FALSE(u);
  EXPECT_TRUE(u.error().is(errc::invalid_argument));
  EXPECT_EQ(u.error().message().find("s3cret"), std::string::npos) << u.error().message();
}

TEST(Url, NamesTheProblemInTheErrorDetail) {
  auto u = parse_url("https://host:99999/");
  ASSERT_FALSE(u);
  EXPECT_NE(u.error().detail.find("port"), std::string::npos) << u.error().detail;
  auto s = parse_url("gopher://host/");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().detail.find("scheme"), std::string::npos) << s.error().detail;
}

}  // namespace
}  // namespace kgw::net
