// MarketData's streams through gRPC against the embedded simulator: a snapshot, then updates;
// trades every one in order; a slow client gets the latest value (or, for trades, is ended alone
// with RESOURCE_EXHAUSTED) and never delays a fast one.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "gateway_test_support.hpp"
#include "kgw/sim/exchange.hpp"

namespace kgw::test {
namespace {

// A client that reads slowly: it announces a tiny receive window, so the gateway's writes to it
// stall after a few hundred bytes instead of filling loopback buffers.
std::shared_ptr<grpc::Channel> slow_channel(const TestGateway& gw) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 1024);
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetString("kgw-test-channel", "slow");  // its own connection
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(gw.endpoints().grpc_port),
                                   grpc::InsecureChannelCredentials(), args);
}

// `n` market buys on BTC/USD from an account of their own: at least `n` public trades.
void make_trades(sim::Simulator& s, int n) {
  s.call([n](sim::Exchange& ex) {
    static int accounts = 0;
    const std::string name = "taker" + std::to_string(++accounts);
    const auto id = ex.add_account(name, name + "-key", Secret("c2VjcmV0"));
    (void)ex.deposit(id, "ZUSD", "10000000");
    for (int i = 0; i < n; ++i) {
      sim::AddOrderRequest r;
      r.pair = "XBTUSD";
      r.side = kraken::Side::buy;
      r.type = kraken::OrderType::market;
      r.volume = "0.0001";
      auto placed = ex.add_order(id, r);
      if (!placed) ADD_FAILURE() << "market buy " << i << ": " << placed.error().message();
    }
    return 0;
  });
}

class MarketStreamsE2E : public SharedGatewayTest<MarketStreamsE2E> {
 public:
  static gateway::GatewayConfig config() {
    auto c = gateway_test_config();
    c.streams.trade_queue = 64;
    return c;
  }

 protected:
  void SetUp() override {
    SharedGatewayTest::SetUp();
    if (gw_) md_ = gw_->market_data();
  }

  std::unique_ptr<v1::MarketData::Stub> md_;
};

TEST_F(MarketStreamsE2E, StreamTickerStartsWithASnapshotPerPairThenSendsUpdates) {
  v1::StreamTickerRequest req;
  req.add_pairs("XBTUSD");
  req.add_pairs("ETH/USD");
  grpc::ClientContext ctx;
  with_deadline(ctx, std::chrono::seconds(20));
  auto reader = md_->StreamTicker(&ctx, req);
  std::map<std::string, int> seen;
  v1::TickerEvent e;
  bool update = false;
  while (!update && reader->Read(&e)) {
    const bool first = seen[e.symbol()]++ == 0;
    EXPECT_EQ(e.type(), first ? v1::STREAM_MESSAGE_TYPE_SNAPSHOT : v1::STREAM_MESSAGE_TYPE_UPDATE) << e.symbol();
    EXPECT_EQ(e.meta().source(), v1::READ_SOURCE_WS_CACHE);
    EXPECT_FALSE(e.ticker().bid().empty());
    update = !first;
  }
  EXPECT_TRUE(update);
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen.count("BTC/USD"), 1u);
  ctx.TryCancel();
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(MarketStreamsE2E, StreamBookSendsChecksumVerifiedBooksOfTheRequestedDepth) {
  v1::StreamBookRequest req;
  req.add_pairs("BTC/USD");
  grpc::ClientContext ctx;
  with_deadline(ctx, std::chrono::seconds(20));
  auto reader = md_->StreamBook(&ctx, req);
  v1::BookEvent e;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(reader->Read(&e));
    EXPECT_EQ(e.type(), v1::STREAM_MESSAGE_TYPE_SNAPSHOT);
    EXPECT_EQ(e.depth(), 10u);
    // Up to the depth: the simulated ladder is sometimes a level short on one side.
    EXPECT_GT(e.bids_size(), 0);
    EXPECT_LE(e.bids_size(), 10);
    EXPECT_GT(e.asks_size(), 0);
    EXPECT_LE(e.asks_size(), 10);
    EXPECT_TRUE(e.checksum_validated());
    EXPECT_NE(e.checksum(), 0u);
    EXPECT_EQ(e.pair(), "XXBTZUSD");
  }
  ctx.TryCancel();
  (void)reader->Finish();
}

