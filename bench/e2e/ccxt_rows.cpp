// Row 5: the baseline users would otherwise pick — ccxt (Node) straight against kraken-sim's
// REST, with the simulator answering at once and with 2.5 ms of injected exchange latency
// (Kraken's published best-path order round trip, P25). ccxt comes from the npm registry,
// installed into the build tree on first use; without npm or the registry the rows say so and
// carry no numbers. kraken-sim runs alone here (its own demo account, so ccxt's nonces never
// race the gateway's).

#include <fmt/format.h>

#include <filesystem>
#include <sstream>

#include "e2e.hpp"
#include "kgw_sim_admin.hpp"

namespace kgw::bench {
namespace {

constexpr const char* kCcxtVersion = "4.5.84";  // the version FLOORS.md measured

std::string last_line(const std::string& text) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  const auto nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

// Installs ccxt under node_dir unless it is there; an empty string when it is usable, else why not.
std::string install_ccxt(const Options& o) {
  if (std::filesystem::exists(o.node_dir + "/node_modules/ccxt/package.json")) return {};
  if (test::run_process("command -v node >/dev/null && command -v npm >/dev/null").status != 0)
    return "ccxt not installable (node or npm missing)";
  std::filesystem::create_directories(o.node_dir);
  const auto p = test::run_process(fmt::format(
      "timeout 240 npm install --prefix '{}' --no-audit --no-fund --no-save --loglevel=error ccxt@{} 2>&1", o.node_dir, kCcxtVersion));
  if (p.status == 0 && std::filesystem::exists(o.node_dir + "/node_modules/ccxt/package.json")) return {};
  return fmt::format("ccxt not installable (no network?): npm said '{}'", last_line(p.out));
}

Row ccxt_row(const Options& o, const std::string& name, const test::ChildProcess& sim, const std::string& mode,
             std::size_t warm, std::size_t count, double rate, const std::string& note) {
  const auto p = test::run_process(fmt::format("timeout 300 node '{}' '{}' '{}' '{}' '{}' {} {} {} {} 2>&1", o.ccxt_script,
                                               o.node_dir, sim.line("rest"), sim.line("api-key"), sim.line("api-secret"),
                                               mode, warm, count, rate));
  std::vector<double> us;
  long failures = 0;
  std::string error;
  std::istringstream in(p.out);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("us ", 0) == 0) us.push_back(std::stod(line.substr(3)));
    else if (line.rfind("failures ", 0) == 0) failures = std::stol(line.substr(9));
    else if (line.rfind("error ", 0) == 0) error = line.substr(6);
  }
  if (failures < 0 || (us.empty() && p.status != 0))
    return skipped_row(name, "http", "ccxt run failed: " + (error.empty() ? last_line(p.out) : error));
  return summarize(name, "http", us, static_cast<std::size_t>(failures),
                   error.empty() ? note : note + "; first error: " + error);
}

}  // namespace

void run_ccxt_rows(const Options& o, Report& report) {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"ccxt fetchTicker", "fetchTicker"},           {"ccxt createOrder", "createOrder"},
      {"ccxt fetchTicker @2.5ms exchange", "fetchTicker"}, {"ccxt createOrder @2.5ms exchange", "createOrder"}};
  std::string why = o.ccxt ? install_ccxt(o) : "--no-ccxt";
  if (!why.empty()) {
    for (const auto& [name, mode] : rows) report.rows.push_back(skipped_row(name, "http", why));
    return;
  }
  test::ChildProcess sim(leashed(o, {o.sim, "--rest-port", "0", "--ws-port", "0", "--ws-private-port", "0", "--admin-port", "0",
                                     "--tier", "pro"}),
                         std::chrono::seconds(30));
  if (!sim.ready()) {
    for (const auto& [name, mode] : rows) report.rows.push_back(skipped_row(name, "http", "kraken-sim did not start"));
    return;
  }
  const std::string admin = sim.line("admin");
  // The counts stay under the pro tier's 180-point trading counter on each of the three pairs
  // createOrder rotates over (one point per order, and the orders are left open).
  const std::size_t reads = o.n(3000, 30), orders = o.n(150, 5);
  for (const bool delayed : {false, true}) {
    if (delayed) test::sim_admin_post(admin, "/rest/delay?us=2500");
    const std::string suffix = delayed ? " @2.5ms exchange" : "";
    // Below what one client can do: 2.5 ms of latency caps a sequential client near 350 calls/s.
    const double rate = delayed ? 100 : 300;
    report.rows.push_back(ccxt_row(o, "ccxt fetchTicker" + suffix, sim, "fetchTicker", o.n(300, 5), delayed ? reads / 3 : reads,
                                   rate, fmt::format("{:.0f}/s open loop, ccxt {}, Node {}", rate, kCcxtVersion,
                                                     last_line(test::run_process("node --version").out))));
    report.rows.push_back(ccxt_row(o, "ccxt createOrder" + suffix, sim, "createOrder", o.n(10, 2), orders, 30,
                                   "30/s open loop, post-only limit buys over 3 pairs"));
  }
}

}  // namespace kgw::bench
