// kgw::net::HttpClient against a Beast HTTP/1.1 server on 127.0.0.1 (TLS through the
// TlsTerminator, proxying through the ConnectProxy of kgw_net_test_support.hpp).
#include "kgw/core/net/http_client.hpp"
#include "kgw/core/net/tls.hpp"
#include "kgw_net_test_support.hpp"

#include <algorithm>
#include <optional>

namespace kgw::net {
namespace {

using namespace std::chrono_literals;
using namespace test;

struct Reply {
  unsigned status = 200;
  std::string body = R"({"error":[],"result":{}})";
  std::string content_type = "application/json";
  std::chrono::milliseconds delay{0};
  bool hang = false;              // never answers; waits for the client to give up
  bool connection_close = false;  // "Connection: close", then closes
  bool drop_after = false;        // closes silently after answering, like an idle timeout
};

struct Seen {
  std::string method;
  std::string target;
  std::string body;
  std::string content_type;
  std::string content_length;
  std::string user_agent;
  std::string host;
  std::string api_key;
};

struct HttpServerState {
  int accepted = 0;
  int active = 0;
  int max_active = 0;
  int closed_silently = 0;
  std::vector<Seen> seen;
};

using Handler = std::function<Reply(const Seen&)>;

class HttpTestServer {
 public:
  HttpTestServer(asio::io_context& io, Handler handler)
      : io_(io), acceptor_(listen_loopback(io)), handler_(std::move(handler)) {
    spawn(io_, accept_loop());
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  HttpServerState& state() { return *state_; }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, sock] = co_await acceptor_.async_accept(kTuple);
      if (ec) co_return;
      spawn(io_, serve(std::move(sock), handler_, state_));
    }
  }

  static asio::awaitable<void> serve(tcp::socket sock, Handler handler, std::shared_ptr<HttpServerState> st) {
    ++st->accepted;
    ++st->active;
    st->max_active = std::max(st->max_active, st->active);
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      auto [rec, rn] = co_await http::async_read(sock, buffer, req, kTuple);
      (void)rn;
      if (rec) break;
      Seen seen{std::string(req.method_string()), std::string(req.target()), req.body(),
                std::string(req[http::field::content_type]), std::string(req[http::field::content_length]),
                std::string(req[http::field::user_agent]), std::string(req[http::field::host]),
                std::string(req["API-Key"])};
      st->seen.push_back(seen);
      const Reply reply = handler(seen);
      if (reply.delay.count() > 0) co_await sleep_for(reply.delay);
      if (reply.hang) {
        http::request<http::string_body> next;
        co_await http::async_read(sock, buffer, next, kTuple);  // ends when the client hangs up
        break;
      }
      http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
      res.set(http::field::content_type, reply.content_type);
      res.body() = reply.body;
      res.keep_alive(!reply.connection_close);
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(sock, res, kTuple);
      (void)wn;
      if (wec) break;
      if (reply.connection_close || reply.drop_after) {
        boost::system::error_code ignored;
        sock.shutdown(tcp::socket::shutdown_send, ignored);
        sock.close(ignored);
        if (reply.drop_after) ++st->closed_silently;
        break;
      }
    }
    --st->active;
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  Handler handler_;
  std::shared_ptr<HttpServerState> state_ = std::make_shared<HttpServerState>();
};

Handler ok_handler() {
  return [](const Seen& s) {
    Reply r;
    r.body = R"({"error":[],"result":{"echo":")" + s.method + " " + s.target + R"("}})";
    return r;
  };
}

HttpClientOptions options_for(const std::string& base_url) {
  HttpClientOptions o;
  o.base_url = base_url;
  o.user_agent = "kgw-net-test/1";
  o.connect_timeout = 2s;
  o.request_timeout = 3s;
  return o;
}

std::shared_ptr<ssl::context> trusting_test_ca() {
  TlsOptions t;
  t.ca_pem = Pki::shared().ca_pem();
  auto ctx = make_client_tls_context(t);
  if (!ctx) throw std::runtime_error(ctx.error().message());
  return *ctx;
}

HttpClient make_client(HttpClientOptions o) {
  auto c = HttpClient::create(std::move(o));
  if (!c) throw std::runtime_error(c.error().message());
  return std::move(*c);
}

