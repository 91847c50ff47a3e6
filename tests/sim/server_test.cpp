// kgw::sim::Server (the simulator's loopback HTTP + WebSocket transport) driven by the project's
// own clients (kgw::net::HttpClient, kgw::net::connect_ws), plain and TLS, on 127.0.0.1.
// Everything runs on one io_context and one thread, as in the simulator.
#include "kgw/core/net/http_client.hpp"
#include "kgw/core/net/self_signed.hpp"
#include "kgw/core/net/tls.hpp"
#include "kgw/core/net/ws_session.hpp"
#include "kgw/sim/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kgw::sim {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace boost::asio::experimental::awaitable_operators;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
inline constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// ---------------------------------------------------------------------------------------------
// Harness

void log_unexpected(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    ADD_FAILURE() << "test coroutine threw: " << ex.what();
  }
}

// Runs `body` on `io` (with the server) until it finishes; a hung test fails after `limit`.
void run_test(asio::io_context& io, std::function<asio::awaitable<void>()> body,
              std::chrono::milliseconds limit = 5s) {
  bool done = false;
  asio::co_spawn(io, body(), [&](std::exception_ptr e) {
    log_unexpected(e);
    done = true;
    io.stop();
  });
  io.run_for(limit);
  ASSERT_TRUE(done) << "test body did not finish within " << limit.count() << " ms";
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(kTuple);
}

asio::awaitable<bool> eventually(std::function<bool()> cond, std::chrono::milliseconds limit = 2s) {
  const auto end = Clock::now() + limit;
  while (!cond() && Clock::now() < end) co_await sleep_for(2ms);
  co_return cond();
}

// Echoes WebSocket messages and answers HTTP with "<method> <target> <body>" unless a test
// installs its own behaviour; records what it saw.
class TestHandler : public ServerHandler {
 public:
  std::function<HttpServerResponse(const HttpServerRequest&)> http;
  std::function<void(const std::shared_ptr<WsPeer>&, std::string_view)> ws_message;

  std::vector<HttpServerRequest> requests;
  std::vector<std::shared_ptr<WsPeer>> opened;
  std::vector<std::uint64_t> closed;
  std::vector<std::string> ws_received;

  HttpServerResponse on_http(const HttpServerRequest& request) override {
    requests.push_back(request);
    if (http) return http(request);
    HttpServerResponse res;
    res.content_type = "text/plain";
    res.body = request.method + " " + request.target + " " + request.body;
    return res;
  }
  void on_ws_open(const std::shared_ptr<WsPeer>& peer) override { opened.push_back(peer); }
  void on_ws_message(const std::shared_ptr<WsPeer>& peer, std::string_view text) override {
    ws_received.emplace_back(text);
    if (ws_message) ws_message(peer, text);
    else peer->send(std::string(text));
  }
  void on_ws_close(const std::shared_ptr<WsPeer>& peer) override { closed.push_back(peer->id()); }
};

struct Fixture {
  explicit Fixture(ServerOptions options = {}) : server(io, std::move(options), handler) {
    auto port = server.start();
    if (!port) throw std::runtime_error(port.error().message());
  }
  std::string http_url(const std::string& host = "127.0.0.1") const {
    return std::string(server.options().tls ? "https://" : "http://") + host + ":" + std::to_string(server.port());
  }
  std::string ws_url(const std::string& target = "/v2", const std::string& host = "127.0.0.1") const {
    return std::string(server.options().tls ? "wss://" : "ws://") + host + ":" + std::to_string(server.port()) +
           target;
  }
  // A client context that trusts exactly the server's (self-signed) certificate.
  std::shared_ptr<asio::ssl::context> trust() const {
    net::TlsOptions t;
    t.ca_pem = server.cert_pem();
    auto ctx = net::make_client_tls_context(t);
    if (!ctx) throw std::runtime_error(ctx.error().message());
    return *ctx;
  }
  net::HttpClient http_client() const {
    net::HttpClientOptions o;
    o.base_url = http_url(server.options().tls ? "localhost" : "127.0.0.1");
    o.connect_timeout = 2s;
    o.request_timeout = 3s;
    if (server.options().tls) o.tls = trust();
    auto c = net::HttpClient::create(std::move(o));
    if (!c) throw std::runtime_error(c.error().message());
    return std::move(*c);
  }
  net::WsOptions ws_options() const {
    net::WsOptions o;
    o.connect_timeout = 2s;
    o.close_timeout = 1s;
    o.ping_interval = 0ms;  // tests that want pings turn them on
    if (server.options().tls) o.tls = trust();
    return o;
  }

