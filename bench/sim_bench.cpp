// Throughput of kraken-sim on one core (issue #3: >= 20,000 orders matched/s and >= 50,000 book
// updates generated/s): order entry through the Exchange (add + cancel), crossing orders that
// fill against a maintained book, and SyntheticFlow's book-changing actions.
// Run: build/release/bench/kgw_sim_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//
// Every order goes through Exchange::add_order with its Kraken validation, holds, fees and rate
// counters. The clock is a ManualClock stepped inside the loop so the per-account trading
// counters decay as they would at the simulated pace. The Exchange keeps every order and trade
// it ever saw (the query endpoints read them), and add_order and cancel_order scan all of them
// (the open-orders-per-pair limit, the txid selector), so their cost grows with the history.
// Each bench therefore runs at a stated history: `history:0` rebuilds the venue (outside the
// timing) every kFreshOrders orders, `history:N` starts from N orders and runs a fixed count.

#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kgw/sim/default_market.hpp"
#include "kgw/sim/exchange.hpp"
#include "kgw/sim/market_data.hpp"
#include "kgw/sim/kraken_ws_api.hpp"
#include "kgw/sim/synthetic_flow.hpp"

namespace {

using namespace kgw;
using namespace kgw::sim;
using namespace std::chrono_literals;

constexpr std::int64_t kFreshOrders = 1'000;
constexpr std::int64_t kHistoryIterations = 2'000;
constexpr int kLevels = 20;
constexpr std::int64_t kBestBid = 627990;  // XBTUSD mantissas (1 decimal)
constexpr std::int64_t kBestAsk = 628010;

// One exchange with a 20-level XBTUSD book per side and funded client accounts.
struct Venue {
  explicit Venue(bool market_data, kraken::Tier tier = kraken::Tier::intermediate)
      : ex({default_assets(), default_instruments(), 1, tier}, clock) {
    if (market_data) md.emplace(ex);
    pair = *ex.pair_index("XBTUSD");
    for (int i = 0; i < 8; ++i) makers.push_back(account("maker", i));
    for (int i = 0; i < 16; ++i) clients.push_back(account("client", i));
    for (int k = 0; k < kLevels; ++k) {
      rest(makers[static_cast<std::size_t>(k) % makers.size()], Side::buy, kBestBid - 10 * k);
      rest(makers[static_cast<std::size_t>(k + 1) % makers.size()], Side::sell, kBestAsk + 10 * k);
    }
  }
  AccountId account(const char* role, int i) {
    const std::string name = std::string(role) + std::to_string(i);
    const AccountId a = ex.add_account(name, name + "-key", Secret("c2VjcmV0"));
    (void)ex.deposit(a, "ZUSD", "1000000000");
    (void)ex.deposit(a, "XXBT", "100000");
    return a;
  }
  void rest(AccountId a, Side side, std::int64_t price) {
    AddOrderRequest r;
    r.pair = "XBTUSD";
    r.side = side;
    r.volume = "0.01000000";
    r.price = format_fixed(price, 1);
    if (!ex.add_order(a, r)) std::abort();
  }

