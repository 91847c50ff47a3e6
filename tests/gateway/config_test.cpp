// GatewayConfig: the shipped examples read as documented, and every mistake in a file is refused
// naming its key and line, before anything starts.

#include "kgw/gateway/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace kgw::gateway {
namespace {

const std::string kExamples = std::string(KGW_SOURCE_DIR) + "/config/";

std::string error_of(std::string_view toml) {
  auto c = parse_config(toml, "test.toml");
  EXPECT_FALSE(c) << "accepted: " << toml;
  return c ? std::string() : c.error().detail;
}

TEST(GatewayConfig, TheLiveExampleSpellsOutEveryDefault) {
  auto c = load_config(kExamples + "live.toml");
  ASSERT_TRUE(c) << c.error().detail;
  GatewayConfig defaults;
  defaults.name = "live.toml";
  EXPECT_EQ(*c, defaults);
  EXPECT_EQ(c->kraken.rest_url, "https://api.kraken.com");
  EXPECT_FALSE(c->sim.enabled);
  EXPECT_TRUE(validate(*c));
}

TEST(GatewayConfig, TheSimExampleRunsTheEmbeddedSimulatorOnItsFivePairs) {
  auto c = load_config(kExamples + "sim.toml");
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_TRUE(c->sim.enabled);
  EXPECT_EQ(c->feed.pairs, (std::vector<std::string>{"BTC/USD", "ETH/USD", "SOL/USD", "BTC/EUR", "ETH/BTC"}));
  EXPECT_EQ(c->feed.ohlc_intervals, (std::vector<int>{1, 5}));
  EXPECT_EQ(c->name, "sim.toml");
  EXPECT_TRUE(validate(*c));
}

TEST(GatewayConfig, AnUnknownKeyIsRefusedWithItsNameAndLine) {
  EXPECT_EQ(error_of("[grpc]\nport = 1\nprot = 2\n"), "test.toml:3: unknown key 'grpc.prot'");
  EXPECT_EQ(error_of("\n[feed]\nsymbol_stale_after = 10\n"), "test.toml:3: unknown key 'feed.symbol_stale_after'");
}

TEST(GatewayConfig, AnUnknownSectionOrATopLevelKeyIsRefusedWithItsLine) {
  EXPECT_EQ(error_of("[grpcc]\nport = 1\n"), "test.toml:1: unknown section or key 'grpcc'");
  EXPECT_EQ(error_of("port = 1\n"), "test.toml:1: unknown section or key 'port'");
  EXPECT_EQ(error_of("gateway = 1\n"), "test.toml:1: 'gateway' must be a [gateway] section");
}

TEST(GatewayConfig, AValueOfTheWrongTypeOrOutOfRangeNamesTheKeyAndLine) {
  EXPECT_EQ(error_of("[grpc]\nport = \"50051\"\n"), "test.toml:2: grpc.port: expected an integer");
  EXPECT_EQ(error_of("[metrics]\nport = 70000\n"), "test.toml:2: metrics.port: 70000 is out of range 0..65535");
  EXPECT_EQ(error_of("[feed]\nbook_depth = 20\n"), "test.toml:2: feed.book_depth: expected one of 0 (no book), 10, 25, 100, 500, 1000");
  EXPECT_EQ(error_of("[feed]\nohlc_intervals = [1, 2]\n"),
            "test.toml:2: feed.ohlc_intervals: item 1 is not one of 1, 5, 15, 30, 60, 240, 1440, 10080, 21600");
  EXPECT_EQ(error_of("[feed]\npairs = []\n"), "test.toml:2: feed.pairs: at least one is needed");
  EXPECT_EQ(error_of("[feed]\npairs = [\"XBTUSD\", \"XBTUSD\"]\n"), "test.toml:2: feed.pairs: 'XBTUSD' is listed twice");
  EXPECT_EQ(error_of("[kraken]\ntier = \"gold\"\n"), "test.toml:2: kraken.tier: expected \"starter\", \"intermediate\" or \"pro\"");
  EXPECT_EQ(error_of("[log]\nlevel = \"loud\"\n"),
            "test.toml:2: log.level: 'loud' is not one of trace, debug, info, warn, error, critical, off");
  EXPECT_EQ(error_of("[sim]\nenabled = 1\n"), "test.toml:2: sim.enabled: expected true or false");
  EXPECT_EQ(error_of("[streams]\ntrade_queue = 2\n"), "test.toml:2: streams.trade_queue: 2 is out of range 16..1000000");
  EXPECT_EQ(error_of("[feed]\nrecent_trades = 2000\n"), "test.toml:2: feed.recent_trades: 2000 is out of range 1..1024");
  EXPECT_EQ(error_of("[feed]\nrecent_spreads = 0\n"), "test.toml:2: feed.recent_spreads: 0 is out of range 1..256");
  EXPECT_EQ(error_of("[trading]\nmax_notional = \"-5\"\n"), "test.toml:2: trading.max_notional: '-5' is not a positive decimal");
  EXPECT_EQ(error_of("[trading]\ndead_man_timeout_s = 100000\n"),
            "test.toml:2: trading.dead_man_timeout_s: 100000 is out of range 2..86399");
}

TEST(GatewayConfig, TheTradingSectionConfiguresTheOrderManager) {
  auto c = parse_config("[trading]\nstate_dir = \"/var/lib/kgw\"\ncancel_all_on_stop = true\ndead_man = true\n"
                        "dead_man_refresh_s = 10\ndead_man_timeout_s = 30\nmax_notional = \"25000\"\n",
                        "test.toml");
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_EQ(c->trading.state_dir, "/var/lib/kgw");
  EXPECT_TRUE(c->trading.cancel_all_on_stop);
  EXPECT_TRUE(c->trading.dead_man);
  EXPECT_EQ(c->trading.dead_man_refresh, std::chrono::seconds(10));
  EXPECT_EQ(c->trading.dead_man_timeout_s, 30);
  EXPECT_EQ(c->trading.max_notional, "25000");
  EXPECT_TRUE(validate(*c));
  c->trading.dead_man_refresh = std::chrono::seconds(30);
  EXPECT_EQ(validate(*c).error().detail, "trading.dead_man_refresh_s: must be shorter than trading.dead_man_timeout_s");
}

TEST(GatewayConfig, BusyPollAndThePinnedCpuAreOffUnlessTheTradingSectionSetsThem) {
  EXPECT_FALSE(GatewayConfig{}.trading.busy_poll);
  EXPECT_EQ(GatewayConfig{}.trading.cpu, -1);
  auto c = parse_config("[trading]\nbusy_poll = true\ncpu = 1\n", "test.toml");
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_TRUE(c->trading.busy_poll);
  EXPECT_EQ(c->trading.cpu, 1);
  EXPECT_EQ(error_of("[trading]\nbusy_poll = \"yes\"\n"), "test.toml:2: trading.busy_poll: expected true or false");
  EXPECT_EQ(error_of("[trading]\ncpu = -2\n"), "test.toml:2: trading.cpu: -2 is out of range -1..1023");
}

TEST(GatewayConfig, ATomlSyntaxErrorNamesItsLine) {
  const std::string e = error_of("[grpc]\nport = = 1\n");
  EXPECT_EQ(e.rfind("test.toml:2: ", 0), 0u) << e;
}

TEST(GatewayConfig, CredentialsInTheFileAreRefusedAndSayWhereTheyBelong) {
  const std::string e = error_of("[kraken]\napi_key = \"abc\"\n");
  EXPECT_EQ(e, "test.toml:2: kraken.api_key: API credentials are never read from the config file; use --key-file, "
               "KRAKEN_API_KEY/KRAKEN_API_SECRET or a systemd credential");
  EXPECT_EQ(e.find("abc"), std::string::npos);
}

TEST(GatewayConfig, PlainUrlsAreAllowedToLoopbackOnlyAndErrorsNameTheirOrigin) {
  GatewayConfig c;
  c.kraken.rest_url = "http://127.0.0.1:8081";
  c.kraken.ws_public_url = "ws://localhost:8082/v2";
  c.kraken.ws_private_url = "ws://[::1]:8083/v2";
  EXPECT_TRUE(validate(c));
  c.kraken.rest_url = "http://api.kraken.com";
  auto e = validate(c, UrlOrigins{.rest = "--rest-url"});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().detail, "--rest-url: plain http:// is only allowed to a loopback host, not 'api.kraken.com'");
  c.kraken.rest_url = "https://api.kraken.com/0/public";
  e = validate(c);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().detail.rfind("kraken.rest_url: ", 0), 0u) << e.error().detail;
  c.kraken.rest_url = "https://api.kraken.com";
  c.kraken.ws_public_url = "https://ws.kraken.com/v2";
  e = validate(c);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().detail.rfind("kraken.ws_public_url: ", 0), 0u) << e.error().detail;
  // With the embedded simulator the URLs are its own.
  c.sim.enabled = true;
  EXPECT_TRUE(validate(c));
}

