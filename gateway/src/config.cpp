#include "kgw/gateway/config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>

#include "kgw/core/decimal.hpp"
#include "kgw/core/net/url.hpp"
#include "kgw/feed/market_cache.hpp"

namespace kgw::gateway {
namespace {

// One key of a section: how to read its value into the config. The reader returns the problem
// with the value, if any, in words that follow "<section>.<key>: ".
using Reader = std::function<std::optional<std::string>(const toml::node&, GatewayConfig&)>;
struct Key {
  std::string_view name;
  Reader read;
};
struct Section {
  std::string_view name;
  std::vector<Key> keys;
};

template <class Get>
Key integer(std::string_view name, Get get, std::int64_t lo, std::int64_t hi) {
  return {name, [get, lo, hi](const toml::node& n, GatewayConfig& c) -> std::optional<std::string> {
            const auto v = n.value_exact<std::int64_t>();
            if (!v) return "expected an integer";
            if (*v < lo || *v > hi) return fmt::format("{} is out of range {}..{}", *v, lo, hi);
            using T = std::remove_reference_t<decltype(get(c))>;
            get(c) = static_cast<T>(*v);
            return std::nullopt;
          }};
}

template <class Get>
Key port(std::string_view name, Get get) {
  return integer(name, get, 0, 65535);
}

template <class Get, class Duration>
Key duration(std::string_view name, Get get, Duration lo, Duration hi) {
  return {name, [get, lo, hi](const toml::node& n, GatewayConfig& c) -> std::optional<std::string> {
            const auto v = n.value_exact<std::int64_t>();
            if (!v) return "expected an integer";
            if (*v < lo.count() || *v > hi.count()) return fmt::format("{} is out of range {}..{}", *v, lo.count(), hi.count());
            get(c) = Duration(*v);
            return std::nullopt;
          }};
}

template <class Get>
Key flag(std::string_view name, Get get) {
  return {name, [get](const toml::node& n, GatewayConfig& c) -> std::optional<std::string> {
            const auto v = n.value_exact<bool>();
            if (!v) return "expected true or false";
            get(c) = *v;
            return std::nullopt;
          }};
}

// A string, optionally one of `allowed`.
template <class Get>
Key text(std::string_view name, Get get, std::vector<std::string_view> allowed = {}) {
  return {name, [get, allowed](const toml::node& n, GatewayConfig& c) -> std::optional<std::string> {
            const auto v = n.value_exact<std::string>();
            if (!v) return "expected a string";
            if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), *v) == allowed.end())
              return fmt::format("'{}' is not one of {}", *v, fmt::join(allowed, ", "));
            get(c) = *v;
            return std::nullopt;
          }};
}

template <class Get>
Key tier(std::string_view name, Get get) {
  return {name, [get](const toml::node& n, GatewayConfig& c) -> std::optional<std::string> {
            const auto v = n.value_exact<std::string>();
            const auto t = v ? kraken::parse_tier(*v) : std::nullopt;
            if (!t) return "expected \"starter\", \"intermediate\" or \"pro\"";
            get(c) = *t;
            return std::nullopt;
          }};
}

template <class Get>
Key strings(std::string_view name, Get get, bool allow_empty) {
  return {name, [get, allow_empty](const toml::node& n, GatewayConfig& c) -> std::optional<std::string> {
            const auto* a = n.as_array();
            if (!a) return "expected an array of strings";
            std::vector<std::string> out;
            for (std::size_t i = 0; i < a->size(); ++i) {
              const auto v = a->get(i)->value_exact<std::string>();
              if (!v || v->empty()) return fmt::format("item {} is not a non-empty string", i);
              if (std::find(out.begin(), out.end(), *v) != out.end()) return fmt::format("'{}' is listed twice", *v);
              out.push_back(*v);
            }
            if (out.empty() && !allow_empty) return "at least one is needed";
            get(c) = std::move(out);
            return std::nullopt;
          }};
}

Key ohlc_intervals() {
  return {"ohlc_intervals", [](const toml::node& n, GatewayConfig& c) -> std::optional<std::string> {
            const auto* a = n.as_array();
            if (!a) return "expected an array of integers";
            std::vector<int> out;
            for (std::size_t i = 0; i < a->size(); ++i) {
              const auto v = a->get(i)->value_exact<std::int64_t>();
              if (!v || !feed::ohlc_interval_index(static_cast<int>(*v)))
                return fmt::format("item {} is not one of {}", i, fmt::join(feed::kOhlcIntervals, ", "));
              if (std::find(out.begin(), out.end(), *v) == out.end()) out.push_back(static_cast<int>(*v));
            }
            c.feed.ohlc_intervals = std::move(out);
            return std::nullopt;
          }};
}