// GET and POST against `client`; the server behind it must run ok_handler().
asio::awaitable<void> get_and_post(HttpClient& client, HttpServerState& st, const std::string& expected_host) {
  auto got = co_await client.get("/0/public/Time");
  EXPECT_TRUE(got) << (got ? "" : got.error().message());
  if (!got) co_return;
  EXPECT_EQ(got->status, 200u);
  EXPECT_EQ(got->body, R"({"error":[],"result":{"echo":"GET /0/public/Time"}})");
  EXPECT_EQ(got->content_type, "application/json");
  EXPECT_EQ(got->header("CONTENT-TYPE"), "application/json");
  EXPECT_TRUE(got->keep_alive);

  HttpRequest post;
  post.method = HttpMethod::post;
  post.target = "/0/private/Balance";
  post.body = "nonce=1700000000000";
  post.content_type = "application/x-www-form-urlencoded";
  post.headers.push_back({"API-Key", "test-key"});
  auto posted = co_await client.request(post);
  EXPECT_TRUE(posted) << (posted ? "" : posted.error().message());
  if (!posted) co_return;
  EXPECT_EQ(posted->status, 200u);
  EXPECT_EQ(st.seen.size(), 2u);
  if (st.seen.size() != 2) co_return;
  EXPECT_EQ(st.seen[0].method, "GET");
  EXPECT_EQ(st.seen[0].user_agent, "kgw-net-test/1");
  EXPECT_EQ(st.seen[0].host, expected_host);
  EXPECT_EQ(st.seen[1].method, "POST");
  EXPECT_EQ(st.seen[1].target, "/0/private/Balance");
  EXPECT_EQ(st.seen[1].body, "nonce=1700000000000");
  EXPECT_EQ(st.seen[1].content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(st.seen[1].content_length, "19");
  EXPECT_EQ(st.seen[1].api_key, "test-key");
}

TEST(HttpClient, GetsAndPostsOverPlainHttp) {
  asio::io_context io;
  HttpTestServer server(io, ok_handler());
  run_test(io, [&]() -> asio::awaitable<void> {
    auto client = make_client(options_for(server.url()));
    co_await get_and_post(client, server.state(), "127.0.0.1:" + std::to_string(server.port()));
  });
}

TEST(HttpClient, GetsAndPostsOverTlsWithHostnameVerification) {
  asio::io_context io;
  HttpTestServer server(io, ok_handler());
  TlsTerminator tls(io, server_tls_context(Pki::shared().leaf("localhost", "DNS:localhost,IP:127.0.0.1")),
                    server.port());
  run_test(io, [&]() -> asio::awaitable<void> {
    auto o = options_for("https://localhost:" + std::to_string(tls.port()));
    o.tls = trusting_test_ca();
    auto client = make_client(o);
    co_await get_and_post(client, server.state(), "localhost:" + std::to_string(tls.port()));
    EXPECT_EQ(server.state().accepted, 1);
    EXPECT_EQ(tls.handshakes_failed(), 0);
  });
}

TEST(HttpClient, ReusesOneKeepAliveConnectionForSequentialRequests) {
  asio::io_context io;
  HttpTestServer server(io, ok_handler());
  run_test(io, [&]() -> asio::awaitable<void> {
    auto client = make_client(options_for(server.url()));
    for (int i = 0; i < 20; ++i) {
      auto r = co_await client.get("/n/" + std::to_string(i));
      EXPECT_TRUE(r) << (r ? "" : r.error().message());
    }
    EXPECT_EQ(server.state().accepted, 1);
    EXPECT_EQ(server.state().seen.size(), 20u);
    EXPECT_EQ(client.stats().connections_opened, 1u);
    EXPECT_EQ(client.stats().idle, 1u);
  });
}

TEST(HttpClient, BoundsConcurrentConnectionsAndQueuesTheRest) {
  asio::io_context io;
  HttpTestServer server(io, [](const Seen&) {
    Reply r;
    r.delay = 30ms;
    return r;
  });
  run_test(io, [&]() -> asio::awaitable<void> {
    auto o = options_for(server.url());
    o.max_connections = 2;
    auto client = make_client(o);
    constexpr int kRequests = 7;
    std::vector<std::optional<result<HttpResponse>>> results(kRequests);
    for (int i = 0; i < kRequests; ++i)
      asio::co_spawn(
          io, [&, i]() -> asio::awaitable<void> { results[i] = co_await client.get("/r/" + std::to_string(i)); },
          [](std::exception_ptr e) { log_unexpected(e); });
    co_await sleep_for(5ms);
    EXPECT_EQ(client.stats().open, 2u);
    EXPECT_EQ(client.stats().waiting, static_cast<std::size_t>(kRequests - 2));
    EXPECT_TRUE(co_await eventually([&] {
      return std::all_of(results.begin(), results.end(), [](const auto& r) { return r.has_value(); });
    }));
    for (const auto& r : results) {
      EXPECT_TRUE(r && *r) << (r && !*r ? r->error().message() : "missing");
      if (r && *r) {
        EXPECT_EQ((*r)->status, 200u);
      }
    }
    EXPECT_EQ(server.state().accepted, 2);
    EXPECT_EQ(server.state().max_active, 2);
    EXPECT_EQ(client.stats().waiting, 0u);
    EXPECT_EQ(client.stats().idle, 2u);
  });
}

TEST(HttpClient, OpensAFreshConnectionWhenTheServerClosedAnIdleOne) {
  asio::io_context io;
  int n = 0;
  HttpTestServer server(io, [&](const Seen&) {
    Reply r;
    r.drop_after = (n++ == 0);  // the first connection is closed behind the client's back
    return r;
  });
  run_test(io, [&]() -> asio::awaitable<void> {
    auto client = make_client(options_for(server.url()));
    auto first = co_await client.get("/first");
    EXPECT_TRUE(first);
    EXPECT_TRUE(first && first->keep_alive);  // the server did not announce the close
    EXPECT_TRUE(co_await eventually([&] { return server.state().closed_silently == 1; }));
    auto second = co_await client.get("/second");
    EXPECT_TRUE(second) << (second ? "" : second.error().message());
    EXPECT_EQ(server.state().accepted, 2);
    EXPECT_EQ(server.state().seen.size(), 2u);  // each request reached the server exactly once
  });
}

TEST(HttpClient, DropsAConnectionTheServerAnnouncedAsClosing) {
  asio::io_context io;
  HttpTestServer server(io, [](const Seen&) {
    Reply r;
    r.connection_close = true;
    return r;
  });
  run_test(io, [&]() -> asio::awaitable<void> {
    auto client = make_client(options_for(server.url()));
    for (int i = 0; i < 3; ++i) {
      auto r = co_await client.get("/");
      EXPECT_TRUE(r) << (r ? "" : r.error().message());
      if (!r) co_return;
      EXPECT_FALSE(r->keep_alive);
      EXPECT_EQ(r->connection, "close");
    }
    EXPECT_EQ(server.state().accepted, 3);
    EXPECT_EQ(client.stats().open, 0u);
  });
}

TEST(HttpClient, ReportsUnknownOutcomeWhenTheResponseDoesNotArriveInTime) {
  asio::io_context io;
  HttpTestServer server(io, [](const Seen&) {
    Reply r;
    r.hang = true;
    return r;
  });
  run_test(io, [&]() -> asio::awaitable<void> {
    auto client = make_client(options_for(server.url()));
    HttpRequest req;
    req.method = HttpMethod::post;
    req.target = "/0/private/AddOrder";
    req.body = "nonce=1&ordertype=limit";
    req.headers.push_back({"API-Sign", "c2VjcmV0LXNpZ25hdHVyZQ=="});
    req.timeout = 150ms;
    const auto start = std::chrono::steady_clock::now();
    auto r = co_await client.request(req);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_FALSE(r);
    if (r) co_return;
    EXPECT_TRUE(r.error().is(errc::unknown_outcome)) << r.error().message();
    EXPECT_EQ(r.error().message().find("c2VjcmV0"), std::string::npos) << "a header value leaked into the error";
    EXPECT_GE(took, 140ms);
    EXPECT_LT(took, 1000ms);
    EXPECT_EQ(server.state().seen.size(), 1u);  // it did reach the server: resending would duplicate it
    EXPECT_EQ(client.stats().open, 0u);         // that connection is not reused
  });
}

TEST(HttpClient, ReportsTimeoutWithNothingSentWhenThePoolStaysBusy) {
  asio::io_context io;
  HttpTestServer server(io, [](const Seen& s) {
    Reply r;
    r.delay = s.target == "/slow" ? 400ms : 0ms;
    return r;
  });
  run_test(io, [&]() -> asio::awaitable<void> {
    auto o = options_for(server.url());
    o.max_connections = 1;
    auto client = make_client(o);
    std::optional<result<HttpResponse>> slow;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { slow = co_await client.get("/slow"); },
        [](std::exception_ptr e) { log_unexpected(e); });
    co_await sleep_for(5ms);
    HttpRequest quick;
    quick.target = "/quick";
    quick.timeout = 100ms;
    auto r = co_await client.request(quick);
    EXPECT_FALSE(r);
    if (!r) {
      EXPECT_TRUE(r.error().is(errc::timeout)) << r.error().message();
    }
    EXPECT_TRUE(co_await eventually([&] { return slow.has_value(); }));
    EXPECT_TRUE(slow && *slow);
    EXPECT_EQ(server.state().seen.size(), 1u);  // "/quick" never went out
  });
}

