// Row 3: PlaceOrder + CancelOrder through the gateway to the embedded simulator's private WS v2,
// split with what the reply carries: Kraken's time_in/time_out (exchange time) and the
// gateway's round trip to Kraken (round_trip_ns: from the frame handed to the private socket's
// writer to the reply read off it, nothing of the gateway's own work). What remains of the
// client's wait is the gateway plus the gRPC hop; the daemon's server-side call timer
// (kgw_rpc_duration_seconds, from its /metrics) minus the round trip is the gateway's share
// without the gRPC transport: parsing and checks, the hand-off to the order manager's thread
// and back, building the frame and the answer.

#include <fmt/format.h>

#include <cstdlib>

#include "e2e.hpp"
#include "kgw/core/decimal.hpp"
#include "kgw_sim_admin.hpp"

namespace kgw::bench {
namespace {

constexpr auto kDeadline = std::chrono::seconds(5);
__extension__ using Wide = __int128;  // price x volume at pair + lot decimals

// One tradable pair and an order that rests without filling: a post-only buy at 80% of the
// best bid, of the smallest size Kraken takes there.
struct Target {
  std::string pair, price, volume;
};

std::optional<Target> target_for(v1::MarketData::Stub& md, const v1::AssetPair& ap) {
  v1::GetOrderBookRequest req;
  req.set_pair(ap.wsname());
  req.set_depth(10);
  v1::GetOrderBookResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kDeadline);
  if (!md.GetOrderBook(&ctx, req, &resp).ok() || resp.bids_size() == 0) return std::nullopt;
  const int pd = ap.pair_decimals(), ld = ap.lot_decimals();
  const auto bid = parse_fixed(resp.bids(0).price(), pd);
  const auto min = parse_fixed(ap.ordermin().empty() ? "0" : ap.ordermin(), ld);
  if (!bid || !min || *bid <= 0) return std::nullopt;
  const std::int64_t price = *bid * 4 / 5;
  std::int64_t volume = *min > 0 ? *min : 1;
  // costmin is in quote units: price * volume (at pd + ld decimals) must reach it, with margin.
  if (!ap.costmin().empty()) {
    if (const auto cost_min = parse_fixed(ap.costmin(), pd + ld)) {
      const std::int64_t step = volume;
      for (int i = 0; i < 10000 && static_cast<Wide>(price) * volume * 10 < static_cast<Wide>(*cost_min) * 11; ++i)
        volume += step;
    }
  }
  return Target{ap.wsname(), format_fixed(price, pd), format_fixed(volume, ld)};
}

struct Metric {
  double sum = 0, count = 0;
};

// kgw_rpc_duration_seconds{code="0",method=...} sum and count from the daemon's /metrics page.
Metric rpc_metric(const std::string& metrics_url, const std::string& method) {
  Metric m;
  const auto base = metrics_url.substr(0, metrics_url.rfind('/'));
  const auto page = test::http_request(base, net::HttpMethod::get, "/metrics");
  if (!page) return m;
  const std::string labels = fmt::format(R"({{code="0",method="{}"}})", method);
  for (const auto& [suffix, out] : {std::pair{"_sum", &m.sum}, std::pair{"_count", &m.count}}) {
    const std::string key = std::string("kgw_rpc_duration_seconds") + suffix + labels + " ";
    if (const auto at = page->body.find(key); at != std::string::npos) *out = std::strtod(page->body.c_str() + at + key.size(), nullptr);
  }
  return m;
}

}  // namespace