const std::vector<Section>& schema() {
  using std::chrono::microseconds;
  using std::chrono::milliseconds;
  static const std::vector<Section> s = {
      {"gateway",
       {duration("stop_deadline_ms", [](GatewayConfig& c) -> auto& { return c.stop_deadline; }, milliseconds(100),
                 milliseconds(120'000))}},
      {"grpc",
       {port("port", [](GatewayConfig& c) -> auto& { return c.grpc.port; }),
        text("unix_socket", [](GatewayConfig& c) -> auto& { return c.grpc.unix_socket; })}},
      {"metrics",
       {flag("enabled", [](GatewayConfig& c) -> auto& { return c.metrics.enabled; }),
        port("port", [](GatewayConfig& c) -> auto& { return c.metrics.port; })}},
      {"kraken",
       {text("rest_url", [](GatewayConfig& c) -> auto& { return c.kraken.rest_url; }),
        text("ws_public_url", [](GatewayConfig& c) -> auto& { return c.kraken.ws_public_url; }),
        text("ws_private_url", [](GatewayConfig& c) -> auto& { return c.kraken.ws_private_url; }),
        tier("tier", [](GatewayConfig& c) -> auto& { return c.kraken.tier; }),
        text("nonce_file", [](GatewayConfig& c) -> auto& { return c.kraken.nonce_file; })}},
      {"feed",
       {strings("pairs", [](GatewayConfig& c) -> auto& { return c.feed.pairs; }, false),
        {"book_depth",
         [](const toml::node& n, GatewayConfig& c) -> std::optional<std::string> {
           const auto v = n.value_exact<std::int64_t>();
           constexpr std::array<std::int64_t, 6> kDepths{0, 10, 25, 100, 500, 1000};
           if (!v || std::find(kDepths.begin(), kDepths.end(), *v) == kDepths.end())
             return "expected one of 0 (no book), 10, 25, 100, 500, 1000";
           c.feed.book_depth = static_cast<int>(*v);
           return std::nullopt;
         }},
        ohlc_intervals(),
        {"ticker_trigger",
         [](const toml::node& n, GatewayConfig& c) -> std::optional<std::string> {
           const auto v = n.value_exact<std::string>();
           if (!v || (*v != "trades" && *v != "bbo")) return "expected \"trades\" or \"bbo\"";
           c.feed.ticker_bbo = *v == "bbo";
           return std::nullopt;
         }},
        duration("symbol_stale_after_ms", [](GatewayConfig& c) -> auto& { return c.feed.symbol_stale_after; },
                 milliseconds(0), milliseconds(600'000)),
        duration("max_age_ms", [](GatewayConfig& c) -> auto& { return c.feed.max_age; }, milliseconds(1),
                 milliseconds(3'600'000)),
        integer("symbols_per_connection", [](GatewayConfig& c) -> auto& { return c.feed.symbols_per_connection; }, 1,
                1000),
        integer("recent_trades", [](GatewayConfig& c) -> auto& { return c.feed.recent_trades; }, 1, feed::SymbolCache::kTrades),
        integer("recent_spreads", [](GatewayConfig& c) -> auto& { return c.feed.recent_spreads; }, 1, feed::SymbolCache::kSpreads),
        text("journal_file", [](GatewayConfig& c) -> auto& { return c.feed.journal_file; })}},
      {"streams",
       {integer("trade_queue", [](GatewayConfig& c) -> auto& { return c.streams.trade_queue; }, 16, 1'000'000),
        integer("candle_queue", [](GatewayConfig& c) -> auto& { return c.streams.candle_queue; }, 4, 100'000),
        duration("poll_interval_us", [](GatewayConfig& c) -> auto& { return c.streams.poll_interval; },
                 microseconds(50), microseconds(1'000'000)),
        integer("executions_queue", [](GatewayConfig& c) -> auto& { return c.streams.executions_queue; }, 16, 1'000'000),
        integer("balances_queue", [](GatewayConfig& c) -> auto& { return c.streams.balances_queue; }, 16, 1'000'000)}},
      {"trading",
       {text("state_dir", [](GatewayConfig& c) -> auto& { return c.trading.state_dir; }),
        flag("cancel_all_on_stop", [](GatewayConfig& c) -> auto& { return c.trading.cancel_all_on_stop; }),
        flag("dead_man", [](GatewayConfig& c) -> auto& { return c.trading.dead_man; }),
        duration("dead_man_refresh_s", [](GatewayConfig& c) -> auto& { return c.trading.dead_man_refresh; },
                 std::chrono::seconds(1), std::chrono::seconds(86'398)),
        integer("dead_man_timeout_s", [](GatewayConfig& c) -> auto& { return c.trading.dead_man_timeout_s; }, 2, 86'399),
        duration("reply_timeout_ms", [](GatewayConfig& c) -> auto& { return c.trading.reply_timeout; }, milliseconds(50),
                 milliseconds(60'000)),
        duration("default_deadline_ms", [](GatewayConfig& c) -> auto& { return c.trading.default_deadline; },
                 milliseconds(500), milliseconds(60'000)),
        duration("positions_refresh_s", [](GatewayConfig& c) -> auto& { return c.trading.positions_refresh; },
                 std::chrono::seconds(1), std::chrono::seconds(3'600)),
        duration("reconnect_min_ms", [](GatewayConfig& c) -> auto& { return c.trading.reconnect_min; }, milliseconds(10),
                 milliseconds(600'000)),
        duration("reconnect_max_ms", [](GatewayConfig& c) -> auto& { return c.trading.reconnect_max; }, milliseconds(10),
                 milliseconds(600'000)),
        {"max_notional",
         [](const toml::node& n, GatewayConfig& c) -> std::optional<std::string> {
           const auto v = n.value_exact<std::string>();
           if (!v) return "expected a decimal string such as \"50000\"";
           if (!v->empty()) {
             const auto d = Decimal::parse(*v);
             if (!d || d->is_negative() || d->is_zero()) return fmt::format("'{}' is not a positive decimal", *v);
           }
           c.trading.max_notional = *v;
           return std::nullopt;
         }},
        integer("max_open_orders", [](GatewayConfig& c) -> auto& { return c.trading.max_open_orders; }, 0, 1'000'000),
        flag("busy_poll", [](GatewayConfig& c) -> auto& { return c.trading.busy_poll; }),
        integer("cpu", [](GatewayConfig& c) -> auto& { return c.trading.cpu; }, -1, 1023)}},
      {"sim",
       {flag("enabled", [](GatewayConfig& c) -> auto& { return c.sim.enabled; }),
        flag("synthetic_flow", [](GatewayConfig& c) -> auto& { return c.sim.synthetic_flow; }),
        strings("pairs", [](GatewayConfig& c) -> auto& { return c.sim.pairs; }, true),
        integer("seed", [](GatewayConfig& c) -> auto& { return c.sim.seed; }, 0, INT64_MAX),
        tier("tier", [](GatewayConfig& c) -> auto& { return c.sim.tier; }),
        port("rest_port", [](GatewayConfig& c) -> auto& { return c.sim.rest_port; }),
        port("ws_public_port", [](GatewayConfig& c) -> auto& { return c.sim.ws_public_port; }),
        port("ws_private_port", [](GatewayConfig& c) -> auto& { return c.sim.ws_private_port; }),
        port("admin_port", [](GatewayConfig& c) -> auto& { return c.sim.admin_port; })}},
      {"log",
       {text("level", [](GatewayConfig& c) -> auto& { return c.log.level; },
             {"trace", "debug", "info", "warn", "error", "critical", "off"}),
        text("file", [](GatewayConfig& c) -> auto& { return c.log.file; })}},
  };
  return s;
}

Error at(std::string_view source, const toml::source_region& where, std::string_view what) {
  return Error(errc::invalid_argument, fmt::format("{}:{}: {}", source, where.begin.line, what));
}

// Names people reach for when they try to put a credential in the file.
bool credential_key(std::string_view k) {
  return k == "api_key" || k == "api_secret" || k == "key" || k == "secret" || k == "key_file";
}

}  // namespace

result<GatewayConfig> parse_config(std::string_view toml_text, std::string_view source) {
  toml::table doc;
  try {
    doc = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    return Error(errc::invalid_argument,
                 fmt::format("{}:{}: {}", source, e.source().begin.line, e.description()));
  }
  GatewayConfig c;
  const auto slash = source.rfind('/');
  c.name = std::string(slash == std::string_view::npos ? source : source.substr(slash + 1));
  for (const auto& [section_key, section_node] : doc) {
    const std::string_view section_name = section_key.str();
    const auto& sections = schema();
    const auto sec = std::find_if(sections.begin(), sections.end(), [&](const Section& s) { return s.name == section_name; });
    if (sec == sections.end())
      return at(source, section_key.source(), fmt::format("unknown section or key '{}'", section_name));
    const toml::table* table = section_node.as_table();
    if (!table) return at(source, section_key.source(), fmt::format("'{}' must be a [{}] section", section_name, section_name));
    for (const auto& [key, value] : *table) {
      const std::string_view key_name = key.str();
      const std::string path = fmt::format("{}.{}", section_name, key_name);
      if (credential_key(key_name))
        return at(source, key.source(),
                  fmt::format("{}: API credentials are never read from the config file; use --key-file, "
                              "KRAKEN_API_KEY/KRAKEN_API_SECRET or a systemd credential",
                              path));
      const auto k = std::find_if(sec->keys.begin(), sec->keys.end(), [&](const Key& x) { return x.name == key_name; });
      if (k == sec->keys.end()) return at(source, key.source(), fmt::format("unknown key '{}'", path));
      if (auto problem = k->read(value, c)) return at(source, value.source(), fmt::format("{}: {}", path, *problem));
    }
  }
  return c;
}

result<GatewayConfig> load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(errc::invalid_argument, fmt::format("{}: cannot be read", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

bool loopback_host(std::string_view host) noexcept {
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8, written as a dotted quad.
  if (host.substr(0, 4) != "127.") return false;
  int dots = 0;
  for (char ch : host) {
    if (ch == '.') ++dots;
    else if (ch < '0' || ch > '9') return false;
  }
  return dots == 3;
}

result<void> validate(const GatewayConfig& c, const UrlOrigins& origins) {
  // With the embedded simulator the URLs are its own, on loopback.
  if (!c.sim.enabled) {
    struct Check {
      const std::string& url;
      const std::string& origin;
      net::UrlUse use;
    };
    for (const Check& k : {Check{c.kraken.rest_url, origins.rest, net::UrlUse::http_origin},
                           Check{c.kraken.ws_public_url, origins.ws_public, net::UrlUse::websocket},
                           Check{c.kraken.ws_private_url, origins.ws_private, net::UrlUse::websocket}}) {
      auto u = net::parse_url(k.url, k.use);
      if (!u) return Error(errc::invalid_argument, fmt::format("{}: {}", k.origin, u.error().detail));
      if (!u->tls() && !loopback_host(u->host))
        return Error(errc::invalid_argument,
                     fmt::format("{}: plain {}:// is only allowed to a loopback host, not '{}'", k.origin,
                                 net::to_string(u->scheme), u->host));
    }
  }
  if (c.grpc.unix_socket.size() > 100)
    return Error(errc::invalid_argument, "grpc.unix_socket: longer than a unix socket path may be (100)");
  if (c.metrics.enabled && c.grpc.port != 0 && c.metrics.port == c.grpc.port)
    return Error(errc::invalid_argument, "metrics.port: the same port as grpc.port");
  if (c.trading.reconnect_min > c.trading.reconnect_max)
    return Error(errc::invalid_argument, "trading.reconnect_min_ms: larger than trading.reconnect_max_ms");
  if (c.trading.dead_man_refresh >= std::chrono::seconds(c.trading.dead_man_timeout_s))
    return Error(errc::invalid_argument, "trading.dead_man_refresh_s: must be shorter than trading.dead_man_timeout_s");
  return {};
}

std::vector<std::string> restart_needed(const GatewayConfig& a, const GatewayConfig& b) {
  std::vector<std::string> out;
  if (a.stop_deadline != b.stop_deadline) out.emplace_back("gateway");
  if (a.grpc != b.grpc) out.emplace_back("grpc");
  if (a.metrics != b.metrics) out.emplace_back("metrics");
  if (a.kraken != b.kraken) out.emplace_back("kraken");
  if (a.feed != b.feed) out.emplace_back("feed");
  if (a.streams != b.streams) out.emplace_back("streams");
  if (a.trading != b.trading) out.emplace_back("trading");
  if (a.sim != b.sim) out.emplace_back("sim");
  if (a.log.file != b.log.file) out.emplace_back("log.file");
  return out;
}

std::string default_socket_path() {
  for (const char* var : {"RUNTIME_DIRECTORY", "XDG_RUNTIME_DIR"})
    if (const char* dir = std::getenv(var); dir && *dir) {
      // systemd may list several runtime directories separated by ':'; the first is ours.
      std::string d(dir);
      if (auto colon = d.find(':'); colon != std::string::npos) d.resize(colon);
      return d + "/kraken-gatewayd.sock";
    }
  return fmt::format("/tmp/kraken-gatewayd-{}.sock", ::getuid());
}

}  // namespace kgw::gateway
