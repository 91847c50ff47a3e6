// Micro benches for the account view's per-event cost (issue #11): reading a documented
// executions trade frame, and AccountView::on_frame of an executions update with N open orders
// (parse, merge into the order, publish a new snapshot, number and queue the event), and what a
// reader pays to look an order up. Heap allocations inside the timed loops are counted (global
// operator new of this executable).
// Run: build/release/bench/kgw_oms_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "kgw/core/kraken/private_channels.hpp"
#include "kgw/oms/account_view.hpp"

#include "kgw_alloc_count.hpp"  // this executable's operator new, counted

namespace {

using kgw::oms::AccountView;

std::string fixture(const std::string& name) {
  const std::string path = std::string(KGW_SHARED_DIR) + "/kraken/fixtures/ws_v2/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

const kgw::InstrumentRegistry& registry() {
  static const kgw::InstrumentRegistry* r = [] {
    auto* reg = new kgw::InstrumentRegistry;
    kgw::Asset btc, usd;
    btc.id = "XXBT";
    btc.altname = "XBT";
    usd.id = "ZUSD";
    usd.altname = "USD";
    kgw::Instrument pair;
    pair.rest_key = "XXBTZUSD";
    pair.altname = "XBTUSD";
    pair.wsname = "XBT/USD";
    pair.base_asset = "XXBT";
    pair.quote_asset = "ZUSD";
    pair.price_precision = 1;
    (void)reg->load({btc, usd}, {pair});
    return reg;
  }();
  return *r;
}

void BM_ParseExecutionsTradeFrame(benchmark::State& state) {
  const std::string text = fixture("docs_executions_update_trade.json");
  simdjson::padded_string padded(text);
  kgw::kraken::PrivateChannelParser parser;
  (void)parser.parse(padded);  // warm-up: items and their strings sized
  const std::uint64_t a0 = g_allocations.load();
  for (auto _ : state) {
    auto r = parser.parse(padded);
    benchmark::DoNotOptimize(r);
  }
  state.counters["allocs_per_frame"] =
      benchmark::Counter(static_cast<double>(g_allocations.load() - a0) / static_cast<double>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseExecutionsTradeFrame);

// A view with `open` open orders, connected, snapshots in; then executions updates from
// `frames` (sequence 2, 3, ...). When they run out the view is resubscribed, untimed.
class Rig {
 public:
  Rig(std::size_t open, std::vector<std::string> frames) : frames_(std::move(frames)) {
    std::string orders;
    for (std::size_t i = 0; i < open; ++i)
      orders += fmt::format(R"({}{{"order_id":"O{:05}-AAAAA-BBBBBB","exec_type":"new","order_status":"new","symbol":"BTC/USD",)"
                            R"("side":"buy","order_type":"limit","order_qty":0.5,"limit_price":30000.0,"cl_ord_id":"cl-{}",)"
                            R"("timestamp":"2023-09-22T10:33:05.709950Z"}})",
                            i ? "," : "", i, i);
    snapshot_ = R"({"channel":"executions","type":"snapshot","data":[)" + orders + R"(],"sequence":1})";
    resubscribe();
  }
  void resubscribe() {
    (void)view_.subscription_requests("TOKEN", 1, 2);
    (void)view_.on_frame(snapshot_, kgw::SystemClock::instance().wall_now());
    (void)view_.on_frame(std::string(R"({"channel":"balances","type":"snapshot","data":[],"sequence":1})"),
                         kgw::SystemClock::instance().wall_now());
    next_ = 0;
  }
  const std::string* next() { return next_ < frames_.size() ? &frames_[next_++] : nullptr; }
  AccountView& view() { return view_; }

 private:
  boost::asio::io_context io_;
  AccountView view_{io_.get_executor(), registry(), kgw::SystemClock::instance()};
  std::vector<std::string> frames_;
  std::string snapshot_;
  std::size_t next_ = 0;
};

template <class MakeItem>
std::vector<std::string> updates(std::size_t n, MakeItem make) {
  std::vector<std::string> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(fmt::format(R"({{"channel":"executions","type":"update","data":[{}],"sequence":{}}})", make(i), i + 2));
  return out;
}

void run(benchmark::State& state, Rig& rig) {
  const kgw::WallTime t = kgw::SystemClock::instance().wall_now();
  std::uint64_t allocs = 0;
  for (auto _ : state) {
    const std::string* f = rig.next();
    if (!f) {
      state.PauseTiming();
      rig.resubscribe();
      f = rig.next();
      state.ResumeTiming();
    }
    const std::uint64_t a0 = g_allocations.load(std::memory_order_relaxed);
    auto r = rig.view().on_frame(*f, t);
    allocs += g_allocations.load(std::memory_order_relaxed) - a0;
    benchmark::DoNotOptimize(r);
  }
  state.counters["allocs_per_frame"] = benchmark::Counter(static_cast<double>(allocs) / static_cast<double>(state.iterations()));
}

// An order event on an open order (amended: stays open), as the `new` / `amended` / status
// events of a live order are.
void BM_OnFrameOrderUpdate(benchmark::State& state) {
  const auto open = static_cast<std::size_t>(state.range(0));
  Rig rig(open, updates(1 << 15, [open](std::size_t i) {
            return fmt::format(R"({{"order_id":"O{:05}-AAAAA-BBBBBB","exec_type":"amended","order_status":"new",)"
                               R"("order_qty":0.{},"amended":true,"timestamp":"2023-09-22T10:33:06.000001Z"}})",
                               open ? i % open : 0, 1 + i % 9);
          }));
  run(state, rig);
}
BENCHMARK(BM_OnFrameOrderUpdate)->Arg(1)->Arg(10)->Arg(100)->Arg(1000);

// A trade on an open order: a new fill (ring, dedupe set, fill event) and the order's update.
void BM_OnFrameTrade(benchmark::State& state) {
  const auto open = static_cast<std::size_t>(state.range(0));
  Rig rig(open, updates(1 << 15, [open](std::size_t i) {
            return fmt::format(R"({{"order_id":"O{:05}-AAAAA-BBBBBB","exec_id":"T{:07}-HT5LX-J3BZ4A","exec_type":"trade",)"
                               R"("trade_id":{},"symbol":"BTC/USD","side":"buy","last_qty":0.00001,"last_price":26599.9,)"
                               R"("liquidity_ind":"m","cost":0.266,"order_status":"partially_filled","cum_qty":0.1,)"
                               R"("cum_cost":2660.0,"avg_price":26599.9,"fee_usd_equiv":0.001,"fees":[{{"asset":"USD","qty":0.001}}],)"
                               R"("timestamp":"2023-09-22T10:33:05.709993Z"}})",
                               open ? i % open : 0, i, 62887576 + i);
          }));
  run(state, rig);
}
BENCHMARK(BM_OnFrameTrade)->Arg(10)->Arg(100);

// What any reader pays: take the snapshot, find an open order by cl_ord_id.
void BM_ReaderFindsAnOpenOrder(benchmark::State& state) {
  Rig rig(100, {});
  for (auto _ : state) {
    auto s = rig.view().snapshot();
    auto o = s->open_orders->find_by_cl_ord_id("cl-42");
    benchmark::DoNotOptimize(o);
  }
}
BENCHMARK(BM_ReaderFindsAnOpenOrder);

}  // namespace
