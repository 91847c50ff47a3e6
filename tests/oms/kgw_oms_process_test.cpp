// kgw-oms, the order manager's command-line tool, run as a process against kraken-sim on
// loopback: commands on stdin, one answer line each, the status block, the key never printed,
// and what it refuses before contacting anything.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "kgw/sim/exchange.hpp"
#include "kgw/sim/simulator.hpp"
#include "kgw_process.hpp"

namespace kgw::oms {
namespace {

using test::Process;

class KgwOms : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::SimulatorOptions o;
    o.synthetic_flow = false;  // the account changes only by the tool's orders
    sim_ = std::make_unique<sim::Simulator>(o);
    auto ep = sim_->start();
    ASSERT_TRUE(ep) << ep.error().message();
    ep_ = *ep;
  }
  void TearDown() override {
    if (sim_) sim_->stop();
  }

  // Runs the tool with the simulator's demo key in the environment and `script` (a shell command
  // whose output is the tool's stdin); stdout and stderr merged.
  Process run(const std::string& script, std::string rest_url = "") const {
    if (rest_url.empty()) rest_url = ep_.rest;
    return test::run_process("(" + script + ") | env -u CREDENTIALS_DIRECTORY KRAKEN_API_KEY='" + ep_.api_key +
                             "' KRAKEN_API_SECRET='" + ep_.api_secret + "' " + KGW_OMS_EXE + " --rest-url " + rest_url +
                             " --ws-private-url " + ep_.ws_private + " 2>&1");
  }
  std::size_t open_orders() const {
    const std::string key = ep_.api_key;
    return sim_->call([key](sim::Exchange& ex) { return ex.open_orders(ex.account_by_key(key)->id).size(); });
  }
  std::size_t closed_orders() const {
    const std::string key = ep_.api_key;
    return sim_->call([key](sim::Exchange& ex) { return ex.closed_orders(ex.account_by_key(key)->id).size(); });
  }
  static bool has(const Process& p, const std::string& text) { return p.out.find(text) != std::string::npos; }

  std::unique_ptr<sim::Simulator> sim_;
  sim::SimulatorEndpoints ep_;
};

TEST_F(KgwOms, PlacesAmendsAndCancelsOverTheWebSocketAndNeverPrintsTheKey) {
  const Process p = run(
      "printf 'place XBTUSD buy 0.001 limit 1000 tool-1\\n"
      "amend tool-1 0.002 1001\\n"
      "place XBTUSD buy 0.001 limit 999 tool-1\\n"
      "cancel tool-1\\n"
      "quit\\n'");
  EXPECT_EQ(p.status, 0) << p.out;
  EXPECT_TRUE(has(p, "\nready\n") || p.out.rfind("ready\n", 0) == 0) << p.out;
  EXPECT_TRUE(has(p, "ok place cl_ord_id=tool-1 order_id=O")) << p.out;
  EXPECT_TRUE(has(p, "ok amend tool-1 amend_id=")) << p.out;
  // The same cl_ord_id again answers with the order it already placed (exactly once).
  EXPECT_TRUE(has(p, " path=ws existing\n")) << p.out;
  EXPECT_TRUE(has(p, "ok cancel tool-1 count=1 path=ws")) << p.out;
  EXPECT_FALSE(has(p, ep_.api_key)) << "the API key was printed";
  EXPECT_FALSE(has(p, ep_.api_secret)) << "the API secret was printed";
  EXPECT_EQ(open_orders(), 0u);
  EXPECT_EQ(closed_orders(), 1u);  // one order, placed once, cancelled
}

TEST_F(KgwOms, PrintsWhatItsCachesHoldOnceASecond) {
  const Process p = run("printf 'place XBTUSD buy 0.001 limit 1000 tool-2\\n'; sleep 1.6; printf 'quit\\n'");
  EXPECT_EQ(p.status, 0) << p.out;
  EXPECT_TRUE(has(p, "session up fresh=yes reconciled=yes epoch=")) << p.out;
  EXPECT_TRUE(has(p, "cl_ord_id=tool-2 BTC/USD buy 0.00100000 @ 1000.0 filled 0 new")) << p.out;
  EXPECT_TRUE(has(p, "balance USD ")) << p.out;
  EXPECT_TRUE(has(p, "entry ws_sent=1 rest_sent=0")) << p.out;
  EXPECT_TRUE(has(p, "kill off deadman off")) << p.out;
  EXPECT_EQ(open_orders(), 1u);  // the tool leaves orders as they are when it ends
}

TEST_F(KgwOms, TheKillSwitchRefusesOrdersUntilItIsDisengaged) {
  const Process p = run(
      "printf 'place XBTUSD buy 0.001 limit 1000 tool-3\\n"
      "kill trying it\\n"
      "place XBTUSD buy 0.001 limit 1000 tool-4\\n"
      "unkill\\n"
      "place XBTUSD buy 0.001 limit 1000 tool-5\\n"
      "bogus\\n"
      "quit\\n'");
  EXPECT_EQ(p.status, 0) << p.out;
  EXPECT_TRUE(has(p, "ok kill count=1")) << p.out;  // engaging it cancels the open order
  EXPECT_TRUE(has(p, "error place: ")) << p.out;
  EXPECT_TRUE(has(p, "kill switch")) << p.out;
  EXPECT_TRUE(has(p, "ok unkill")) << p.out;
  EXPECT_TRUE(has(p, "ok place cl_ord_id=tool-5")) << p.out;
  EXPECT_TRUE(has(p, "error usage: commands: place")) << p.out;
  EXPECT_EQ(open_orders(), 1u);  // tool-5 only
  EXPECT_EQ(closed_orders(), 1u);  // tool-3, cancelled by the switch; tool-4 never reached Kraken
}

TEST_F(KgwOms, WithoutAKeyOrWithAKeyFileOthersMayReadItRefusesToStart) {
  const std::string exe = KGW_OMS_EXE;
  const Process none = test::run_process("env -u KRAKEN_API_KEY -u KRAKEN_API_SECRET -u CREDENTIALS_DIRECTORY " + exe +
                                         " --rest-url " + ep_.rest + " --ws-private-url " + ep_.ws_private + " </dev/null 2>&1");
  EXPECT_EQ(none.status, 2) << none.out;
  EXPECT_TRUE(has(none, "kgw-oms: no API key")) << none.out;

  const auto file = std::filesystem::temp_directory_path() / ("kgw-oms-key-" + std::to_string(::getpid()));
  std::ofstream(file) << ep_.api_key << "\n" << ep_.api_secret << "\n";
  ::chmod(file.c_str(), 0644);
  const Process open = test::run_process("env -u KRAKEN_API_KEY -u KRAKEN_API_SECRET " + exe + " --key-file " + file.string() +
                                         " --rest-url " + ep_.rest + " --ws-private-url " + ep_.ws_private + " </dev/null 2>&1");
  std::filesystem::remove(file);
  EXPECT_EQ(open.status, 2) << open.out;
  EXPECT_TRUE(has(open, "group or others may access it")) << open.out;
  EXPECT_FALSE(has(open, ep_.api_secret)) << open.out;
  EXPECT_EQ(open_orders() + closed_orders(), 0u);
}

TEST_F(KgwOms, AUrlThatCannotWorkIsRefusedAtStartNamingTheOption) {
  const Process p = run("true", "http://127.0.0.1:/");
  EXPECT_EQ(p.status, 2) << p.out;
  EXPECT_TRUE(has(p, "kgw-oms: --rest-url: ")) << p.out;
}

}  // namespace
}  // namespace kgw::oms
