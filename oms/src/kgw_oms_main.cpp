// kgw-oms: runs the gateway's order manager on its own against Kraken (or kraken-sim), takes
// simple order commands on stdin and prints the result of each, and once a second what its
// caches hold: the private session, the caches' freshness, open orders, balances and the
// counters of order entry and the account view. For trying an API key and the order path from a
// host before starting the daemon, and for scripts. The key comes from --key-file or the
// environment and is never printed; reference data (Assets, AssetPairs) is loaded from REST
// first, retried while Kraken's REST is unavailable.

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "kgw/core/kraken/api_key.hpp"
#include "kgw/core/kraken/reference_data_loader.hpp"
#include "kgw/core/kraken/rest_service.hpp"
#include "kgw/core/log.hpp"
#include "kgw/core/net/url.hpp"
#include "kgw/oms/order_manager.hpp"

namespace {

using kgw::oms::OrderManager;
using kgw::oms::Route;

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop.store(true); }

constexpr const char* kUsage =
    "commands: place PAIR buy|sell VOLUME limit PRICE [CL_ORD_ID] | place PAIR buy|sell VOLUME market [CL_ORD_ID] | "
    "amend ID QTY [PRICE] | cancel ID | cancel-all | kill [REASON] | unkill | deadman on|off | quit";

