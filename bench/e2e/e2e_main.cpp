// kgw-bench-e2e: the end-to-end latency bench (issue #14; bench/README.md). One run, on this
// machine: the gRPC echo floor, the gateway's cached reads and order path, stream fan-out, the
// ccxt baseline, the daemon's footprint. Writes build/<preset>/bench/e2e.json and prints a
// markdown table. `--quick` is the smoke test ctest runs (seconds; numbers meaningless).

#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "e2e.hpp"
#include "kgw/core/json_writer.hpp"

namespace kgw::bench {
namespace {

std::string num(double v) { return fmt::format("{:.1f}", v); }

std::string machine() {
  std::string model;
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  utsname u{};
  ::uname(&u);
  return fmt::format("{} vCPU, {}, Linux {}", ::sysconf(_SC_NPROCESSORS_ONLN), model, u.release);
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
  return buf;
}

void ratio(Report& r, const std::string& key, const Row* num_row, const Row* den_row, double Row::*field) {
  if (num_row && den_row && den_row->*field > 0) r.ratios[key] = num_row->*field / den_row->*field;
}

void compute_ratios(Report& r) {
  for (const std::string t : {"tcp", "unix"}) {
    ratio(r, "GetTicker/echo p50 (" + t + ")", r.find("GetTicker cached", t), r.find("echo (floor)", t), &Row::p50_us);
    ratio(r, "GetTicker/echo p99 (" + t + ")", r.find("GetTicker cached", t), r.find("echo (floor)", t), &Row::p99_us);
    ratio(r, "GetOrderBook/echo p50 (" + t + ")", r.find("GetOrderBook d10 cached", t), r.find("echo (floor)", t), &Row::p50_us);
    ratio(r, "GetBalance/echo p50 (" + t + ")", r.find("GetBalance cached", t), r.find("echo (floor)", t), &Row::p50_us);
  }
  ratio(r, "ccxt fetchTicker/GetTicker p99 (instant)", r.find("ccxt fetchTicker", "http"), r.find("GetTicker cached", "tcp"), &Row::p99_us);
  ratio(r, "ccxt fetchTicker/GetTicker p50 (instant)", r.find("ccxt fetchTicker", "http"), r.find("GetTicker cached", "tcp"), &Row::p50_us);
  ratio(r, "ccxt fetchTicker/GetTicker p50 (@2.5ms)", r.find("ccxt fetchTicker @2.5ms exchange", "http"),
        r.find("GetTicker cached @2.5ms exchange", "tcp"), &Row::p50_us);
  ratio(r, "ccxt createOrder/PlaceOrder p50 (@2.5ms)", r.find("ccxt createOrder @2.5ms exchange", "http"),
        r.find("PlaceOrder @2.5ms exchange", "tcp"), &Row::p50_us);
  ratio(r, "StreamBook x64/echo p99 (tcp)", r.find("StreamBook tick-to-client x64", "tcp"), r.find("echo (floor)", "tcp"), &Row::p99_us);
  ratio(r, "StreamBook x16 beside slow/x16 p99", r.find("StreamBook x16 beside 1 slow client", "tcp"),
        r.find("StreamBook tick-to-client x16", "tcp"), &Row::p99_us);
}

// The issue's targets, met or missed, one line each.
std::vector<std::string> targets(const Report& r) {
  std::vector<std::string> out;
  auto verdict = [&](const std::string& what, bool known, bool met, const std::string& detail) {
    out.push_back(fmt::format("- {}: {} ({})", what, !known ? "not measured" : met ? "met" : "MISSED", detail));
  };
  auto get = [&](const std::string& k) { auto it = r.ratios.find(k); return it == r.ratios.end() ? -1.0 : it->second; };
  for (const std::string t : {"tcp", "unix"}) {
    const double p50 = get("GetTicker/echo p50 (" + t + ")"), p99 = get("GetTicker/echo p99 (" + t + ")");
    verdict("cached GetTicker within 1.25x of echo at p50 and p99, " + t, p50 > 0 && p99 > 0, p50 <= 1.25 && p99 <= 1.25,
            fmt::format("p50 {:.2f}x, p99 {:.2f}x", p50, p99));
  }
  const double c99 = get("ccxt fetchTicker/GetTicker p99 (instant)");
  verdict(">= 3x lower p99 than ccxt fetchTicker, instant exchange", c99 > 0, c99 >= 3, fmt::format("{:.2f}x", c99));
  const double c50 = get("ccxt fetchTicker/GetTicker p50 (@2.5ms)");
  verdict(">= 10x lower median than ccxt fetchTicker at 2.5 ms", c50 > 0, c50 >= 10, fmt::format("{:.2f}x", c50));
  const auto internal = r.footprint.find("placeorder_gateway_internal_mean_us");
  const Row* share = r.find("  gateway + gRPC (total - upstream round trip)", "tcp");
  const Row* echo = r.find("echo (floor) at the order rate", "tcp");
  if (internal != r.footprint.end() && share && echo) {
    // Percentiles do not subtract; this difference is an estimate beside the measured mean.
    const double p50 = share->p50_us - echo->p50_us, p99 = share->p99_us - echo->p99_us;
    verdict("PlaceOrder gateway-internal p50 <= 30 us, p99 <= 80 us", true, internal->second <= 30 && p50 <= 30 && p99 <= 80,
            fmt::format("mean {:.1f} us from the daemon's own call timer; estimate from (gateway + gRPC) minus the echo "
                        "at the same pace: p50 {:.1f} us, p99 {:.1f} us",
                        internal->second, p50, p99));
  } else {
    verdict("PlaceOrder gateway-internal p50 <= 30 us, p99 <= 80 us", false, false, "no order rows");
  }
  // The same mean for each order mode of its own daemon (run_order_mode_rows).
  const std::string key = "placeorder_gateway_internal_mean_us";
  for (const auto& [k, v] : r.footprint)
    if (k.size() > key.size() && k.rfind(key, 0) == 0 && k.find("@") == std::string::npos)
      verdict("PlaceOrder gateway-internal p50 <= 30 us, p99 <= 80 us," + k.substr(key.size()), true, v <= 30,
              fmt::format("mean {:.1f} us from the daemon's own call timer", v));
  const double fan = get("StreamBook x64/echo p99 (tcp)");
  verdict("64-client fan-out tick-to-client p99 <= 2x echo p99", fan > 0, fan <= 2, fmt::format("{:.2f}x", fan));
  const auto rss = r.footprint.find("rss_mib_20_pairs_depth_100");
  verdict("RSS <= 64 MiB with 20 pairs at depth 100", rss != r.footprint.end(), rss != r.footprint.end() && rss->second <= 64,
          rss == r.footprint.end() ? "-" : fmt::format("{:.1f} MiB", rss->second));
  const Row* ready = r.find("start to ready, 5 pairs depth 10", "process");
  const Row* ready20 = r.find("start to ready, 20 pairs depth 100", "process");
  verdict("start to ready <= 1 s", ready && ready20, ready && ready20 && ready->max_us <= 1e6 && ready20->max_us <= 1e6,
          ready && ready20 ? fmt::format("max {:.0f} ms (5 pairs), {:.0f} ms (20 pairs at depth 100)", ready->max_us / 1e3,
                                         ready20->max_us / 1e3)
                           : "-");
  const auto fp = [&](const char* k) { auto it = r.footprint.find(k); return it == r.footprint.end() ? -1.0 : it->second; };
  const double per_msg = fp("whole_exchange_feed_thread_us_per_msg"), wrss = fp("whole_exchange_rss_mib");
  verdict("whole exchange: <= 0.6 us of feed-thread time per message", per_msg > 0, per_msg > 0 && per_msg <= 0.6,
          fmt::format("{:.2f} us at {:.0f} msgs/s over {:.0f} pairs", per_msg, fp("whole_exchange_msgs_per_s"), fp("whole_exchange_pairs")));
  verdict("whole exchange: RSS <= 128 MiB", wrss > 0, wrss > 0 && wrss <= 128, fmt::format("{:.1f} MiB", wrss));
  const Row* reval = r.find("whole exchange: every book re-validated after a total disconnect", "ws");
  verdict("whole exchange: every book re-validated within 10 s of a total disconnect", reval != nullptr,
          reval && reval->failures == 0 && reval->max_us <= 10e6, reval ? fmt::format("{:.2f} s", reval->max_us / 1e6) : "-");
  return out;
}

void write_json(const Options& o, const Report& r, const std::vector<std::string>& verdicts) {
  JsonWriter w;
  w.begin_object().field("date", utc_now()).field("machine", machine()).field("quick", o.quick);
  w.key("load_average_before").raw(num(r.load_before)).key("load_average_after").raw(num(r.load_after));
  w.key("rows").begin_array();
  for (const auto& row : r.rows) {
    w.begin_object().field("name", row.name).field("transport", row.transport).field("count", static_cast<std::uint64_t>(row.count));
    for (const auto& [k, v] : {std::pair{"p50_us", row.p50_us}, {"p90_us", row.p90_us}, {"p99_us", row.p99_us},
                               {"p999_us", row.p999_us}, {"max_us", row.max_us}}) {
      w.key(k);
      if (row.skipped) w.null();
      else w.raw(num(v));
    }
    w.field("failures", static_cast<std::uint64_t>(row.failures)).field("skipped", row.skipped).field("note", row.note).end_object();
  }
  w.end_array();
  w.key("ratios").begin_object();
  for (const auto& [k, v] : r.ratios) w.key(k).raw(fmt::format("{:.3f}", v));
  w.end_object();
  w.key("footprint").begin_object();
  for (const auto& [k, v] : r.footprint) w.key(k).raw(num(v));
  w.end_object();
  w.key("targets").begin_array();
  for (const auto& v : verdicts) w.value(v);
  w.end_array();
  w.key("notes").begin_array();
  for (const auto& v : r.notes) w.value(v);
  w.end_array();
  w.end_object();
  std::filesystem::create_directories(std::filesystem::path(o.out_json).parent_path());
  std::ofstream(o.out_json) << w.take() << "\n";
}

void print_markdown(const Options& o, const Report& r, const std::vector<std::string>& verdicts) {
  std::printf("\n## kgw-bench-e2e, %s%s\n\n%s; load average %.2f before, %.2f after\n\n", utc_now().c_str(),
              o.quick ? " (--quick: numbers meaningless)" : "", machine().c_str(), r.load_before, r.load_after);
  std::printf("| row | transport | count | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | note |\n|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& row : r.rows) {
    if (row.skipped) {
      std::printf("| %s | %s | 0 | - | - | - | - | - | %s |\n", row.name.c_str(), row.transport.c_str(), row.note.c_str());
      continue;
    }
    std::string note = row.note;
    if (row.failures) note += fmt::format("{}{} failed", note.empty() ? "" : "; ", row.failures);
    std::printf("| %s | %s | %zu | %.1f | %.1f | %.1f | %.1f | %.1f | %s |\n", row.name.c_str(), row.transport.c_str(), row.count,
                row.p50_us, row.p90_us, row.p99_us, row.p999_us, row.max_us, note.c_str());
  }
  std::printf("\n| ratio | value |\n|---|---|\n");
  for (const auto& [k, v] : r.ratios) std::printf("| %s | %.2f |\n", k.c_str(), v);
  std::printf("\nTargets (issue #14):\n");
  for (const auto& v : verdicts) std::printf("%s\n", v.c_str());
  if (!r.notes.empty()) std::printf("\nNotes:\n");
  for (const auto& n : r.notes) std::printf("- %s\n", n.c_str());
  std::printf("\nJSON: %s\n", o.out_json.c_str());
}

int usage() {
  std::fprintf(stderr,
               "usage: kgw-bench-e2e [--quick] [--no-ccxt] [--only STEP] [--out FILE]\n"
               "  --quick    a smoke test: a few samples per row (what ctest runs)\n"
               "  --no-ccxt  skip the ccxt baseline (no npm install, no Node)\n"
               "  --no-whole-exchange  skip row 7 (~1,500 pairs on one daemon)\n"
               "  --only STEP  run one step: footprint | gateway | streams | orders | ccxt | whole-exchange\n"
               "             (streams: the echo floor and row 4 alone; orders: PlaceOrder on a fresh\n"
               "             daemon per mode, default then busy_poll)\n"
               "  --busy-poll-cpu N  the busy_poll mode's trading.cpu (default: the last CPU; -1: not pinned)\n"
               "  --compare-gatewayd PATH  also measure the order modes' default on this kraken-gatewayd\n"
               "  --gatewayd PATH  the daemon every row measures (default: this build's), e.g. a copy of\n"
               "             the previous build for a before/after of the other rows in one session\n"
               "  --out      the JSON report (default: %s)\n",
               KGW_E2E_JSON);
  return 2;
}

}  // namespace
}  // namespace kgw::bench

