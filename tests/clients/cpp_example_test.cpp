// The C++ example strategy (clients/cpp) as a user runs it: against `kraken-gatewayd --sim` on
// ephemeral ports, it streams the book, places a post-only limit buy and cancels it; the order is
// then looked up in the simulator (Kraken REST through the gateway) to see what really happened.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "kgw/v1/trading.grpc.pb.h"
#include "kgw_process.hpp"

namespace kgw::test {
namespace {

std::string line_value(const std::string& out, const std::string& name) {
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(name + " ", 0) == 0) return line.substr(name.size() + 1);
  return {};
}

TEST(CppExampleStrategy, StreamsTheBookPlacesARestingLimitOrderAndCancelsIt) {
  ChildProcess daemon({KGW_GATEWAYD_EXE, "--config", std::string(KGW_SOURCE_DIR) + "/config/sim.toml", "--sim",
                       "--grpc-port", "0", "--metrics-port", "0", "--unix-socket", "none"},
                      std::chrono::seconds(60));
  ASSERT_TRUE(daemon.ready()) << daemon.how_it_ended();
  const std::string addr = daemon.values("grpc").at(0);

  const Process run = run_process(std::string(KGW_EXAMPLE_EXE) + " --addr " + addr + " --pair XBTUSD 2>&1");
  ASSERT_EQ(run.status, 0) << run.out;
  EXPECT_NE(run.out.find("checksum"), std::string::npos) << run.out;
  EXPECT_EQ(line_value(run.out, "resting:"), "yes") << run.out;
  EXPECT_EQ(line_value(run.out, "cancelled"), "1 order(s)") << run.out;
  const std::string order_id = line_value(run.out, "order_id");
  ASSERT_EQ(order_id.size(), 19u) << run.out;  // Kraken's OXXXXX-XXXXX-XXXXXX

  // What the simulator holds: the order, cancelled by the user, never filled, 5 % under the bid.
  auto trading = v1::Trading::NewStub(grpc::CreateChannel(addr, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::QueryOrdersRequest req;
  req.add_txids(order_id);
  req.mutable_read()->set_policy(v1::READ_POLICY_REST_ONLY);
  v1::QueryOrdersResponse resp;
  const grpc::Status s = trading->QueryOrders(&ctx, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.orders_size(), 1);
  const v1::Order& o = resp.orders(0);
  EXPECT_EQ(o.status(), v1::ORDER_STATUS_CANCELED);
  EXPECT_EQ(o.descr().type(), v1::SIDE_BUY);
  EXPECT_EQ(o.descr().ordertype(), v1::ORDER_TYPE_LIMIT);
  EXPECT_EQ(o.vol(), "0.00010000");
  EXPECT_EQ(o.vol_exec(), "0.00000000");
  EXPECT_NE(o.oflags().find("post"), std::string::npos) << o.oflags();
  EXPECT_EQ(o.reason(), "User requested");
  EXPECT_NE(run.out.find("@ limit " + o.descr().price()), std::string::npos) << run.out << "\n" << o.descr().price();
}

}  // namespace
}  // namespace kgw::test
