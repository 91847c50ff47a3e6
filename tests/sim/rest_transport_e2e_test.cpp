// core's Kraken REST transport against kraken-sim on loopback: signing, per-key nonce order under
// concurrency, retry of not-executed answers, unknown outcomes surfaced and never resent.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "kgw/core/kraken/rest_transport.hpp"
#include "kgw/core/kraken/rest_types.hpp"
#include "kgw/sim/simulator.hpp"
#include "kgw_sim_rest.hpp"

namespace kgw::sim {
namespace {

namespace asio = boost::asio;

class RestTransportE2E : public ::testing::Test {
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

  std::unique_ptr<kraken::KrakenRestTransport> transport() {
    kraken::RestTransportOptions o = sim_rest_options(ep_);
    o.http.max_connections = 4;
    return kraken::KrakenRestTransport::create(std::move(o), SystemClock::instance()).value();
  }

  std::unique_ptr<Simulator> sim_;
  SimulatorEndpoints ep_;
};

TEST_F(RestTransportE2E, SixteenConcurrentCallersThroughOneKeyNeverGetInvalidNonce) {
  asio::io_context io;  // before the transport: its idle pooled sockets belong to this io_context
  auto t = transport();
  int ok = 0, failed = 0;
  std::string first_error;
  for (int c = 0; c < 16; ++c)
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          for (int i = 0; i < 500; ++i) {
            // validate=true: signed, nonce-checked and validated, but not placed (and it costs
            // nothing on the REST call counter, like any order entry). Params are built outside
            // the co_await: GCC 12 rejects braced lists inside a coroutine's co_await.
            std::vector<std::pair<std::string, std::string>> params{
                {"pair", "XBTUSD"}, {"type", "buy"}, {"ordertype", "limit"}, {"volume", "0.01"}, {"price", "50000.0"}, {"validate", "true"}};
            auto r = co_await t->private_call("AddOrder", std::move(params), kraken::Priority::add);
            if (r) ++ok;
            else {
              ++failed;
              if (first_error.empty()) first_error = r.error().message();
            }
          }
        },
        asio::detached);
  io.run();
  EXPECT_EQ(ok, 16 * 500) << first_error;
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(t->stats().invalid_nonce, 0u);
}

TEST_F(RestTransportE2E, ANotExecutedAnswerIsRetriedAndAnUnknownOutcomeIsNot) {
  asio::io_context io;  // before the transport: its idle pooled sockets belong to this io_context
  auto t = transport();
  sim_->call([this](Exchange&) {
    sim_->faults_unsafe().rest_error = "EAPI:Invalid nonce";
    sim_->faults_unsafe().rest_error_count = 1;
    return 0;
  });
  auto balance = asio::co_spawn(io, t->private_call("Balance", {}), asio::use_future);
  io.run();
  auto b = balance.get();
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_NE(b->find(R"("ZUSD":"100000.0000")"), std::string::npos) << *b;
  EXPECT_EQ(t->stats().retries, 1u);

  sim_->call([this](Exchange&) {
    sim_->faults_unsafe().rest_error = "EService:Busy";
    sim_->faults_unsafe().rest_error_count = 1;
    return 0;
  });
  io.restart();
  std::vector<std::pair<std::string, std::string>> params{
      {"pair", "XBTUSD"}, {"type", "buy"}, {"ordertype", "limit"}, {"volume", "0.01"}, {"price", "50000.0"}, {"cl_ord_id", "once"}};
  auto add = asio::co_spawn(io, t->private_call("AddOrder", std::move(params), kraken::Priority::add), asio::use_future);
  io.run();
  auto a = add.get();
  ASSERT_FALSE(a);
  EXPECT_TRUE(a.error().is(errc::unknown_outcome));
  EXPECT_EQ(a.error().kraken->errors.at(0), "EService:Busy");
  EXPECT_EQ(t->stats().retries, 1u);  // not resent
}

TEST_F(RestTransportE2E, AnHttpErrorIsAPassingOutageForReadsAndAnUnknownOutcomeOnlyForOrderEntry) {
  asio::io_context io;  // before the transport: its idle pooled sockets belong to this io_context
  auto t = transport();
  auto arm = [this](unsigned status) {
    sim_->call([this, status](Exchange&) {
      sim_->faults_unsafe().http_status = status;
      sim_->faults_unsafe().http_status_count = 1;
      return 0;
    });
  };
  auto run = [&io](auto aw) {
    io.restart();
    auto f = asio::co_spawn(io, std::move(aw), asio::use_future);
    io.run();
    return f.get();
  };
  arm(502);
  auto pub = run(t->public_call("Assets", ""));
  ASSERT_FALSE(pub);
  EXPECT_TRUE(pub.error().is(errc::connection_failed)) << pub.error().message();
  EXPECT_NE(pub.error().message().find("Assets: HTTP 502"), std::string::npos) << pub.error().message();
  arm(503);
  auto query = run(t->private_call("Balance", {}));
  ASSERT_FALSE(query);
  EXPECT_TRUE(query.error().is(errc::connection_failed)) << query.error().message();
  arm(404);
  auto missing = run(t->public_call("Assets", ""));
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().is(errc::protocol_error)) << missing.error().message();
  EXPECT_EQ(t->stats().unknown_outcome, 0u);
  arm(502);
  std::vector<std::pair<std::string, std::string>> params{
      {"pair", "XBTUSD"}, {"type", "buy"}, {"ordertype", "limit"}, {"volume", "0.01"}, {"price", "50000.0"}};
  auto add = run(t->private_call("AddOrder", std::move(params), kraken::Priority::add));
  ASSERT_FALSE(add);
  EXPECT_TRUE(add.error().is(errc::unknown_outcome)) << add.error().message();  // it may have reached the engine
  EXPECT_EQ(t->stats().unknown_outcome, 1u);
}