TEST_F(MarketStreamsE2E, StreamTradesDeliversEveryTradeOnceInOrder) {
  v1::StreamTradesRequest req;
  req.add_pairs("BTC/USD");
  req.set_snapshot(true);
  grpc::ClientContext ctx;
  with_deadline(ctx, std::chrono::seconds(20));
  auto reader = md_->StreamTrades(&ctx, req);
  v1::TradesEvent e;
  ASSERT_TRUE(reader->Read(&e));
  EXPECT_EQ(e.type(), v1::STREAM_MESSAGE_TYPE_SNAPSHOT);
  std::int64_t last = e.trades_size() ? e.trades(e.trades_size() - 1).trade_id() : 0;
  make_trades(gw_->sim(), 30);
  int updates = 0;
  while (updates < 30 && reader->Read(&e)) {
    EXPECT_EQ(e.type(), v1::STREAM_MESSAGE_TYPE_UPDATE);
    EXPECT_EQ(e.dropped(), 0u);
    for (const auto& t : e.trades()) {
      // Kraken's trade ids count up by one per pair: none missing, none twice.
      if (last != 0) {
        EXPECT_EQ(t.trade_id(), last + 1);
      }
      last = t.trade_id();
      ++updates;
    }
  }
  EXPECT_GE(updates, 30);
  ctx.TryCancel();
  (void)reader->Finish();
}

TEST_F(MarketStreamsE2E, StreamOhlcSendsTheRecentCandlesThenTheCurrentOne) {
  v1::StreamOhlcRequest req;
  req.add_pairs("BTC/USD");
  req.set_interval_minutes(1);
  grpc::ClientContext ctx;
  with_deadline(ctx, std::chrono::seconds(20));
  auto reader = md_->StreamOhlc(&ctx, req);
  v1::OhlcEvent e;
  ASSERT_TRUE(reader->Read(&e));
  EXPECT_EQ(e.type(), v1::STREAM_MESSAGE_TYPE_SNAPSHOT);
  ASSERT_GT(e.candles_size(), 0);
  const auto current = e.candles(e.candles_size() - 1);
  EXPECT_FALSE(current.committed());
  make_trades(gw_->sim(), 3);
  ASSERT_TRUE(reader->Read(&e));
  EXPECT_EQ(e.type(), v1::STREAM_MESSAGE_TYPE_UPDATE);
  ASSERT_GE(e.candles_size(), 1);
  EXPECT_GE(e.candles(e.candles_size() - 1).time_ns(), current.time_ns());
  ctx.TryCancel();
  (void)reader->Finish();
}

TEST_F(MarketStreamsE2E, StreamSystemStatusSendsTheStatusThenEachChange) {
  grpc::ClientContext ctx;
  with_deadline(ctx, std::chrono::seconds(20));
  auto reader = md_->StreamSystemStatus(&ctx, v1::StreamSystemStatusRequest());
  v1::SystemStatusEvent e;
  ASSERT_TRUE(reader->Read(&e));
  EXPECT_EQ(e.status(), v1::SYSTEM_STATUS_ONLINE);
  ASSERT_EQ(gw_->admin("/status?value=post_only"), 200u);
  ASSERT_TRUE(reader->Read(&e));
  EXPECT_EQ(e.status(), v1::SYSTEM_STATUS_POST_ONLY);
  ASSERT_EQ(gw_->admin("/status?value=online"), 200u);
  ASSERT_TRUE(reader->Read(&e));
  EXPECT_EQ(e.status(), v1::SYSTEM_STATUS_ONLINE);
  ctx.TryCancel();
  (void)reader->Finish();
}