int main(int argc, char** argv) {
  using namespace kgw::bench;
  Options o;
  o.busy_poll_cpu = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN)) - 1;
  std::string only;  // one step: footprint | gateway | streams | orders | ccxt | whole-exchange
  o.out_json = KGW_E2E_JSON;
  o.node_dir = KGW_E2E_NODE_DIR;
  o.gatewayd = KGW_GATEWAYD_EXE;
  o.echo_server = KGW_ECHO_EXE;
  o.sim = KGW_SIM_EXE;
  o.leash = KGW_LEASH_EXE;
  o.ccxt_script = KGW_CCXT_SCRIPT;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") o.quick = true;
    else if (a == "--no-ccxt") o.ccxt = false;
    else if (a == "--no-whole-exchange") o.whole_exchange = false;
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
    else if (a == "--out" && i + 1 < argc) o.out_json = argv[++i];
    else if (a == "--gatewayd" && i + 1 < argc) o.gatewayd = argv[++i];
    else if (a == "--compare-gatewayd" && i + 1 < argc) o.compare_gatewayd = argv[++i];
    else if (a == "--busy-poll-cpu" && i + 1 < argc) o.busy_poll_cpu = std::atoi(argv[++i]);
    else return usage();
  }
  o.work_dir = (std::filesystem::temp_directory_path() / fmt::format("kgw-bench-e2e-{}", ::getpid())).string();
  std::filesystem::create_directories(o.work_dir);

  Report report;
  report.load_before = load_average();
  auto step = [](const char* what) { std::fprintf(stderr, "kgw-bench-e2e: %s\n", what); };
  auto wanted = [&only](const char* name) { return only.empty() || only == name; };
  if (wanted("footprint")) {
    step("row 6: footprint and start to ready");
    run_footprint_rows(o, report);
  }
  // The floor: its own process, built like the daemon's server, up for the daemon's rows.
  kgw::test::ChildProcess echo(leashed(o, {o.echo_server, "--unix-socket", o.work_dir + "/echo.sock", "--lifetime-s", "900"}),
                          std::chrono::seconds(20));
  if (const auto addr = echo.values("grpc"); echo.ready() && addr.size() == 2) {
    o.echo_tcp = addr[0];
    o.echo_unix = addr[1];
  }
  if (wanted("gateway") || only == "streams") {
    step("starting kraken-gatewayd --sim");
    Daemon d(o, "gateway", daemon_config(o, "gateway", catalogue_pairs(), default_pairs(), 10));
    if (!d.ready() || !d.wait_for_feed(std::chrono::seconds(30)) || !d.wait_for_trading(std::chrono::seconds(30))) {
      report.notes.push_back("kraken-gatewayd did not become ready: rows 1-4 not measured");
    } else if (only == "streams") {
      if (!o.echo_tcp.empty()) report.rows.push_back(echo_row(o, false, o.n(500, 20), o.n(5000, 100), 1000, ""));
      step("row 4: StreamBook fan-out");
      run_stream_rows(o, d, report);
    } else {
      step("rows 1-2: echo floor and cached reads");
      run_unary_rows(o, d, report);
      step("row 3: PlaceOrder + CancelOrder");
      run_order_rows(o, d, report, "", o.n(300, 10), 30);
      step("row 5 (gateway side): 2.5 ms injected exchange latency");
      const bool injected = d.admin_post("/rest/delay?us=2500") == 200 && d.admin_post("/ws/private/delay?us=2500") == 200;
      if (injected) {
        run_cached_read_under_latency(o, d, report);
        run_order_rows(o, d, report, " @2.5ms exchange", o.n(150, 5), 15);
      } else {
        report.notes.push_back("the simulator refused the latency fault: no @2.5ms gateway rows");
      }
      (void)d.admin_post("/rest/delay?us=0");
      (void)d.admin_post("/ws/private/delay?us=0");
      step("row 4: StreamBook fan-out");
      run_stream_rows(o, d, report);
    }
  }
  if (wanted("gateway") || wanted("orders")) {
    step("row 3 beside itself: PlaceOrder per mode (default, busy_poll)");
    run_order_mode_rows(o, report, o.n(300, 10), 30);
  }
  echo.stop();
  if (wanted("ccxt")) {
    step("row 5: ccxt baseline");
    run_ccxt_rows(o, report);
  }
  if (o.whole_exchange && wanted("whole-exchange")) {
    step("row 7: the whole exchange (~1,500 pairs)");
    run_whole_exchange_rows(o, report);
  }
  report.load_after = load_average();

  compute_ratios(report);
  const auto verdicts = targets(report);
  write_json(o, report, verdicts);
  print_markdown(o, report, verdicts);
  std::filesystem::remove_all(o.work_dir);
  return 0;
}