void run_order_rows(const Options& o, Daemon& d, Report& report, const std::string& label, std::size_t count, double rate) {
  auto md = v1::MarketData::NewStub(d.channel(false, 5));
  auto trading = v1::Trading::NewStub(d.channel(false, 6));

  // The pairs an order can rest on (the trading counter is per pair: spreading the orders over
  // the catalogue keeps every pair under Kraken's limit).
  std::vector<Target> targets;
  {
    v1::GetAssetPairsRequest req;
    v1::GetAssetPairsResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kDeadline);
    if (md->GetAssetPairs(&ctx, req, &resp).ok())
      for (const auto& ap : resp.pairs())
        if (auto t = target_for(*md, ap)) targets.push_back(*t);
  }

  std::vector<double> place, cancel, share, exchange, wire, upstream;
  std::size_t failures = 0, next = 0;
  std::string first_error, first_dropped;
  auto place_and_cancel = [&](Clock::time_point intended, bool record) -> bool {
    if (targets.empty()) return false;
    const Target& t = targets[next++ % targets.size()];
    v1::PlaceOrderRequest req;
    req.set_pair(t.pair);
    req.set_side(v1::SIDE_BUY);
    req.set_order_type(v1::ORDER_TYPE_LIMIT);
    req.set_price(t.price);
    req.set_volume(t.volume);
    req.set_post_only(true);
    v1::PlaceOrderResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kDeadline);
    const auto st = trading->PlaceOrder(&ctx, req, &resp);
    const auto placed = Clock::now();
    if (!st.ok()) {
      std::string& e = record ? first_error : first_dropped;
      if (e.empty()) e = t.pair + ": " + st.error_message();
      return false;
    }
    v1::CancelOrderRequest creq;
    creq.set_txid(resp.order_id());
    v1::CancelOrderResponse cresp;
    grpc::ClientContext cctx;
    cctx.set_deadline(std::chrono::system_clock::now() + kDeadline);
    const bool cancelled = trading->CancelOrder(&cctx, creq, &cresp).ok();
    const auto done = Clock::now();
    if (!record) return true;
    const double total = to_us(placed - intended), rt = static_cast<double>(resp.round_trip_ns()) / 1e3;
    place.push_back(total);
    upstream.push_back(rt);
    share.push_back(total - rt);
    if (resp.exchange_receive_time_ns() > 0 && resp.exchange_send_time_ns() >= resp.exchange_receive_time_ns()) {
      const double ex = static_cast<double>(resp.exchange_send_time_ns() - resp.exchange_receive_time_ns()) / 1e3;
      exchange.push_back(ex);
      wire.push_back(rt - ex);
    }
    if (cancelled) cancel.push_back(to_us(done - placed));
    else ++failures;
    return true;
  };

  // Warm-up: one order per pair; a pair the account cannot trade (no funds in its quote) drops out.
  const std::size_t candidates = targets.size();
  std::vector<Target> usable;
  for (std::size_t i = 0, n = targets.size(); i < n; ++i) {
    next = i;
    if (place_and_cancel(Clock::now(), false)) usable.push_back(targets[i]);
  }
  targets = usable;
  next = 0;
  // The floor at the orders' own pace: a client idle for 33 ms between calls pays wake-ups that a
  // client calling 1000 times a second does not, so the order rows are compared with this one.
  if (label.empty() && !o.echo_tcp.empty())
    report.rows.push_back(echo_row(o, false, 10, std::max<std::size_t>(count / 2, 10), rate, " at the order rate"));
  const Metric before = rpc_metric(d.process().line("metrics"), "/kgw.v1.Trading/PlaceOrder");
  Schedule schedule(rate);
  for (std::size_t i = 0; i < count && !targets.empty(); ++i)
    if (!place_and_cancel(schedule.wait(), true)) ++failures;
  const Metric after = rpc_metric(d.process().line("metrics"), "/kgw.v1.Trading/PlaceOrder");

  const std::size_t dropped = candidates - targets.size();
  std::string note = fmt::format("{:.0f}/s open loop over {} pairs", rate, targets.size());
  if (dropped > 0) note += fmt::format(" ({} refused at warm-up, e.g. {})", dropped, first_dropped);
  if (!first_error.empty()) note += "; first error: " + first_error;
  double rt_mean = 0;
  for (double v : upstream) rt_mean += v;
  if (!upstream.empty()) rt_mean /= static_cast<double>(upstream.size());
  report.rows.push_back(summarize("PlaceOrder" + label, "tcp", place, failures, note));
  report.rows.push_back(summarize("  gateway + gRPC (total - upstream round trip)" + label, "tcp", share));
  report.rows.push_back(summarize("  upstream round trip (gateway -> sim -> gateway)" + label, "ws", upstream));
  report.rows.push_back(summarize("  exchange (time_out - time_in)" + label, "sim", exchange));
  report.rows.push_back(summarize("  wire + sim I/O (round trip - exchange)" + label, "ws", wire));
  report.rows.push_back(summarize("CancelOrder" + label, "tcp", cancel, 0, "sent as soon as PlaceOrder returned"));
  const double calls = after.count - before.count;
  if (calls > 0 && !upstream.empty()) {
    const double server_us = (after.sum - before.sum) / calls * 1e6;
    // The same timer on a cached read, which never leaves its gRPC thread: what a call costs the
    // server without the hand-off to the order manager's thread and back.
    const Metric ticker = rpc_metric(d.process().line("metrics"), "/kgw.v1.MarketData/GetTicker");
    const double ticker_us = ticker.count > 0 ? ticker.sum / ticker.count * 1e6 : 0;
    if (ticker_us > 0) report.footprint["getticker_server_mean_us"] = ticker_us;
    report.footprint["placeorder_server_mean_us" + label] = server_us;
    report.footprint["placeorder_gateway_internal_mean_us" + label] = server_us - rt_mean;
    std::string timer_note = fmt::format(
        "PlaceOrder{}: the daemon's own call timer (kgw_rpc_duration_seconds, {} calls) says {:.1f} us "
        "per call on the server, of which {:.1f} us is the upstream round trip: {:.1f} us gateway-internal "
        "(mean; includes the hop to the order manager's thread and back)",
        label, static_cast<long>(calls), server_us, rt_mean, server_us - rt_mean);
    // A daemon of its own (the order modes) served no GetTicker to compare with.
    if (ticker.count > 0)
      timer_note += fmt::format("; a cached GetTicker costs the same timer {:.1f} us ({} calls), with no hop", ticker_us,
                                static_cast<long>(ticker.count));
    report.notes.push_back(std::move(timer_note));
  }
}

