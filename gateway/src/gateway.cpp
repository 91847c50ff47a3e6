#include "kgw/gateway/gateway.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "backend.hpp"
#include "grpc_server.hpp"
#include "kgw/feed/market_feed.hpp"
#include "kgw/feed/reference_data_loader.hpp"
#include "kgw/gateway/metrics.hpp"
#include "kgw/oms/order_manager.hpp"
#include "kgw/sim/simulator.hpp"

namespace kgw::gateway {

struct Gateway::Impl {
  GatewayConfig config;
  GatewayOptions options;
  const Clock& clock;
  // Declaration order is construction order; stop() undoes it explicitly.
  std::unique_ptr<sim::Simulator> sim;
  kraken::GovernorOptions governor;
  std::unique_ptr<kraken::KrakenRestService> rest;
  InstrumentRegistry registry;
  feed::MarketCache cache;
  std::unique_ptr<feed::MarketFeed> feed;
  std::unique_ptr<feed::MarketReader> reader;
  std::unique_ptr<oms::OrderManager> oms;  // with an API key only
  TradingRecord trading;
  std::unique_ptr<UpstreamMonitor> upstream;
  std::unique_ptr<MarketWatch> watch;
  std::unique_ptr<Metrics> metrics;
  std::unique_ptr<Backend> backend;
  std::unique_ptr<GrpcServer> server;
  GatewayEndpoints endpoints;
  bool stopped = false;

  Impl(GatewayConfig c, GatewayOptions o)
      : config(std::move(c)), options(std::move(o)), clock(options.clock ? *options.clock : SystemClock::instance()) {}

