// The Gateway service with the order manager running on the simulator's demo account (and
// without an API key), the standard health service, server reflection (no .proto files needed by
// a client) and the metrics.

#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <array>

#include "gateway_test_support.hpp"

namespace kgw::test {
namespace {

namespace pb = google::protobuf;

// One request and one answer on any method, as raw protobuf bytes (the health and reflection
// protos are not installed with Debian's gRPC; their wire format is tiny).
std::optional<std::string> raw_call(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                                    const std::string& request, grpc::Status* status = nullptr) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  with_deadline(ctx);
  auto call = stub.PrepareCall(&ctx, method, &cq);
  auto step = [&cq](auto start) {
    void* tag = nullptr;
    bool ok = false;
    start();
    return cq.Next(&tag, &ok) && ok;
  };
  grpc::Slice slice(request);
  grpc::ByteBuffer out(&slice, 1), in;
  std::optional<std::string> answer;
  if (step([&] { call->StartCall(reinterpret_cast<void*>(1)); }) &&
      step([&] { call->Write(out, reinterpret_cast<void*>(2)); }) &&
      step([&] { call->WritesDone(reinterpret_cast<void*>(3)); }) && step([&] { call->Read(&in, reinterpret_cast<void*>(4)); })) {
    std::vector<grpc::Slice> slices;
    (void)in.Dump(&slices);
    std::string bytes;
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    answer = bytes;
  }
  grpc::Status st;
  step([&] { call->Finish(&st, reinterpret_cast<void*>(5)); });
  if (status) *status = st;
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) {
  }
  return answer;
}

// A string field `number` as protobuf bytes (length below 128).
std::string string_field(int number, const std::string& value) {
  return std::string(1, static_cast<char>(number << 3 | 2)) + static_cast<char>(value.size()) + value;
}

// grpc.health.v1.Health/Check: 1 SERVING, 2 NOT_SERVING; -1 on failure.
int health(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  auto answer = raw_call(channel, "/grpc.health.v1.Health/Check", string_field(1, service));
  pb::UnknownFieldSet f;
  if (!answer || !f.ParseFromString(*answer)) return -1;
  if (f.field_count() == 0) return 0;
  return static_cast<int>(f.field(0).varint());
}

// The feed's caches filled and the order manager's private session up.
class GatewayServiceE2E : public SharedGatewayTest<GatewayServiceE2E> {
 public:
  static void SetUpTestSuite() {
    SharedGatewayTest::SetUpTestSuite();
    if (gw_->channel() && !gw_->wait_for_trading()) ADD_FAILURE() << "the order manager's session did not come up";
  }
};

TEST_F(GatewayServiceE2E, GetInfoSaysWhatRunsWhereWithoutShowingTheKey) {
  v1::GetInfoResponse info;
  grpc::ClientContext ctx;
  with_deadline(ctx);
  ASSERT_TRUE(gw_->gateway()->GetInfo(&ctx, {}, &info).ok());
  EXPECT_EQ(info.version(), "0.1.0");
  EXPECT_EQ(info.api_package(), "kgw.v1");
  EXPECT_EQ(info.mode(), v1::UPSTREAM_MODE_SIMULATOR);
  EXPECT_EQ(info.rest_url(), gw_->endpoints().rest_url);
  EXPECT_EQ(info.public_ws_url(), gw_->endpoints().ws_public_url);
  EXPECT_TRUE(info.api_key_configured());
  EXPECT_EQ(info.account_tier(), "intermediate");
  EXPECT_EQ(info.config_name(), "test");
  EXPECT_GT(info.start_time_ns(), 0);
  EXPECT_GE(info.served_time_ns(), info.start_time_ns());
  const std::string text = info.DebugString();
  EXPECT_EQ(text.find(gw_->sim().endpoints().api_key), std::string::npos);
  EXPECT_EQ(text.find(gw_->sim().endpoints().api_secret), std::string::npos);
}