  asio::io_context io;
  TestHandler handler;
  Server server;
};

ServerOptions tls_options() {
  ServerOptions o;
  o.tls = true;
  return o;
}

// Sends raw bytes on a fresh connection and returns everything the server sent until it closed.
asio::awaitable<std::string> raw_exchange(std::uint16_t port, std::string bytes) {
  tcp::socket socket(co_await asio::this_coro::executor);
  auto [cec] = co_await socket.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), kTuple);
  EXPECT_FALSE(cec) << cec.message();
  if (cec) co_return std::string();
  auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(bytes), kTuple);
  (void)wn;
  EXPECT_FALSE(wec) << wec.message();
  std::string out;
  auto [rec, rn] = co_await asio::async_read(socket, asio::dynamic_buffer(out), kTuple);
  (void)rn;
  EXPECT_EQ(rec, asio::error::eof) << rec.message();  // the server closed, nothing was reset
  co_return out;
}

std::size_t count_of(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

// ---------------------------------------------------------------------------------------------
// HTTP

TEST(SimServer, RoundTripsGetAndPostWithHeadersAndBody) {
  Fixture f;
  f.handler.http = [](const HttpServerRequest& r) {
    HttpServerResponse res;
    res.status = r.method == "POST" ? 201 : 200;
    res.body = R"({"error":[],"result":{"key":")" + std::string(r.header("api-key")) + R"("}})";
    res.headers.emplace_back("X-Sim-Target", r.target);
    return res;
  };
  run_test(f.io, [&]() -> asio::awaitable<void> {
    auto client = f.http_client();
    net::HttpRequest get;
    get.target = "/0/public/Time?x=1";
    get.headers.push_back({"API-Key", "k-123"});
    auto got = co_await client.request(get);
    EXPECT_TRUE(got) << got.error().message();
    if (!got) co_return;
    EXPECT_EQ(got->status, 200u);
    EXPECT_EQ(got->content_type, "application/json");
    EXPECT_EQ(got->body, R"({"error":[],"result":{"key":"k-123"}})");
    EXPECT_EQ(got->header("x-sim-target"), "/0/public/Time?x=1");
    EXPECT_EQ(got->header("server"), "kraken-sim");

    auto posted = co_await client.post("/0/private/AddOrder", "nonce=1&pair=XBTUSD",
                                       "application/x-www-form-urlencoded");
    EXPECT_TRUE(posted) << posted.error().message();
    if (!posted) co_return;
    EXPECT_EQ(posted->status, 201u);

    EXPECT_EQ(f.handler.requests.size(), 2u);
    if (f.handler.requests.size() != 2) co_return;
    const auto& g = f.handler.requests[0];
    EXPECT_EQ(g.method, "GET");
    EXPECT_EQ(g.target, "/0/public/Time?x=1");
    EXPECT_EQ(g.header("API-KEY"), "k-123");
    EXPECT_EQ(g.header("absent"), "");
    const auto& p = f.handler.requests[1];
    EXPECT_EQ(p.method, "POST");
    EXPECT_EQ(p.body, "nonce=1&pair=XBTUSD");
    EXPECT_EQ(p.header("content-type"), "application/x-www-form-urlencoded");
    EXPECT_EQ(f.server.http_requests(), 2u);
  });
}

TEST(SimServer, ServesHttpsWithASelfSignedCertificateTheClientVerifies) {
  Fixture f(tls_options());
  EXPECT_NE(f.server.cert_pem().find("BEGIN CERTIFICATE"), std::string::npos);
  run_test(f.io, [&]() -> asio::awaitable<void> {
    auto client = f.http_client();  // https://localhost:<port>, trusting only the server's cert
    auto posted = co_await client.post("/0/private/Balance", "nonce=7", "application/x-www-form-urlencoded");
    EXPECT_TRUE(posted) << posted.error().message();
    if (!posted) co_return;
    EXPECT_EQ(posted->status, 200u);
    EXPECT_EQ(posted->body, "POST /0/private/Balance nonce=7");

    // A client with only the system trust store refuses the server.
    net::HttpClientOptions o;
    o.base_url = f.http_url("localhost");
    o.connect_timeout = 2s;
    auto stranger = net::HttpClient::create(o);
    EXPECT_TRUE(stranger);
    if (!stranger) co_return;
    auto refused = co_await stranger->get("/0/public/Time");
    EXPECT_FALSE(refused);
    if (!refused) { EXPECT_TRUE(refused.error().is(errc::tls_error)) << refused.error().message(); }
  });
}

TEST(SimServer, ReusesOneKeepAliveConnectionForSequentialRequests) {
  Fixture f;
  run_test(f.io, [&]() -> asio::awaitable<void> {
    auto client = f.http_client();
    for (int i = 0; i < 5; ++i) {
      auto r = co_await client.get("/0/public/Time?i=" + std::to_string(i));
      EXPECT_TRUE(r) << r.error().message();
      if (!r) co_return;
      EXPECT_EQ(r->body, "GET /0/public/Time?i=" + std::to_string(i) + " ");
      EXPECT_TRUE(r->keep_alive);
    }
    EXPECT_EQ(client.stats().connections_opened, 1u);
    EXPECT_EQ(f.server.stats().connections_accepted, 1u);
    EXPECT_EQ(f.server.stats().connections_open, 1u);
  });
}

TEST(SimServer, AnswersPipelinedRequestsInOrderAndHonoursConnectionClose) {
  Fixture f;
  f.handler.http = [](const HttpServerRequest& r) {
    HttpServerResponse res;
    res.body = "answer-to-" + r.target.substr(1);
    if (r.target == "/first") res.delay = 100ms;  // late, yet still answered first
    return res;
  };
  run_test(f.io, [&]() -> asio::awaitable<void> {
    const std::string bytes =
        "GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
        "POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
        "GET /third HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        "GET /never HTTP/1.1\r\nHost: x\r\n\r\n";
    const std::string out = co_await raw_exchange(f.server.port(), bytes);
    const auto first = out.find("answer-to-first");
    const auto second = out.find("answer-to-second");
    const auto third = out.find("answer-to-third");
    EXPECT_NE(first, std::string::npos) << out;
    EXPECT_NE(second, std::string::npos) << out;
    EXPECT_NE(third, std::string::npos) << out;
    EXPECT_LT(first, second);
    EXPECT_LT(second, third);
    EXPECT_EQ(out.find("never"), std::string::npos) << "answered after Connection: close";
    EXPECT_EQ(count_of(out, "HTTP/1.1 200 OK"), 3u);
    EXPECT_EQ(f.handler.requests.size(), 3u);
  });
}

TEST(SimServer, AnswersLateWhenTheResponseCarriesADelay) {
  Fixture f;
  f.handler.http = [](const HttpServerRequest&) {
    HttpServerResponse res;
    res.body = "{}";
    res.delay = 250ms;
    return res;
  };
  run_test(f.io, [&]() -> asio::awaitable<void> {
    auto client = f.http_client();
    const auto start = Clock::now();
    auto r = co_await client.get("/0/public/Time");
    const auto took = Clock::now() - start;
    EXPECT_TRUE(r) << r.error().message();
    EXPECT_GE(took, 250ms);
    EXPECT_LT(took, 2s);

    // A client deadline shorter than the delay: the request ran, the answer came too late.
    net::HttpRequest hurried;
    hurried.target = "/0/private/AddOrder";
    hurried.method = net::HttpMethod::post;
    hurried.timeout = 100ms;
    auto late = co_await client.request(hurried);
    EXPECT_FALSE(late);
    if (!late) { EXPECT_TRUE(late.error().is(errc::unknown_outcome)) << late.error().message(); }
    EXPECT_EQ(f.handler.requests.size(), 2u);
  });
}

TEST(SimServer, DropFaultLeavesTheClientWithAnUnknownOutcome) {
  Fixture f;
  f.handler.http = [](const HttpServerRequest& r) {
    HttpServerResponse res;
    res.drop = r.target == "/0/private/AddOrder";
    return res;
  };
  run_test(f.io, [&]() -> asio::awaitable<void> {
    auto client = f.http_client();
    auto dropped = co_await client.post("/0/private/AddOrder", "nonce=1", "application/x-www-form-urlencoded");
    EXPECT_FALSE(dropped);
    if (!dropped) { EXPECT_TRUE(dropped.error().is(errc::unknown_outcome)) << dropped.error().message(); }
    EXPECT_EQ(f.handler.requests.size(), 1u) << "the dropped request reached the handler (it executed)";
    EXPECT_EQ(f.server.stats().http_dropped, 1u);
    auto next = co_await client.get("/0/public/Time");  // the client recovers on a new connection
    EXPECT_TRUE(next) << next.error().message();
  });
}

TEST(SimServer, RejectsAnOversizedBodyWith413AndClosesTheConnection) {
  ServerOptions o;
  o.max_body = 1024;
  Fixture f(o);
  run_test(f.io, [&]() -> asio::awaitable<void> {
    auto client = f.http_client();
    auto big = co_await client.post("/0/private/AddOrder", std::string(64 * 1024, 'x'), "text/plain");
    EXPECT_TRUE(big) << big.error().message();
    if (!big) co_return;
    EXPECT_EQ(big->status, 413u);
    EXPECT_FALSE(big->keep_alive);
    EXPECT_TRUE(f.handler.requests.empty());
    auto small = co_await client.post("/0/private/AddOrder", std::string(1024, 'x'), "text/plain");
    EXPECT_TRUE(small) << small.error().message();
    if (small) { EXPECT_EQ(small->status, 200u); }
    EXPECT_EQ(client.stats().connections_opened, 2u);
    EXPECT_EQ(f.server.stats().http_rejected, 1u);
  });
}

TEST(SimServer, RejectsAMalformedRequestWith400AndClosesTheConnection) {
  Fixture f;
  run_test(f.io, [&]() -> asio::awaitable<void> {
    const std::string out = co_await raw_exchange(f.server.port(), "GET /x HTTP/1.1\r\nBad Header\r\n\r\n");
    EXPECT_EQ(out.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << out;
    EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
    const std::string bad_length =
        co_await raw_exchange(f.server.port(), "POST /x HTTP/1.1\r\nContent-Length: nope\r\n\r\n");
    EXPECT_EQ(bad_length.rfind("HTTP/1.1 400", 0), 0u) << bad_length;
    EXPECT_TRUE(f.handler.requests.empty());
  });
}

// ---------------------------------------------------------------------------------------------
// WebSocket

TEST(SimServer, EchoesWebSocketMessagesThroughTheHandlerOnTheHttpPort) {
  Fixture f;
  run_test(f.io, [&]() -> asio::awaitable<void> {
    auto session = co_await net::connect_ws(f.ws_url("/v2"), f.ws_options());
    EXPECT_TRUE(session) << session.error().message();
    if (!session) co_return;
    EXPECT_TRUE(session->send(R"({"method":"ping","req_id":1})"));
    auto echoed = co_await session->read();
    EXPECT_TRUE(echoed) << echoed.error().message();
    if (echoed) { EXPECT_EQ(echoed->data, R"({"method":"ping","req_id":1})"); }

    EXPECT_EQ(f.handler.opened.size(), 1u);
    if (f.handler.opened.size() != 1) co_return;
    const auto& peer = f.handler.opened[0];
    EXPECT_EQ(peer->target(), "/v2");
    EXPECT_TRUE(peer->open());
    EXPECT_EQ(peer->messages_in(), 1u);
    EXPECT_EQ(peer->messages_out(), 1u);
    EXPECT_EQ(f.server.ws_peers().size(), 1u);

    // The same port still answers plain HTTP.
    auto client = f.http_client();
    auto r = co_await client.get("/0/public/Time");
    EXPECT_TRUE(r) << r.error().message();

    auto closed = co_await session->close();
    EXPECT_TRUE(closed) << closed.error().message();
    EXPECT_TRUE(co_await eventually([&] { return f.handler.closed.size() == 1; }));
    EXPECT_FALSE(peer->open());
    EXPECT_TRUE(f.server.ws_peers().empty());
    EXPECT_FALSE(peer->send("too late"));
  });
}

TEST(SimServer, EchoesWebSocketMessagesOverTls) {
  Fixture f(tls_options());
  run_test(f.io, [&]() -> asio::awaitable<void> {
    for (const std::string host : {"localhost", "127.0.0.1"}) {  // DNS and IP subject alt names
      auto session = co_await net::connect_ws(f.ws_url("/v2", host), f.ws_options());
      EXPECT_TRUE(session) << host << ": " << session.error().message();
      if (!session) co_return;
      for (int i = 0; i < 3; ++i) EXPECT_TRUE(session->send("msg-" + std::to_string(i)));
      for (int i = 0; i < 3; ++i) {
        auto echoed = co_await session->read();
        EXPECT_TRUE(echoed) << echoed.error().message();
        if (!echoed) co_return;
        EXPECT_EQ(echoed->data, "msg-" + std::to_string(i));
      }
      auto closed = co_await session->close();
      EXPECT_TRUE(closed) << closed.error().message();
    }
    EXPECT_TRUE(co_await eventually([&] { return f.handler.closed.size() == 2; }));
  });
}

TEST(SimServer, ServerCloseReachesTheClientAsConnectionClosedWithCodeAndReason) {
  for (const bool tls : {false, true}) {  // both transports: the stall gate and the teardown differ
    SCOPED_TRACE(tls ? "TLS" : "plain");
    Fixture f(tls ? tls_options() : ServerOptions{});
    f.handler.ws_message = [](const std::shared_ptr<WsPeer>& peer, std::string_view text) {
      peer->send("last words");
      if (text == "bye") peer->close(4001, "maintenance");
    };
    run_test(f.io, [&]() -> asio::awaitable<void> {
      auto session = co_await net::connect_ws(f.ws_url(), f.ws_options());
      EXPECT_TRUE(session) << session.error().message();
      if (!session) co_return;
      EXPECT_TRUE(session->send("bye"));
      auto last = co_await session->read();  // queued before close(): still delivered
      EXPECT_TRUE(last) << last.error().message();
      if (last) { EXPECT_EQ(last->data, "last words"); }
      auto end = co_await session->read();
      EXPECT_FALSE(end);
      if (!end) {
        EXPECT_TRUE(end.error().is(errc::connection_closed)) << end.error().message();
        EXPECT_NE(end.error().detail.find("4001"), std::string::npos) << end.error().detail;
        EXPECT_NE(end.error().detail.find("maintenance"), std::string::npos) << end.error().detail;
      }
      EXPECT_TRUE(co_await eventually([&] { return f.handler.closed.size() == 1; }));
    });
  }
}

TEST(SimServer, DroppedPeerLeavesTheClientWithAnError) {
  for (const bool tls : {false, true}) {  // both transports: the stall gate and the teardown differ
    SCOPED_TRACE(tls ? "TLS" : "plain");
    Fixture f(tls ? tls_options() : ServerOptions{});
    f.handler.ws_message = [](const std::shared_ptr<WsPeer>& peer, std::string_view) { peer->drop(); };
    run_test(f.io, [&]() -> asio::awaitable<void> {
      auto session = co_await net::connect_ws(f.ws_url(), f.ws_options());
      EXPECT_TRUE(session) << session.error().message();
      if (!session) co_return;
      EXPECT_TRUE(session->send("anything"));
      auto end = co_await session->read();
      EXPECT_FALSE(end);
      if (!end) { EXPECT_TRUE(end.error().is(errc::connection_closed)) << end.error().message(); }
      EXPECT_TRUE(co_await eventually([&] { return f.handler.closed.size() == 1; }));
    });
  }
}

TEST(SimServer, StalledPeerMakesTheClientsPingTimeoutFire) {
  for (const bool tls : {false, true}) {  // both transports: the stall gate and the teardown differ
    SCOPED_TRACE(tls ? "TLS" : "plain");
    Fixture f(tls ? tls_options() : ServerOptions{});
    run_test(f.io, [&]() -> asio::awaitable<void> {
      auto options = f.ws_options();
      options.ping_interval = 100ms;
      options.pong_timeout = 150ms;
      auto stalled = co_await net::connect_ws(f.ws_url("/stalled"), options);
      auto healthy = co_await net::connect_ws(f.ws_url("/healthy"), options);
      EXPECT_TRUE(stalled && healthy);
      if (!stalled || !healthy) co_return;
      EXPECT_EQ(f.handler.opened.size(), 2u);
      if (f.handler.opened.size() != 2) co_return;
      f.handler.opened[0]->stall(true);
      EXPECT_TRUE(f.handler.opened[0]->stalled());
      // The healthy peer speaks only after both clients have pinged several times.
      asio::co_spawn(
          co_await asio::this_coro::executor,
          [&]() -> asio::awaitable<void> {
            co_await sleep_for(700ms);
            f.handler.opened[1]->send("still here");
          },
          [](std::exception_ptr e) { log_unexpected(e); });
      const auto start = Clock::now();
      auto [s, h] = co_await (stalled->read() && healthy->read());
      EXPECT_FALSE(s);
      if (!s) { EXPECT_TRUE(s.error().is(errc::timeout)) << s.error().message(); }
      EXPECT_TRUE(h) << h.error().message();
      if (h) { EXPECT_EQ(h->data, "still here"); }
      EXPECT_LT(Clock::now() - start, 2s);
    });
  }
}

TEST(SimServer, LiftingAStallDeliversWhatWaited) {
  for (const bool tls : {false, true}) {  // both transports: the stall gate and the teardown differ
    SCOPED_TRACE(tls ? "TLS" : "plain");
    Fixture f(tls ? tls_options() : ServerOptions{});
    run_test(f.io, [&]() -> asio::awaitable<void> {
      auto session = co_await net::connect_ws(f.ws_url(), f.ws_options());
      EXPECT_TRUE(session) << session.error().message();
      if (!session || f.handler.opened.size() != 1) co_return;
      auto peer = f.handler.opened[0];
      peer->stall(true);
      EXPECT_TRUE(session->send("in"));
      EXPECT_TRUE(peer->send("out"));
      co_await sleep_for(100ms);
      EXPECT_EQ(peer->messages_in(), 0u);
      EXPECT_EQ(peer->messages_out(), 0u);
      peer->stall(false);
      auto first = co_await session->read();
      EXPECT_TRUE(first) << first.error().message();
      if (!first) co_return;
      EXPECT_EQ(first->data, "out");  // it waited in the writer, ahead of the echo of "in"
      auto second = co_await session->read();
      EXPECT_TRUE(second) << second.error().message();
      if (!second) co_return;
      EXPECT_EQ(second->data, "in");
      EXPECT_EQ(peer->messages_in(), 1u);
      EXPECT_TRUE(co_await session->close());
    });
  }
}

TEST(SimServer, DropAllWsEndsEveryPeerButKeepsServing) {
  Fixture f;
  run_test(f.io, [&]() -> asio::awaitable<void> {
    std::vector<net::WsSession> sessions;
    for (int i = 0; i < 3; ++i) {
      auto s = co_await net::connect_ws(f.ws_url(), f.ws_options());
      EXPECT_TRUE(s) << s.error().message();
      if (!s) co_return;
      sessions.push_back(std::move(*s));
    }
    EXPECT_EQ(f.server.ws_peers().size(), 3u);
    f.server.drop_all_ws();
    EXPECT_TRUE(f.server.ws_peers().empty());
    for (auto& s : sessions) {
      auto end = co_await s.read();
      EXPECT_FALSE(end);
    }
    EXPECT_TRUE(co_await eventually([&] { return f.handler.closed.size() == 3; }));
    auto again = co_await net::connect_ws(f.ws_url(), f.ws_options());
    EXPECT_TRUE(again) << again.error().message();
  });
}

TEST(SimServer, SlowPeerOverflowingItsSendQueueIsDropped) {
  ServerOptions o;
  o.ws_send_queue = 8;
  Fixture f(o);
  run_test(f.io, [&]() -> asio::awaitable<void> {
    auto options = f.ws_options();
    options.max_message_bytes = 1 << 20;
    auto session = co_await net::connect_ws(f.ws_url(), options);  // and never reads, for now
    EXPECT_TRUE(session) << session.error().message();
    if (!session || f.handler.opened.size() != 1) co_return;
    auto peer = f.handler.opened[0];
    const std::string chunk(256 * 1024, 'z');
    int accepted = 0;
    // The writer drains into the socket buffers until they are full; then the queue fills.
    while (accepted < 2000 && peer->send(chunk)) {
      ++accepted;
      co_await sleep_for(1ms);
    }
    EXPECT_LT(accepted, 2000) << "the queue never overflowed";
    EXPECT_FALSE(peer->open());
    EXPECT_EQ(f.server.stats().ws_overflowed, 1u);
    EXPECT_TRUE(co_await eventually([&] { return f.handler.closed.size() == 1; }));
    // The client gets what made it into the socket, then an error.
    int read = 0;
    for (;;) {
      auto m = co_await session->read();
      if (!m) break;
      ++read;
    }
    EXPECT_LT(read, accepted);
  });
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

TEST(SimServer, RestartsOnTheSamePortAndOldClientsSeeErrors) {
  Fixture f;
  run_test(f.io, [&]() -> asio::awaitable<void> {
    const auto port = f.server.port();
    auto client = f.http_client();
    auto before = co_await client.get("/0/public/Time");
    EXPECT_TRUE(before) << before.error().message();
    auto session = co_await net::connect_ws(f.ws_url(), f.ws_options());
    EXPECT_TRUE(session) << session.error().message();
    if (!session) co_return;

    f.server.stop();
    EXPECT_FALSE(f.server.running());
    auto end = co_await session->read();
    EXPECT_FALSE(end);
    auto refused = co_await client.get("/0/public/Time");
    EXPECT_FALSE(refused);
    if (!refused) { EXPECT_TRUE(refused.error().is(errc::connection_failed)) << refused.error().message(); }
    EXPECT_TRUE(co_await eventually([&] { return f.handler.closed.size() == 1; }));

    auto again = f.server.start();
    EXPECT_TRUE(again) << again.error().message();
    if (!again) co_return;
    EXPECT_EQ(*again, port);
    auto after = co_await client.get("/0/public/Time");
    EXPECT_TRUE(after) << after.error().message();
    auto fresh = co_await net::connect_ws(f.ws_url(), f.ws_options());
    EXPECT_TRUE(fresh) << fresh.error().message();
  });
}

TEST(SimServer, RestartedTlsServerKeepsItsCertificate) {
  Fixture f(tls_options());
  const std::string cert = f.server.cert_pem();
  run_test(f.io, [&]() -> asio::awaitable<void> {
    auto client = f.http_client();
    EXPECT_TRUE(co_await client.get("/a"));
    f.server.stop();
    EXPECT_TRUE(f.server.start());
    EXPECT_EQ(f.server.cert_pem(), cert);
    auto after = co_await client.get("/b");
    EXPECT_TRUE(after) << after.error().message();
  });
}

TEST(SimServer, StopEndsEveryConnectionCoroutinePromptly) {
  Fixture f;
  bool done = false;
  // A named lambda: the coroutine frame refers to its captures, so it must outlive the run.
  auto body = [&]() -> asio::awaitable<void> {
    auto client = f.http_client();
    EXPECT_TRUE(co_await client.get("/keep-alive"));  // leaves an idle connection on the server
    auto session = co_await net::connect_ws(f.ws_url(), f.ws_options());
    EXPECT_TRUE(session);
    f.handler.opened.at(0)->stall(true);  // parked operations must end too
    EXPECT_EQ(f.server.stats().connections_open, 2u);
    f.server.stop();
    // Clients go out of scope here; nothing should keep the io_context busy afterwards.
  };
  asio::co_spawn(f.io, body(), [&](std::exception_ptr e) {
    log_unexpected(e);
    done = true;
  });
  const auto start = Clock::now();
  f.io.run_for(5s);  // returns as soon as no work is left
  EXPECT_TRUE(done);
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_EQ(f.server.stats().connections_open, 0u);
  EXPECT_EQ(f.server.stats().ws_open, 0u);
  EXPECT_EQ(f.handler.closed.size(), 1u);
}

TEST(SimServer, RefusesNonLoopbackBindAddressesByDefault) {
  asio::io_context io;
  TestHandler handler;
  for (const std::string bind : {"0.0.0.0", "192.0.2.10", "::", "not-an-address"}) {
    ServerOptions o;
    o.bind = bind;
    Server server(io, o, handler);
    auto port = server.start();
    EXPECT_FALSE(port) << bind;
    if (!port) { EXPECT_TRUE(port.error().is(errc::invalid_argument)) << port.error().message(); }
    EXPECT_FALSE(server.running());
  }
  ServerOptions local;
  local.bind = "localhost";
  Server server(io, local, handler);
  auto port = server.start();
  EXPECT_TRUE(port) << port.error().message();
}

TEST(SelfSigned, CertificateAndKeyBuildAServerContextAndBadPemIsRejected) {
  auto pems = net::make_self_signed_certificate();
  ASSERT_TRUE(pems) << pems.error().message();
  EXPECT_NE(pems->cert_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(pems->key_pem.find("PRIVATE KEY"), std::string::npos);
  EXPECT_TRUE(net::make_server_tls_context(pems->cert_pem, pems->key_pem));

  auto other = net::make_self_signed_certificate();
  ASSERT_TRUE(other);
  EXPECT_NE(other->cert_pem, pems->cert_pem);
  auto mismatched = net::make_server_tls_context(pems->cert_pem, other->key_pem);
  EXPECT_FALSE(mismatched);
  if (!mismatched) { EXPECT_TRUE(mismatched.error().is(errc::tls_error)) << mismatched.error().message(); }
  EXPECT_FALSE(net::make_server_tls_context("not a pem", pems->key_pem));

  net::SelfSignedOptions bad;
  bad.ip_addresses = {"localhost"};
  auto refused = net::make_self_signed_certificate(bad);
  EXPECT_FALSE(refused);
  if (!refused) { EXPECT_TRUE(refused.error().is(errc::invalid_argument)); }
}

}  // namespace
}  // namespace kgw::sim