  result<GatewayEndpoints> start();
  result<feed::FeedOptions> feed_options() const;
  result<void> start_order_manager();
  void log_summary() const;
  void log_permissions() const;
  // A clean stop: cancel-all if configured, then the order manager (which disarms the dead-man).
  void stop_order_manager();
};

namespace {

// At stop, between a call's REST call being abandoned and the server cancelling the call.
constexpr std::chrono::milliseconds kAnswerBeforeCancel{250};

std::string unix_socket_path(const GrpcConfig& g) {
  if (g.unix_socket == "none") return {};
  return g.unix_socket.empty() ? default_socket_path() : g.unix_socket;
}

// Channel subscriptions per symbol: ticker, trade, book (if any), one per candle interval.
std::uint32_t subscriptions(const FeedConfig& f) {
  const std::size_t per_symbol = 2 + (f.book_depth > 0 ? 1 : 0) + f.ohlc_intervals.size();
  return static_cast<std::uint32_t>(per_symbol * f.pairs.size());
}

}  // namespace

result<feed::FeedOptions> Gateway::Impl::feed_options() const {
  feed::FeedOptions fo;
  fo.url = endpoints.ws_public_url;
  for (std::size_t i = 0; i < config.feed.pairs.size(); ++i) {
    // The feed subscribes by v2 symbol; the config may spell a pair any way Kraken does.
    auto in = registry.find(config.feed.pairs[i]);
    if (!in) return Error(errc::invalid_argument, fmt::format("feed.pairs[{}]: unknown pair '{}'", i, config.feed.pairs[i]));
    fo.symbols.push_back({in->symbol, config.feed.book_depth});
  }
  fo.ticker_bbo = config.feed.ticker_bbo;
  fo.ohlc_intervals = config.feed.ohlc_intervals;
  fo.symbol_stale_after = config.feed.symbol_stale_after;
  fo.symbols_per_connection = config.feed.symbols_per_connection;
  fo.recent_trades = config.feed.recent_trades;
  fo.recent_spreads = config.feed.recent_spreads;
  fo.journal_file = config.feed.journal_file;
  return fo;
}

result<GatewayEndpoints> Gateway::Impl::start() {
  if (auto v = validate(config); !v) return v.error();
  endpoints = GatewayEndpoints{};
  endpoints.rest_url = config.kraken.rest_url;
  endpoints.ws_public_url = config.kraken.ws_public_url;
  endpoints.ws_private_url = config.kraken.ws_private_url;
  std::optional<kraken::RestCredentials> credentials = std::move(options.credentials);
  if (config.sim.enabled) {
    sim::SimulatorOptions so;
    so.pairs = config.sim.pairs;
    so.seed = config.sim.seed;
    so.synthetic_flow = config.sim.synthetic_flow;
    so.tier = config.sim.tier;
    so.rest_port = config.sim.rest_port;
    so.ws_public_port = config.sim.ws_public_port;
    so.ws_private_port = config.sim.ws_private_port;
    so.admin_port = config.sim.admin_port;
    sim = std::make_unique<sim::Simulator>(so);
    auto ep = sim->start();
    if (!ep) return Error(ep.error().code, "sim: " + ep.error().message());
    endpoints.rest_url = ep->rest;
    endpoints.ws_public_url = ep->ws_public;
    endpoints.ws_private_url = ep->ws_private;
    endpoints.sim_admin = ep->admin;
    if (credentials) spdlog::warn("sim: the simulator's demo account is used; the configured API key is not");
    // The demo account's key: paper trading needs no real one.
    credentials = kraken::RestCredentials{Secret(ep->api_key), Secret(ep->api_secret)};
  }
  const bool api_key = credentials.has_value();

  governor.tier = config.kraken.tier;
  kraken::RestTransportOptions ro;
  ro.http.base_url = endpoints.rest_url;
  ro.credentials = std::move(credentials);
  ro.nonce_state_file = config.kraken.nonce_file;
  ro.governor = governor;
  auto svc = kraken::KrakenRestService::start(std::move(ro), clock);
  if (!svc) return Error(svc.error().code, "kraken.rest_url: " + svc.error().message());
  rest = std::move(*svc);

  // Reference data first: the feed subscribes by the registry's v2 symbols.
  feed::FeedOptions loader_options;
  loader_options.url = endpoints.ws_public_url;
  const auto never = [] { return false; };
  if (auto r = feed::load_reference_data(*rest, registry, loader_options,
                                         options.stop_requested ? options.stop_requested : never, clock);
      !r)
    return Error(r.error().code, fmt::format("reference data from {}: {}", endpoints.rest_url, r.error().message()));
  rest->set_registry(&registry);
  auto fo = feed_options();
  if (!fo) return fo.error();
  feed = std::make_unique<feed::MarketFeed>(*fo, cache, registry, clock);
  if (auto r = feed->start(); !r) return Error(r.error().code, "feed: " + r.error().message());
  reader = std::make_unique<feed::MarketReader>(cache, registry, rest.get(), clock, feed::ReaderOptions{config.feed.max_age});
  if (api_key)
    if (auto r = start_order_manager(); !r) return r.error();

  UpstreamMonitor::Sources us;
  us.feed = &feed->stats();
  const std::size_t per = config.feed.symbols_per_connection;
  us.feed_connections = static_cast<std::uint32_t>((fo->symbols.size() + per - 1) / per);
  us.feed_subscriptions = subscriptions(config.feed);
  us.cache = &cache;
  us.public_ws = endpoints.ws_public_url;
  us.private_ws = endpoints.ws_private_url;
  us.rest = endpoints.rest_url;
  if (oms) {
    us.private_stats = &oms->connection_stats();
    us.private_ready = [o = oms.get()] { return o->private_session_up(); };
    us.private_frames = [o = oms.get()] {
      const auto* st = o->account_stats();
      return st ? st->frames.load(std::memory_order_relaxed) : std::uint64_t{0};
    };
  }
  upstream = std::make_unique<UpstreamMonitor>(std::move(us), clock);
  upstream->rest_result(nullptr, 0);  // the reference data came from it

  watch = std::make_unique<MarketWatch>(cache, clock, config.streams.poll_interval, [this] {
    const bool changed = upstream->refresh();
    if (changed && server) {
      server->set_market_data_serving(upstream->public_feed_up());
      server->set_trading_serving(upstream->private_session_up());
    }
    return changed;
  });

  std::vector<std::string> streamed;
  for (const auto& s : fo->symbols) streamed.push_back(s.symbol);
  backend = std::make_unique<Backend>(Backend{config, clock, registry, cache, *reader, *rest, governor, *watch, *upstream,
                                              config.sim.enabled, api_key, clock.wall_now().time_since_epoch().count(),
                                              streamed});
  backend->oms = oms.get();
  backend->trading = &trading;

  Metrics::Sources ms;
  ms.clock = &clock;
  ms.cache = &cache;
  ms.symbols = streamed;
  ms.feed = &feed->stats();
  ms.upstream = upstream.get();
  ms.watch = watch.get();
  ms.rest_budget = [b = backend.get()] { return b->rest_budget(); };
  ms.rest_calls = [r = rest.get()] { return r->stats().calls.load(std::memory_order_relaxed); };
  ms.rest_rate_limited = [r = rest.get()] { return r->stats().rate_limited.load(std::memory_order_relaxed); };
  ms.oms = oms.get();
  metrics = std::make_unique<Metrics>(std::move(ms));
  if (config.metrics.enabled) {
    auto port = metrics->serve(config.metrics.port);
    if (!port) return port.error();
    endpoints.metrics_port = *port;
  }

  endpoints.unix_socket = unix_socket_path(config.grpc);
  auto srv = GrpcServer::start({config.grpc.port, endpoints.unix_socket}, *backend, metrics.get());
  if (!srv) return srv.error();
  server = std::move(*srv);
  endpoints.grpc_port = server->port();
  watch->start();
  log_summary();
  // A key without the permissions the gateway needs is named at start, not at the first order.
  if (oms) log_permissions();
  return endpoints;
}

result<void> Gateway::Impl::start_order_manager() {
  oms::OrderManagerOptions oo;
  oo.ws_private_url = endpoints.ws_private_url;
  // A peer that has not answered the close handshake within a second will not: the stop deadline
  // (5 s by default) must not go to it.
  oo.ws.close_timeout = std::chrono::milliseconds(1'000);
  oo.entry.reply_timeout = config.trading.reply_timeout;
  oo.entry.default_deadline = config.trading.default_deadline;
  if (!config.trading.max_notional.empty()) {
    auto d = Decimal::parse(config.trading.max_notional);
    if (!d) return Error(errc::invalid_argument, "trading.max_notional: not a decimal");
    oo.entry.limits.max_notional = *d;
  }
  if (config.trading.max_open_orders > 0) oo.entry.limits.max_open_orders = config.trading.max_open_orders;
  oo.positions_refresh = config.trading.positions_refresh;
  oo.reconnect_min = config.trading.reconnect_min;
  oo.reconnect_max = config.trading.reconnect_max;
  oo.state_dir = config.trading.state_dir;
  oo.dead_man.enabled = config.trading.dead_man;
  oo.dead_man.refresh = config.trading.dead_man_refresh;
  oo.dead_man.timeout_s = config.trading.dead_man_timeout_s;
  oo.busy_poll = config.trading.busy_poll;
  oo.cpu = config.trading.cpu;
  oms = std::make_unique<oms::OrderManager>(std::move(oo), *rest, registry, clock);
  // The engine's status and a pair's reference price come from the public feed's caches.
  oms->set_system_status_source([c = &cache] {
    const auto s = c->status();
    return s ? s->system : kraken::SystemStatus::unknown;
  });
  oms->set_reference_price_source([this](const Instrument& in) -> std::optional<Decimal> {
    const feed::SymbolCache* c = cache.find(in.symbol);
    if (!c || c->stale(clock.wall_now().time_since_epoch().count())) return std::nullopt;
    const auto t = c->ticker();
    if (!t || t->last.is_zero()) return std::nullopt;
    return t->last;
  });
  if (auto r = oms->start(); !r) return Error(r.error().code, "trading." + r.error().detail);
  return {};
}

// Kraken answers a call the key may not make with EGeneral:Permission denied: the summary names
// what is missing in words, as Kraken's key settings call them.
void Gateway::Impl::log_permissions() const {
  auto denied = [](const Error& e) {
    if (!e.kraken) return false;
    for (const auto& s : e.kraken->errors)
      if (s.find("Permission denied") != std::string::npos) return true;
    return false;
  };
  std::vector<std::string> missing;
  auto balance = rest->call<std::vector<kraken::AssetBalance>>([](kraken::KrakenRestClient& c) { return c.balance(); });
  if (!balance && denied(balance.error())) missing.emplace_back("Query Funds");
  auto open = rest->call<kraken::OrdersPage>([](kraken::KrakenRestClient& c) { return c.open_orders(); });
  if (!open && denied(open.error())) missing.emplace_back("Query Open Orders & Trades");
  auto token = rest->call<kraken::WebSocketsToken>([](kraken::KrakenRestClient& c) { return c.websockets_token(); });
  if (!token && denied(token.error())) missing.emplace_back("WebSocket interface (Access WebSockets API)");
  if (missing.empty()) {
    spdlog::info("  api key: query, open orders and WebSocket permissions present");
    return;
  }
  spdlog::error("  api key: lacks the permission(s) {}: Kraken answers EGeneral:Permission denied; "
                "Account and Trading calls needing them fail with PERMISSION_DENIED",
                fmt::join(missing, ", "));
}

void Gateway::Impl::stop_order_manager() {
  if (!oms) return;
  if (config.trading.cancel_all_on_stop) {
    auto r = oms->wait<oms::EntryAck>([this](auto done) { oms->cancel_all(oms::Route::automatic, std::move(done)); });
    if (r) spdlog::info("trading: cancel-all on stop cancelled {} order(s)", r->count);
    else spdlog::error("trading: cancel-all on stop failed: {}", r.error().message());
  }
  oms->stop();
}

void Gateway::Impl::log_summary() const {
  spdlog::info("kraken-gatewayd {}: {} ({}), config {}", "started", config.sim.enabled ? "simulator" : "live Kraken",
               endpoints.rest_url, config.name.empty() ? "built-in defaults" : config.name);
  spdlog::info("  upstream: rest {}  ws-public {}  ws-private {}", endpoints.rest_url, endpoints.ws_public_url,
               endpoints.ws_private_url);
  spdlog::info("  api key: {}", backend->api_key ? (config.sim.enabled ? "simulator demo account"
                                                                         : fmt::format("configured ({})", options.credentials_origin))
                                                 : "none (public market data only)");
  spdlog::info("  feed: {} pairs ({}), book depth {}, ohlc {}, ticker on {}; {} instruments in the registry",
               config.feed.pairs.size(), fmt::join(backend->streamed, ", "), config.feed.book_depth,
               fmt::join(config.feed.ohlc_intervals, ","), config.feed.ticker_bbo ? "bbo" : "trades", registry.size());
  spdlog::info("  grpc: 127.0.0.1:{}{}  metrics: {}", endpoints.grpc_port,
               endpoints.unix_socket.empty() ? "" : " unix:" + endpoints.unix_socket,
               endpoints.metrics_port ? fmt::format("http://127.0.0.1:{}/metrics", endpoints.metrics_port) : "off");
  if (oms)
    spdlog::info("  trading: private ws {}, kill switch {}, dead-man {}, cancel-all on stop {}, state dir {}",
                 endpoints.ws_private_url, oms->kill_switch().engaged ? "ENGAGED" : "off",
                 config.trading.dead_man ? fmt::format("on ({} s, renewed every {} s)", config.trading.dead_man_timeout_s,
                                                       config.trading.dead_man_refresh.count())
                                         : std::string("off"),
                 config.trading.cancel_all_on_stop ? "on" : "off",
                 config.trading.state_dir.empty() ? "none (the kill switch is not persisted)" : config.trading.state_dir);
  else
    spdlog::info("  trading: off (no API key: Account and Trading answer FAILED_PRECONDITION)");
}

Gateway::Gateway(GatewayConfig config, GatewayOptions options)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(options))) {}

