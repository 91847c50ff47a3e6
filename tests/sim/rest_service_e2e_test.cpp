// KrakenRestService (core): the thread-safe front of the REST client, against kraken-sim on
// loopback — many OS threads through one key, coroutine callers on other executors, shutdown
// with calls in flight, and credentials that never show in logs or errors.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "kgw/core/kraken/rest_service.hpp"
#include "kgw/core/net/tls.hpp"
#include "kgw/core/log.hpp"
#include "kgw/sim/simulator.hpp"
#include "kgw_sim_rest.hpp"
#include "kgw_net_test_support.hpp"

namespace kgw::sim {
namespace {

namespace asio = boost::asio;
using kraken::OrderRequest;
using kraken::KrakenRestClient;
using kraken::KrakenRestService;

OrderRequest validate_only() {
  OrderRequest p;
  p.pair = "XBTUSD";
  p.side = kraken::Side::buy;
  p.type = kraken::OrderType::limit;
  p.volume = "0.01";
  p.price = "50000.0";
  p.validate = true;  // signed, nonce-checked and validated, not placed
  return p;
}

class RestServiceE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    SimulatorOptions o;
    o.synthetic_flow = false;
    o.tier = kraken::Tier::pro;
    sim_ = std::make_unique<Simulator>(o);
    auto ep = sim_->start();
    ASSERT_TRUE(ep) << ep.error().message();
    ep_ = *ep;
  }
  void TearDown() override { sim_->stop(); }

  kraken::RestTransportOptions options(std::string secret) const {
    kraken::RestTransportOptions o = sim_rest_options(ep_);
    o.credentials->api_secret = Secret(std::move(secret));
    return o;
  }

  std::unique_ptr<Simulator> sim_;
  SimulatorEndpoints ep_;
};

TEST_F(RestServiceE2E, SixteenThreadsTimesFiveHundredPrivateCallsThroughOneKeyNeverGetInvalidNonce) {
  auto svc = KrakenRestService::start(options(ep_.api_secret), SystemClock::instance()).value();
  std::atomic<int> ok{0}, failed{0};
  std::mutex mu;
  std::string first_error;
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        auto r = svc->call<kraken::AddOrderResponse>([](KrakenRestClient& c) { return c.add_order(validate_only()); });
        if (r) {
          ++ok;
        } else {
          ++failed;
          std::lock_guard lock(mu);
          if (first_error.empty()) first_error = r.error().message();
        }
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 8000);
  EXPECT_EQ(failed.load(), 0) << first_error;
  EXPECT_EQ(svc->stats().invalid_nonce.load(), 0u);
  EXPECT_EQ(svc->stats().retries.load(), 0u);
}

TEST_F(RestServiceE2E, CoroutinesOnAnotherExecutorAndCallbacksBothGetTheirResults) {
  auto svc = KrakenRestService::start(options(ep_.api_secret), SystemClock::instance()).value();
  // A caller with its own io_context (like the oms thread): resumes there.
  asio::io_context caller;
  auto fut = asio::co_spawn(
      caller,
      [&]() -> asio::awaitable<std::pair<bool, bool>> {
        const auto me = std::this_thread::get_id();
        auto t = co_await svc->async_call<kraken::ServerTime>([](KrakenRestClient& c) { return c.time(); });
        const bool resumed_here = std::this_thread::get_id() == me;
        co_return std::pair{t.has_value() && t->unixtime > 0, resumed_here};
      },
      asio::use_future);
  caller.run();
  auto [got_time, resumed_on_caller] = fut.get();
  EXPECT_TRUE(got_time);
  EXPECT_TRUE(resumed_on_caller);

  std::promise<result<std::vector<kraken::AssetBalance>>> p;
  svc->submit<std::vector<kraken::AssetBalance>>([](KrakenRestClient& c) { return c.balance(); },
                                                 [&](result<std::vector<kraken::AssetBalance>> r) { p.set_value(std::move(r)); });
  auto balances = p.get_future().get();
  ASSERT_TRUE(balances) << balances.error().message();
  EXPECT_FALSE(balances->empty());
}

// A server that accepts and never answers, and a service with one call to it in flight.
struct CallInFlight {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
  std::promise<result<kraken::ServerTime>> p;  // before svc: set by its completion
  std::unique_ptr<KrakenRestService> svc;
  asio::ip::tcp::socket peer{io};

  CallInFlight() {
    kraken::RestTransportOptions o;
    o.http.base_url = "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
    o.http.request_timeout = std::chrono::seconds(30);
    svc = KrakenRestService::start(std::move(o), SystemClock::instance()).value();
    svc->set_shutdown_grace(std::chrono::milliseconds(50));
    svc->submit<kraken::ServerTime>([](KrakenRestClient& c) { return c.time(); },
                                    [this](result<kraken::ServerTime> r) { p.set_value(std::move(r)); });
    acceptor.accept(peer);  // the request is on its way
  }
};

TEST(RestServiceShutdown, ACallInFlightCompletesAsAnUnknownOutcomeAndNeverHangs) {
  // The call is in flight when the service goes away.
  CallInFlight c;
  auto& svc = c.svc;
  auto& p = c.p;
  const auto t0 = std::chrono::steady_clock::now();
  svc.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  auto r = p.get_future().get();
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::unknown_outcome)) << r.error().message();  // it may have executed
}

