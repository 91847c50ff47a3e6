#include "kgw/sim/simulator.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>

#include "kgw/core/json_writer.hpp"
#include "kgw/sim/default_market.hpp"
#include "kgw/sim/kraken_replay.hpp"
#include "kgw/sim/kraken_rest_api.hpp"
#include "kgw/sim/kraken_ws_api.hpp"
#include "kgw/sim/market_data.hpp"
#include "kgw/sim/server.hpp"
#include "kgw/sim/synthetic_flow.hpp"
#include "kgw/sim/tokens.hpp"
#include "admin_api.hpp"
#include "kgw/core/thread_name.hpp"

namespace kgw::sim {
namespace {

namespace asio = boost::asio;

// Adapts a server WebSocket peer to what the WS API needs.
class PeerClient final : public WsClient {
 public:
  explicit PeerClient(std::shared_ptr<WsPeer> p) : peer_(std::move(p)) {}
  std::uint64_t id() const override { return peer_->id(); }
  bool send(std::string text) override { return peer_->send(std::move(text)); }
  const std::shared_ptr<WsPeer>& peer() const { return peer_; }

 private:
  std::shared_ptr<WsPeer> peer_;
};

HttpServerResponse json_response(unsigned status, std::string body) {
  HttpServerResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// Connects a WebSocket server to a WS API (the simulated KrakenWsApi or the ReplayWsApi).
template <class Api>
class WsFront final : public ServerHandler {
 public:
  explicit WsFront(Api& api) : api_(api) {}
  HttpServerResponse on_http(const HttpServerRequest&) override {
    return json_response(426, R"({"error":"WebSocket endpoint: connect with an upgrade to /v2"})");
  }
  void on_ws_open(const std::shared_ptr<WsPeer>& peer) override {
    auto c = std::make_shared<PeerClient>(peer);
    clients_[peer->id()] = c;
    api_.on_open(c);
  }
  void on_ws_message(const std::shared_ptr<WsPeer>& peer, std::string_view text) override {
    if (auto it = clients_.find(peer->id()); it != clients_.end()) api_.on_message(it->second, text);
  }
  void on_ws_close(const std::shared_ptr<WsPeer>& peer) override {
    if (auto it = clients_.find(peer->id()); it != clients_.end()) {
      api_.on_close(it->second);
      clients_.erase(it);
    }
  }

 private:
  Api& api_;
  std::map<std::uint64_t, std::shared_ptr<PeerClient>> clients_;
};

class RestFront final : public ServerHandler {
 public:
  explicit RestFront(KrakenRestApi& api) : api_(api) {}
  HttpServerResponse on_http(const HttpServerRequest& req) override {
    auto reply = api_.handle(req.method, req.target, [&](std::string_view name) { return req.header(name); }, req.body);
    HttpServerResponse r;
    r.status = reply.status;
    r.body = std::move(reply.body);
    r.content_type = reply.content_type;
    r.delay = reply.delay;
    r.drop = reply.drop;
    return r;
  }
  void on_ws_message(const std::shared_ptr<WsPeer>& peer, std::string_view) override { peer->close(1008, "REST endpoint"); }

 private:
  KrakenRestApi& api_;
};

}  // namespace

struct Simulator::Impl {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  std::thread thread;
  const Clock* clock = nullptr;
  std::unique_ptr<Exchange> ex;
  std::unique_ptr<MarketData> md;
  std::unique_ptr<TokenStore> tokens;
  Faults faults;
  std::unique_ptr<KrakenRestApi> rest;
  std::unique_ptr<KrakenWsApi> ws_public, ws_private;
  std::unique_ptr<ReplayFile> replay_file;  // must outlive ws_replay (views into it)
  std::unique_ptr<ReplayWsApi> ws_replay;
  std::unique_ptr<SyntheticFlow> flow;
  std::unique_ptr<RestFront> rest_front;
  std::unique_ptr<ServerHandler> ws_public_front, ws_private_front;
  std::unique_ptr<ServerHandler> admin_front;
  std::unique_ptr<Server> rest_server, ws_public_server, ws_private_server, admin_server;
  asio::steady_timer timer{io};
  std::chrono::milliseconds tick{20};
  bool running = false;