  ManualClock clock;
  Exchange ex;
  std::optional<MarketData> md;
  std::size_t pair = 0;
  std::vector<AccountId> makers, clients;
};

// Resting buys below the book at 64 prices, prepared once: the bench measures the exchange, not
// the client's formatting.
std::vector<AddOrderRequest> resting_buys() {
  std::vector<AddOrderRequest> out;
  for (int i = 0; i < 64; ++i) {
    AddOrderRequest r;
    r.pair = "XBTUSD";
    r.side = Side::buy;
    r.volume = "0.01000000";
    r.price = format_fixed(600000 - 10 * i, 1);
    out.push_back(r);
  }
  return out;
}

// One add + cancel. An add costs 1 and a cancel of a young order 8 on the trading counter; with
// 16 clients used in turn and a simulated second per order each counter decays 37 between uses.
void add_cancel(Venue& v, const std::vector<AddOrderRequest>& reqs, std::int64_t i) {
  const AccountId a = v.clients[static_cast<std::size_t>(i) % v.clients.size()];
  auto r = v.ex.add_order(a, reqs[static_cast<std::size_t>(i) % reqs.size()]);
  if (!r) std::abort();
  if (!v.ex.cancel_order(a, OrderSelector{.txid = r->txid})) std::abort();
  v.clock.advance(1s);
}

void BM_ExchangeAddCancel(benchmark::State& state) {
  const auto history = state.range(0);
  const auto reqs = resting_buys();
  auto v = std::make_unique<Venue>(false);
  for (std::int64_t i = 0; i < history; ++i) add_cancel(*v, reqs, i);
  std::int64_t n = 0;
  for (auto _ : state) {
    add_cancel(*v, reqs, n);
    if (++n % kFreshOrders == 0 && history == 0) {
      state.PauseTiming();
      v = std::make_unique<Venue>(false);
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(n);  // orders placed and cancelled
}
BENCHMARK(BM_ExchangeAddCancel)->ArgName("history")->Arg(0);
BENCHMARK(BM_ExchangeAddCancel)->ArgName("history")->Arg(5'000)->Iterations(kHistoryIterations);
BENCHMARK(BM_ExchangeAddCancel)->ArgName("history")->Arg(20'000)->Iterations(kHistoryIterations);

// A client's IOC limit at the touch takes one whole maker order (alternating buy and sell); the
// maker puts the same order back, so the book stays the same. Items: crossing orders matched;
// each iteration is two add_order calls and one fill (two executions, four ledger entries).
struct Crossing {
  AddOrderRequest take;
  std::string bid = format_fixed(kBestBid, 1), ask = format_fixed(kBestAsk, 1);
  Crossing() {
    take.pair = "XBTUSD";
    take.volume = "0.01000000";
    take.tif = TimeInForce::ioc;
  }
  void operator()(Venue& v, std::int64_t n) {
    const bool buy = (n & 1) == 0;
    take.side = buy ? Side::buy : Side::sell;
    take.price = buy ? ask : bid;
    if (!v.ex.add_order(v.clients[static_cast<std::size_t>(n) % v.clients.size()], take)) std::abort();
    v.rest(v.makers[static_cast<std::size_t>(n) % v.makers.size()], buy ? Side::sell : Side::buy,
           buy ? kBestAsk : kBestBid);
    v.clock.advance(100ms);
  }
};

void BM_ExchangeMatch(benchmark::State& state) {
  const auto history = state.range(0);
  const bool with_market_data = state.range(1) != 0;
  auto v = std::make_unique<Venue>(with_market_data);
  Crossing cross;
  for (std::int64_t i = 0; i < history / 2; ++i) cross(*v, i);  // two orders each
  std::int64_t n = 0;
  for (auto _ : state) {
    cross(*v, n);
    if (++n % (kFreshOrders / 2) == 0 && history == 0) {
      state.PauseTiming();
      if (v->ex.engine(v->pair).trade_count() != static_cast<std::uint64_t>(kFreshOrders / 2)) std::abort();
      v = std::make_unique<Venue>(with_market_data);
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(n);
}
BENCHMARK(BM_ExchangeMatch)->ArgNames({"history", "market_data"})->Args({0, 0})->Args({0, 1});
BENCHMARK(BM_ExchangeMatch)->ArgNames({"history", "market_data"})->Args({20'000, 1})->Iterations(kHistoryIterations);

// SyntheticFlow on every default pair at a high pace (50 taker orders and 100 maker refreshes a
// second per pair, 32 makers on the pro tier), stepped every 10 ms of simulated time, with the
// venue rebuilt every `steps` steps. Items: book-changing actions (maker adds, amends, cancels
// and taker orders).
void BM_SyntheticFlowStep(benchmark::State& state) {
  const auto rebuild_every = state.range(0);
  struct World {
    ManualClock clock;
    Exchange ex{{default_assets(), default_instruments(), 1, kraken::Tier::pro}, clock};
    MarketData md{ex};
    SyntheticFlow flow;
    World() : flow(ex, config()) { flow.seed_book(); }
    static SyntheticFlow::Config config() {
      SyntheticFlow::Config c;
      c.seed = 42;
      c.maker_accounts = 32;
      c.taker_accounts = 16;
      c.rate_budget = 180;  // the pro tier's threshold
      for (const auto& in : default_instruments())
        c.pairs.push_back({.pair = in.rest_key, .taker_rate_per_s = 50, .refresh_rate_per_s = 100, .volatility = 2e-4});
      return c;
    }
  };
  auto w = std::make_unique<World>();
  std::uint64_t actions = 0, base = w->flow.stats().book_actions();
  std::int64_t steps = 0;
  for (auto _ : state) {
    w->clock.advance(10ms);
    w->flow.step(w->clock.wall_now());
    if (++steps % rebuild_every == 0) {
      state.PauseTiming();
      actions += w->flow.stats().book_actions() - base;
      if (!w->flow.stats().rejected.empty()) state.SkipWithError("the flow had an order rejected");
      w = std::make_unique<World>();
      base = w->flow.stats().book_actions();
      state.ResumeTiming();
    }
  }
  actions += w->flow.stats().book_actions() - base;
  state.SetItemsProcessed(static_cast<std::int64_t>(actions));
  state.counters["actions_per_step"] =
      static_cast<double>(actions) / static_cast<double>(std::max<std::int64_t>(1, steps));
}
// 100 steps: ~1,000 orders of history; 1,000 steps: ~10,000.
BENCHMARK(BM_SyntheticFlowStep)->ArgName("steps")->Arg(100)->Arg(1'000);

// The same synthetic market with one WebSocket client subscribed to book (depth 10), ticker,
// trade and ohlc on every default pair: what the simulator's WS API generates. Items: book
// update messages (each with its CRC32), the figure issue #3 asks to be >= 50,000/s.
void BM_WsBookUpdatesGenerated(benchmark::State& state) {
  struct Sink : WsClient {
    std::uint64_t id() const override { return 1; }
    bool send(std::string text) override {
      if (text.compare(0, 33, R"({"channel":"book","type":"update")") == 0) ++book_updates;
      bytes += text.size();
      return true;
    }
    std::uint64_t book_updates = 0, bytes = 0;
  };
  ManualClock clock;
  Exchange ex{{default_assets(), default_instruments(), 1, kraken::Tier::pro}, clock};
  MarketData md{ex};
  TokenStore tokens{1};
  Faults faults;
  KrakenWsApi api{ex, md, tokens, faults, {}};
  SyntheticFlow::Config c;
  c.seed = 7;
  c.maker_accounts = 32;
  c.taker_accounts = 16;
  c.rate_budget = 180;
  for (const auto& in : default_instruments())
    c.pairs.push_back({.pair = in.rest_key, .taker_rate_per_s = 50, .refresh_rate_per_s = 100, .volatility = 2e-4});
  SyntheticFlow flow(ex, c);
  flow.seed_book();
  auto sink = std::make_shared<Sink>();
  api.on_open(sink);
  for (const char* ch : {"book", "ticker", "trade"})
    api.on_message(sink, std::string(R"({"method":"subscribe","params":{"channel":")") + ch +
                             R"(","symbol":["BTC/USD","ETH/USD","SOL/USD","BTC/EUR","ETH/BTC"]}})");
  api.on_message(sink, R"({"method":"subscribe","params":{"channel":"ohlc","interval":1,"symbol":["BTC/USD","ETH/USD"]}})");
  const std::uint64_t base = sink->book_updates;
  for (auto _ : state) {
    clock.advance(10ms);
    flow.step(clock.wall_now());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(sink->book_updates - base));
  state.counters["bytes_per_update"] =
      static_cast<double>(sink->bytes) / static_cast<double>(std::max<std::uint64_t>(1, sink->book_updates));
}
BENCHMARK(BM_WsBookUpdatesGenerated)->Iterations(2000);

}  // namespace