Gateway::~Gateway() { stop(std::chrono::milliseconds(0)); }

result<GatewayEndpoints> Gateway::start() {
  auto r = impl_->start();
  if (!r) stop(std::chrono::milliseconds(0));
  return r;
}

void Gateway::stop(std::chrono::milliseconds grace) {
  Impl& s = *impl_;
  if (s.stopped) return;
  s.stopped = true;
  // civetweb takes up to 2 s to stop: in parallel with the rest, reading nothing that goes.
  if (s.metrics) s.metrics->detach_sources();
  std::thread metrics_stop([&s] {
    if (s.metrics) s.metrics->stop();
  });
  // The public feed too (a silent peer holds its close handshake for seconds): nothing below
  // needs it, only its caches, which stay.
  std::thread feed_stop([&s] {
    if (s.feed) s.feed->stop();
  });
  if (s.server) s.server->shutdown_begin(grace + kAnswerBeforeCancel);
  if (s.watch) s.watch->stop();
  // gRPC calls waiting for Kraken (an order over REST or the WebSocket, a read) get the grace;
  // then their REST calls and WebSocket requests complete as unknown outcomes, so Kraken cannot
  // hold the stop past its deadline, and each call ends with its own status (an order: UNKNOWN
  // with its cl_ord_id) a little before the server would cancel it (UNAVAILABLE, which would
  // wrongly say "not executed").
  std::mutex mu;
  std::condition_variable cv;
  bool calls_done = false;
  std::thread cutoff([&] {
    std::unique_lock lock(mu);
    if (cv.wait_for(lock, grace, [&] { return calls_done; })) return;
    if (s.oms) s.oms->abandon_replies();
    if (!s.rest) return;
    if (const auto n = s.rest->abandon_in_flight()) spdlog::warn("stop: {} REST call(s) still waiting for Kraken end as unknown outcomes", n);
  });
  if (s.server) s.server->shutdown_wait();
  {
    std::lock_guard lock(mu);
    calls_done = true;
  }
  cv.notify_all();
  cutoff.join();
  // No gRPC call runs any more. Before the REST service goes: the cancel-all on stop and the
  // dead-man's disarm use it.
  s.stop_order_manager();
  if (s.rest) s.rest->set_shutdown_grace(std::min(grace, std::chrono::milliseconds(500)));
  s.rest.reset();
  s.oms.reset();
  feed_stop.join();
  metrics_stop.join();
  if (s.sim) s.sim->stop();
}

const GatewayConfig& Gateway::config() const noexcept { return impl_->config; }

sim::Simulator* Gateway::simulator() noexcept { return impl_->sim.get(); }

std::string Gateway::metrics_text() const { return impl_->metrics ? impl_->metrics->scrape() : std::string(); }

bool Gateway::set_log_level(const std::string& level) {
  const auto l = spdlog::level::from_str(level);
  if (l == spdlog::level::off && level != "off") return false;
  spdlog::set_level(l);
  if (auto logger = spdlog::default_logger()) logger->set_level(l);
  return true;
}

}  // namespace kgw::gateway