TEST_F(GatewayServiceE2E, UpstreamStatusShowsThePublicFeedAndThePrivateSessionReady) {
  v1::GetUpstreamStatusResponse s;
  grpc::ClientContext ctx;
  with_deadline(ctx);
  ASSERT_TRUE(gw_->gateway()->GetUpstreamStatus(&ctx, {}, &s).ok());
  ASSERT_EQ(s.connections_size(), 3);
  EXPECT_EQ(s.connections(0).kind(), v1::UPSTREAM_KIND_PUBLIC_WS);
  EXPECT_EQ(s.connections(0).state(), v1::CONNECTION_STATE_READY);
  EXPECT_GT(s.connections(0).messages_received(), 0u);
  EXPECT_EQ(s.connections(0).subscription_count(), 2u * 4u);  // ticker, trade, book, ohlc 1m per pair
  EXPECT_EQ(s.connections(1).kind(), v1::UPSTREAM_KIND_PRIVATE_WS);
  EXPECT_EQ(s.connections(1).endpoint(), gw_->endpoints().ws_private_url);
  EXPECT_EQ(s.connections(1).state(), v1::CONNECTION_STATE_READY);
  EXPECT_EQ(s.connections(1).subscription_count(), 2u);  // executions and balances
  EXPECT_GT(s.connections(1).messages_received(), 0u);   // their snapshots at least
  EXPECT_GT(s.connections(1).ready_since_time_ns(), 0);
  EXPECT_EQ(s.connections(2).kind(), v1::UPSTREAM_KIND_REST);
  EXPECT_EQ(s.connections(2).state(), v1::CONNECTION_STATE_READY);
  EXPECT_EQ(s.exchange_status(), v1::SYSTEM_STATUS_ONLINE);
  EXPECT_EQ(s.mode(), v1::UPSTREAM_MODE_SIMULATOR);
}

TEST_F(GatewayServiceE2E, CacheFreshnessListsEveryStreamedSlotAndFilters) {
  v1::GetCacheFreshnessResponse all;
  grpc::ClientContext ctx;
  with_deadline(ctx);
  ASSERT_TRUE(gw_->gateway()->GetCacheFreshness(&ctx, {}, &all).ok());
  // Per pair ticker, book, trades, 1-minute candles; then the status, the account's balances,
  // open orders and executions, and the instruments.
  ASSERT_EQ(all.entries_size(), 2 * 4 + 1 + 3 + 1);
  for (const auto& e : all.entries()) EXPECT_TRUE(e.live()) << e.ShortDebugString();
  EXPECT_EQ(all.entries(8).kind(), v1::CACHE_KIND_SYSTEM_STATUS);
  for (int i = 9; i < 12; ++i) {
    const auto& e = all.entries(i);
    EXPECT_EQ(e.kind(), (std::array{v1::CACHE_KIND_BALANCES, v1::CACHE_KIND_OPEN_ORDERS, v1::CACHE_KIND_EXECUTIONS}[i - 9]));
    EXPECT_TRUE(e.pair().empty()) << e.ShortDebugString();  // the account's, not a pair's
    EXPECT_GT(e.receive_time_ns(), 0) << e.ShortDebugString();
    EXPECT_GT(e.subscribed_since_time_ns(), 0) << e.ShortDebugString();
  }
  EXPECT_EQ(all.entries(12).kind(), v1::CACHE_KIND_INSTRUMENTS);
  v1::GetCacheFreshnessRequest req;
  req.add_pairs("XBTUSD");
  req.add_kinds(v1::CACHE_KIND_BOOK);
  v1::GetCacheFreshnessResponse book;
  grpc::ClientContext ctx2;
  with_deadline(ctx2);
  ASSERT_TRUE(gw_->gateway()->GetCacheFreshness(&ctx2, req, &book).ok());
  ASSERT_EQ(book.entries_size(), 1);
  EXPECT_EQ(book.entries(0).symbol(), "BTC/USD");
  EXPECT_EQ(book.entries(0).pair(), "XXBTZUSD");
  EXPECT_EQ(book.entries(0).depth(), 10u);
  EXPECT_EQ(book.entries(0).checksum_failures(), 0u);
  EXPECT_GT(book.entries(0).receive_time_ns(), 0);
  // A pair filter leaves the account's entries out; a kind filter alone keeps them.
  v1::GetCacheFreshnessRequest account_req;
  account_req.add_kinds(v1::CACHE_KIND_OPEN_ORDERS);
  v1::GetCacheFreshnessResponse account;
  grpc::ClientContext ctx4;
  with_deadline(ctx4);
  ASSERT_TRUE(gw_->gateway()->GetCacheFreshness(&ctx4, account_req, &account).ok());
  ASSERT_EQ(account.entries_size(), 1);
  EXPECT_EQ(account.entries(0).kind(), v1::CACHE_KIND_OPEN_ORDERS);
  EXPECT_TRUE(account.entries(0).live());
  req.set_kinds(0, static_cast<v1::CacheKind>(99));
  grpc::ClientContext ctx3;
  with_deadline(ctx3);
  const auto s = gw_->gateway()->GetCacheFreshness(&ctx3, req, &book);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(error_detail(s).field(), "kinds[0]");
}