TEST(GatewayConfig, AReloadNamesEverySettingThatNeedsARestartButNotTheLogLevel) {
  GatewayConfig a, b;
  b.log.level = "debug";
  EXPECT_TRUE(restart_needed(a, b).empty());
  b.feed.pairs.push_back("SOL/USD");
  b.grpc.port = 1;
  b.log.file = "/tmp/x.log";
  EXPECT_EQ(restart_needed(a, b), (std::vector<std::string>{"grpc", "feed", "log.file"}));
}

TEST(GatewayConfig, TheDefaultSocketIsInTheRuntimeDirectory) {
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  const std::string saved = xdg ? xdg : "";
  ::setenv("RUNTIME_DIRECTORY", "/run/kraken-gatewayd:/run/other", 1);
  EXPECT_EQ(default_socket_path(), "/run/kraken-gatewayd/kraken-gatewayd.sock");
  ::unsetenv("RUNTIME_DIRECTORY");
  ::setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
  EXPECT_EQ(default_socket_path(), "/run/user/1000/kraken-gatewayd.sock");
  ::unsetenv("XDG_RUNTIME_DIR");
  EXPECT_EQ(default_socket_path().rfind("/tmp/kraken-gatewayd-", 0), 0u);
  if (xdg) ::setenv("XDG_RUNTIME_DIR", saved.c_str(), 1);
}

}  // namespace
}  // namespace kgw::gateway
