// kgw-feed, the feed's command-line check, run as a process against kraken-sim on loopback (and
// against a hostile WebSocket server that never answers the upgrade).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "kgw/sim/simulator.hpp"
#include "kgw_hostile_server.hpp"
#include "kgw_process.hpp"
#include "kgw_sim_admin.hpp"

namespace kgw::feed {
namespace {

using namespace std::chrono_literals;
using test::Process;

Process run(const std::string& args) { return test::run_process(std::string(KGW_FEED_EXE) + " " + args + " 2>&1"); }

TEST(KgwFeed, PrintsSyncedBooksForPairsInAnySpellingAndStopsByItself) {
  sim::SimulatorOptions o;
  sim::Simulator sim(o);
  auto ep = sim.start();
  ASSERT_TRUE(ep) << ep.error().message();
  const Process p = run("--url " + ep->ws_public + " --rest " + ep->rest + " --symbols XBTUSD,ETH/USD --seconds 2");
  sim.stop();
  EXPECT_EQ(p.status, 0) << p.out;
  EXPECT_NE(p.out.find("BTC/USD    book synced"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("ETH/USD    book synced"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("connections 1 up"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find(" 0 mismatches"), std::string::npos) << p.out;
}

TEST(KgwFeed, AnUnknownPairIsAnErrorNamingIt) {
  sim::SimulatorOptions o;
  o.synthetic_flow = false;
  sim::Simulator sim(o);
  auto ep = sim.start();
  ASSERT_TRUE(ep) << ep.error().message();
  const Process p = run("--url " + ep->ws_public + " --rest " + ep->rest + " --symbols NOPE/USD --seconds 1");
  sim.stop();
  EXPECT_EQ(p.status, 2);
  EXPECT_NE(p.out.find("unknown symbol 'NOPE/USD'"), std::string::npos) << p.out;
}

// Issue #9: such URLs were retried for good. Refused before anything is contacted.
TEST(KgwFeed, RefusesAUrlThatCannotWorkAtStartNamingTheOption) {
  const Process ws = run("--url ws://127.0.0.1:/v2 --rest http://127.0.0.1:1 --seconds 5");
  EXPECT_EQ(ws.status, 2) << ws.out;
  EXPECT_NE(ws.out.find("kgw-feed: --url: URL 'ws://127.0.0.1:/v2': empty port"), std::string::npos) << ws.out;
  const Process rest = run("--url ws://127.0.0.1:1/v2 --rest http://127.0.0.1:1/0/public --seconds 5");
  EXPECT_EQ(rest.status, 2) << rest.out;
  EXPECT_NE(rest.out.find("kgw-feed: --rest: URL 'http://127.0.0.1:1/0/public': expected an origin"), std::string::npos)
      << rest.out;
}

TEST(KgwFeed, StartsAfterA502OnTheReferenceData) {
  sim::SimulatorOptions o;
  sim::Simulator sim(o);
  auto ep = sim.start();
  ASSERT_TRUE(ep) << ep.error().message();
  ASSERT_EQ(test::sim_admin_post(ep->admin, "/rest/http_status?code=502&count=1"), 200u);
  const Process p = run("--url " + ep->ws_public + " --rest " + ep->rest + " --symbols XBTUSD --seconds 2");
  sim.stop();
  EXPECT_EQ(p.status, 0) << p.out;
  EXPECT_NE(p.out.find("reference data: attempt 1 failed: connection failed: Assets: HTTP 502 from Kraken's edge; the API was not reached; retrying in"),
            std::string::npos)
      << p.out;
  EXPECT_NE(p.out.find("book synced"), std::string::npos) << p.out;  // one pair: its line
}

TEST(KgwFeed, KeepsToSecondsWhileTheServerNeverAnswersTheUpgrade) {
  sim::SimulatorOptions o;
  o.synthetic_flow = false;
  sim::Simulator sim(o);
  auto ep = sim.start();
  ASSERT_TRUE(ep) << ep.error().message();
  test::HostileWsServer silent;
  ASSERT_TRUE(silent.ok());
  const auto before = std::chrono::steady_clock::now();
  const Process p = run("--url " + silent.url() + " --rest " + ep->rest + " --symbols XBTUSD --seconds 2");
  const auto took = std::chrono::steady_clock::now() - before;
  sim.stop();
  EXPECT_EQ(p.status, 0) << p.out;
  EXPECT_GE(silent.accepted(), 1);
  // 2 s asked; the connect timeout (10 s) and the close of a session must not add to it.
  EXPECT_LT(took, 3500ms) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n" << p.out;
  EXPECT_NE(p.out.find("connections 0 up, 0 connects"), std::string::npos) << p.out;
}

}  // namespace
}  // namespace kgw::feed
