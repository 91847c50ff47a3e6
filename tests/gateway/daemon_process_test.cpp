// kraken-gatewayd and kgwctl as a user runs them: the interface lines and `ready`, a graceful
// SIGTERM within the deadline, config errors naming key and line, SIGHUP, credentials that never
// reach the logs, the errors or the metrics, and kgwctl's tables, JSON and exit statuses.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <fstream>
#include <sstream>

#include "gateway_test_support.hpp"

namespace kgw::test {
namespace {

const std::string kGatewayd = KGW_GATEWAYD_EXE;
const std::string kKgwctl = KGW_KGWCTL_EXE;
const std::string kSimConfig = std::string(KGW_SOURCE_DIR) + "/config/sim.toml";

// A directory of its own per test, removed afterwards.
class TempDir {
 public:
  // Named after the running test, or `name` outside one (a suite's set-up).
  explicit TempDir(std::string name = {}) {
    if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) name = info->name();
    path_ = std::filesystem::temp_directory_path() / ("kgw-gwd-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& text, mode_t mode = 0644) const {
    const std::string p = *this / name;
    std::ofstream(p) << text;
    ::chmod(p.c_str(), mode);
    return p;
  }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The daemon on ephemeral ports with the embedded simulator, its socket in `dir`.
std::vector<std::string> sim_daemon(const TempDir& dir, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {kGatewayd,      "--config",       kSimConfig, "--grpc-port", "0", "--metrics-port", "0",
                                   "--unix-socket", dir / "gw.sock"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

Process kgwctl(const std::string& addr, const std::string& args) {
  return run_process(kKgwctl + " --addr " + addr + " " + args + " 2>&1");
}

TEST(Daemon, PrintsItsInterfaceLinesThenReadyAndStopsOnSigtermWithinTheDeadline) {
  TempDir dir;
  ChildProcess d(sim_daemon(dir), std::chrono::seconds(60));
  ASSERT_TRUE(d.ready()) << d.how_it_ended();
  const auto grpc = d.values("grpc");
  ASSERT_EQ(grpc.size(), 2u);
  EXPECT_EQ(grpc[0].rfind("127.0.0.1:", 0), 0u) << grpc[0];
  EXPECT_EQ(grpc[1], "unix:" + (dir / "gw.sock"));
  const std::string metrics = d.line("metrics");
  EXPECT_EQ(metrics.rfind("http://127.0.0.1:", 0), 0u) << metrics;
  EXPECT_EQ(metrics.substr(metrics.size() - 8), "/metrics");
  EXPECT_EQ(d.line("sim-admin").rfind("http://127.0.0.1:", 0), 0u);

  // Both listeners answer.
  EXPECT_EQ(kgwctl(grpc[0], "status").status, 0);
  const auto status = kgwctl(grpc[1], "--json status");
  EXPECT_EQ(status.status, 0) << status.out;
  EXPECT_TRUE(contains(status.out, "SYSTEM_STATUS_ONLINE")) << status.out;
  // The metrics endpoint serves the Prometheus text format.
  const auto page = http_request(metrics.substr(0, metrics.size() - 8), net::HttpMethod::get, "/metrics");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200u);
  EXPECT_TRUE(contains(page->body, "kgw_rpc_duration_seconds_count{code=\"0\",method=\"/kgw.v1.MarketData/GetSystemStatus\"}"));

  const auto t0 = std::chrono::steady_clock::now();
  ::kill(d.pid(), SIGTERM);
  ASSERT_TRUE(wait_until([&] { return !d.alive(); }, std::chrono::seconds(6)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));  // config/sim.toml: 5 s
  EXPECT_EQ(d.how_it_ended(), "exit 0");
  EXPECT_FALSE(std::filesystem::exists(dir / "gw.sock"));
}

TEST(Daemon, StopsOnSigtermWithinTheDeadlineWithOpenStreamsAndOrdersInFlight) {
  TempDir dir;
  ChildProcess d(sim_daemon(dir), std::chrono::seconds(60));
  ASSERT_TRUE(d.ready()) << d.how_it_ended();
  auto channel = grpc::CreateChannel(d.values("grpc").at(0), grpc::InsecureChannelCredentials());
  auto trading = v1::Trading::NewStub(channel);
  auto account = v1::Account::NewStub(channel);
  auto market = v1::MarketData::NewStub(channel);
  ASSERT_TRUE(wait_until([&] {
    v1::GetBalanceRequest req;
    *req.mutable_read() = read_policy(v1::READ_POLICY_CACHE_ONLY);
    return call(*account, &v1::Account::Stub::GetBalance, req).ok();
  }, std::chrono::seconds(20)));
  auto resting = call(*trading, &v1::Trading::Stub::PlaceOrder, limit_order("stop-resting", "10000.0"));
  ASSERT_TRUE(resting.ok()) << resting.status.error_message();

  // Three streams open, each past its first message.
  grpc::ClientContext executions_ctx, balances_ctx, ticker_ctx;
  for (auto* ctx : {&executions_ctx, &balances_ctx, &ticker_ctx}) with_deadline(*ctx, std::chrono::seconds(30));
  auto executions = trading->StreamExecutions(&executions_ctx, {});
  auto balances = account->StreamBalances(&balances_ctx, {});
  v1::StreamTickerRequest ticker_req;
  ticker_req.add_pairs("BTC/USD");
  auto ticker = market->StreamTicker(&ticker_ctx, ticker_req);
  v1::ExecutionsEvent ee;
  v1::BalancesEvent be;
  v1::TickerEvent te;
  ASSERT_TRUE(executions->Read(&ee));
  ASSERT_TRUE(balances->Read(&be));
  ASSERT_TRUE(ticker->Read(&te));

  // Two orders in flight: one over REST, which the simulator holds for 8 s, and one over the
  // WebSocket, which it holds still (the connection stalled): both longer than the deadline.
  const std::string admin = d.line("sim-admin");
  ASSERT_EQ(sim_admin_post(admin, "/rest/delay?ms=8000"), 200u);
  ASSERT_EQ(sim_admin_post(admin, "/ws/stall?on=true"), 200u);
  auto send = [&trading](const std::string& cl_ord_id, v1::Route route) {
    return std::async(std::launch::async, [&trading, cl_ord_id, route] {
      auto req = limit_order(cl_ord_id, "10000.0");
      req.set_route(route);
      grpc::ClientContext ctx;
      with_deadline(ctx, std::chrono::seconds(30));
      v1::PlaceOrderResponse r;
      return trading->PlaceOrder(&ctx, req, &r);
    });
  };
  auto over_rest = send("stop-flight-rest", v1::ROUTE_REST);
  auto over_ws = send("stop-flight-ws", v1::ROUTE_WS);
  // In flight once order entry has sent them (its metric counts each as it goes; the resting
  // order went over the WebSocket).
  const std::string metrics = d.line("metrics");
  std::string page;
  ASSERT_TRUE(wait_until([&] {
    const auto p = http_request(metrics.substr(0, metrics.size() - 8), net::HttpMethod::get, "/metrics");
    page = p ? p->body : std::string();
    return contains(page, "kgw_order_requests_total{path=\"rest\"} 1") &&
           contains(page, "kgw_order_requests_total{path=\"ws\"} 2");
  })) << page.substr(page.find("kgw_order"), 600)
     << (over_rest.wait_for(std::chrono::seconds(0)) == std::future_status::ready ? over_rest.get().error_message() : "");

  const auto t0 = std::chrono::steady_clock::now();
  ::kill(d.pid(), SIGTERM);
  ASSERT_TRUE(wait_until([&] { return !d.alive(); }, std::chrono::seconds(10)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));  // config/sim.toml: 5 s
  EXPECT_EQ(d.how_it_ended(), "exit 0");
  // Every stream was ended, and each order in flight was answered with its outcome unknown (it
  // had been sent) and the cl_ord_id to look up, not the server's UNAVAILABLE ("not executed").
  while (executions->Read(&ee)) {
  }
  while (balances->Read(&be)) {
  }
  while (ticker->Read(&te)) {
  }
  EXPECT_EQ(executions->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(balances->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ticker->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  for (auto [order, cl_ord_id] : {std::pair{&over_rest, "stop-flight-rest"}, std::pair{&over_ws, "stop-flight-ws"}}) {
    ASSERT_EQ(order->wait_for(std::chrono::seconds(30)), std::future_status::ready) << cl_ord_id;
    const grpc::Status st = order->get();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNKNOWN) << cl_ord_id << ": " << st.error_message();
    if (st.error_code() != grpc::StatusCode::UNKNOWN) continue;
    const v1::ErrorDetail detail = error_detail(st);
    EXPECT_EQ(detail.classification(), v1::ERROR_CLASS_UNKNOWN_OUTCOME);
    ASSERT_EQ(detail.cl_ord_ids_size(), 1);
    EXPECT_EQ(detail.cl_ord_ids(0), cl_ord_id);
  }
}

TEST(Daemon, WithBusyPollOnItPlacesAndCancelsOrdersAndStopsOnSigtermWithinTheDeadline) {
  TempDir dir;
  std::string config = read_file(kSimConfig);
  const auto at = config.find("[trading]\n");
  ASSERT_NE(at, std::string::npos);
  config.insert(at + 10, "busy_poll = true\n");
  std::vector<std::string> argv = sim_daemon(dir);
  argv.at(2) = dir.write("busy.toml", config);  // after --config
  ChildProcess busy(argv, std::chrono::seconds(60));
  ASSERT_TRUE(busy.ready()) << busy.how_it_ended();
  auto channel = grpc::CreateChannel(busy.values("grpc").at(0), grpc::InsecureChannelCredentials());
  auto trading = v1::Trading::NewStub(channel);
  auto account = v1::Account::NewStub(channel);
  ASSERT_TRUE(wait_until([&] {
    v1::GetBalanceRequest req;
    *req.mutable_read() = read_policy(v1::READ_POLICY_CACHE_ONLY);
    return call(*account, &v1::Account::Stub::GetBalance, req).ok();
  }, std::chrono::seconds(20)));
  auto placed = call(*trading, &v1::Trading::Stub::PlaceOrder, limit_order("busy-poll-1"));
  ASSERT_TRUE(placed.ok()) << placed.status.error_message();
  EXPECT_EQ(placed.response.route(), v1::ROUTE_WS);
  EXPECT_GT(placed.response.round_trip_ns(), 0);
  v1::CancelOrderRequest cancel;
  cancel.set_cl_ord_id("busy-poll-1");
  auto cancelled = call(*trading, &v1::Trading::Stub::CancelOrder, cancel);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status.error_message();
  EXPECT_EQ(cancelled.response.count(), 1);

  const auto t0 = std::chrono::steady_clock::now();
  ::kill(busy.pid(), SIGTERM);
  ASSERT_TRUE(wait_until([&] { return !busy.alive(); }, std::chrono::seconds(6)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));  // config/sim.toml: 5 s
  EXPECT_EQ(busy.how_it_ended(), "exit 0");
}

TEST(Daemon, AConfigErrorStopsItNamingTheKeyAndLine) {
  TempDir dir;
  const std::string bad = dir.write("bad.toml", "[grpc]\nport = 50051\nprot = 1\n");
  const auto p = run_process(kGatewayd + " --config " + bad + " 2>&1");
  EXPECT_EQ(p.status, 2);
  EXPECT_EQ(p.out, "kraken-gatewayd: " + bad + ":3: unknown key 'grpc.prot'\n");
  const auto check = run_process(kGatewayd + " --config " + kSimConfig + " --check-config 2>&1");
  EXPECT_EQ(check.status, 0) << check.out;
  EXPECT_EQ(check.out, "config ok: sim.toml; embedded simulator; api key: none\n");
  const auto url = run_process(kGatewayd + " --rest-url http://api.kraken.com --check-config 2>&1");
  EXPECT_EQ(url.status, 2);
  EXPECT_EQ(url.out, "kraken-gatewayd: --rest-url: plain http:// is only allowed to a loopback host, not 'api.kraken.com'\n");
}

TEST(Daemon, SighupAppliesTheLogLevelAndNamesWhatNeedsARestart) {
  TempDir dir;
  const std::string config = dir.write("gw.toml", read_file(kSimConfig));
  ChildProcess d({kGatewayd, "--config", config, "--grpc-port", "0", "--metrics-port", "0", "--unix-socket", "none",
                  "--log-file", dir / "gw.log"},
                 std::chrono::seconds(60));
  ASSERT_TRUE(d.ready()) << d.how_it_ended();
  std::string text = read_file(config);
  text.replace(text.find("level = \"info\""), 14, "level = \"debug\"");
  text.replace(text.find("book_depth = 10"), 15, "book_depth = 25");
  dir.write("gw.toml", text);
  ::kill(d.pid(), SIGHUP);
  EXPECT_TRUE(wait_until([&] {
    const std::string log = read_file(dir / "gw.log");
    return contains(log, "SIGHUP: log level debug") && contains(log, "SIGHUP: changes to feed need a restart; not applied");
  }));
  EXPECT_TRUE(d.alive());
}

TEST(Daemon, CredentialsNeverReachTheLogsTheErrorsOrTheMetrics) {
  // The daemon in live mode against a simulator of the test's, with that simulator's key.
  sim::Simulator exchange(sim::SimulatorOptions{});
  auto ep = exchange.start();
  ASSERT_TRUE(ep) << ep.error().message();
  TempDir dir;
  const std::string open_key = dir.write("open.key", ep->api_key + "\n" + ep->api_secret + "\n", 0644);
  const auto refused = run_process(kGatewayd + " --key-file " + open_key + " --check-config 2>&1");
  EXPECT_EQ(refused.status, 2);
  EXPECT_TRUE(contains(refused.out, "group or others may access it")) << refused.out;
  EXPECT_FALSE(contains(refused.out, ep->api_key));
  EXPECT_FALSE(contains(refused.out, ep->api_secret));

  const std::string key = dir.write("api.key", ep->api_key + "\n" + ep->api_secret + "\n", 0600);
  ChildProcess d({kGatewayd, "--rest-url", ep->rest, "--ws-public-url", ep->ws_public, "--ws-private-url", ep->ws_private,
                  "--key-file", key, "--grpc-port", "0", "--metrics-port", "0", "--unix-socket", "none", "--log-level",
                  "trace", "--log-file", dir / "gw.log"},
                 std::chrono::seconds(60));
  ASSERT_TRUE(d.ready()) << d.how_it_ended();
  const std::string addr = d.values("grpc").at(0);
  std::string seen;
  seen += kgwctl(addr, "--json gateway info").out;
  seen += kgwctl(addr, "ticker BTC/USD SOL/USD").out;
  ASSERT_EQ(sim_admin_post(ep->admin, "/rest/error?error=EAPI:Invalid%20key&count=1"), 200u);
  const auto failed = kgwctl(addr, "recent-trades BTC/USD");
  EXPECT_EQ(failed.status, 1);
  EXPECT_TRUE(contains(failed.out, "EAPI:Invalid key")) << failed.out;
  seen += failed.out;
  // The key signs the order manager's calls: balances, an order, the executions, a cancel.
  {
    auto channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
    grpc::ClientContext ctx;
    with_deadline(ctx);
    v1::GetBalanceResponse r;
    const auto s = v1::Account::NewStub(channel)->GetBalance(&ctx, {}, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    seen += r.DebugString();
  }
  const auto placed = kgwctl(addr, "--json place XBTUSD buy 0.01 --type limit --price 30000 --cl-ord-id secret-test-1");
  EXPECT_EQ(placed.status, 0) << placed.out;
  EXPECT_TRUE(contains(placed.out, "\"cl_ord_id\":\"secret-test-1\"")) << placed.out;
  seen += placed.out;
  seen += kgwctl(addr, "--json orders").out;
  seen += kgwctl(addr, "--json watch executions --count 1").out;
  seen += kgwctl(addr, "--json gateway kill-switch").out;
  // Kraken refusing the key on a private call: its words reach the caller, the key does not.
  ASSERT_EQ(sim_admin_post(ep->admin, "/rest/error?error=EAPI:Invalid%20key&count=1"), 200u);
  const auto denied = kgwctl(addr, "--route rest balance");
  EXPECT_EQ(denied.status, 1);
  EXPECT_TRUE(contains(denied.out, "PERMISSION_DENIED")) << denied.out;
  EXPECT_TRUE(contains(denied.out, "EAPI:Invalid key")) << denied.out;
  seen += denied.out;
  const auto cancelled = kgwctl(addr, "--json cancel-all");
  EXPECT_EQ(cancelled.status, 0) << cancelled.out;
  seen += cancelled.out;
  const std::string metrics = d.line("metrics");
  const auto page = http_request(metrics.substr(0, metrics.size() - 8), net::HttpMethod::get, "/metrics");
  ASSERT_TRUE(page);
  seen += page->body;
  ::kill(d.pid(), SIGTERM);
  ASSERT_TRUE(wait_until([&] { return !d.alive(); }, std::chrono::seconds(6)));
  const std::string log = read_file(dir / "gw.log");
  EXPECT_TRUE(contains(log, "api key: configured (--key-file " + key + ")")) << log.substr(0, 2000);
  EXPECT_TRUE(contains(seen, "\"api_key_configured\":true"));
  for (const std::string& secret : {ep->api_key, ep->api_secret}) {
    EXPECT_FALSE(contains(log, secret));
    EXPECT_FALSE(contains(seen, secret));
  }
}

class Kgwctl : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("kgwctl");
    daemon_ = new ChildProcess(sim_daemon(*dir_), std::chrono::seconds(60));
    addr_ = "unix:" + (*dir_ / "gw.sock");
  }
  static void TearDownTestSuite() {
    delete daemon_;
    delete dir_;
  }
  void SetUp() override {
    if (!daemon_->ready()) GTEST_SKIP() << "the daemon did not start";
  }
  static TempDir* dir_;
  static ChildProcess* daemon_;
  static std::string addr_;
};

TempDir* Kgwctl::dir_ = nullptr;
ChildProcess* Kgwctl::daemon_ = nullptr;
std::string Kgwctl::addr_;

TEST_F(Kgwctl, PrintsOneJsonObjectPerAnswerWithTheSource) {
  ASSERT_TRUE(wait_until([&] { return kgwctl(addr_, "--route cache ticker BTC/USD").status == 0; }, std::chrono::seconds(20)));
  const auto p = kgwctl(addr_, "--json ticker XBTUSD");
  EXPECT_EQ(p.status, 0) << p.out;
  EXPECT_TRUE(contains(p.out, "\"symbol\":\"BTC/USD\"")) << p.out;
  EXPECT_TRUE(contains(p.out, "\"source\":\"READ_SOURCE_WS_CACHE\"")) << p.out;
  const auto rest = kgwctl(addr_, "--route rest --json book BTC/USD --depth 3");
  EXPECT_EQ(rest.status, 0) << rest.out;
  EXPECT_TRUE(contains(rest.out, "\"source\":\"READ_SOURCE_REST\"")) << rest.out;
  const auto watch = kgwctl(addr_, "--json watch book BTC/USD --count 2");
  EXPECT_EQ(watch.status, 0) << watch.out;
  EXPECT_EQ(std::count(watch.out.begin(), watch.out.end(), '\n'), 2) << watch.out;
  const auto gw = kgwctl(addr_, "--json gateway upstream");
  EXPECT_EQ(gw.status, 0) << gw.out;
  EXPECT_TRUE(contains(gw.out, "CONNECTION_STATE_READY")) << gw.out;
}

TEST_F(Kgwctl, PrintsTablesForEveryMarketDataCommand) {
  for (const char* cmd : {"ticker", "ticker BTC/USD SOL/USD", "book XBTUSD", "ohlc BTC/USD", "recent-trades BTC/USD --count 5",
                          "trades BTC/USD --limit 5", "spread BTC/USD", "pairs", "status", "gateway", "gateway cache",
                          "gateway budget BTC/USD"}) {
    const auto p = kgwctl(addr_, cmd);
    EXPECT_EQ(p.status, 0) << cmd << ":\n" << p.out;
    EXPECT_FALSE(p.out.empty()) << cmd;
  }
}

TEST_F(Kgwctl, ExitsNonZeroWithTheGatewaysErrorOrAUsageProblem) {
  const auto unknown = kgwctl(addr_, "ticker NOPE");
  EXPECT_EQ(unknown.status, 1);
  EXPECT_EQ(unknown.out, "kgwctl: INVALID_ARGUMENT: pairs[0]: unknown pair 'NOPE'\n  field: pairs[0]\n");
  const auto refused = kgwctl(addr_, "--route cache recent-trades BTC/USD");
  EXPECT_EQ(refused.status, 1);
  EXPECT_TRUE(contains(refused.out, "FAILED_PRECONDITION")) << refused.out;
  EXPECT_EQ(kgwctl(addr_, "book").status, 2);                       // PAIR missing
  EXPECT_EQ(kgwctl(addr_, "book BTC/USD --depth many").status, 2);  // not a number
  EXPECT_EQ(kgwctl(addr_, "watch candles BTC/USD").status, 2);
  const auto down = kgwctl("unix:" + (*dir_ / "nobody.sock"), "--timeout 2 status");
  EXPECT_EQ(down.status, 1);
  EXPECT_TRUE(contains(down.out, "UNAVAILABLE")) << down.out;
}

TEST_F(Kgwctl, PlacesAmendsListsWatchesAndCancelsOrdersAndDrivesTheKillSwitch) {
  ASSERT_TRUE(wait_until([&] { return kgwctl(addr_, "--route cache balance").status == 0; }, std::chrono::seconds(20)));
  const auto placed = kgwctl(addr_, "--json place BTC/USD buy 0.01 --type limit --price 10000 --cl-ord-id ctl-1");
  EXPECT_EQ(placed.status, 0) << placed.out;
  EXPECT_TRUE(contains(placed.out, "\"cl_ord_id\":\"ctl-1\"")) << placed.out;
  EXPECT_TRUE(contains(placed.out, "\"route\":\"ROUTE_WS\"")) << placed.out;
  const auto amended = kgwctl(addr_, "--json amend --cl-ord-id ctl-1 --limit-price 10100");
  EXPECT_EQ(amended.status, 0) << amended.out;
  EXPECT_TRUE(contains(amended.out, "\"amend_id\":")) << amended.out;
  ASSERT_TRUE(wait_until([&] {
    const auto orders = kgwctl(addr_, "--json orders BTC/USD");
    return orders.status == 0 && contains(orders.out, "\"cl_ord_id\":\"ctl-1\"") && contains(orders.out, "10100.0");
  }));
  const auto watch = kgwctl(addr_, "--json watch executions --count 1");
  EXPECT_EQ(watch.status, 0) << watch.out;
  EXPECT_EQ(std::count(watch.out.begin(), watch.out.end(), '\n'), 1) << watch.out;
  EXPECT_TRUE(contains(watch.out, "STREAM_MESSAGE_TYPE_SNAPSHOT")) << watch.out;
  EXPECT_TRUE(contains(watch.out, "\"cl_ord_id\":\"ctl-1\"")) << watch.out;
  const auto cancelled = kgwctl(addr_, "--json cancel --cl-ord-id ctl-1");
  EXPECT_EQ(cancelled.status, 0) << cancelled.out;
  EXPECT_TRUE(contains(cancelled.out, "\"count\":1")) << cancelled.out;

  const auto bad = kgwctl(addr_, "place BTC/USD buy lots --type limit --price 10000");
  EXPECT_EQ(bad.status, 1);
  EXPECT_TRUE(contains(bad.out, "INVALID_ARGUMENT: volume:")) << bad.out;
  EXPECT_EQ(kgwctl(addr_, "place BTC/USD buy").status, 2);                 // VOLUME missing
  EXPECT_EQ(kgwctl(addr_, "place BTC/USD buy 0.01 --price 10000").status, 2);  // a price, but no --type

  EXPECT_EQ(kgwctl(addr_, "gateway kill-switch engage --reason ctl-test").status, 0);
  const auto refused = kgwctl(addr_, "place BTC/USD buy 0.01 --type limit --price 10000");
  EXPECT_EQ(refused.status, 1);
  EXPECT_TRUE(contains(refused.out, "FAILED_PRECONDITION")) << refused.out;
  const auto state = kgwctl(addr_, "--json gateway kill-switch");
  EXPECT_TRUE(contains(state.out, "\"engaged\":true")) << state.out;
  EXPECT_EQ(kgwctl(addr_, "gateway kill-switch disengage").status, 0);
  const auto again = kgwctl(addr_, "--json place BTC/USD buy 0.01 --type limit --price 10000");
  EXPECT_EQ(again.status, 0) << again.out;
  EXPECT_EQ(kgwctl(addr_, "cancel-all").status, 0);
}

}  // namespace
}  // namespace kgw::test
