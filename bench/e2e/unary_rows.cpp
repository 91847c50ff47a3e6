// Rows 1 and 2 (and the gateway's side of row 5): the bare gRPC echo floor and the cached reads,
// over TCP and the unix socket, taken in turn on one schedule so that all see the same machine
// (the same stalls); then the same
// cached read with 2.5 ms of exchange latency injected (a cached read never waits for Kraken).

#include <fmt/format.h>

#include "e2e.hpp"
#include "echo.grpc.pb.h"

namespace kgw::bench {
namespace {

constexpr auto kDeadline = std::chrono::seconds(5);

// One call; false with the status in `error` when it failed.
template <class Req, class Resp, class Fn>
bool unary(Fn&& fn, const Req& req, std::string& error) {
  Resp resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kDeadline);
  const auto st = fn(&ctx, req, &resp);
  if (!st.ok()) error = std::to_string(st.error_code()) + " " + st.error_message();
  return st.ok();
}

}  // namespace

Row echo_row(const Options& o, bool uds, std::size_t warm, std::size_t count, double rate, const std::string& label) {
  auto stub = kgw::bench::Echo::NewStub(own_channel(uds ? o.echo_unix : o.echo_tcp, 1));
  kgw::bench::EchoRequest ping;
  ping.set_msg("hello-kraken");
  auto fn = [&](auto* c, const auto& rq, auto* rs) { return stub->Ping(c, rq, rs); };
  return paced("echo (floor)" + label, uds ? "unix" : "tcp", warm, count, rate,
               [&](std::string& e) { return unary<kgw::bench::EchoRequest, kgw::bench::EchoReply>(fn, ping, e); },
               fmt::format("{:.0f}/s open loop", rate));
}

void run_unary_rows(const Options& o, Daemon& d, Report& report) {
  if (o.echo_tcp.empty()) report.notes.push_back("the echo server did not start: no floor rows");
  const std::size_t warm = o.n(500, 20), count = o.n(5000, 100);
  const double rate = 1000;  // calls/s: well under one client's ~5.6k/s capacity (FLOORS.md §2)

  v1::GetTickerRequest ticker;
  ticker.add_pairs("BTC/USD");
  ticker.mutable_read()->set_policy(v1::READ_POLICY_CACHE_ONLY);
  v1::GetOrderBookRequest book;
  book.set_pair("BTC/USD");
  book.set_depth(10);
  book.mutable_read()->set_policy(v1::READ_POLICY_CACHE_ONLY);
  v1::GetBalanceRequest balance;
  balance.mutable_read()->set_policy(v1::READ_POLICY_CACHE_ONLY);

  const std::string note = fmt::format("{:.0f}/s open loop, the calls in turn", rate);
  for (const bool uds : {false, true}) {
    const std::string transport = uds ? "unix" : "tcp";
    auto md = v1::MarketData::NewStub(d.channel(uds, 2));
    auto acct = v1::Account::NewStub(d.channel(uds, 3));
    auto ticker_fn = [&](auto* c, const auto& rq, auto* rs) { return md->GetTicker(c, rq, rs); };
    auto book_fn = [&](auto* c, const auto& rq, auto* rs) { return md->GetOrderBook(c, rq, rs); };
    auto balance_fn = [&](auto* c, const auto& rq, auto* rs) { return acct->GetBalance(c, rq, rs); };
    std::vector<std::string> names;
    std::vector<std::function<bool(std::string&)>> calls;
    std::unique_ptr<kgw::bench::Echo::Stub> echo;
    kgw::bench::EchoRequest ping;
    ping.set_msg("hello-kraken");
    auto ping_fn = [&](auto* c, const auto& rq, auto* rs) { return echo->Ping(c, rq, rs); };
    if (!o.echo_tcp.empty()) {
      echo = kgw::bench::Echo::NewStub(own_channel(uds ? o.echo_unix : o.echo_tcp, 1));
      names.push_back("echo (floor)");
      calls.push_back([&](std::string& e) { return unary<kgw::bench::EchoRequest, kgw::bench::EchoReply>(ping_fn, ping, e); });
    }
    names.push_back("GetTicker cached");
    calls.push_back([&](std::string& e) { return unary<v1::GetTickerRequest, v1::GetTickerResponse>(ticker_fn, ticker, e); });
    names.push_back("GetOrderBook d10 cached");
    calls.push_back([&](std::string& e) { return unary<v1::GetOrderBookRequest, v1::GetOrderBookResponse>(book_fn, book, e); });
    names.push_back("GetBalance cached");
    calls.push_back([&](std::string& e) { return unary<v1::GetBalanceRequest, v1::GetBalanceResponse>(balance_fn, balance, e); });
    for (auto& row : paced_in_turn(names, transport, warm, count, rate, calls, note)) report.rows.push_back(std::move(row));
  }
}

// Row 5, the gateway's side: the cached read while the exchange answers 2.5 ms late.
void run_cached_read_under_latency(const Options& o, Daemon& d, Report& report) {
  auto md = v1::MarketData::NewStub(d.channel(false, 4));
  v1::GetTickerRequest ticker;
  ticker.add_pairs("BTC/USD");
  ticker.mutable_read()->set_policy(v1::READ_POLICY_CACHE_ONLY);
  auto fn = [&](auto* c, const auto& rq, auto* rs) { return md->GetTicker(c, rq, rs); };
  report.rows.push_back(paced("GetTicker cached @2.5ms exchange", "tcp", o.n(200, 10), o.n(3000, 50), 1000,
                              [&](std::string& e) { return unary<v1::GetTickerRequest, v1::GetTickerResponse>(fn, ticker, e); },
                              "1000/s open loop; sim REST and WS private +2.5 ms"));
}

}  // namespace kgw::bench
