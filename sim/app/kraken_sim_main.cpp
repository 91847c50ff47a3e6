// kraken-sim: the Kraken-faithful exchange simulator as a process. Binds loopback ports (0 =
// ephemeral), prints a machine-readable block on stdout once it serves (one `key value` per
// line, ending with `ready`), and runs until SIGINT/SIGTERM.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <pthread.h>

#include "kgw/core/kraken/rate_rules.hpp"
#include "kgw/core/kraken/signing.hpp"
#include "kgw/core/log.hpp"
#include "kgw/sim/simulator.hpp"

namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto comma = s.find(',', start);
    std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kraken-sim: a Kraken-faithful spot exchange (REST + WebSocket v2) on loopback"};
  kgw::sim::SimulatorOptions o;
  std::string pairs, accounts_file, log_level = "info", tier{kgw::kraken::to_string(o.tier)};
  bool no_flow = false;
  app.add_option("--bind", o.bind, "address to bind (loopback only)")->capture_default_str();
  app.add_option("--rest-port", o.rest_port, "REST port (0 = ephemeral)")->capture_default_str();
  app.add_option("--ws-port", o.ws_public_port, "public WebSocket v2 port (0 = ephemeral)")->capture_default_str();
  app.add_option("--ws-private-port", o.ws_private_port, "authenticated WebSocket v2 port (0 = ephemeral)")
      ->capture_default_str();
  app.add_option("--admin-port", o.admin_port, "admin/fault API port (0 = ephemeral)")->capture_default_str();
  app.add_option("--pairs", pairs, "comma-separated pairs in any Kraken spelling, from the 22-pair catalogue (default: the five default pairs)");
  app.add_option("--synthetic-pairs", o.synthetic_pairs,
                 "add this many synthetic pairs (S0001/USD, ...) to the catalogue: Kraken's whole market is ~1,500")
      ->capture_default_str();
  app.add_option("--seed", o.seed, "seed of the synthetic market and of ids")->capture_default_str();
  app.add_option("--tier", tier, "rate-limit tier: starter | intermediate | pro")
      ->check([](const std::string& s) {
        return kgw::kraken::parse_tier(s) ? std::string{}
                                          : fmt::format("unknown tier '{}' (expected starter, intermediate or pro)", s);
      })
      ->capture_default_str();
  app.add_option("--accounts", accounts_file, "TOML file of accounts (default: one demo account)");
  std::string api_key, api_secret;
  app.add_option("--api-key", api_key, "the demo account's API key instead of the seed-derived one");
  app.add_option("--api-secret", api_secret, "the demo account's API secret (base64) instead of the seed-derived one");
  app.add_flag("--tls-self-signed", o.tls_self_signed, "serve https/wss with a generated self-signed certificate");
  app.add_flag("--no-flow", no_flow, "no synthetic order flow (an empty market)");
  app.add_option("--replay", o.replay_file,
                 "serve this recorded WS v2 stream on the public WebSocket: NDJSON of raw frames or journal lines, "
                 "a JSON array of frames, or a capture {\"init\":..,\"updates\":[..]}");
  app.add_option("--replay-speed", o.replay_speed, "1 = recorded pace, 0 = as fast as possible")->capture_default_str();
  app.add_flag("--replay-loop", o.replay_loop, "start over at the end of the recording");
  app.add_flag("--replay-wait", o.replay_wait, "start playback on the first subscribe");
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  kgw::log::Options log_options;
  log_options.level = log_level;
  kgw::log::init(log_options);
  // A replayed feed replaces the synthetic market on the public endpoint: no flow by default.
  o.synthetic_flow = !no_flow && o.replay_file.empty();
  o.pairs = split_list(pairs);
  o.tier = *kgw::kraken::parse_tier(tier);  // checked by the option's validator
  if (!api_key.empty() || !api_secret.empty()) {
    if (!accounts_file.empty() || api_key.empty() || api_secret.empty()) {
      std::fprintf(stderr, "kraken-sim: --api-key and --api-secret go together, and not with --accounts\n");
      return 2;
    }
    if (!kgw::kraken::base64_decode(api_secret)) {
      std::fprintf(stderr, "kraken-sim: --api-secret must be base64, as Kraken issues secrets\n");
      return 2;
    }
    auto demo = kgw::sim::demo_account(o.seed);
    demo.api_key = api_key;
    demo.api_secret = api_secret;
    o.accounts = {demo};
  }
  if (!accounts_file.empty()) {
    auto accts = kgw::sim::load_accounts_file(accounts_file);
    if (!accts) {
      std::fprintf(stderr, "kraken-sim: %s\n", accts.error().message().c_str());
      return 2;
    }
    o.accounts = std::move(*accts);
  }

  // Signals are taken by sigwait below; block them before any thread starts.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  kgw::sim::Simulator sim(o);
  auto ep = sim.start();
  if (!ep) {
    std::fprintf(stderr, "kraken-sim: %s\n", ep.error().message().c_str());
    return 1;
  }
  // The block scripts rely on (issue #3). The demo credentials are the simulator's own.
  fmt::print("rest {}\nws-public {}\nws-private {}\nadmin {}\napi-key {}\napi-secret {}\nready\n", ep->rest,
             ep->ws_public, ep->ws_private, ep->admin, ep->api_key, ep->api_secret);
  std::fflush(stdout);

  int sig = 0;
  sigwait(&sigs, &sig);
  spdlog::info("kraken-sim: signal {}, stopping", sig);
  sim.stop();
  kgw::log::shutdown();
  return 0;
}