  void schedule_tick() {
    timer.expires_after(tick);
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec || !running) return;
      try {
        if (flow) flow->step(clock->wall_now());
        ex->tick();
        if (ws_replay) ws_replay->on_timer();
        else ws_public->on_timer();
        ws_private->on_timer();
      } catch (const std::exception& e) {
        spdlog::error("kraken-sim: tick failed: {}", e.what());
      }
      schedule_tick();
    });
  }
};

Simulator::Simulator(SimulatorOptions options) : options_(std::move(options)), impl_(std::make_unique<Impl>()) {}

Simulator::~Simulator() { stop(); }

void Simulator::post(std::function<void()> fn) { asio::post(impl_->io, std::move(fn)); }
Exchange& Simulator::exchange() { return *impl_->ex; }
Faults& Simulator::faults_unsafe() { return impl_->faults; }

result<SimulatorEndpoints> Simulator::start() {
  Impl& s = *impl_;
  if (s.running) return endpoints_;
  s.clock = options_.clock ? options_.clock : &SystemClock::instance();
  s.tick = options_.tick;

  // Reference data: the default pairs, or the subset asked for (any spelling).
  std::vector<Instrument> instruments = default_instruments();
  std::vector<Asset> assets = default_assets();
  if (options_.synthetic_pairs > 0) {
    instruments = catalogue_instruments();
    assets = catalogue_assets();
    for (auto& a : synthetic_assets(options_.synthetic_pairs)) assets.push_back(std::move(a));
    for (auto& in : synthetic_instruments(options_.synthetic_pairs)) instruments.push_back(std::move(in));
  }
  if (!options_.pairs.empty()) {
    // Picked from the larger catalogue; the default market stays the five pairs.
    if (options_.synthetic_pairs == 0) {
      instruments = catalogue_instruments();
      assets = catalogue_assets();
    }
    InstrumentRegistry reg;
    if (auto r = reg.load(assets, instruments); !r) return r.error();
    std::vector<Instrument> picked;
    for (const auto& name : options_.pairs) {
      auto in = reg.find(name);
      if (!in) return Error(errc::invalid_argument, fmt::format("--pairs: unknown pair '{}'", name));
      if (std::none_of(picked.begin(), picked.end(), [&](const Instrument& x) { return x.rest_key == in->rest_key; }))
        picked.push_back(*in);
    }
    instruments = std::move(picked);
  }
  try {
    s.ex = std::make_unique<Exchange>(Exchange::Config{assets, instruments, options_.seed, options_.tier, options_.limits}, *s.clock);
  } catch (const std::exception& e) {
    return Error(errc::invalid_argument, e.what());
  }
  s.md = std::make_unique<MarketData>(*s.ex);
  s.tokens = std::make_unique<TokenStore>(options_.seed);
  s.rest = std::make_unique<KrakenRestApi>(*s.ex, *s.md, *s.tokens, s.faults);
  s.rest->set_limits(options_.limits.value_or(kraken::tier_limits(options_.tier)));
  s.ws_public = std::make_unique<KrakenWsApi>(*s.ex, *s.md, *s.tokens, s.faults, KrakenWsApi::Options{.authenticated = false});
  KrakenWsApi::Options private_options{.authenticated = true};
  private_options.defer = [&s](std::chrono::microseconds after, std::function<void()> fn) {
    auto timer = std::make_shared<asio::steady_timer>(s.io, after);
    timer->async_wait([timer, fn = std::move(fn)](const boost::system::error_code& ec) {
      if (!ec) fn();
    });
  };
  s.ws_private = std::make_unique<KrakenWsApi>(*s.ex, *s.md, *s.tokens, s.faults, private_options);

  std::vector<AccountSpec> accounts = options_.accounts;
  if (accounts.empty()) accounts.push_back(demo_account(options_.seed));
  for (const auto& a : accounts) {
    const AccountId id = s.ex->add_account(a.name, a.api_key, Secret(a.api_secret), a.permissions);
    for (const auto& [asset, amount] : a.balances)
      if (auto r = s.ex->deposit(id, asset, amount); !r)
        return Error(errc::invalid_argument, fmt::format("account '{}': {}", a.name, r.error().message()));
  }
  auto reference = default_reference_prices();
  for (auto& p : synthetic_reference_prices(options_.synthetic_pairs)) reference.push_back(std::move(p));
  for (const auto& [key, px] : reference)
    if (auto idx = s.ex->pair_index(key)) {
      auto m = parse_fixed(px, s.ex->instruments()[*idx]->price_precision);
      if (m) s.md->seed_last(*idx, Price{*m});
    }
  if (options_.synthetic_flow) {
    SyntheticFlow::Config fc;
    fc.seed = options_.seed;
    if (options_.synthetic_pairs > 0) {
      // The synthetic pairs' start prices (the flow knows only the catalogue's).
      std::map<std::string, std::string, std::less<>> mids;
      for (auto& [key, px] : synthetic_reference_prices(options_.synthetic_pairs)) mids.emplace(key, px);
      for (const auto& in : s.ex->instruments()) {
        SyntheticFlow::PairConfig pc{.pair = in->rest_key};
        if (auto it = mids.find(in->rest_key); it != mids.end()) pc.mid = it->second;
        fc.pairs.push_back(std::move(pc));
      }
    }
    try {
      s.flow = std::make_unique<SyntheticFlow>(*s.ex, fc);
      s.flow->seed_book();
    } catch (const std::exception& e) {
      return Error(errc::invalid_argument, fmt::format("synthetic flow: {}", e.what()));
    }
  }

  auto make_server = [&](std::uint16_t port, bool tls, ServerHandler& h) {
    ServerOptions o;
    o.bind = options_.bind;
    o.port = port;
    o.tls = tls;
    return std::make_unique<Server>(s.io, o, h);
  };
  s.rest_front = std::make_unique<RestFront>(*s.rest);
  if (!options_.replay_file.empty()) {
    ReplayLoadOptions lo;
    for (const auto& in : catalogue_instruments()) lo.catalogue[in.symbol] = {in.price_precision, in.qty_precision};
    auto file = ReplayFile::load(options_.replay_file, std::move(lo));
    if (!file) return file.error();
    s.replay_file = std::make_unique<ReplayFile>(std::move(file).value());
    spdlog::info("kraken-sim: replay {}", s.replay_file->summary());
    if (s.replay_file->stats().checksums_failed > 0)
      spdlog::warn("kraken-sim: the recording has {} book checksum mismatches", s.replay_file->stats().checksums_failed);
    ReplayWsApi::Options ro;
    ro.speed = options_.replay_speed;
    ro.loop = options_.replay_loop;
    ro.start_on_first_subscribe = options_.replay_wait;
    s.ws_replay = std::make_unique<ReplayWsApi>(*s.replay_file, *s.clock, ro);
    s.ws_public_front = std::make_unique<WsFront<ReplayWsApi>>(*s.ws_replay);
  } else {
    s.ws_public_front = std::make_unique<WsFront<KrakenWsApi>>(*s.ws_public);
  }
  s.ws_private_front = std::make_unique<WsFront<KrakenWsApi>>(*s.ws_private);
  s.admin_front = std::make_unique<AdminApi>(AdminApi::Targets{
      *s.ex, s.faults, *s.tokens,
      [&s] {
        std::vector<std::shared_ptr<WsPeer>> peers;
        for (Server* srv : {s.ws_public_server.get(), s.ws_private_server.get()})
          for (auto& peer : srv->ws_peers()) peers.push_back(peer);
        return peers;
      },
      // After this answer: close everything and reopen on the same ports, keeping state.
      [this] {
        asio::post(impl_->io, [this] {
          if (auto r = restart_servers(); !r) spdlog::error("kraken-sim: restart failed: {}", r.error().message());
        });
      }});
  const bool tls = options_.tls_self_signed;
  s.rest_server = make_server(options_.rest_port, tls, *s.rest_front);
  s.ws_public_server = make_server(options_.ws_public_port, tls, *s.ws_public_front);
  s.ws_private_server = make_server(options_.ws_private_port, tls, *s.ws_private_front);
  s.admin_server = make_server(options_.admin_port, false, *s.admin_front);
  std::uint16_t ports[4];
  Server* servers[4] = {s.rest_server.get(), s.ws_public_server.get(), s.ws_private_server.get(), s.admin_server.get()};
  for (int i = 0; i < 4; ++i) {
    auto p = servers[i]->start();
    if (!p) return p.error();
    ports[i] = *p;
  }
  const std::string host = options_.bind;
  endpoints_.rest = fmt::format("{}://{}:{}", tls ? "https" : "http", host, ports[0]);
  endpoints_.ws_public = fmt::format("{}://{}:{}/v2", tls ? "wss" : "ws", host, ports[1]);
  endpoints_.ws_private = fmt::format("{}://{}:{}/v2", tls ? "wss" : "ws", host, ports[2]);
  endpoints_.admin = fmt::format("http://{}:{}", host, ports[3]);
  endpoints_.api_key = accounts.front().api_key;
  endpoints_.api_secret = accounts.front().api_secret;
  if (tls) endpoints_.ca_pem = s.rest_server->cert_pem();

  s.running = true;
  s.schedule_tick();
  s.thread = std::thread([&s] {
    set_thread_name("kraken-sim");
    try {
      s.io.run();
    } catch (const std::exception& e) {
      spdlog::critical("kraken-sim: event loop died: {}", e.what());
    }
  });
  return endpoints_;
}

