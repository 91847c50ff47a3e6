// core's connection supervisor (kraken/ws_connection) against kraken-sim on loopback: the order
// of the owner's hooks, pings when idle, reconnects after a drop, the stale watchdog on a stalled
// stream, a failed before_connect hook retried, and one attempt budget shared by connections.

#include "kgw/core/kraken/ws_connection.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <thread>

#include "kgw/core/kraken/ws_requests.hpp"
#include "kgw/sim/simulator.hpp"
#include "kgw_process.hpp"
#include "kgw_sim_admin.hpp"

namespace kgw::kraken {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::wait_until;

// Records what the supervisor asks of its owner, in order; subscribes to the ticker on open.
class Recorder final : public WsConnectionHandler {
 public:
  asio::awaitable<result<void>> before_connect() override {
    const int n = ++before_;
    log("before_connect");
    if (n <= fail_first_) co_return Error(errc::connection_failed, "no token today");
    co_return result<void>{};
  }
  void on_connected() override { log("connected"); }
  asio::awaitable<void> on_open(KrakenWsConnection& conn) override {
    log("open");
    SubscribeRequest r;
    r.channel = "ticker";
    r.symbols = {"BTC/USD"};
    conn.send(ws_subscribe(r, conn.next_req_id()));
    co_return;
  }
  void on_frame(const net::WsMessage& m) override {
    EXPECT_GE(m.padding, simdjson::SIMDJSON_PADDING);
    ++frames_;
    if (m.data.find(R"("method":"pong")") != std::string_view::npos) ++pongs_;
  }
  void on_close() override { log("close"); }

  std::vector<std::string> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::atomic<int> frames_{0}, pongs_{0}, before_{0};
  int fail_first_ = 0;

 private:
  void log(std::string e) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
  }
  std::mutex mu_;
  std::vector<std::string> events_;
};

class WsConnectionE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::SimulatorOptions o;
    o.synthetic_flow = true;
    o.seed = 9;
    sim_ = std::make_unique<sim::Simulator>(o);
    auto ep = sim_->start();
    ASSERT_TRUE(ep) << ep.error().message();
    ep_ = *ep;
  }
  void TearDown() override {
    for (auto& c : conns_) c->stop_from_any_thread();
    if (thread_.joinable()) thread_.join();
    sim_->stop();
  }

  WsConnectionOptions options() {
    WsConnectionOptions o;
    o.url = ep_.ws_public;
    o.reconnect_min = 20ms;
    o.reconnect_max = 100ms;
    o.tick = 20ms;
    o.budget = &budget_;
    o.ws.close_timeout = 200ms;
    return o;
  }
  // Starts a connection on the test's io_context thread (started on the first call).
  KrakenWsConnection& start(WsConnectionOptions o, WsConnectionHandler& h) {
    conns_.push_back(std::make_unique<KrakenWsConnection>(io_.get_executor(), std::move(o), SystemClock::instance(), stats_, 7));
    KrakenWsConnection* c = conns_.back().get();
    asio::co_spawn(io_, [c, &h] { return c->run(h); }, [](std::exception_ptr e) { EXPECT_FALSE(e); });
    if (!thread_.joinable()) thread_ = std::thread([this] { io_.run(); });
    return *c;
  }

  // Handlers live in the fixture: they must outlive the connections, which TearDown stops.
  Recorder& handler() { return handlers_.emplace_back(); }

  std::unique_ptr<sim::Simulator> sim_;
  sim::SimulatorEndpoints ep_;
  std::deque<Recorder> handlers_;
  asio::io_context io_;
  std::thread thread_;
  ConnectBudget budget_;
  WsConnectionStats stats_;
  std::vector<std::unique_ptr<KrakenWsConnection>> conns_;
};

TEST_F(WsConnectionE2E, HooksComeInOrderAndFramesArriveParseableInPlace) {
  Recorder& h = handler();
  start(options(), h);
  ASSERT_TRUE(wait_until([&] { return h.frames_.load() >= 3; }));  // status, ack, ticker
  const auto ev = h.events();
  ASSERT_GE(ev.size(), 3u);
  EXPECT_EQ(ev[0], "before_connect");
  EXPECT_EQ(ev[1], "connected");
  EXPECT_EQ(ev[2], "open");
  EXPECT_EQ(stats_.connects.load(), 1u);
  EXPECT_EQ(stats_.connections_up.load(), 1u);
}

