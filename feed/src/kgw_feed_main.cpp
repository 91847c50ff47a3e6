// kgw-feed: runs the gateway's market-data feed on its own and prints what its caches hold, once
// a second: per symbol the book state, best bid/ask, last trade and the age of the data; then
// the feed's counters. For checking a host's connectivity to Kraken (or to kraken-sim) and the
// health of the books before starting the daemon. Reference data (assets, pairs) comes from REST
// first, as the daemon does, retried with the feed's backoff while Kraken's REST is unavailable.
// Bad URLs are refused at once, naming the option.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "kgw/core/kraken/rest_service.hpp"
#include "kgw/core/log.hpp"
#include "kgw/core/net/url.hpp"
#include "kgw/feed/market_feed.hpp"
#include "kgw/feed/reference_data_loader.hpp"

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop.store(true); }

const char* state_name(kgw::feed::BookState s) {
  switch (s) {
    case kgw::feed::BookState::synced: return "synced";
    case kgw::feed::BookState::resyncing: return "resyncing";
    case kgw::feed::BookState::stale: return "stale";
    case kgw::feed::BookState::none: return "-";
  }
  return "?";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kgw-feed: run the market-data feed and print its caches"};
  std::string url = "wss://ws.kraken.com/v2", rest = "https://api.kraken.com", journal, level = "warn";
  std::vector<std::string> symbols{"BTC/USD"};
  int depth = 10, seconds = 0;
  std::size_t per_connection = 50;
  app.add_option("--url", url, "WS v2 public endpoint (kraken-sim: ws://127.0.0.1:8082/v2)")->capture_default_str();
  app.add_option("--rest", rest, "REST base URL for Assets/AssetPairs (kraken-sim: http://127.0.0.1:8081)")->capture_default_str();
  app.add_option("--symbols", symbols, "pairs in any Kraken spelling, comma-separated")->delimiter(',')->capture_default_str();
  app.add_option("--depth", depth, "book depth per symbol (0: no book)")->check(CLI::IsMember({0, 10, 25, 100, 500, 1000}))->capture_default_str();
  app.add_option("--per-connection", per_connection, "symbols per WS connection")->check(CLI::Range(1, 1000))->capture_default_str();
  app.add_option("--seconds", seconds, "stop after this long (0: until Ctrl-C)")->check(CLI::NonNegativeNumber);
  app.add_option("--journal", journal, "append every inbound frame to this NDJSON file (kraken-sim --replay reads it)");
  app.add_option("--log-level", level, "trace|debug|info|warn|error")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  // Before anything is contacted: a URL no retry can fix ends the run here, naming the option.
  if (auto u = kgw::net::parse_url(url, kgw::net::UrlUse::websocket); !u) {
    std::fprintf(stderr, "kgw-feed: --url: %s\n", u.error().detail.c_str());
    return 2;
  }
  if (auto u = kgw::net::parse_url(rest, kgw::net::UrlUse::http_origin); !u) {
    std::fprintf(stderr, "kgw-feed: --rest: %s\n", u.error().detail.c_str());
    return 2;
  }

  kgw::log::init({.level = level, .file = "", .to_stderr = true});
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const auto& clock = kgw::SystemClock::instance();
  // --seconds bounds the whole run, reference data included.
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = seconds > 0 ? started + std::chrono::seconds(seconds) : std::chrono::steady_clock::time_point::max();
  auto stop_requested = [deadline] { return g_stop.load() || std::chrono::steady_clock::now() >= deadline; };

  kgw::feed::FeedOptions fo;
  fo.url = url;
  for (const auto& s : symbols) fo.symbols.push_back({s, depth});
  fo.symbols_per_connection = per_connection;
  fo.journal_file = journal;

  kgw::kraken::RestTransportOptions ro;
  ro.http.base_url = rest;
  auto svc = kgw::kraken::KrakenRestService::start(std::move(ro), clock);
  if (!svc) {
    std::fprintf(stderr, "kgw-feed: --rest: %s\n", svc.error().message().c_str());
    return 2;
  }
  kgw::InstrumentRegistry registry;
  if (auto r = kgw::feed::load_reference_data(**svc, registry, fo, stop_requested, clock); !r) {
    std::fprintf(stderr, "kgw-feed: reference data from %s: %s\n", rest.c_str(), r.error().message().c_str());
    svc->reset();
    kgw::log::shutdown();
    return 1;
  }

  kgw::feed::MarketCache cache;
  kgw::feed::MarketFeed feed(fo, cache, registry, clock);
  if (auto r = feed.start(); !r) {
    std::fprintf(stderr, "kgw-feed: %s\n", r.error().message().c_str());
    return 2;
  }
  // Once a second, and once more when --seconds is up; Ctrl-C ends it at once.
  for (auto next_print = std::chrono::steady_clock::now() + std::chrono::seconds(1); !g_stop.load();
       next_print += std::chrono::seconds(1)) {
    while (!stop_requested() && std::chrono::steady_clock::now() < next_print)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (g_stop.load()) break;
    const std::int64_t now = clock.wall_now().time_since_epoch().count();
    for (const auto& fs : fo.symbols) {
      auto inst = registry.find(fs.symbol);
      const kgw::feed::SymbolCache* c = inst ? cache.find(inst->symbol) : nullptr;
      if (!c) continue;
      std::string bid = "-", ask = "-", last = "-";
      if (auto b = c->book(); b && b->n_bids && b->n_asks) {
        bid = kgw::format_fixed(b->bids[0].price, b->price_precision);
        ask = kgw::format_fixed(b->asks[0].price, b->price_precision);
      }
      if (auto t = c->ticker()) last = t->last.to_string();
      const double age_ms = c->last_receive_ns() ? static_cast<double>(now - c->last_receive_ns()) / 1e6 : -1;
      std::printf("%-10s book %-9s bid %-14s ask %-14s last %-14s age %8.1f ms  mismatches %llu\n", c->symbol().data(),
                  state_name(c->book_state(now)), bid.c_str(), ask.c_str(), last.c_str(), age_ms,
                  static_cast<unsigned long long>(c->checksum_mismatches()));
    }
    const auto& st = feed.stats();
    std::printf("connections %u up, %llu connects, %llu frames, %llu book msgs, %llu mismatches, %llu resyncs, %llu parse errors\n\n",
                st.connections_up.load(), static_cast<unsigned long long>(st.connects.load()),
                static_cast<unsigned long long>(st.frames.load()), static_cast<unsigned long long>(st.book_messages.load()),
                static_cast<unsigned long long>(st.checksum_mismatches.load()), static_cast<unsigned long long>(st.resyncs.load()),
                static_cast<unsigned long long>(st.parse_errors.load()));
    std::fflush(stdout);
    if (stop_requested()) break;
  }
  feed.stop();
  svc->reset();
  kgw::log::shutdown();
  return 0;
}
