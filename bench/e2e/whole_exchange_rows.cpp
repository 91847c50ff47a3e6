// Row 7: the whole exchange on one daemon. kraken-sim alone with its 22-pair catalogue plus a
// synthetic one (~1,500 pairs in all, Kraken's spot market), its synthetic flow trading every
// pair; the daemon in live mode against it (plain ws:// to loopback) subscribing every pair's
// book at depth 10, trades and tickers, keeping the last 128 trades and 64 spreads of each. Measured: the feed thread's CPU time per WS message
// (the daemon's busiest thread while no gRPC client is active; /proc's per-thread utime+stime
// over a window, divided by kgw_feed_frames_total over the same window), hence how many
// messages a second it could absorb; checksum failures and parse errors in the window (a lost
// or mangled book message fails the next checksum); RSS; and, after the simulator drops every
// WebSocket at once, the time until every book is live again with data received after the drop.

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "e2e.hpp"
#include "kgw_sim_admin.hpp"

namespace kgw::bench {
namespace {

std::int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// utime + stime of every thread of `pid`, in seconds.
std::map<int, double> thread_cpu(int pid) {
  std::map<int, double> out;
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(fmt::format("/proc/{}/task", pid), ec)) {
    std::ifstream in(e.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');  // the name may hold spaces; fields count from after it
    if (close == std::string::npos) continue;
    std::istringstream fields(text.substr(close + 2));
    std::string f;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
      if (i == 14) utime = std::atof(f.c_str());
      if (i == 15) stime = std::atof(f.c_str());
    }
    out[std::atoi(e.path().filename().c_str())] = (utime + stime) / hz;
  }
  return out;
}

// The sum of a metric's samples on the daemon's /metrics page (all label sets); -1 without it.
double metric(const std::string& metrics_url, const std::string& name) {
  const auto base = metrics_url.substr(0, metrics_url.rfind('/'));
  const auto page = test::http_request(base, net::HttpMethod::get, "/metrics");
  if (!page) return -1;
  double sum = -1;
  std::istringstream in(page->body);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name, 0) != 0) continue;
    const char next = line.size() > name.size() ? line[name.size()] : '\0';
    if (next != ' ' && next != '{') continue;
    sum = (sum < 0 ? 0 : sum) + std::atof(line.c_str() + line.rfind(' ') + 1);
  }
  return sum;
}

// Books that are live and received after `since_ns`, and how many books there are. After a
// drop, a book can only be received again over a new connection, after its resubscription and
// a snapshot whose checksum the feed verified (a book that fails it is not served as live).
std::pair<std::size_t, std::size_t> books_live(v1::Gateway::Stub& gw, std::int64_t since_ns) {
  v1::GetCacheFreshnessRequest req;
  v1::GetCacheFreshnessResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  if (!gw.GetCacheFreshness(&ctx, req, &resp).ok()) return {0, 0};
  std::size_t live = 0, books = 0;
  for (const auto& e : resp.entries()) {
    if (e.kind() != v1::CACHE_KIND_BOOK) continue;
    ++books;
    if (e.live() && e.receive_time_ns() > since_ns) ++live;
  }
  return {live, books};
}

}  // namespace

