// kraken-sim's admin API: every fault test depends on it, so a value it cannot use is refused with
// HTTP 400 and a message naming the parameter, and nothing changes; a good value arms the fault.

#include <gtest/gtest.h>

#include <string>

#include "kgw/sim/exchange.hpp"
#include "kgw/sim/faults.hpp"
#include "kgw/sim/simulator.hpp"
#include "kgw_raw_peer.hpp"

namespace kgw::sim {
namespace {

using test::raw_http;

unsigned short port_of(const std::string& url) {
  return static_cast<unsigned short>(std::stoi(url.substr(url.rfind(':') + 1)));
}

class AdminApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SimulatorOptions o;
    o.synthetic_flow = false;
    sim_ = std::make_unique<Simulator>(o);
    auto ep = sim_->start();
    ASSERT_TRUE(ep) << ep.error().message();
    admin_ = port_of(ep->admin);
  }
  void TearDown() override { sim_->stop(); }

  test::RawHttpResponse post(const std::string& target) { return raw_http(admin_, "POST", target); }
  // A copy of the fault state, read on the simulator's thread.
  Faults faults() {
    return sim_->call([this](Exchange&) { return sim_->faults_unsafe(); });
  }

  std::unique_ptr<Simulator> sim_;
  unsigned short admin_ = 0;
};

TEST_F(AdminApiTest, RefusesValuesItCannotUseWithA400NamingTheParameter) {
  const std::pair<const char*, const char*> cases[] = {
      {"/ws/stall?on=maybe", "on: must be true or false"},
      {"/rest/http_status?code=502&count=-1", "count: must be an integer from 0"},
      {"/rest/http_status?code=abc", "code: must be an integer from 100 to 599, got 'abc'"},
      {"/rest/http_status?code=5020", "code: must be an integer from 100 to 599"},
      {"/rest/delay?ms=99999999999999999999999", "ms: must be an integer"},
      {"/rest/delay", "ms: required"},
      {"/rest/drop_response?count=1x", "count: must be an integer"},
      {"/book/corrupt_checksum?symbol=NOPE/USD", "symbol: unknown pair 'NOPE/USD'"},
      {"/book/corrupt_checksum?count=2", "symbol: required"},
      {"/pair/status?pair=XBTUSD&value=sideways", "value: must be a Kraken pair status"},
      {"/status?value=closed", "value: must be online|cancel_only|post_only|maintenance"},
      {"/rest/error?error=busy", "error: must be a Kraken error string"},
      {"/ws/drop?peer=999999", "peer: no open WebSocket peer 999999"},
      {"/ws/drop?peer=-3", "peer: must be an integer"},
      {"/rest/delay?ms=5&msec=7", "unknown parameter 'msec'"},
      {"/rest/delay?ms=5&us=7", "ms and us: give one"},
      {"/ws/private/delay?us=-1", "us: must be an integer"},
      {"/tokens/invalidate?all=yes", "unknown parameter 'all'"},
      {"/deposit?api_key=nobody&asset=ZUSD&amount=1", "api_key: unknown account key"},
  };
  for (const auto& [target, message] : cases) {
    const auto r = post(target);
    EXPECT_EQ(r.status, 400) << target << " -> " << r.body;
    EXPECT_NE(r.body.find(message), std::string::npos) << target << " -> " << r.body;
  }
  // Nothing was armed or counted by any of them.
  const Faults f = faults();
  EXPECT_EQ(f.http_status_count, 0);
  EXPECT_EQ(f.rest_delay.count(), 0);
  EXPECT_EQ(f.ws_private_delay.count(), 0);
  EXPECT_EQ(f.rest_drop_response_count, 0);
  EXPECT_TRUE(f.corrupt_checksum.empty());
  EXPECT_TRUE(f.rest_error.empty());
  EXPECT_TRUE(f.fired.empty());
}

TEST_F(AdminApiTest, GoodValuesArmTheFaultsTheySay) {
  EXPECT_EQ(post("/rest/http_status?code=503&count=2").status, 200);
  EXPECT_EQ(post("/rest/delay?ms=25").status, 200);
  EXPECT_EQ(post("/ws/private/delay?us=2500").status, 200);
  EXPECT_EQ(post("/rest/error?error=EService:Busy&count=3").status, 200);
  EXPECT_EQ(post("/book/corrupt_checksum?symbol=XBTUSD&count=4").status, 200);  // any spelling
  EXPECT_EQ(post("/ws/drop_response").status, 200);                               // count defaults to 1
  EXPECT_EQ(post("/ws/stall?on=false").status, 200);
  const Faults f = faults();
  EXPECT_EQ(f.http_status, 503u);
  EXPECT_EQ(f.http_status_count, 2);
  EXPECT_EQ(f.rest_delay, std::chrono::milliseconds(25));
  EXPECT_EQ(f.ws_private_delay, std::chrono::microseconds(2500));
  EXPECT_EQ(f.rest_error, "EService:Busy");
  EXPECT_EQ(f.rest_error_count, 3);
  ASSERT_EQ(f.corrupt_checksum.count("BTC/USD"), 1u);  // keyed by the v2 symbol the feed sees
  EXPECT_EQ(f.corrupt_checksum.at("BTC/USD"), 4);
  EXPECT_EQ(f.ws_drop_response_count, 1);
}

TEST_F(AdminApiTest, ReadsAreGetAndActionsArePost) {
  EXPECT_EQ(raw_http(admin_, "GET", "/health").status, 200);
  EXPECT_EQ(raw_http(admin_, "GET", "/faults").status, 200);
  EXPECT_EQ(raw_http(admin_, "GET", "/rest/delay?ms=5").status, 400);
  EXPECT_EQ(raw_http(admin_, "POST", "/no/such/thing").status, 404);
}

}  // namespace
}  // namespace kgw::sim
