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
