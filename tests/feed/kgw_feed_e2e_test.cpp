// kgw-feed, the feed's command-line check, run as a process against kraken-sim on loopback.

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "kgw/sim/simulator.hpp"
#include "kgw_process.hpp"

namespace kgw::feed {
namespace {

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

}  // namespace
}  // namespace kgw::feed