TEST_F(GatewayServiceE2E, RateBudgetComesFromTheRestGovernor) {
  v1::GetRateBudgetRequest req;
  req.add_pairs("BTC/USD");
  v1::GetRateBudgetResponse b;
  grpc::ClientContext ctx;
  with_deadline(ctx);
  ASSERT_TRUE(gw_->gateway()->GetRateBudget(&ctx, req, &b).ok());
  EXPECT_EQ(b.rest().tier(), "intermediate");
  EXPECT_EQ(b.rest().max_counter(), "20.00");
  EXPECT_EQ(b.rest().decay_per_second(), "0.50");
  EXPECT_GT(b.rest().calls_sent(), 0u);  // the reference data
  ASSERT_EQ(b.pairs_size(), 1);
  EXPECT_EQ(b.pairs(0).pair(), "XXBTZUSD");
  EXPECT_EQ(b.pairs(0).threshold(), "125.00");
  EXPECT_EQ(b.pairs(0).max_open_orders(), 80u);
  req.set_pairs(0, "NOPE");
  grpc::ClientContext ctx2;
  with_deadline(ctx2);
  const auto s = gw_->gateway()->GetRateBudget(&ctx2, req, &b);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(error_detail(s).field(), "pairs[0]");
}

TEST_F(GatewayServiceE2E, TheKillSwitchAndTheDeadManStartDisengagedAndDisarmed) {
  v1::GetKillSwitchResponse k;
  grpc::ClientContext ctx;
  with_deadline(ctx);
  ASSERT_TRUE(gw_->gateway()->GetKillSwitch(&ctx, {}, &k).ok());
  EXPECT_FALSE(k.state().engaged());
  EXPECT_EQ(k.state().engaged_time_ns(), 0);
  EXPECT_EQ(k.state().orders_refused(), 0u);
  v1::GetDeadManSwitchResponse d;
  grpc::ClientContext ctx2;
  with_deadline(ctx2);
  ASSERT_TRUE(gw_->gateway()->GetDeadManSwitch(&ctx2, {}, &d).ok());
  EXPECT_FALSE(d.armed());
  EXPECT_EQ(d.owner(), v1::DEAD_MAN_OWNER_UNSPECIFIED);
  EXPECT_EQ(d.refresh_count(), 0u);
  EXPECT_GT(d.served_time_ns(), 0);
}

TEST_F(GatewayServiceE2E, HealthServesEveryServiceOnceThePublicFeedAndThePrivateSessionAreUp) {
  EXPECT_EQ(health(gw_->channel(), ""), 1);
  EXPECT_EQ(health(gw_->channel(), "kgw.v1.MarketData"), 1);
  EXPECT_EQ(health(gw_->channel(), "kgw.v1.Gateway"), 1);
  EXPECT_EQ(health(gw_->channel(), "kgw.v1.Trading"), 1);
  EXPECT_EQ(health(gw_->channel(), "kgw.v1.Account"), 1);
}