TEST(HttpClient, ReportsConnectionFailedWhenTheServerRefuses) {
  asio::io_context io;
  const auto port = closed_port(io);
  run_test(io, [&]() -> asio::awaitable<void> {
    auto client = make_client(options_for("http://127.0.0.1:" + std::to_string(port)));
    auto r = co_await client.get("/");
    EXPECT_FALSE(r);
    if (!r) {
      EXPECT_TRUE(r.error().is(errc::connection_failed)) << r.error().message();
    }
    EXPECT_EQ(client.stats().open, 0u);
  });
}

TEST(HttpClient, ReportsTimeoutWhenTheTlsHandshakeNeverCompletes) {
  asio::io_context io;
  auto mute = listen_loopback(io);  // accepts TCP in the backlog, never speaks
  const auto port = mute.local_endpoint().port();
  run_test(io, [&]() -> asio::awaitable<void> {
    auto o = options_for("https://localhost:" + std::to_string(port));
    o.tls = trusting_test_ca();
    o.connect_timeout = 100ms;
    auto client = make_client(o);
    auto r = co_await client.get("/");
    EXPECT_FALSE(r);
    if (!r) {
      EXPECT_TRUE(r.error().is(errc::timeout)) << r.error().message();
    }
  });
}

TEST(HttpClient, RejectsAResponseBodyLargerThanTheLimit) {
  asio::io_context io;
  HttpTestServer server(io, [](const Seen&) {
    Reply r;
    r.body = std::string(5000, 'x');
    return r;
  });
  run_test(io, [&]() -> asio::awaitable<void> {
    auto o = options_for(server.url());
    o.max_body_bytes = 4096;
    auto client = make_client(o);
    auto r = co_await client.get("/big");
    EXPECT_FALSE(r);
    if (!r) {
      EXPECT_TRUE(r.error().is(errc::message_too_big)) << r.error().message();
    }
  });
}

