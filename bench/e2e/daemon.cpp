#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <fstream>

#include "e2e.hpp"
#include "kgw_sim_admin.hpp"

namespace kgw::bench {

const std::vector<std::string>& default_pairs() {
  static const std::vector<std::string> p{"BTC/USD", "ETH/USD", "SOL/USD", "BTC/EUR", "ETH/BTC"};
  return p;
}

const std::vector<std::string>& catalogue_pairs() {
  static const std::vector<std::string> p{"BTC/USD",  "ETH/USD",  "SOL/USD", "BTC/EUR",  "ETH/BTC",  "ADA/USD",
                                          "DOT/USD",  "XRP/USD",  "LTC/USD", "XDG/USD", "LINK/USD", "MATIC/USD",
                                          "ALGO/USD", "ATOM/USD", "AVAX/USD", "UNI/USD", "XLM/USD",  "BCH/USD",
                                          "USDT/USD", "TRX/USD",  "SOL/EUR", "ETH/EUR"};
  return p;
}

std::string daemon_config(const Options& o, const std::string& name, const std::vector<std::string>& sim_pairs,
                          const std::vector<std::string>& feed_pairs, int depth) {
  auto quoted = [](const std::vector<std::string>& v) {
    std::vector<std::string> q;
    for (const auto& s : v) q.push_back("\"" + s + "\"");
    return fmt::format("[{}]", fmt::join(q, ", "));
  };
  // The pro tier: the order rows place and cancel a few hundred orders, which the lower tiers'
  // trading counters (PROTOCOL.md §5.2) would refuse within seconds.
  return fmt::format(R"([sim]
enabled = true
seed = 1
synthetic_flow = true
tier = "pro"
pairs = {}

[grpc]
port = 0
unix_socket = "{}/{}.sock"

[metrics]
enabled = true
port = 0

[kraken]
tier = "pro"

[feed]
pairs = {}
book_depth = {}
ohlc_intervals = [1, 5]
ticker_trigger = "trades"

[log]
level = "warn"
file = "{}/{}.log"
)",
                     quoted(sim_pairs), o.work_dir, name, quoted(feed_pairs), depth, o.work_dir, name);
}

Daemon::Daemon(const Options& o, const std::string& name, const std::string& config_toml, const std::string& exe) {
  const std::string path = o.work_dir + "/" + name + ".toml";
  std::ofstream(path) << config_toml;
  const auto t0 = Clock::now();
  // stderr goes to the log file too (config [log]); only warnings reach the terminal.
  proc_ = std::make_unique<test::ChildProcess>(leashed(o, {exe.empty() ? o.gatewayd : exe, "--config", path, "--sim"}),
                                               std::chrono::seconds(60));
  start_to_ready_ = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
  if (!proc_->ready()) return;
  const auto grpc = proc_->values("grpc");
  if (grpc.size() >= 1) tcp_ = grpc[0];
  if (grpc.size() >= 2) unix_ = grpc[1];
  admin_ = proc_->line("sim-admin");
}

std::vector<std::string> leashed(const Options& o, std::vector<std::string> argv) {
  argv.insert(argv.begin(), o.leash);
  return argv;
}

std::shared_ptr<grpc::Channel> own_channel(const std::string& target, int id) {
  grpc::ChannelArguments args;
  // A distinct argument gives each channel its own subchannel, hence its own connection.
  args.SetInt("kgw.bench.client", id);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

std::shared_ptr<grpc::Channel> Daemon::channel(bool unix_socket, int id) const {
  return own_channel(unix_socket ? unix_ : tcp_, id);
}

bool Daemon::wait_for_feed(std::chrono::milliseconds limit) {
  auto stub = v1::Gateway::NewStub(channel(false));
  return test::wait_until(
      [&] {
        v1::GetCacheFreshnessRequest req;
        v1::GetCacheFreshnessResponse resp;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
        if (!stub->GetCacheFreshness(&ctx, req, &resp).ok() || resp.entries_size() == 0) return false;
        for (const auto& e : resp.entries())
          if ((e.kind() == v1::CACHE_KIND_BOOK || e.kind() == v1::CACHE_KIND_TICKER) && !e.live()) return false;
        return true;
      },
      limit);
}

bool Daemon::wait_for_trading(std::chrono::milliseconds limit) {
  auto stub = v1::Account::NewStub(channel(false));
  return test::wait_until(
      [&] {
        v1::GetBalanceRequest req;
        req.mutable_read()->set_policy(v1::READ_POLICY_CACHE_ONLY);
        v1::GetBalanceResponse resp;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
        return stub->GetBalance(&ctx, req, &resp).ok();
      },
      limit);
}

unsigned Daemon::admin_post(const std::string& target) const { return test::sim_admin_post(admin_, target); }

double load_average() {
  double l = 0;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &l) != 1) l = 0;
    std::fclose(f);
  }
  return l;
}

}  // namespace kgw::bench
