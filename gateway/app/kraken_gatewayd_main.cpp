// kraken-gatewayd: the daemon. Reads its TOML config (strictly; --check-config stops there),
// the API key from --key-file, the environment or a systemd credential, starts the Gateway
// (with --sim, against kraken-sim in process), prints where it listens on stdout — one
// `name value` line each, then `ready` (scripts and tests read these; README "Interface") —
// and runs until SIGTERM/SIGINT, which stop it gracefully within the configured deadline.
// SIGHUP re-reads the config: the log level is applied, anything else is logged as needing a
// restart. systemd: Type=notify (READY=1, WATCHDOG=1, STOPPING=1, STATUS=).

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>

#include "kgw/core/log.hpp"
#include "kgw/gateway/config.hpp"
#include "kgw/core/kraken/api_key.hpp"
#include "kgw/gateway/gateway.hpp"

namespace {

using kgw::gateway::GatewayConfig;

// What the signal thread tells the main thread.
struct Signals {
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;    // guarded by mu
  bool reload = false;  // guarded by mu
  std::atomic<bool> stop_flag{false};
};

// Command-line settings that override the config file (and what a reload must apply again).
struct Overrides {
  bool sim = false;
  std::optional<std::uint16_t> grpc_port, metrics_port, sim_rest_port, sim_ws_port, sim_ws_private_port, sim_admin_port;
  std::optional<std::string> unix_socket, rest_url, ws_public_url, ws_private_url, log_level, log_file;