TEST(HttpClient, FailsWithTlsErrorOnAnUntrustedCertificate) {
  asio::io_context io;
  HttpTestServer server(io, ok_handler());
  TlsTerminator tls(io, server_tls_context(Pki::shared().leaf("localhost", "DNS:localhost,IP:127.0.0.1")),
                    server.port());
  run_test(io, [&]() -> asio::awaitable<void> {
    auto client = make_client(options_for("https://localhost:" + std::to_string(tls.port())));  // system store
    auto r = co_await client.get("/");
    EXPECT_FALSE(r);
    if (!r) {
      EXPECT_TRUE(r.error().is(errc::tls_error)) << r.error().message();
    }
    EXPECT_EQ(server.state().seen.size(), 0u);
  });
}

TEST(HttpClient, FailsWithTlsErrorWhenTheCertificateNamesAnotherHost) {
  asio::io_context io;
  HttpTestServer server(io, ok_handler());
  TlsTerminator tls(io, server_tls_context(Pki::shared().leaf("wrong.example", "DNS:wrong.example")), server.port());
  run_test(io, [&]() -> asio::awaitable<void> {
    auto o = options_for("https://localhost:" + std::to_string(tls.port()));
    o.tls = trusting_test_ca();  // trusted issuer, wrong name
    auto client = make_client(o);
    auto r = co_await client.get("/");
    EXPECT_FALSE(r);
    if (r) co_return;
    EXPECT_TRUE(r.error().is(errc::tls_error)) << r.error().message();
    EXPECT_NE(r.error().detail.find("certificate"), std::string::npos) << r.error().detail;
    EXPECT_EQ(server.state().seen.size(), 0u);
  });
}