TEST_F(GatewayServiceE2E, ReflectionListsEveryServiceAndServesTheContract) {
  // ServerReflectionRequest.list_services (field 7).
  auto answer = raw_call(gw_->channel(), "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", string_field(7, ""));
  ASSERT_TRUE(answer);
  pb::UnknownFieldSet response;
  ASSERT_TRUE(response.ParseFromString(*answer));
  std::vector<std::string> services;
  for (int i = 0; i < response.field_count(); ++i) {
    if (response.field(i).number() != 6) continue;  // list_services_response
    pb::UnknownFieldSet list;
    ASSERT_TRUE(list.ParseFromString(response.field(i).length_delimited()));
    for (int j = 0; j < list.field_count(); ++j) {
      pb::UnknownFieldSet service;
      ASSERT_TRUE(service.ParseFromString(list.field(j).length_delimited()));
      services.push_back(service.field(0).length_delimited());
    }
  }
  for (const char* s : {"kgw.v1.MarketData", "kgw.v1.Gateway", "kgw.v1.Account", "kgw.v1.Trading", "grpc.health.v1.Health"})
    EXPECT_NE(std::find(services.begin(), services.end(), s), services.end()) << s;
  // file_containing_symbol (field 4): the descriptor of the file that defines MarketData.
  answer = raw_call(gw_->channel(), "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                    string_field(4, "kgw.v1.MarketData"));
  ASSERT_TRUE(answer);
  ASSERT_TRUE(response.ParseFromString(*answer));
  bool found = false;
  for (int i = 0; i < response.field_count(); ++i) {
    if (response.field(i).number() != 4) continue;  // file_descriptor_response
    pb::UnknownFieldSet files;
    ASSERT_TRUE(files.ParseFromString(response.field(i).length_delimited()));
    for (int j = 0; j < files.field_count(); ++j) {
      pb::FileDescriptorProto file;
      ASSERT_TRUE(file.ParseFromString(files.field(j).length_delimited()));
      if (file.name() != "kgw/v1/market_data.proto") continue;
      found = true;
      ASSERT_EQ(file.service_size(), 1);
      EXPECT_EQ(file.service(0).method(0).name(), "GetTicker");
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(GatewayServiceE2E, MetricsCountEveryCallByMethodAndCodeAndReportTheCaches) {
  v1::GetTickerRequest req;
  req.add_pairs("BTC/USD");
  v1::GetTickerResponse r;
  grpc::ClientContext ctx;
  ASSERT_TRUE(gw_->market_data()->GetTicker(&ctx, req, &r).ok());
  req.set_pairs(0, "NOPE");
  grpc::ClientContext ctx2;
  (void)gw_->market_data()->GetTicker(&ctx2, req, &r);
  const std::string text = gw_->get().metrics_text();
  for (const char* line : {R"(kgw_rpc_duration_seconds_count{code="0",method="/kgw.v1.MarketData/GetTicker"})",
                           R"(kgw_rpc_duration_seconds_count{code="3",method="/kgw.v1.MarketData/GetTicker"})",
                           R"(kgw_cache_age_seconds{kind="ticker",pair="BTC/USD"})",
                           R"(kgw_book_checksum_failures_total{pair="BTC/USD"} 0)", "kgw_feed_reconnects_total ",
                           "kgw_feed_checksum_failures_total 0", "kgw_rest_rate_headroom ", "kgw_feed_connections_up 1",
                           R"(kgw_upstream_ready{upstream="public_ws"} 1)"})
    EXPECT_NE(text.find(line), std::string::npos) << line;
}

TEST(GatewayWithoutKey, AccountAndTradingAnswerFailedPreconditionNoKeyConfigured) {
  // The gateway in live mode, pointed at a simulator it did not start, with no key.
  sim::Simulator exchange(sim::SimulatorOptions{});
  auto ep = exchange.start();
  ASSERT_TRUE(ep) << ep.error().message();
  auto c = gateway_test_config();
  c.sim.enabled = false;
  c.kraken.rest_url = ep->rest;
  c.kraken.ws_public_url = ep->ws_public;
  c.kraken.ws_private_url = ep->ws_private;
  TestGateway gw(c);
  ASSERT_TRUE(gw.channel());
  auto expect_no_key = [](const grpc::Status& s) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
    EXPECT_EQ(s.error_message(), "no Kraken API key configured");
    EXPECT_EQ(error_detail(s).gateway_code(), "no_api_key");
  };
  const auto requests = exchange.rest_requests();
  {
    grpc::ClientContext ctx;
    v1::GetBalanceResponse r;
    expect_no_key(gw.account()->GetBalance(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    v1::PlaceOrderRequest req;
    req.set_pair("XBTUSD");
    req.set_side(v1::SIDE_BUY);
    req.set_order_type(v1::ORDER_TYPE_LIMIT);
    req.set_volume("0.01");
    req.set_price("30000.0");
    v1::PlaceOrderResponse r;
    expect_no_key(gw.trading()->PlaceOrder(&ctx, req, &r));
  }
  {
    grpc::ClientContext ctx;
    v1::GetOrdersResponse r;
    expect_no_key(gw.trading()->GetOrders(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    v1::CancelAllOrdersResponse r;
    expect_no_key(gw.trading()->CancelAllOrders(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    v1::EngageKillSwitchResponse r;
    expect_no_key(gw.gateway()->EngageKillSwitch(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    v1::GetDeadManSwitchResponse r;
    expect_no_key(gw.gateway()->GetDeadManSwitch(&ctx, {}, &r));
  }
  {
    grpc::ClientContext ctx;
    auto reader = gw.account()->StreamBalances(&ctx, {});
    v1::BalancesEvent e;
    EXPECT_FALSE(reader->Read(&e));
    expect_no_key(reader->Finish());
  }
  {
    grpc::ClientContext ctx;
    auto reader = gw.trading()->StreamExecutions(&ctx, {});
    v1::ExecutionsEvent e;
    EXPECT_FALSE(reader->Read(&e));
    expect_no_key(reader->Finish());
  }
  EXPECT_EQ(exchange.rest_requests(), requests);  // nothing reached Kraken
  // No private session: the order manager's services are not serving, the others are.
  EXPECT_TRUE(wait_until([&] { return health(gw.channel(), "kgw.v1.MarketData") == 1; }));
  EXPECT_EQ(health(gw.channel(), "kgw.v1.Trading"), 2);
  EXPECT_EQ(health(gw.channel(), "kgw.v1.Account"), 2);
  v1::GetUpstreamStatusResponse up;
  grpc::ClientContext up_ctx;
  with_deadline(up_ctx);
  ASSERT_TRUE(gw.gateway()->GetUpstreamStatus(&up_ctx, {}, &up).ok());
  ASSERT_EQ(up.connections_size(), 3);
  EXPECT_EQ(up.connections(1).state(), v1::CONNECTION_STATE_DISABLED);
  v1::GetInfoResponse info;
  grpc::ClientContext ctx;
  ASSERT_TRUE(gw.gateway()->GetInfo(&ctx, {}, &info).ok());
  EXPECT_FALSE(info.api_key_configured());
  EXPECT_EQ(info.mode(), v1::UPSTREAM_MODE_LIVE);
  // Market data needs no key.
  v1::GetServerTimeResponse t;
  grpc::ClientContext ctx2;
  with_deadline(ctx2);
  EXPECT_TRUE(gw.market_data()->GetServerTime(&ctx2, {}, &t).ok());
}

}  // namespace
}  // namespace kgw::test
