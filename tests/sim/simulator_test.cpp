// kraken-sim end to end: the assembled simulator on ephemeral loopback ports, spoken to with the
// project's own HTTP and WebSocket clients (core/net), like the gateway will.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "kgw/core/kraken/signing.hpp"
#include "kgw/core/net/http_client.hpp"
#include "kgw/core/net/tls.hpp"
#include "kgw/core/net/ws_session.hpp"
#include "kgw/sim/simulator.hpp"
#include "kgw_test_fixtures.hpp"

#include <filesystem>
#include <fstream>

namespace kgw::sim {
namespace {

namespace asio = boost::asio;

// Runs one coroutine to completion on a private io_context (bounded by the clients' timeouts).
template <class T>
T run(asio::awaitable<T> aw) {
  asio::io_context io;
  auto fut = asio::co_spawn(io, std::move(aw), asio::use_future);
  io.run();
  return fut.get();
}

class SimulatorE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    SimulatorOptions o;
    o.synthetic_flow = false;
    o.seed = 42;
    sim_ = std::make_unique<Simulator>(o);
    auto ep = sim_->start();
    ASSERT_TRUE(ep) << ep.error().message();
    ep_ = *ep;
    ASSERT_TRUE(sim_->call([](Exchange& ex) {
      const AccountId mm = ex.add_account("mm", "MMKEY", Secret("c2VjcmV0"));
      (void)ex.deposit(mm, "XXBT", "10");
      AddOrderRequest r;
      r.pair = "XBTUSD";
      r.side = Side::sell;
      r.volume = "1";
      r.price = "62810.0";
      return ex.add_order(mm, r).has_value();
    }));
  }
  void TearDown() override { sim_->stop(); }

  net::HttpClientOptions http_options() const {
    net::HttpClientOptions o;
    o.base_url = ep_.rest;
    o.request_timeout = std::chrono::seconds(5);
    return o;
  }
  asio::awaitable<result<net::HttpResponse>> private_call(net::HttpClient& http, std::string method, std::string form) {
    const std::string nonce = std::to_string(++nonce_);
    const std::string body = "nonce=" + nonce + (form.empty() ? "" : "&" + form);
    const std::string path = "/0/private/" + method;
    auto sig = kraken::api_sign(Secret(ep_.api_secret), path, nonce, body);
    net::HttpRequest req;
    req.method = net::HttpMethod::post;
    req.target = path;
    req.body = body;
    req.content_type = "application/x-www-form-urlencoded";
    req.headers = {{"API-Key", ep_.api_key}, {"API-Sign", *sig}};
    co_return co_await http.request(std::move(req));
  }

  std::unique_ptr<Simulator> sim_;
  SimulatorEndpoints ep_;
  std::uint64_t nonce_ = 1;
};

TEST_F(SimulatorE2E, ServesPublicAndSignedPrivateRestOverLoopback) {
  auto [time_body, balance_body, order_body] = run([this]() -> asio::awaitable<std::tuple<std::string, std::string, std::string>> {
    auto http = net::HttpClient::create(http_options()).value();
    auto t = co_await http.get("/0/public/Time");
    auto b = co_await private_call(http, "Balance", "");
    auto o = co_await private_call(http, "AddOrder", "pair=XBTUSD&type=buy&ordertype=limit&volume=0.01&price=62810.0");
    co_return std::tuple{t ? t->body : t.error().message(), b ? b->body : b.error().message(),
                         o ? o->body : o.error().message()};
  }());
  EXPECT_NE(time_body.find(R"("unixtime":)"), std::string::npos) << time_body;
  EXPECT_NE(balance_body.find(R"("ZUSD":"100000.0000")"), std::string::npos) << balance_body;
  EXPECT_NE(order_body.find(R"("txid":[")"), std::string::npos) << order_body;
}

TEST_F(SimulatorE2E, CountsTheRestRequestsItWasHanded) {
  EXPECT_EQ(sim_->rest_requests(), 0u);
  run([this]() -> asio::awaitable<int> {
    auto http = net::HttpClient::create(http_options()).value();
    (void)co_await http.get("/0/public/Time");
    (void)co_await http.get("/0/public/Ticker?pair=NOPE");  // refused by Kraken's rules: still handed
    co_return 0;
  }());
  EXPECT_EQ(sim_->rest_requests(), 2u);
  sim_->stop();
  EXPECT_EQ(sim_->rest_requests(), 0u);
}

// Connects, sends `request`, and returns the first `n` messages. A plain coroutine function with
// a named options value: GCC 12 mishandles some temporaries inside coroutine lambdas.
asio::awaitable<std::vector<std::string>> read_messages(std::string url, std::string request, int n) {
  std::vector<std::string> out;
  net::WsOptions options;
  auto ws = co_await net::connect_ws(url, options);
  if (!ws) co_return out;
  (void)ws->send(request);
  for (int i = 0; i < n; ++i) {
    auto m = co_await ws->read();
    if (!m) break;
    out.emplace_back(m->data);
  }
  co_await ws->close();
  co_return out;
}

TEST_F(SimulatorE2E, StreamsStatusAndABookSnapshotOverWebSocket) {
  auto msgs = run(read_messages(ep_.ws_public,
                                R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10},"req_id":1})", 3));
  ASSERT_EQ(msgs.size(), 3u);
  EXPECT_NE(msgs[0].find(R"("channel":"status")"), std::string::npos);
  EXPECT_NE(msgs[1].find(R"("method":"subscribe","req_id":1,"result":{"channel":"book","depth":10)"), std::string::npos);
  EXPECT_NE(msgs[2].find(R"("asks":[{"price":62810.0,"qty":1.00000000}])"), std::string::npos) << msgs[2];
}