TEST(HttpClient, AcceptsAnUntrustedCertificateOnlyWhenVerificationIsExplicitlyOff) {
  asio::io_context io;
  HttpTestServer server(io, ok_handler());
  TlsTerminator tls(io, server_tls_context(Pki::shared().leaf("wrong.example", "DNS:wrong.example")), server.port());
  run_test(io, [&]() -> asio::awaitable<void> {
    TlsOptions insecure;
    insecure.verify_peer = false;
    auto ctx = make_client_tls_context(insecure);
    EXPECT_TRUE(ctx);
    if (!ctx) co_return;
    EXPECT_FALSE(verifies_peer(**ctx));
    EXPECT_TRUE(verifies_peer(*trusting_test_ca()));
    auto o = options_for("https://localhost:" + std::to_string(tls.port()));
    o.tls = *ctx;
    auto client = make_client(o);
    auto r = co_await client.get("/");
    EXPECT_TRUE(r) << (r ? "" : r.error().message());
  });
}

TEST(HttpClient, TunnelsHttpsThroughAConnectProxy) {
  asio::io_context io;
  HttpTestServer server(io, ok_handler());
  TlsTerminator tls(io, server_tls_context(Pki::shared().leaf("localhost", "DNS:localhost,IP:127.0.0.1")),
                    server.port());
  ConnectProxy proxy(io);
  run_test(io, [&]() -> asio::awaitable<void> {
    auto o = options_for("https://localhost:" + std::to_string(tls.port()));
    o.tls = trusting_test_ca();
    o.proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
    auto client = make_client(o);
    for (int i = 0; i < 3; ++i) {
      auto r = co_await client.get("/0/public/Time");
      EXPECT_TRUE(r) << (r ? "" : r.error().message());
      if (r) {
        EXPECT_EQ(r->status, 200u);
      }
    }
    EXPECT_EQ(proxy.tunnels(), std::vector<std::string>{"localhost:" + std::to_string(tls.port())});
    EXPECT_EQ(server.state().seen.size(), 3u);
  });
}

TEST(HttpClient, ReportsConnectionFailedWhenTheProxyRefusesTheTunnel) {
  asio::io_context io;
  ConnectProxy proxy(io);
  const auto dead = closed_port(io);
  run_test(io, [&]() -> asio::awaitable<void> {
    auto o = options_for("http://127.0.0.1:" + std::to_string(dead));
    o.proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
    auto client = make_client(o);
    auto r = co_await client.get("/");
    EXPECT_FALSE(r);
    if (r) co_return;
    EXPECT_TRUE(r.error().is(errc::connection_failed)) << r.error().message();
    EXPECT_NE(r.error().detail.find("502"), std::string::npos) << r.error().detail;
  });
}

TEST(HttpClient, RejectsHeaderInjectionWithoutEchoingTheValue) {
  asio::io_context io;
  HttpTestServer server(io, ok_handler());
  run_test(io, [&]() -> asio::awaitable<void> {
    auto client = make_client(options_for(server.url()));
    HttpRequest req;
    req.headers.push_back({"API-Sign", "s3cret\r\nX-Evil: 1"});
    auto r = co_await client.request(req);
    EXPECT_FALSE(r);
    if (r) co_return;
    EXPECT_TRUE(r.error().is(errc::invalid_argument));
    EXPECT_NE(r.error().message().find("API-Sign"), std::string::npos);
    EXPECT_EQ(r.error().message().find("s3cret"), std::string::npos);
    req.headers.clear();
    req.target = "no-slash";
    auto t = co_await client.request(req);
    EXPECT_FALSE(t);
    EXPECT_EQ(server.state().seen.size(), 0u);
  });
}

TEST(HttpClient, RejectsBadOptionsAtCreation) {
  HttpClientOptions o;
  o.base_url = "wss://ws.kraken.com";
  EXPECT_FALSE(HttpClient::create(o));
  o.base_url = "https://api.kraken.com/0/public";
  EXPECT_FALSE(HttpClient::create(o));
  o.base_url = "https://api.kraken.com";
  o.proxy = "https://proxy:3128";
  EXPECT_FALSE(HttpClient::create(o));
  o.proxy.clear();
  o.max_connections = 0;
  EXPECT_FALSE(HttpClient::create(o));
}

}  // namespace
}  // namespace kgw::net
