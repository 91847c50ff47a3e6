// The order manager's order path (issue #11), with latency percentiles:
//  - BM_OmsOrderPathInside: a place() taken on the oms thread until its add_order frame is handed
//    to the private WebSocket (checks, cl_ord_id, deadline, ledger, trading-counter charge, frame
//    building), no network; target p50 <= 10 us, p99 <= 40 us.
//  - BM_OmsAddOrderRoundTrip/ws and /rest: a limit order through the whole OrderManager to an
//    in-process kraken-sim on loopback and back, over the private WebSocket and over REST, in one
//    run (each order is cancelled again off the clock).
// Run: make bench (or build/release/bench/kgw_oms_bench).

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <thread>
#include <vector>

#include "kgw/oms/order_entry.hpp"
#include "kgw/oms/order_manager.hpp"
#include "kgw/sim/default_market.hpp"
#include "kgw/sim/simulator.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using kgw::kraken::OrderRequest;

// Percentiles of a run, as counters next to Google Benchmark's own figures.
void report(benchmark::State& state, std::vector<double> us) {
  if (us.empty()) return;
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[std::min(us.size() - 1, static_cast<std::size_t>(q * static_cast<double>(us.size())))]; };
  state.counters["p50_us"] = at(0.50);
  state.counters["p90_us"] = at(0.90);
  state.counters["p99_us"] = at(0.99);
  state.counters["p99.9_us"] = at(0.999);
  state.counters["max_us"] = us.back();
  state.counters["samples"] = static_cast<double>(us.size());
}

OrderRequest order(std::size_t i) {
  OrderRequest o;
  o.pair = "BTC/USD";
  o.side = kgw::kraken::Side::buy;
  o.type = kgw::kraken::OrderType::limit;
  o.volume = "0.001";
  o.price = (i % 2) ? "30000.0" : "30000.1";
  return o;
}

void BM_OmsOrderPathInside(benchmark::State& state) {
  kgw::InstrumentRegistry registry;
  if (!registry.load(kgw::sim::default_assets(), kgw::sim::default_instruments())) std::abort();
  // The REST service is only the rate governor's home here: nothing is sent over it. Its clock
  // moves a second per order, so the trading counter (3.75/s decay) never refuses one.
  kgw::ManualClock clock;
  kgw::kraken::RestTransportOptions ro;
  ro.http.base_url = "http://127.0.0.1:9";
  ro.governor.tier = kgw::kraken::Tier::pro;
  auto rest = kgw::kraken::KrakenRestService::start(ro, clock).value();
  asio::io_context io;
  Clock::time_point sent{};
  std::int64_t req_id = 0;
  kgw::oms::OrderEntry* entry = nullptr;
  kgw::oms::OrderEntry::Hooks hooks;
  hooks.ws_ready = [] { return true; };
  hooks.ws_send = [&](std::string_view) {
    sent = Clock::now();
    // The answer, as the private session would deliver it: the order is acknowledged at once.
    asio::post(io, [&, id = req_id] {
      kgw::kraken::MethodReply r;
      r.method = "add_order";
      r.success = true;
      r.req_id = id;
      r.result = R"({"order_id":"OABCDE-FGHIJ-KLMNOP"})";
      entry->on_reply(r, clock.mono_now());
    });
    return true;
  };
  hooks.next_req_id = [&] { return ++req_id; };
  hooks.ws_token = [] { return std::string("token"); };
  kgw::oms::OrderEntryOptions opt;
  opt.max_rate_wait = 0ms;
  kgw::oms::OrderEntry e(io.get_executor(), opt, *rest, registry, clock, hooks);
  entry = &e;
  std::vector<double> us;
  std::size_t i = 0;
  for (auto _ : state) {
    OrderRequest o = order(i++);
    bool done = false;
    io.restart();  // it stopped when the previous order left it without work
    const auto start = Clock::now();
    asio::co_spawn(io, e.place(std::move(o), kgw::oms::Route::automatic), [&](std::exception_ptr, auto r) {
      done = true;
      if (!r) state.SkipWithError(r.error().message().c_str());
    });
    while (!done && io.run_one() > 0) {
    }
    if (!done) {
      state.SkipWithError("the order never completed");
      break;
    }
    us.push_back(std::chrono::duration<double, std::micro>(sent - start).count());
    clock.advance(1s);
  }
  report(state, us);
}

// The whole round trip, place to answer, against kraken-sim.
void BM_OmsAddOrderRoundTrip(benchmark::State& state) {
  const auto route = state.range(0) == 0 ? kgw::oms::Route::ws_only : kgw::oms::Route::rest_only;
  kgw::sim::SimulatorOptions so;
  so.synthetic_flow = false;
  so.tier = kgw::kraken::Tier::pro;
  kgw::sim::Simulator sim(so);
  auto ep = sim.start().value();
  kgw::InstrumentRegistry registry;
  if (!registry.load(kgw::sim::default_assets(), kgw::sim::default_instruments())) std::abort();
  kgw::kraken::RestTransportOptions ro;
  ro.http.base_url = ep.rest;
  ro.credentials = kgw::kraken::RestCredentials{kgw::Secret(ep.api_key), kgw::Secret(ep.api_secret)};
  ro.governor.tier = kgw::kraken::Tier::pro;
  auto rest = kgw::kraken::KrakenRestService::start(ro, kgw::SystemClock::instance()).value();
  rest->set_registry(&registry);
  kgw::oms::OrderManagerOptions oo;
  oo.ws_private_url = ep.ws_private;
  kgw::kraken::ConnectBudget budget;
  oo.connect_budget = &budget;
  kgw::oms::OrderManager om(oo, *rest, registry, kgw::SystemClock::instance());
  if (!om.start()) std::abort();
  for (int i = 0; i < 500 && !om.private_session_up(); ++i) std::this_thread::sleep_for(10ms);
  // IOC buys far below the market on the five default pairs in turn: each is answered and gone at
  // once (nothing rests, nothing to cancel), and 400 adds spread over five pairs' trading counters
  // stay under pro's threshold of 180.
  const std::vector<std::array<const char*, 3>> pairs = {{"BTC/USD", "0.001", "30000.0"},
                                                         {"ETH/USD", "0.01", "1500.00"},
                                                         {"SOL/USD", "0.1", "70.00"},
                                                         {"BTC/EUR", "0.001", "30000.0"},
                                                         {"ETH/BTC", "0.01", "0.02500"}};
  std::vector<double> us;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& p = pairs[i++ % pairs.size()];
    OrderRequest o;
    o.pair = p[0];
    o.side = kgw::kraken::Side::buy;
    o.type = kgw::kraken::OrderType::limit;
    o.volume = p[1];
    o.price = p[2];
    o.time_in_force = kgw::kraken::TimeInForce::ioc;
    const auto start = Clock::now();
    auto r = om.wait<kgw::oms::PlacedOrder>([&](auto done) { om.place(o, route, done); });
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    if (!r) {
      state.SkipWithError(r.error().message().c_str());
      break;
    }
  }
  report(state, us);
  om.stop();
  sim.stop();
}

}  // namespace

BENCHMARK(BM_OmsOrderPathInside)->Iterations(2000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_OmsAddOrderRoundTrip)->Arg(0)->Arg(1)->Iterations(200)->Unit(benchmark::kMicrosecond)->UseRealTime();