TEST_F(SimulatorE2E, AdminFaultMakesTheNextRestCallFailWithHttp502AndCountsIt) {
  auto statuses = run([this]() -> asio::awaitable<std::pair<unsigned, unsigned>> {
    net::HttpClientOptions ao;
    ao.base_url = ep_.admin;
    auto admin = net::HttpClient::create(ao).value();
    (void)co_await admin.post("/rest/http_status?code=502&count=1", "", "application/x-www-form-urlencoded");
    auto http = net::HttpClient::create(http_options()).value();
    auto first = co_await http.get("/0/public/Time");
    auto second = co_await http.get("/0/public/Time");
    co_return std::pair{first ? first->status : 0u, second ? second->status : 0u};
  }());
  EXPECT_EQ(statuses.first, 502u);
  EXPECT_EQ(statuses.second, 200u);
  EXPECT_EQ(sim_->call([this](Exchange&) { return sim_->faults_unsafe().fired["http_status"]; }), 1u);
}

TEST_F(SimulatorE2E, RestartKeepsAccountsAndOrders) {
  ASSERT_TRUE(sim_->call([this](Exchange&) { return sim_->restart_servers().has_value(); }));
  auto body = run([this]() -> asio::awaitable<std::string> {
    auto http = net::HttpClient::create(http_options()).value();
    auto r = co_await http.get("/0/public/Depth?pair=XBTUSD&count=5");
    co_return r ? r->body : r.error().message();
  }());
  EXPECT_NE(body.find(R"("asks":[["62810.00000","1.00000000")"), std::string::npos) << body;
}

TEST(SimulatorReplay, ServesARecordedBookOnThePublicEndpoint) {
  // Kraken's documented MATIC/USD snapshot and update, as a two-line recording.
  const auto path = std::filesystem::temp_directory_path() / ("kgw_replay_" + std::to_string(::getpid()) + ".ndjson");
  const std::string snapshot = test::kraken_fixture("ws_v2/docs_book_snapshot_MATICUSD.json");
  const std::string update = test::kraken_fixture("ws_v2/docs_book_update_MATICUSD.json");
  auto trim = [](std::string x) {
    while (!x.empty() && (x.back() == '\n' || x.back() == '\r')) x.pop_back();
    return x;
  };
  {
    std::ofstream out(path);
    out << trim(snapshot) << "\n" << trim(update) << "\n";
  }
  SimulatorOptions o;
  o.replay_file = path.string();
  o.replay_speed = 0;
  o.replay_wait = true;
  o.synthetic_flow = false;
  Simulator sim(o);
  auto ep = sim.start();
  ASSERT_TRUE(ep) << ep.error().message();
  auto msgs = run(read_messages(ep->ws_public, R"({"method":"subscribe","params":{"channel":"book","symbol":["MATIC/USD"],"depth":10}})", 4));
  sim.stop();
  std::filesystem::remove(path);
  ASSERT_EQ(msgs.size(), 4u);
  EXPECT_NE(msgs[1].find(R"("success":true)"), std::string::npos) << msgs[1];
  EXPECT_EQ(msgs[2], trim(snapshot));
  EXPECT_EQ(msgs[3], trim(update));
}

