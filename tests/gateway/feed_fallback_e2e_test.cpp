// When the public feed stalls or drops (kraken-sim's admin faults), reads are still served, from
// REST, and say so; streams flag the last value stale and resume with a snapshot; the upstream
// status and the cache freshness show it.

#include <gtest/gtest.h>

#include "gateway_test_support.hpp"

namespace kgw::test {
namespace {

class FeedFallbackE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    gw_ = std::make_unique<TestGateway>();
    ASSERT_TRUE(gw_->channel());
    ASSERT_TRUE(gw_->wait_for_feed()) << "the feed did not fill its caches";
    md_ = gw_->market_data();
  }

  v1::GetTickerResponse ticker(const std::string& pair, v1::ReadPolicy policy, grpc::Status& s) {
    v1::GetTickerRequest req;
    req.add_pairs(pair);
    req.mutable_read()->set_policy(policy);
    v1::GetTickerResponse resp;
    grpc::ClientContext ctx;
    with_deadline(ctx);
    s = md_->GetTicker(&ctx, req, &resp);
    return resp;
  }

  std::unique_ptr<TestGateway> gw_;
  std::unique_ptr<v1::MarketData::Stub> md_;
};

TEST_F(FeedFallbackE2E, AStalledFeedIsServedFromRestAndEveryAnswerSaysSo) {
  v1::StreamTickerRequest sreq;
  sreq.add_pairs("BTC/USD");
  grpc::ClientContext sctx;
  with_deadline(sctx, std::chrono::seconds(30));
  auto stream = md_->StreamTicker(&sctx, sreq);
  v1::TickerEvent e;
  ASSERT_TRUE(stream->Read(&e));
  EXPECT_FALSE(e.meta().stale());

  ASSERT_EQ(gw_->admin("/ws/stall?on=true"), 200u);
  grpc::Status s;
  ASSERT_TRUE(wait_until([&] {
    auto r = ticker("BTC/USD", v1::READ_POLICY_AUTO, s);
    return s.ok() && r.tickers(0).has_rest();
  }));
  auto r = ticker("XBTUSD", v1::READ_POLICY_AUTO, s);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(r.tickers(0).meta().source(), v1::READ_SOURCE_REST);
  EXPECT_EQ(r.tickers(0).meta().fallback_reason(), "stale");
  ticker("BTC/USD", v1::READ_POLICY_CACHE_ONLY, s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(error_detail(s).gateway_code(), "cache_miss");
  EXPECT_EQ(error_detail(s).classification(), v1::ERROR_CLASS_RETRYABLE_NOT_EXECUTED);
  v1::GetOrderBookRequest breq;
  breq.set_pair("BTC/USD");
  v1::GetOrderBookResponse book;
  grpc::ClientContext bctx;
  with_deadline(bctx);
  ASSERT_TRUE(md_->GetOrderBook(&bctx, breq, &book).ok());
  EXPECT_EQ(book.meta().source(), v1::READ_SOURCE_REST);
  EXPECT_EQ(book.meta().fallback_reason(), "stale");
  // The stream re-sent its last value once, flagged stale.
  bool stale_seen = false;
  while (!stale_seen && stream->Read(&e)) stale_seen = e.meta().stale();
  EXPECT_TRUE(stale_seen);
  v1::GetCacheFreshnessRequest freq;
  freq.add_pairs("BTC/USD");
  freq.add_kinds(v1::CACHE_KIND_TICKER);
  v1::GetCacheFreshnessResponse fresh;
  grpc::ClientContext fctx;
  ASSERT_TRUE(gw_->gateway()->GetCacheFreshness(&fctx, freq, &fresh).ok());
  ASSERT_EQ(fresh.entries_size(), 1);
  EXPECT_FALSE(fresh.entries(0).live());

  // Once the feed talks again: the cache serves, and the stream starts over with a snapshot.
  ASSERT_EQ(gw_->admin("/ws/stall?on=false"), 200u);
  ASSERT_TRUE(wait_until([&] {
    auto t = ticker("BTC/USD", v1::READ_POLICY_AUTO, s);
    return s.ok() && t.tickers(0).has_ws();
  }));
  bool snapshot = false;
  while (!snapshot && stream->Read(&e)) snapshot = !e.meta().stale() && e.type() == v1::STREAM_MESSAGE_TYPE_SNAPSHOT;
  EXPECT_TRUE(snapshot);
  sctx.TryCancel();
  (void)stream->Finish();
}

TEST_F(FeedFallbackE2E, ADroppedFeedReconnectsAndTheUpstreamStatusCountsIt) {
  ASSERT_EQ(gw_->admin("/ws/drop"), 200u);
  auto reconnects = [&] {
    v1::GetUpstreamStatusResponse s;
    grpc::ClientContext ctx;
    with_deadline(ctx);
    if (!gw_->gateway()->GetUpstreamStatus(&ctx, {}, &s).ok()) return std::uint64_t{0};
    return s.connections(0).state() == v1::CONNECTION_STATE_READY ? s.connections(0).reconnect_count() : 0;
  };
  ASSERT_TRUE(wait_until([&] { return reconnects() >= 1; }));
  // Back on the cache.
  grpc::Status s;
  ASSERT_TRUE(wait_until([&] {
    auto t = ticker("BTC/USD", v1::READ_POLICY_CACHE_ONLY, s);
    return s.ok() && t.tickers(0).has_ws();
  }));
}

}  // namespace
}  // namespace kgw::test