TEST_F(MarketStreamsE2E, AStreamOfWhatTheFeedDoesNotSubscribeIsRefused) {
  {
    v1::StreamTickerRequest req;
    req.add_pairs("SOL/USD");
    grpc::ClientContext ctx;
    with_deadline(ctx);
    auto reader = md_->StreamTicker(&ctx, req);
    v1::TickerEvent e;
    EXPECT_FALSE(reader->Read(&e));
    const auto s = reader->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(error_detail(s).gateway_code(), "not_subscribed");
    EXPECT_EQ(s.error_message(), "pairs[0]: the gateway's feed does not subscribe SOL/USD (config feed.pairs)");
  }
  {
    v1::StreamBookRequest req;
    req.add_pairs("BTC/USD");
    req.set_depth(25);
    grpc::ClientContext ctx;
    with_deadline(ctx);
    auto reader = md_->StreamBook(&ctx, req);
    v1::BookEvent e;
    EXPECT_FALSE(reader->Read(&e));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  }
  {
    v1::StreamBookRequest req;
    req.add_pairs("BTC/USD");
    req.set_mode(v1::BOOK_STREAM_MODE_DELTA);
    grpc::ClientContext ctx;
    with_deadline(ctx);
    auto reader = md_->StreamBook(&ctx, req);
    v1::BookEvent e;
    EXPECT_FALSE(reader->Read(&e));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNIMPLEMENTED);
  }
  {
    v1::StreamOhlcRequest req;
    req.add_pairs("BTC/USD");
    req.set_interval_minutes(5);
    grpc::ClientContext ctx;
    with_deadline(ctx);
    auto reader = md_->StreamOhlc(&ctx, req);
    v1::OhlcEvent e;
    EXPECT_FALSE(reader->Read(&e));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  }
}

TEST_F(MarketStreamsE2E, ASlowBookClientDoesNotDelayAFastOne) {
  auto slow_md = v1::MarketData::NewStub(slow_channel(*gw_));
  v1::StreamBookRequest req;
  req.add_pairs("BTC/USD");
  req.add_pairs("ETH/USD");
  grpc::ClientContext slow_ctx, fast_ctx;
  with_deadline(slow_ctx, std::chrono::seconds(30));
  with_deadline(fast_ctx, std::chrono::seconds(30));
  auto slow = slow_md->StreamBook(&slow_ctx, req);
  v1::BookEvent e;
  ASSERT_TRUE(slow->Read(&e));  // connected and streaming; now it stops reading
  auto fast = md_->StreamBook(&fast_ctx, req);
  // While the slow client reads nothing, the fast one keeps getting every book change.
  int fast_messages = 0;
  std::int64_t last_served = 0;
  while (fast_messages < 40 && fast->Read(&e)) {
    EXPECT_GE(e.meta().served_time_ns(), last_served);
    last_served = e.meta().served_time_ns();
    ++fast_messages;
  }
  EXPECT_EQ(fast_messages, 40);
  // The slow client then catches up to the newest book, not through a backlog of 40.
  int stale_reads = 0;
  while (slow->Read(&e) && e.meta().served_time_ns() < last_served && stale_reads < 40) ++stale_reads;
  EXPECT_LT(stale_reads, 20) << "the slow client was sent a backlog";
  slow_ctx.TryCancel();
  fast_ctx.TryCancel();
  (void)slow->Finish();
  (void)fast->Finish();
}

TEST_F(MarketStreamsE2E, ATradesClientThatFallsBehindIsEndedAloneWithResourceExhausted) {
  auto slow_md = v1::MarketData::NewStub(slow_channel(*gw_));
  v1::StreamTradesRequest req;
  req.add_pairs("BTC/USD");
  grpc::ClientContext slow_ctx, fast_ctx;
  with_deadline(slow_ctx, std::chrono::seconds(30));
  with_deadline(fast_ctx, std::chrono::seconds(30));
  auto slow = slow_md->StreamTrades(&slow_ctx, req);
  auto fast = md_->StreamTrades(&fast_ctx, req);
  std::atomic<int> fast_trades{0};
  std::thread reader([&] {
    v1::TradesEvent e;
    while (fast->Read(&e)) fast_trades += e.trades_size();
  });
  // Far more trades than the slow client's queue (64) and its receive window hold, in bursts
  // smaller than the queue so that a client that keeps up never overflows.
  for (int round = 0; round < 40; ++round) {
    make_trades(gw_->sim(), 10);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(wait_until([&] { return fast_trades.load() >= 400; }, std::chrono::seconds(20))) << fast_trades.load();
  v1::TradesEvent e;
  while (slow->Read(&e)) {
  }
  const auto s = slow->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_EQ(error_detail(s).gateway_code(), "client_too_slow");
  // The fast client was not ended with it.
  const int before = fast_trades.load();
  make_trades(gw_->sim(), 5);
  EXPECT_TRUE(wait_until([&] { return fast_trades.load() >= before + 5; }));
  fast_ctx.TryCancel();
  reader.join();
  (void)fast->Finish();
}

}  // namespace
}  // namespace kgw::test