TEST_F(SimulatorE2E, InvalidatedTokensAreRefusedOnThePrivateEndpoint) {
  auto result = run([this]() -> asio::awaitable<std::pair<std::string, std::vector<std::string>>> {
    auto http = net::HttpClient::create(http_options()).value();
    auto t = co_await private_call(http, "GetWebSocketsToken", "");
    if (!t) co_return std::pair{t.error().message(), std::vector<std::string>{}};
    const auto pos = t->body.find(R"("token":")");
    const std::string token = t->body.substr(pos + 9, 43);
    net::HttpClientOptions ao;
    ao.base_url = ep_.admin;
    auto admin = net::HttpClient::create(ao).value();
    (void)co_await admin.post("/tokens/invalidate", "", "application/x-www-form-urlencoded");
    auto msgs = co_await read_messages(ep_.ws_private,
                                       R"({"method":"subscribe","params":{"channel":"executions","token":")" + token + R"("}})", 2);
    co_return std::pair{t->body, msgs};
  }());
  ASSERT_EQ(result.second.size(), 2u) << result.first;
  EXPECT_NE(result.second[1].find(R"("error":"EAPI:Invalid token")"), std::string::npos) << result.second[1];
  EXPECT_EQ(sim_->call([this](Exchange&) { return sim_->faults_unsafe().fired["token_invalidate"]; }), 1u);
}

TEST(SimulatorTls, ServesHttpsAndWssWithASelfSignedCertificateClientsCanVerify) {
  SimulatorOptions o;
  o.tls_self_signed = true;
  o.synthetic_flow = false;
  Simulator sim(o);
  auto ep = sim.start();
  ASSERT_TRUE(ep) << ep.error().message();
  EXPECT_EQ(ep->rest.rfind("https://", 0), 0u);
  EXPECT_EQ(ep->ws_public.rfind("wss://", 0), 0u);
  net::TlsOptions t;
  t.ca_pem = ep->ca_pem;
  auto ctx = net::make_client_tls_context(t);
  ASSERT_TRUE(ctx);
  auto status = run([&]() -> asio::awaitable<unsigned> {
    net::HttpClientOptions ho;
    ho.base_url = ep->rest;
    ho.tls = *ctx;
    auto http = net::HttpClient::create(ho).value();
    auto r = co_await http.get("/0/public/SystemStatus");
    co_return r ? r->status : 0u;
  }());
  sim.stop();
  EXPECT_EQ(status, 200u);
}

TEST(SimulatorSynthetic, AddsTheSyntheticCatalogueAfterTheCatalogueWithTwoSidedBooks) {
  SimulatorOptions o;
  o.synthetic_pairs = 30;
  o.seed = 3;
  Simulator sim(o);
  auto ep = sim.start();
  ASSERT_TRUE(ep) << ep.error().message();
  const auto out = sim.call([](Exchange& ex) {
    const auto idx = ex.pair_index("S0030/USD");
    std::vector<BookLevel> bids, asks;
    if (idx) {
      ex.engine(*idx).top(Side::buy, 1, bids);
      ex.engine(*idx).top(Side::sell, 1, asks);
    }
    return std::tuple{ex.instruments().size(), ex.instruments().back()->symbol, bids.size(), asks.size()};
  });
  sim.stop();
  EXPECT_EQ(std::get<0>(out), 22u + 30u);
  EXPECT_EQ(std::get<1>(out), "S0030/USD");
  EXPECT_EQ(std::get<2>(out), 1u);  // the synthetic flow seeded its ladder
  EXPECT_EQ(std::get<3>(out), 1u);
}

TEST_F(SimulatorE2E, AdminDropsWebSocketsAndDelaysRestAndCountsBoth) {
  auto out = run([this]() -> asio::awaitable<std::pair<std::string, unsigned>> {
    net::WsOptions wo;
    auto ws = co_await net::connect_ws(ep_.ws_public, wo);
    if (!ws) co_return std::pair{ws.error().message(), 0u};
    (void)co_await ws->read();  // the status message: the server has the peer now
    net::HttpClientOptions ao;
    ao.base_url = ep_.admin;
    auto admin = net::HttpClient::create(ao).value();
    (void)co_await admin.post("/ws/drop", "", "application/x-www-form-urlencoded");
    auto after = co_await ws->read();
    (void)co_await admin.post("/rest/delay?ms=50", "", "application/x-www-form-urlencoded");
    auto http = net::HttpClient::create(http_options()).value();
    auto t = co_await http.get("/0/public/Time");
    (void)co_await admin.post("/rest/delay?ms=0", "", "application/x-www-form-urlencoded");
    co_return std::pair{after ? std::string("still open") : after.error().message(), t ? t->status : 0u};
  }());
  EXPECT_NE(out.first, "still open");
  EXPECT_EQ(out.second, 200u);
  EXPECT_EQ(sim_->call([this](Exchange&) { return sim_->faults_unsafe().fired["ws_drop"]; }), 1u);
  EXPECT_GE(sim_->call([this](Exchange&) { return sim_->faults_unsafe().fired["rest_delay"]; }), 1u);
}

}  // namespace
}  // namespace kgw::sim