TEST(RestServiceShutdown, AbandoningTheCallsInFlightCompletesThemAsUnknownOutcomesAndTheServiceGoesOn) {
  // As above, but the owner abandons the call while it still needs the service (the daemon's
  // stop: gRPC calls waiting for Kraken are answered by the deadline, its cancel-all follows).
  CallInFlight c;
  auto& svc = c.svc;
  auto& p = c.p;
  EXPECT_EQ(svc->abandon_in_flight(), 1u);
  auto f = p.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(0)), std::future_status::ready);  // completed by the call above
  auto r = f.get();
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::unknown_outcome)) << r.error().message();
  EXPECT_EQ(svc->abandon_in_flight(), 0u);
  // Still taking calls: the next one is sent (and, this peer never answering, is in flight).
  std::promise<result<kraken::ServerTime>> next;
  svc->submit<kraken::ServerTime>([](KrakenRestClient& c) { return c.time(); },
                                  [&](result<kraken::ServerTime> r2) { next.set_value(std::move(r2)); });
  auto g = next.get_future();
  EXPECT_EQ(g.wait_for(std::chrono::milliseconds(20)), std::future_status::timeout);
  svc.reset();
  ASSERT_FALSE(g.get());
}

TEST_F(RestServiceE2E, CredentialsNeverAppearInLogsOrErrors) {
  const auto path = std::filesystem::temp_directory_path() / ("kgw_rest_secrets_" + std::to_string(::getpid()) + ".log");
  log::init({.level = "trace", .file = path.string(), .to_stderr = false});
  // A secret of the right shape that the simulator does not know: every private call fails with
  // EAPI:Invalid signature, and the error text is logged as a caller would log it.
  const std::string wrong_secret = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==";
  std::vector<std::string> messages;
  for (const std::string& secret : {wrong_secret, std::string("not base64 at all!"), ep_.api_secret}) {
    auto svc = KrakenRestService::start(options(secret), SystemClock::instance()).value();
    auto r = svc->call<std::vector<kraken::AssetBalance>>([](KrakenRestClient& c) { return c.balance(); });
    messages.push_back(r ? "ok" : r.error().message());
    spdlog::info("balance: {} with key {} and secret {}", messages.back(), ep_.api_key, secret);
  }
  log::shutdown();
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  std::filesystem::remove(path);
  EXPECT_EQ(messages[0], "exchange error: Kraken returned an error [kraken: EAPI:Invalid signature]");
  EXPECT_EQ(messages[2], "ok");
  for (const auto& m : messages) {
    EXPECT_EQ(m.find(ep_.api_key), std::string::npos) << m;
    EXPECT_EQ(m.find(ep_.api_secret), std::string::npos) << m;
    EXPECT_EQ(m.find(wrong_secret), std::string::npos) << m;
  }
  // The log line tried to print them; while the Secrets were alive the redactor masked them.
  EXPECT_NE(all.str().find("balance:"), std::string::npos);
  for (const std::string& s : {ep_.api_key, ep_.api_secret, wrong_secret, std::string("not base64 at all!")})
    EXPECT_EQ(all.str().find(s), std::string::npos) << s << " in\n" << all.str();
}

TEST(RestServiceProxy, PrivateCallsTunnelThroughAConnectProxyToATlsExchange) {
  // The deployment many users have: Kraken only reachable through an HTTP CONNECT proxy, TLS
  // (with verification) end to end through the tunnel.
  SimulatorOptions so;
  so.synthetic_flow = false;
  so.tls_self_signed = true;
  Simulator sim(so);
  auto ep = sim.start().value();
  asio::io_context proxy_io;
  net::test::ConnectProxy proxy(proxy_io);
  std::thread proxy_thread([&] { proxy_io.run(); });

  kraken::RestTransportOptions o = sim_rest_options(ep);
  o.http.proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
  net::TlsOptions tls;
  tls.ca_pem = ep.ca_pem;
  o.http.tls = net::make_client_tls_context(tls).value();
  auto svc = KrakenRestService::start(std::move(o), SystemClock::instance()).value();
  auto balances = svc->call<std::vector<kraken::AssetBalance>>([](KrakenRestClient& c) { return c.balance(); });
  auto ticker = svc->call<std::vector<kraken::Ticker>>([](KrakenRestClient& c) {
    std::vector<std::string> pairs{"XBTUSD"};
    return c.ticker(std::move(pairs));
  });
  svc.reset();
  proxy_io.stop();
  proxy_thread.join();
  sim.stop();
  ASSERT_TRUE(balances) << balances.error().message();
  ASSERT_TRUE(ticker) << ticker.error().message();
  ASSERT_FALSE(proxy.tunnels().empty());  // keep-alive: both calls may share one tunnel
  EXPECT_EQ(proxy.tunnels().front().substr(0, proxy.tunnels().front().rfind(':')), "127.0.0.1");
}

}  // namespace
}  // namespace kgw::sim