void run_order_mode_rows(const Options& o, Report& report, std::size_t count, double rate) {
  struct Mode {
    std::string name, label, trading, exe;
  };
  std::vector<Mode> modes{{"orders-default", " (default)", "", ""}};
  std::string busy = "busy_poll = true\n";
  std::string busy_label = " (busy_poll";
  if (o.busy_poll_cpu >= 0) {
    busy += fmt::format("cpu = {}\n", o.busy_poll_cpu);
    busy_label += fmt::format(", oms thread on CPU {}", o.busy_poll_cpu);
  }
  modes.push_back({"orders-busy-poll", busy_label + ")", busy, ""});
  if (!o.compare_gatewayd.empty()) modes.push_back({"orders-compare", " (--compare-gatewayd)", "", o.compare_gatewayd});
  for (const auto& m : modes) {
    // One daemon at a time: a spinning oms thread would take a CPU from the other's run.
    std::string config = daemon_config(o, m.name, catalogue_pairs(), default_pairs(), 10);
    if (!m.trading.empty()) config += "\n[trading]\n" + m.trading;
    Daemon d(o, m.name, config, m.exe);
    if (!d.ready() || !d.wait_for_feed(std::chrono::seconds(30)) || !d.wait_for_trading(std::chrono::seconds(30))) {
      report.notes.push_back("PlaceOrder" + m.label + ": kraken-gatewayd did not become ready: not measured");
      continue;
    }
    report.notes.push_back(fmt::format("PlaceOrder{}: load average {:.2f} when its daemon was ready", m.label, load_average()));
    run_order_rows(o, d, report, m.label, count, rate);
  }
}

}  // namespace kgw::bench