  void apply(GatewayConfig& c) const {
    if (sim) c.sim.enabled = true;
    if (grpc_port) c.grpc.port = *grpc_port;
    if (metrics_port) c.metrics.port = *metrics_port;
    if (unix_socket) c.grpc.unix_socket = *unix_socket;
    if (rest_url) c.kraken.rest_url = *rest_url;
    if (ws_public_url) c.kraken.ws_public_url = *ws_public_url;
    if (ws_private_url) c.kraken.ws_private_url = *ws_private_url;
    if (log_level) c.log.level = *log_level;
    if (log_file) c.log.file = *log_file;
    if (sim_rest_port) c.sim.rest_port = *sim_rest_port;
    if (sim_ws_port) c.sim.ws_public_port = *sim_ws_port;
    if (sim_ws_private_port) c.sim.ws_private_port = *sim_ws_private_port;
    if (sim_admin_port) c.sim.admin_port = *sim_admin_port;
  }
  kgw::gateway::UrlOrigins origins() const {
    kgw::gateway::UrlOrigins o;
    if (rest_url) o.rest = "--rest-url";
    if (ws_public_url) o.ws_public = "--ws-public-url";
    if (ws_private_url) o.ws_private = "--ws-private-url";
    return o;
  }
};

kgw::result<GatewayConfig> read_config(const std::string& path, const Overrides& o) {
  GatewayConfig c;
  if (!path.empty()) {
    auto loaded = kgw::gateway::load_config(path);
    if (!loaded) return loaded.error();
    c = std::move(*loaded);
  }
  o.apply(c);
  if (auto v = kgw::gateway::validate(c, o.origins()); !v) return v.error();
  return c;
}

int fail(const std::string& what, int code) {
  std::fprintf(stderr, "kraken-gatewayd: %s\n", what.c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  // Every thread started from here on inherits the mask; signals are taken by sigwait only.
  sigset_t handled;
  sigemptyset(&handled);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&handled, s);
  pthread_sigmask(SIG_BLOCK, &handled, nullptr);

  CLI::App app{"kraken-gatewayd: Kraken trading gateway (gRPC over Kraken's WebSocket v2 and REST)"};
  std::string config_path, key_file;
  bool check_config = false;
  Overrides o;
  app.add_option("--config", config_path, "TOML config (config/sim.toml, config/live.toml); default: built-in (live Kraken)");
  app.add_flag("--check-config", check_config, "validate the config and the API key source, then exit");
  app.add_flag("--sim", o.sim, "run kraken-sim in process on loopback and use its demo account");
  app.add_option("--grpc-port", o.grpc_port, "gRPC port on 127.0.0.1 (0: ephemeral)");
  app.add_option("--unix-socket", o.unix_socket, "gRPC unix socket path (\"none\": no socket)");
  app.add_option("--metrics-port", o.metrics_port, "Prometheus /metrics port on 127.0.0.1 (0: ephemeral)");
  app.add_option("--key-file", key_file, "API key file: key on line 1, secret on line 2, mode 0600");
  app.add_option("--rest-url", o.rest_url, "Kraken REST base URL");
  app.add_option("--ws-public-url", o.ws_public_url, "Kraken public WebSocket v2 URL");
  app.add_option("--ws-private-url", o.ws_private_url, "Kraken private WebSocket v2 URL");
  app.add_option("--log-level", o.log_level, "trace|debug|info|warn|error|critical|off");
  app.add_option("--log-file", o.log_file, "log here as well as to stderr");
  app.add_option("--sim-rest-port", o.sim_rest_port, "with --sim: the simulator's REST port (0: ephemeral)");
  app.add_option("--sim-ws-port", o.sim_ws_port, "with --sim: its public WebSocket port");
  app.add_option("--sim-ws-private-port", o.sim_ws_private_port, "with --sim: its private WebSocket port");
  app.add_option("--sim-admin-port", o.sim_admin_port, "with --sim: its admin API port");
  CLI11_PARSE(app, argc, argv);

  auto config = read_config(config_path, o);
  if (!config) return fail(config.error().detail, 2);
  // Credentials are checked even with --sim, so a bad key file is found before going live.
  auto creds = kgw::kraken::load_credentials(kgw::kraken::credential_sources(key_file));
  if (!creds) return fail(creds.error().detail, 2);
  if (check_config) {
    std::printf("config ok: %s; %s; api key: %s\n", config->name.empty() ? "built-in defaults" : config->name.c_str(),
                config->sim.enabled ? "embedded simulator" : config->kraken.rest_url.c_str(),
                *creds ? (*creds)->origin.c_str() : "none");
    return 0;
  }

  kgw::log::init({.level = config->log.level, .file = config->log.file, .to_stderr = true});
  Signals sig;
  std::thread signal_thread([&sig, &handled] {
    for (;;) {
      int s = 0;
      if (sigwait(&handled, &s) != 0) continue;
      std::lock_guard lock(sig.mu);
      if (s == SIGHUP) {
        sig.reload = true;
      } else {
        // A second SIGTERM/SIGINT while stopping: the operator does not want to wait.
        if (sig.stop) std::_Exit(130);
        sig.stop = true;
        sig.stop_flag.store(true);
      }
      sig.cv.notify_all();
    }
  });
  signal_thread.detach();

  kgw::gateway::GatewayOptions go;
  if (*creds) {
    go.credentials = std::move((*creds)->credentials);
    go.credentials_origin = (*creds)->origin;
  }
  go.stop_requested = [&sig] { return sig.stop_flag.load(); };
  sd_notify(0, "STATUS=loading reference data and starting the feed");
  kgw::gateway::Gateway gateway(*config, std::move(go));
  auto ep = gateway.start();
  if (!ep) {
    spdlog::critical("kraken-gatewayd: {}", ep.error().message());
    kgw::log::shutdown();
    return fail(ep.error().message(), sig.stop_flag.load() ? 0 : 1);
  }
  // The interface lines: scripts and tests wait for `ready`.
  std::printf("grpc 127.0.0.1:%u\n", ep->grpc_port);
  if (!ep->unix_socket.empty()) std::printf("grpc unix:%s\n", ep->unix_socket.c_str());
  if (ep->metrics_port) std::printf("metrics http://127.0.0.1:%u/metrics\n", ep->metrics_port);
  if (!ep->sim_admin.empty()) std::printf("sim-admin %s\n", ep->sim_admin.c_str());
  std::printf("ready\n");
  std::fflush(stdout);
  sd_notifyf(0, "READY=1\nSTATUS=serving gRPC on 127.0.0.1:%u", ep->grpc_port);

  std::uint64_t watchdog_us = 0;
  const bool watchdog = sd_watchdog_enabled(0, &watchdog_us) > 0;
  const auto tick = watchdog ? std::chrono::microseconds(watchdog_us / 2) : std::chrono::microseconds(1'000'000);
  for (;;) {
    std::unique_lock lock(sig.mu);
    sig.cv.wait_for(lock, tick, [&] { return sig.stop || sig.reload; });
    if (sig.stop) break;
    if (sig.reload) {
      sig.reload = false;
      lock.unlock();
      auto next = read_config(config_path, o);
      if (!next) {
        spdlog::error("SIGHUP: config not reloaded: {}", next.error().detail);
      } else {
        if (kgw::gateway::Gateway::set_log_level(next->log.level)) spdlog::warn("SIGHUP: log level {}", next->log.level);
        const auto pending = kgw::gateway::restart_needed(gateway.config(), *next);
        if (!pending.empty()) spdlog::warn("SIGHUP: changes to {} need a restart; not applied", fmt::join(pending, ", "));
      }
    }
    if (watchdog) sd_notify(0, "WATCHDOG=1");
  }

  sd_notify(0, "STOPPING=1\nSTATUS=stopping");
  spdlog::info("kraken-gatewayd: stopping (deadline {} ms)", config->stop_deadline.count());
  // Whatever happens below, the process is gone by the deadline.
  std::thread([deadline = config->stop_deadline] {
    std::this_thread::sleep_for(deadline);
    std::fprintf(stderr, "kraken-gatewayd: stop deadline passed; exiting\n");
    std::_Exit(3);
  }).detach();
  gateway.stop(config->stop_deadline / 3);
  spdlog::info("kraken-gatewayd: stopped");
  kgw::log::shutdown();
  return 0;
}