TEST_F(RestTransportE2E, OrderEntryIsResentOnlyAfterAnInvalidNonce) {
  asio::io_context io;
  auto t = transport();
  auto add = [&](const char* cl) {
    std::vector<std::pair<std::string, std::string>> params{
        {"pair", "XBTUSD"}, {"type", "buy"}, {"ordertype", "limit"}, {"volume", "0.01"}, {"price", "50000.0"}, {"cl_ord_id", cl}};
    io.restart();
    auto f = asio::co_spawn(io, t->private_call("AddOrder", std::move(params), kraken::Priority::add), asio::use_future);
    io.run();
    return f.get();
  };
  auto fault = [&](const char* error) {
    sim_->call([&](Exchange&) {
      sim_->faults_unsafe().rest_error = error;
      sim_->faults_unsafe().rest_error_count = 1;
      return 0;
    });
  };
  // Not executed, but by the time a pause is over the order may no longer be wanted: returned.
  fault("EOrder:Rate limit exceeded");
  auto limited = add("a-1");
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().kraken->errors.at(0), "EOrder:Rate limit exceeded");
  EXPECT_EQ(t->stats().retries.load(), 0u);
  // A nonce rejection happens before Kraken looks at the order: resent at once, placed once.
  fault("EAPI:Invalid nonce");
  auto placed = add("a-2");
  ASSERT_TRUE(placed) << placed.error().message();
  EXPECT_EQ(t->stats().retries.load(), 1u);
  const std::string key = ep_.api_key;
  const auto open = sim_->call([&key](Exchange& ex) { return ex.open_orders(ex.account_by_key(key)->id).size(); });
  EXPECT_EQ(open, 1u);
}

TEST_F(RestTransportE2E, CancelsOvertakeQueuedQueriesAndAnAbandonedWaiterDoesNotBlockTheKey) {
  using namespace boost::asio::experimental::awaitable_operators;
  asio::io_context io;
  auto t = transport();
  sim_->call([this](Exchange&) {
    sim_->faults_unsafe().rest_delay = std::chrono::milliseconds(40);
    return 0;
  });
  std::vector<std::string> order;
  auto one = [&](const char* name, kraken::Priority pr) -> asio::awaitable<void> {
    std::string method = pr == kraken::Priority::cancel ? "CancelAll" : "Balance";
    auto r = co_await t->private_call(method, {}, pr);
    order.push_back(std::string(name) + (r ? "" : "!"));
  };
  // One query holds the key; four more and a cancel queue behind it; a sixth query gives up
  // waiting after 10 ms (a caller racing the call with a timer, as DESIGN §7 prescribes).
  for (const char* q : {"q0", "q1", "q2", "q3", "q4"}) asio::co_spawn(io, one(q, kraken::Priority::query), asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(10));
        auto r = co_await (t->private_call("Balance", {}, kraken::Priority::query) || timer.async_wait(asio::use_awaitable));
        order.push_back(r.index() == 1 ? "gave-up" : "q5");
      },
      asio::detached);
  asio::co_spawn(io, one("cancel", kraken::Priority::cancel), asio::detached);
  io.run();
  ASSERT_EQ(order.size(), 7u);
  EXPECT_EQ(order[0], "gave-up");
  EXPECT_EQ(order[1], "q0");      // it held the key
  EXPECT_EQ(order[2], "cancel");  // then the cancel, ahead of the queued queries
  EXPECT_EQ(order.back(), "q4");  // and the abandoned waiter did not stall the rest
}

TEST_F(RestTransportE2E, PublicCallsAndKrakenErrorsTravelVerbatim) {
  asio::io_context io;  // before the transport: its idle pooled sockets belong to this io_context
  auto t = transport();
  auto good = asio::co_spawn(io, t->public_call("Ticker", "pair=XBTUSD"), asio::use_future);
  auto bad = asio::co_spawn(io, t->public_call("Ticker", "pair=NOPE"), asio::use_future);
  io.run();
  EXPECT_TRUE(good.get());
  auto b = bad.get();
  ASSERT_FALSE(b);
  EXPECT_TRUE(b.error().is(errc::exchange_error));
  EXPECT_EQ(b.error().kraken->joined(), "EQuery:Unknown asset pair");
}