std::uint64_t Simulator::rest_requests() {
  Impl& s = *impl_;
  if (!s.thread.joinable()) return 0;
  // The server's counters belong to the simulator thread.
  std::promise<std::uint64_t> count;
  auto f = count.get_future();
  post([&s, &count] { count.set_value(s.rest_server ? s.rest_server->http_requests() : 0); });
  return f.get();
}

std::uint64_t Simulator::rest_requests(std::vector<std::string> paths) {
  Impl& s = *impl_;
  if (!s.thread.joinable()) return 0;
  std::promise<std::uint64_t> count;
  auto f = count.get_future();
  post([&s, &count, &paths] {
    std::uint64_t n = 0;
    if (s.rest_server) {
      const auto stats = s.rest_server->stats();
      for (const auto& p : paths)
        if (auto it = stats.http_by_path.find(p); it != stats.http_by_path.end()) n += it->second;
    }
    count.set_value(n);
  });
  return f.get();
}

result<void> Simulator::restart_servers() {
  Impl& s = *impl_;
  for (Server* srv : {s.rest_server.get(), s.ws_public_server.get(), s.ws_private_server.get()}) srv->stop();
  for (Server* srv : {s.rest_server.get(), s.ws_public_server.get(), s.ws_private_server.get()})
    if (auto r = srv->start(); !r) return r.error();
  return {};
}

void Simulator::stop() {
  Impl& s = *impl_;
  if (!s.thread.joinable()) return;
  asio::post(s.io, [&s] {
    s.running = false;
    s.timer.cancel();
    for (Server* srv : {s.rest_server.get(), s.ws_public_server.get(), s.ws_private_server.get(), s.admin_server.get()})
      if (srv) srv->stop();
    s.guard.reset();
  });
  s.thread.join();
  // Destroy servers before the handlers and the exchange they reference.
  s.admin_server.reset();
  s.ws_private_server.reset();
  s.ws_public_server.reset();
  s.rest_server.reset();
  s.flow.reset();
}

}  // namespace kgw::sim