TEST_F(WsConnectionE2E, AnIdleConnectionPingsAndHearsPongs) {
  Recorder& h = handler();
  auto o = options();
  o.ping_idle = 50ms;
  start(o, h);
  ASSERT_TRUE(wait_until([&] { return h.pongs_.load() >= 2; }, 5s));
  EXPECT_GE(stats_.pings_sent.load(), 2u);
}

TEST_F(WsConnectionE2E, ADroppedConnectionIsClosedForTheOwnerAndReopened) {
  Recorder& h = handler();
  start(options(), h);
  ASSERT_TRUE(wait_until([&] { return stats_.connections_up.load() == 1; }));
  EXPECT_EQ(test::sim_admin_post(ep_.admin, "/ws/drop"), 200u);
  ASSERT_TRUE(wait_until([&] { return stats_.connects.load() == 2 && stats_.connections_up.load() == 1; }));
  EXPECT_EQ(stats_.disconnects.load(), 1u);
  const auto ev = h.events();
  // before_connect, connected, open, close, before_connect, connected, open.
  ASSERT_GE(ev.size(), 7u);
  EXPECT_EQ(ev[3], "close");
  EXPECT_EQ(ev[4], "before_connect");
  EXPECT_EQ(ev[6], "open");
}

TEST_F(WsConnectionE2E, AStalledStreamIsReplacedByTheWatchdog) {
  Recorder& h = handler();
  auto o = options();
  o.stale_after = 300ms;
  o.ping_idle = 60s;  // only the watchdog may notice
  start(o, h);
  ASSERT_TRUE(wait_until([&] { return stats_.connections_up.load() == 1; }));
  EXPECT_EQ(test::sim_admin_post(ep_.admin, "/ws/stall?on=true"), 200u);
  ASSERT_TRUE(wait_until([&] { return stats_.stale_reconnects.load() >= 1 && stats_.connects.load() >= 2; }));
}

TEST_F(WsConnectionE2E, AFailedBeforeConnectHookIsAFailedAttemptAndIsRetried) {
  Recorder& h = handler();
  h.fail_first_ = 2;  // e.g. GetWebSocketsToken failed twice
  start(options(), h);
  ASSERT_TRUE(wait_until([&] { return stats_.connections_up.load() == 1; }));
  EXPECT_EQ(h.before_.load(), 3);
  EXPECT_EQ(stats_.connect_failures.load(), 2u);
  EXPECT_EQ(stats_.connects.load(), 1u);
}

TEST_F(WsConnectionE2E, ConnectionsShareOneAttemptBudget) {
  ConnectBudget two(2, std::chrono::hours(1));
  Recorder &a = handler(), &b = handler(), &c = handler();
  auto o = options();
  o.budget = &two;
  start(o, a);
  start(o, b);
  ASSERT_TRUE(wait_until([&] { return stats_.connections_up.load() == 2; }));
  start(o, c);  // the third attempt of the hour must wait
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(stats_.connects.load(), 2u);
  EXPECT_EQ(c.before_.load(), 0);
  EXPECT_EQ(two.booked(SystemClock::instance().mono_now()), 2u);
}

TEST(ConnectBudget, BooksUpToItsLimitThenSaysHowLongToWait) {
  ManualClock clock;
  ConnectBudget b(3, std::chrono::seconds(10));
  const MonoTime t0 = clock.mono_now();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(b.try_book(t0 + std::chrono::seconds(i)).count(), 0) << i;
  EXPECT_EQ(b.try_book(t0 + std::chrono::seconds(4)), std::chrono::seconds(6));  // the first leaves at t0+10
  EXPECT_EQ(b.booked(t0 + std::chrono::seconds(4)), 3u);                        // nothing booked by a refusal
  EXPECT_EQ(b.try_book(t0 + std::chrono::seconds(10)).count(), 0);
  EXPECT_EQ(b.booked(t0 + std::chrono::seconds(10)), 3u);
}

TEST(KrakenWsConnection, RefusesOptionsThatCannotWorkNamingThem) {
  WsConnectionOptions o;
  o.url = "ws://127.0.0.1:/v2";
  EXPECT_EQ(KrakenWsConnection::validate(o).error().detail.substr(0, 5), "url: ");
  o.url = "wss://ws.kraken.com/v2";
  EXPECT_TRUE(KrakenWsConnection::validate(o));
  o.stale_after = 0ms;
  EXPECT_EQ(KrakenWsConnection::validate(o).error().detail, "stale_after: must be positive");
}

}  // namespace
}  // namespace kgw::kraken