void say(const std::string& line) {
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

std::string failure(const std::string& what, const kgw::Error& e) { return fmt::format("error {}: {}", what, e.message()); }

// Reads commands from stdin and runs each on the order manager, waiting for its answer.
class Console {
 public:
  explicit Console(OrderManager& om) : om_(om) {}

  // One line; false for quit.
  bool run(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> w;
    for (std::string t; in >> t;) w.push_back(t);
    if (w.empty()) return true;
    const std::string& cmd = w[0];
    if (cmd == "quit" || cmd == "exit") return false;
    if (cmd == "place") place(w);
    else if (cmd == "amend" && (w.size() == 3 || w.size() == 4)) amend(w);
    else if (cmd == "cancel" && w.size() == 2) cancel(w[1]);
    else if (cmd == "cancel-all" && w.size() == 1) cancel_all();
    else if (cmd == "kill") kill(line);
    else if (cmd == "unkill" && w.size() == 1) unkill();
    else if (cmd == "deadman" && w.size() == 2 && (w[1] == "on" || w[1] == "off")) deadman(w[1] == "on");
    else say(fmt::format("error usage: {}", kUsage));
    return true;
  }

 private:
  void place(const std::vector<std::string>& w) {
    const bool is_limit = w.size() >= 5 && w[4] == "limit";
    const std::size_t id_at = is_limit ? 6 : 5;
    const auto side = w.size() >= 3 ? kgw::kraken::parse_word<kgw::kraken::Side>(w[2]) : std::nullopt;
    if (w.size() < 5 || !side || (!is_limit && w[4] != "market") || (is_limit && w.size() < 6) || w.size() > id_at + 1)
      return say(fmt::format("error usage: {}", kUsage));
    kgw::kraken::OrderRequest o;
    o.pair = w[1];
    o.side = *side;
    o.volume = w[3];
    o.type = is_limit ? kgw::kraken::OrderType::limit : kgw::kraken::OrderType::market;
    if (is_limit) o.price = w[5];
    if (w.size() > id_at) o.cl_ord_id = w[id_at];
    auto r = om_.wait<kgw::oms::PlacedOrder>([&](auto done) { om_.place(o, Route::automatic, std::move(done)); });
    if (!r) return say(failure("place", r.error()));
    say(fmt::format("ok place cl_ord_id={} order_id={} path={}{}", r->cl_ord_id, fmt::join(r->order_ids, ","),
                    kgw::oms::to_string(r->path), r->existing ? " existing" : ""));
  }

  // An id is Kraken's order id when the caches know it as one, else a cl_ord_id.
  bool is_order_id(const std::string& id) const {
    const auto s = om_.account();
    return s && s->order(id);
  }

  void amend(const std::vector<std::string>& w) {
    kgw::kraken::AmendRequest a;
    (is_order_id(w[1]) ? a.txid : a.cl_ord_id) = w[1];
    a.order_qty = w[2];
    if (w.size() == 4) a.limit_price = w[3];
    auto r = om_.wait<kgw::oms::EntryAck>([&](auto done) { om_.amend(a, Route::automatic, std::move(done)); });
    if (!r) return say(failure("amend", r.error()));
    say(fmt::format("ok amend {} amend_id={} path={}", w[1], r->amend_id, kgw::oms::to_string(r->path)));
  }

  void cancel(const std::string& id) {
    kgw::kraken::CancelRequest c;
    (is_order_id(id) ? c.txids : c.cl_ord_ids).push_back(id);
    auto r = om_.wait<kgw::oms::EntryAck>([&](auto done) { om_.cancel(c, Route::automatic, std::move(done)); });
    if (!r) return say(failure("cancel", r.error()));
    say(fmt::format("ok cancel {} count={} path={}", id, r->count, kgw::oms::to_string(r->path)));
  }

  void cancel_all() {
    auto r = om_.wait<kgw::oms::EntryAck>([&](auto done) { om_.cancel_all(Route::automatic, std::move(done)); });
    if (!r) return say(failure("cancel-all", r.error()));
    say(fmt::format("ok cancel-all count={} path={}", r->count, kgw::oms::to_string(r->path)));
  }

  void kill(const std::string& line) {
    std::string reason = line.substr(line.find("kill") + 4);
    reason.erase(0, reason.find_first_not_of(" \t"));
    auto r = om_.wait<kgw::oms::EntryAck>([&](auto done) { om_.engage_kill_switch(reason, std::move(done)); });
    if (!r) return say(failure("kill", r.error()));
    say(fmt::format("ok kill count={}", r->count));
  }

  void unkill() {
    if (auto r = om_.disengage_kill_switch(); !r) return say(failure("unkill", r.error()));
    say("ok unkill");
  }

  void deadman(bool on) {
    // The tool is the one trading client the switch waits for.
    if (on == attached_) return say(fmt::format("ok deadman {}", on ? "on" : "off"));
    attached_ = on;
    om_.set_dead_man(on);
    if (on) om_.attach_trading_client();
    else om_.detach_trading_client();
    say(fmt::format("ok deadman {}", on ? "on" : "off"));
  }

  OrderManager& om_;
  bool attached_ = false;
};

// What the caches hold now, one line per item.
void print_status(const OrderManager& om) {
  const auto s = om.account();
  if (!s) return;
  const auto& f = s->freshness;
  say(fmt::format("session {} fresh={} reconciled={} epoch={} events={} connects={}", om.private_session_up() ? "up" : "down",
                  f.fresh() ? "yes" : "no", f.reconciled ? "yes" : "no", s->cursor.epoch, s->cursor.sequence,
                  om.connection_stats().connects.load()));
  for (const auto& o : s->open_orders->list())
    say(fmt::format("order {} cl_ord_id={} {} {} {} @ {} filled {} {}", o->order_id, o->cl_ord_id.empty() ? "-" : o->cl_ord_id,
                    o->symbol, o->side.raw, o->order_qty ? o->order_qty->to_string() : "-",
                    o->limit_price ? o->limit_price->to_string() : "market", o->cum_qty.to_string(), o->status.raw));
  for (const auto& b : s->balances->all()) say(fmt::format("balance {} {}", b->code, b->total.to_string()));
  if (const auto* e = om.entry_stats())
    say(fmt::format("entry ws_sent={} rest_sent={} fallbacks={} ambiguous={} resolved_placed={} resolved_absent={} "
                    "refused_locally={}",
                    e->ws_sent.load(), e->rest_sent.load(), e->fallbacks.load(), e->ambiguous.load(), e->resolved_placed.load(),
                    e->resolved_absent.load(), e->refused_locally.load()));
  if (const auto* a = om.account_stats())
    say(fmt::format("account fills={} duplicate_fills={} reconciles={} reconcile_failures={} epoch_changes={}", a->fills.load(),
                    a->duplicate_fills.load(), a->reconciles.load(), a->reconcile_failures.load(), a->epoch_changes.load()));
  const auto kill = om.kill_switch();
  const auto dead = om.dead_man();
  say(fmt::format("kill {}{} deadman {}{}", kill.engaged ? "engaged" : "off", kill.engaged ? " (" + kill.reason + ")" : "",
                  dead.enabled ? (dead.armed ? "armed until " + dead.trigger_time : "enabled") : "off",
                  dead.last_error.empty() ? "" : " (" + dead.last_error + ")"));
  say("");
}

// Complete lines from stdin as they come; EOF ends the input.
class LineReader {
 public:
  // Waits up to `wait` for input; appends complete lines to `out`. False at EOF.
  bool poll(std::chrono::milliseconds wait, std::vector<std::string>& out) {
    if (eof_) return false;
    pollfd p{STDIN_FILENO, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return true;
    char buf[4096];
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) {
      eof_ = true;
      if (!pending_.empty()) out.push_back(std::move(pending_));
      return false;
    }
    pending_.append(buf, static_cast<std::size_t>(n));
    for (auto nl = pending_.find('\n'); nl != std::string::npos; nl = pending_.find('\n')) {
      out.push_back(pending_.substr(0, nl));
      pending_.erase(0, nl + 1);
    }
    return true;
  }

 private:
  std::string pending_;
  bool eof_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kgw-oms: run the order manager, take order commands on stdin, print its caches"};
  std::string rest = "https://api.kraken.com", ws = "wss://ws-auth.kraken.com/v2", key_file, state_dir, tier = "intermediate",
              level = "warn";
  int deadman_timeout = 60, connect_wait = 10;
  app.add_option("--rest-url", rest, "REST base URL (kraken-sim: http://127.0.0.1:8081)")->capture_default_str();
  app.add_option("--ws-private-url", ws, "WS v2 private endpoint (kraken-sim: ws://127.0.0.1:8083/v2)")->capture_default_str();
  app.add_option("--key-file", key_file, "API key on line 1, secret on line 2 (chmod 600); else KRAKEN_API_KEY/KRAKEN_API_SECRET");
  app.add_option("--state-dir", state_dir, "where the kill switch and the nonce persist (empty: not persisted)");
  app.add_option("--tier", tier, "the account's rate-limit tier")->check(CLI::IsMember({"starter", "intermediate", "pro"}))->capture_default_str();
  app.add_option("--deadman-timeout", deadman_timeout, "seconds Kraken waits before cancelling all (deadman on)")
      ->check(CLI::Range(1, 86399))
      ->capture_default_str();
  app.add_option("--connect-wait", connect_wait, "seconds to wait for the private session before reading commands")
      ->check(CLI::Range(0, 600))
      ->capture_default_str();
  app.add_option("--log-level", level, "trace|debug|info|warn|error (logs go to stderr)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  // Before anything is contacted: what no retry can fix ends the run here, naming the option.
  if (auto u = kgw::net::parse_url(rest, kgw::net::UrlUse::http_origin); !u) {
    std::fprintf(stderr, "kgw-oms: --rest-url: %s\n", u.error().detail.c_str());
    return 2;
  }
  if (auto u = kgw::net::parse_url(ws, kgw::net::UrlUse::websocket); !u) {
    std::fprintf(stderr, "kgw-oms: --ws-private-url: %s\n", u.error().detail.c_str());
    return 2;
  }
  auto credentials = kgw::kraken::load_credentials(kgw::kraken::credential_sources(key_file));
  if (!credentials || !*credentials) {
    std::fprintf(stderr, "kgw-oms: %s\n",
                 credentials ? "no API key: give --key-file, set KRAKEN_API_KEY and KRAKEN_API_SECRET, or a systemd credential"
                             : credentials.error().detail.c_str());
    return 2;
  }

  kgw::log::init({.level = level, .file = "", .to_stderr = true});
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const auto& clock = kgw::SystemClock::instance();

  kgw::kraken::RestTransportOptions ro;
  ro.http.base_url = rest;
  ro.credentials = std::move((*credentials)->credentials);
  ro.governor.tier = *kgw::kraken::parse_tier(tier);
  if (!state_dir.empty()) ro.nonce_state_file = state_dir + "/nonce";
  auto svc = kgw::kraken::KrakenRestService::start(std::move(ro), clock);
  if (!svc) {
    std::fprintf(stderr, "kgw-oms: --rest-url: %s\n", svc.error().message().c_str());
    kgw::log::shutdown();
    return 2;
  }
  kgw::oms::OrderManagerOptions oo;
  oo.ws_private_url = ws;
  oo.state_dir = state_dir;
  oo.dead_man.timeout_s = deadman_timeout;
  oo.dead_man.refresh = std::chrono::seconds(std::max(1, deadman_timeout / 3));
  kgw::InstrumentRegistry registry;
  if (auto r = kgw::kraken::load_reference_data(**svc, registry, oo.reconnect_min, oo.reconnect_max, [] { return g_stop.load(); },
                                                clock);
      !r) {
    std::fprintf(stderr, "kgw-oms: reference data from %s: %s\n", rest.c_str(), r.error().message().c_str());
    svc->reset();
    kgw::log::shutdown();
    return 1;
  }
  (*svc)->set_registry(&registry);

  int status = 0;
  {
    OrderManager om(oo, **svc, registry, clock);
    if (auto r = om.start(); !r) {
      std::fprintf(stderr, "kgw-oms: %s\n", r.error().message().c_str());
      status = 2;
    } else {
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(connect_wait);
      while (!g_stop.load() && !om.private_session_up() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      say(om.private_session_up() ? "ready" : "ready (the private session is not up: orders go over REST)");
      Console console(om);
      LineReader input;
      auto next_status = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      for (bool more = true; more && !g_stop.load();) {
        std::vector<std::string> lines;
        const bool open = input.poll(std::chrono::milliseconds(50), lines);
        for (const auto& line : lines)
          if (!(more = console.run(line))) break;
        if (!open) more = false;  // end of input: done once its commands ran
        if (std::chrono::steady_clock::now() >= next_status) {
          print_status(om);
          next_status += std::chrono::seconds(1);
        }
      }
      om.stop();
    }
  }
  svc->reset();
  kgw::log::shutdown();
  return status;
}