void run_whole_exchange_rows(const Options& o, Report& report) {
  const std::size_t synthetic = o.n(1478, 100);  // + the 22-pair catalogue: 1,500 pairs
  const std::size_t pairs = synthetic + catalogue_pairs().size();
  test::ChildProcess sim(leashed(o, {o.sim, "--rest-port", "0", "--ws-port", "0", "--ws-private-port", "0", "--admin-port", "0",
                                     "--tier", "pro", "--synthetic-pairs", std::to_string(synthetic), "--log-level", "warn"}),
                         std::chrono::seconds(120));
  if (!sim.ready()) {
    report.rows.push_back(skipped_row("whole exchange: every book re-validated after a total disconnect", "ws",
                                      "kraken-sim --synthetic-pairs did not start"));
    return;
  }
  std::vector<std::string> symbols = catalogue_pairs();
  for (std::size_t i = 1; i <= synthetic; ++i) symbols.push_back(fmt::format("S{:04}/USD", i));
  std::string list;
  for (const auto& s : symbols) list += (list.empty() ? "\"" : ", \"") + s + "\"";
  const std::string config = fmt::format(R"([grpc]
port = 0
unix_socket = "none"

[metrics]
enabled = true
port = 0

[kraken]
rest_url = "{}"
ws_public_url = "{}"
ws_private_url = "{}"
tier = "pro"

[feed]
pairs = [{}]
book_depth = 10
ohlc_intervals = []
ticker_trigger = "trades"
# History a whole-exchange deployment keeps per pair (at the defaults, 1024 trades and 256
# spreads, the rings alone are ~110 KB a pair, 160 MB for 1,500 pairs).
recent_trades = 128
recent_spreads = 64

[log]
level = "error"  # the drop below makes every connection log a warning
file = "{}/whole.log"
)",
                                         sim.line("rest"), sim.line("ws-public"), sim.line("ws-private"), list, o.work_dir);
  const std::string path = o.work_dir + "/whole.toml";
  std::ofstream(path) << config;
  const auto t0 = Clock::now();
  test::ChildProcess d(leashed(o, {o.gatewayd, "--config", path}), std::chrono::seconds(120));
  if (!d.ready()) {
    report.rows.push_back(skipped_row("whole exchange: every book re-validated after a total disconnect", "ws",
                                      "the daemon did not start against kraken-sim --synthetic-pairs"));
    return;
  }
  auto gw = v1::Gateway::NewStub(own_channel(d.values("grpc").at(0), 300));
  const bool synced = test::wait_until([&] { const auto [live, books] = books_live(*gw, 0); return books == pairs && live == books; },
                                       std::chrono::seconds(120));
  const double first_sync_s = std::chrono::duration<double>(Clock::now() - t0).count();
  report.notes.push_back(fmt::format("whole exchange: {} pairs {} {:.1f} s after the daemon's start", pairs,
                                     synced ? "all synced and live" : "NOT all live", first_sync_s));

  // The ingest window.
  const std::string metrics = d.line("metrics");
  const auto window = std::chrono::seconds(o.quick ? 2 : 10);
  const auto cpu0 = thread_cpu(d.pid());
  const double frames0 = metric(metrics, "kgw_feed_frames_total");
  const double bad0 = metric(metrics, "kgw_feed_checksum_failures_total") + metric(metrics, "kgw_feed_parse_errors_total");
  const auto w0 = Clock::now();
  std::this_thread::sleep_for(window);
  const auto cpu1 = thread_cpu(d.pid());
  const double frames1 = metric(metrics, "kgw_feed_frames_total");
  const double bad1 = metric(metrics, "kgw_feed_checksum_failures_total") + metric(metrics, "kgw_feed_parse_errors_total");
  const double seconds = std::chrono::duration<double>(Clock::now() - w0).count();
  double busiest = 0, total = 0;
  for (const auto& [tid, t] : cpu1) {
    const auto it = cpu0.find(tid);
    const double dt = t - (it == cpu0.end() ? 0 : it->second);
    busiest = std::max(busiest, dt);
    total += dt;
  }
  const double frames = frames1 - frames0, rate = frames / seconds;
  const long rss = d.rss_kib();
  if (frames > 0) {
    const double per_msg_us = busiest / frames * 1e6;
    report.footprint["whole_exchange_pairs"] = static_cast<double>(pairs);
    report.footprint["whole_exchange_msgs_per_s"] = rate;
    report.footprint["whole_exchange_feed_thread_us_per_msg"] = per_msg_us;
    report.footprint["whole_exchange_process_us_per_msg"] = total / frames * 1e6;
    report.footprint["whole_exchange_headroom_msgs_per_s"] = 1e6 / per_msg_us;
    report.footprint["whole_exchange_rss_mib"] = rss / 1024.0;
    report.notes.push_back(fmt::format(
        "whole exchange: {:.0f} WS msgs/s over {:.0f} s; feed thread {:.2f} us/msg (the process {:.2f} us/msg, all threads), "
        "so one core absorbs ~{:.0f} msgs/s ({:.0f}x this rate); checksum failures + parse errors in the window: {:.0f}; "
        "RSS {:.1f} MiB",
        rate, seconds, per_msg_us, total / frames * 1e6, 1e6 / per_msg_us, 1e6 / per_msg_us / rate, bad1 - bad0, rss / 1024.0));
  } else {
    report.notes.push_back("whole exchange: no feed frames counted in the window (metrics unreadable?)");
  }

  // Every WebSocket dropped at once; until every book is subscribed again, snapshot-checked and live.
  const std::int64_t dropped_at = wall_ns();
  const auto drop = Clock::now();
  if (test::sim_admin_post(sim.line("admin"), "/ws/drop") != 200) {
    report.rows.push_back(skipped_row("whole exchange: every book re-validated after a total disconnect", "ws",
                                      "the simulator refused /ws/drop"));
    return;
  }
  std::size_t live = 0, books = 0;
  const bool back = test::wait_until(
      [&] {
        std::tie(live, books) = books_live(*gw, dropped_at);
        return books == pairs && live == books;
      },
      std::chrono::seconds(60));
  const double took_us = to_us(Clock::now() - drop);
  Row r = summarize("whole exchange: every book re-validated after a total disconnect", "ws", {took_us}, back ? 0 : 1,
                    fmt::format("{} pairs{}", pairs, back ? "" : fmt::format("; only {} of {} live after 60 s", live, books)));
  report.rows.push_back(r);
}

}  // namespace kgw::bench