// Every simulator answer parses with core's typed parsers: the two sides of the wire agree.
asio::awaitable<std::vector<std::string>> typed_round_trip(kraken::KrakenRestTransport& t) {
  std::vector<std::string> problems;
  auto check = [&](const char* what, bool ok, const std::string& detail) {
    if (!ok) problems.push_back(std::string(what) + ": " + detail);
  };
  using Params = std::vector<std::pair<std::string, std::string>>;
  Params sell{{"pair", "XBTUSD"}, {"type", "sell"}, {"ordertype", "limit"}, {"volume", "0.5"}, {"price", "60000.0"}};
  auto placed = co_await t.private_call("AddOrder", std::move(sell), kraken::Priority::add);
  check("AddOrder", placed && kraken::parse_add_order(*placed).has_value(), placed ? *placed : placed.error().message());
  Params lev{{"pair", "XBTUSD"}, {"type", "sell"}, {"ordertype", "limit"}, {"volume", "0.1"}, {"price", "59000.0"}, {"leverage", "2"}};
  (void)co_await t.private_call("AddOrder", std::move(lev), kraken::Priority::add);
  for (const char* m : {"OpenOrders", "ClosedOrders"}) {
    auto r = co_await t.private_call(m, {});
    check(m, r && kraken::parse_orders(*r).has_value(), r ? *r : r.error().message());
  }
  auto th = co_await t.private_call("TradesHistory", {});
  check("TradesHistory", th && kraken::parse_trades_history(*th).has_value(), th ? *th : th.error().message());
  auto lg = co_await t.private_call("Ledgers", {});
  check("Ledgers", lg && kraken::parse_ledgers(*lg).has_value(), lg ? *lg : lg.error().message());
  auto bl = co_await t.private_call("Balance", {});
  check("Balance", bl && kraken::parse_balance(*bl).has_value(), bl ? *bl : bl.error().message());
  auto bx = co_await t.private_call("BalanceEx", {});
  check("BalanceEx", bx && kraken::parse_balance_ex(*bx).has_value(), bx ? *bx : bx.error().message());
  auto tb = co_await t.private_call("TradeBalance", {});
  check("TradeBalance", tb && kraken::parse_trade_balance(*tb).has_value(), tb ? *tb : tb.error().message());
  Params calcs{{"docalcs", "true"}};
  auto op = co_await t.private_call("OpenPositions", std::move(calcs));
  check("OpenPositions", op && kraken::parse_open_positions(*op).has_value(), op ? *op : op.error().message());
  auto tk = co_await t.public_call("Ticker", "pair=XBTUSD");
  check("Ticker", tk && kraken::parse_ticker(*tk).has_value(), tk ? *tk : tk.error().message());
  auto dp = co_await t.public_call("Depth", "pair=XBTUSD");
  check("Depth", dp && kraken::parse_depth(*dp).has_value(), dp ? *dp : dp.error().message());
  auto oh = co_await t.public_call("OHLC", "pair=XBTUSD");
  check("OHLC", oh && kraken::parse_ohlc(*oh).has_value(), oh ? *oh : oh.error().message());
  auto tr = co_await t.public_call("Trades", "pair=XBTUSD");
  check("Trades", tr && kraken::parse_trades(*tr).has_value(), tr ? *tr : tr.error().message());
  auto sp = co_await t.public_call("Spread", "pair=XBTUSD");
  check("Spread", sp && kraken::parse_spread(*sp).has_value(), sp ? *sp : sp.error().message());
  co_return problems;
}

TEST_F(RestTransportE2E, EverySimulatorAnswerParsesWithTheTypedParsers) {
  // Liquidity to trade against so trades, ledgers and a position exist.
  ASSERT_TRUE(sim_->call([](Exchange& ex) {
    const AccountId mm = ex.add_account("mm", "MMKEY", Secret("c2VjcmV0"));
    (void)ex.deposit(mm, "ZUSD", "10000000");
    AddOrderRequest r;
    r.pair = "XBTUSD";
    r.side = Side::buy;
    r.volume = "1";
    r.price = "60000.0";
    return ex.add_order(mm, r).has_value();
  }));
  asio::io_context io;  // before the transport: its idle pooled sockets belong to this io_context
  auto t = transport();
  auto fut = asio::co_spawn(io, typed_round_trip(*t), asio::use_future);
  io.run();
  const auto problems = fut.get();
  std::string all;
  for (const auto& p : problems) all += "\n  " + p.substr(0, 400);
  EXPECT_TRUE(problems.empty()) << all;
}

}  // namespace
}  // namespace kgw::sim
