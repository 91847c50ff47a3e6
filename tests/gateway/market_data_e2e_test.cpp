// MarketData's unary reads through gRPC against the embedded simulator: cache answers with no
// network hop, REST answers in Kraken's own shape, every answer saying where it came from, and
// every malformed request refused naming its field before anything reaches the exchange.

#include <gtest/gtest.h>

#include <functional>

#include "gateway_test_support.hpp"

namespace kgw::test {
namespace {

class MarketDataE2E : public SharedGatewayTest<MarketDataE2E> {
 protected:
  void SetUp() override {
    SharedGatewayTest::SetUp();
    if (gw_) md_ = gw_->market_data();
  }

  std::uint64_t rest_requests() { return gw_->sim().rest_requests(); }

  v1::GetTickerResponse ticker(std::vector<std::string> pairs, v1::ReadPolicy policy, grpc::Status* status = nullptr) {
    v1::GetTickerRequest req;
    for (auto& p : pairs) req.add_pairs(p);
    req.mutable_read()->set_policy(policy);
    v1::GetTickerResponse resp;
    grpc::ClientContext ctx;
    with_deadline(ctx);
    const grpc::Status s = md_->GetTicker(&ctx, req, &resp);
    if (status) *status = s;
    else EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  std::unique_ptr<v1::MarketData::Stub> md_;
};

TEST_F(MarketDataE2E, GetTickerServesStreamedPairsFromTheCacheInAnySpellingWithNoRestCall) {
  const auto before = rest_requests();
  const auto resp = ticker({"XBTUSD", "XXBTZUSD", "XBT/USD", "BTC/USD", "ETH/USD"}, v1::READ_POLICY_AUTO);
  ASSERT_EQ(resp.tickers_size(), 5);
  for (int i = 0; i < 4; ++i) {
    const auto& t = resp.tickers(i);
    EXPECT_EQ(t.pair(), "XXBTZUSD");
    EXPECT_EQ(t.symbol(), "BTC/USD");
    ASSERT_TRUE(t.has_ws()) << i;
    EXPECT_EQ(t.meta().source(), v1::READ_SOURCE_WS_CACHE);
    EXPECT_TRUE(t.meta().simulated());
    EXPECT_GT(t.meta().receive_time_ns(), 0);
    EXPECT_GT(t.meta().sequence(), 0u);
    EXPECT_EQ(t.meta().fallback_reason(), "");
    // Prices at the pair's precision (1 decimal for BTC/USD), as strings.
    const std::string& bid = t.ws().bid();
    ASSERT_NE(bid.find('.'), std::string::npos) << bid;
    EXPECT_EQ(bid.size() - bid.find('.'), 2u) << bid;
  }
  EXPECT_EQ(resp.tickers(4).symbol(), "ETH/USD");
  EXPECT_EQ(resp.meta().source(), v1::READ_SOURCE_WS_CACHE);
  EXPECT_EQ(rest_requests(), before);
}

TEST_F(MarketDataE2E, GetTickerFallsBackToRestForAPairTheFeedDoesNotStreamAndSaysWhy) {
  const auto resp = ticker({"BTC/USD", "SOLUSD"}, v1::READ_POLICY_AUTO);
  ASSERT_EQ(resp.tickers_size(), 2);
  EXPECT_TRUE(resp.tickers(0).has_ws());
  const auto& sol = resp.tickers(1);
  EXPECT_EQ(sol.pair(), "SOLUSD");
  EXPECT_EQ(sol.symbol(), "SOL/USD");
  ASSERT_TRUE(sol.has_rest());
  EXPECT_EQ(sol.meta().source(), v1::READ_SOURCE_REST);
  EXPECT_EQ(sol.meta().fallback_reason(), "not_streamed");
  EXPECT_EQ(sol.meta().age_ns(), 0);
  // Kraken's REST ticker, every field, with Kraken's digits.
  EXPECT_FALSE(sol.rest().ask().price().empty());
  EXPECT_FALSE(sol.rest().ask().whole_lot_volume().empty());
  EXPECT_FALSE(sol.rest().last_trade().price().empty());
  EXPECT_FALSE(sol.rest().open().empty());
  EXPECT_FALSE(sol.rest().vwap().last_24h().empty());
}

TEST_F(MarketDataE2E, RestOnlyGoesToKrakenAndCacheOnlyNever) {
  auto before = rest_requests();
  const auto rest = ticker({"BTC/USD"}, v1::READ_POLICY_REST_ONLY);
  ASSERT_EQ(rest.tickers_size(), 1);
  EXPECT_TRUE(rest.tickers(0).has_rest());
  EXPECT_EQ(rest.tickers(0).meta().fallback_reason(), "");
  EXPECT_EQ(rest_requests(), before + 1);
  before = rest_requests();
  const auto cache = ticker({"BTC/USD", "ETH/USD"}, v1::READ_POLICY_CACHE_ONLY);
  EXPECT_EQ(cache.tickers_size(), 2);
  grpc::Status s;
  ticker({"BTC/USD", "SOL/USD"}, v1::READ_POLICY_CACHE_ONLY, &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(error_detail(s).gateway_code(), "not_streamed");
  EXPECT_EQ(s.error_message(), "pairs[1]: the gateway's feed does not stream SOL/USD");
  EXPECT_EQ(rest_requests(), before);
}

TEST_F(MarketDataE2E, GetTickerOfEveryPairIsEveryCachedTickerOrEveryKrakenPair) {
  const auto cached = ticker({}, v1::READ_POLICY_AUTO);
  ASSERT_EQ(cached.tickers_size(), 2);
  EXPECT_EQ(cached.tickers(0).symbol(), "BTC/USD");
  const auto all = ticker({}, v1::READ_POLICY_REST_ONLY);
  EXPECT_EQ(all.tickers_size(), 5);  // the simulator's pairs
  for (const auto& t : all.tickers()) EXPECT_TRUE(t.has_rest()) << t.pair();
}

TEST_F(MarketDataE2E, GetOrderBookFromTheCacheIsChecksumVerifiedAndDeeperBooksComeFromRest) {
  v1::GetOrderBookRequest req;
  req.set_pair("XBTUSD");
  req.set_depth(5);
  v1::GetOrderBookResponse book;
  grpc::ClientContext ctx;
  with_deadline(ctx);
  ASSERT_TRUE(md_->GetOrderBook(&ctx, req, &book).ok());
  EXPECT_EQ(book.meta().source(), v1::READ_SOURCE_WS_CACHE);
  ASSERT_EQ(book.bids_size(), 5);
  ASSERT_EQ(book.asks_size(), 5);
  EXPECT_TRUE(book.has_checksum());
  EXPECT_TRUE(book.checksum_validated());
  EXPECT_LT(std::stod(book.bids(0).price()), std::stod(book.asks(0).price()));
  for (int i = 1; i < 5; ++i) {
    EXPECT_GT(std::stod(book.bids(i - 1).price()), std::stod(book.bids(i).price()));
    EXPECT_LT(std::stod(book.asks(i - 1).price()), std::stod(book.asks(i).price()));
  }
  req.set_depth(25);  // the feed holds 10 levels
  v1::GetOrderBookResponse deep;
  grpc::ClientContext ctx2;
  with_deadline(ctx2);
  ASSERT_TRUE(md_->GetOrderBook(&ctx2, req, &deep).ok());
  EXPECT_EQ(deep.meta().source(), v1::READ_SOURCE_REST);
  EXPECT_EQ(deep.meta().fallback_reason(), "depth");
  EXPECT_FALSE(deep.has_checksum());
  EXPECT_FALSE(deep.checksum_validated());
  ASSERT_GT(deep.bids_size(), 0);
  EXPECT_GT(deep.bids(0).time_ns(), 0);  // REST levels carry Kraken's time
  req.mutable_read()->set_policy(v1::READ_POLICY_CACHE_ONLY);
  v1::GetOrderBookResponse refused;
  grpc::ClientContext ctx3;
  with_deadline(ctx3);
  const auto s = md_->GetOrderBook(&ctx3, req, &refused);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(error_detail(s).gateway_code(), "cache_miss");
}

TEST_F(MarketDataE2E, GetOhlcComesFromTheCacheOrFromRestWithItsCursor) {
  v1::GetOhlcRequest req;
  req.set_pair("BTC/USD");
  v1::GetOhlcResponse cached;
  grpc::ClientContext ctx;
  with_deadline(ctx);
  ASSERT_TRUE(md_->GetOhlc(&ctx, req, &cached).ok());
  EXPECT_EQ(cached.meta().source(), v1::READ_SOURCE_WS_CACHE);
  ASSERT_GT(cached.candles_size(), 0);
  EXPECT_FALSE(cached.candles(cached.candles_size() - 1).committed());
  EXPECT_EQ(cached.candles(0).interval_minutes(), 1);
  req.mutable_read()->set_policy(v1::READ_POLICY_REST_ONLY);
  v1::GetOhlcResponse rest;
  grpc::ClientContext ctx2;
  with_deadline(ctx2);
  ASSERT_TRUE(md_->GetOhlc(&ctx2, req, &rest).ok());
  EXPECT_EQ(rest.meta().source(), v1::READ_SOURCE_REST);
  EXPECT_GT(rest.last(), 0);
  // A cursor and an unsubscribed interval both go to REST under AUTO, saying why.
  req.mutable_read()->set_policy(v1::READ_POLICY_AUTO);
  req.set_since(rest.last());
  v1::GetOhlcResponse paged;
  grpc::ClientContext ctx3;
  with_deadline(ctx3);
  ASSERT_TRUE(md_->GetOhlc(&ctx3, req, &paged).ok());
  EXPECT_EQ(paged.meta().fallback_reason(), "cursor");
  req.clear_since();
  req.set_interval_minutes(5);
  v1::GetOhlcResponse five;
  grpc::ClientContext ctx4;
  with_deadline(ctx4);
  ASSERT_TRUE(md_->GetOhlc(&ctx4, req, &five).ok());
  EXPECT_EQ(five.meta().fallback_reason(), "not_streamed");
}

TEST_F(MarketDataE2E, GetRecentTradesPagesWithKrakensCursor) {
  v1::GetRecentTradesRequest req;
  req.set_pair("BTC/USD");
  req.set_count(3);
  v1::GetRecentTradesResponse page;
  grpc::ClientContext ctx;
  with_deadline(ctx);
  ASSERT_TRUE(md_->GetRecentTrades(&ctx, req, &page).ok());
  EXPECT_EQ(page.meta().source(), v1::READ_SOURCE_REST);
  ASSERT_GT(page.trades_size(), 0);
  EXPECT_LE(page.trades_size(), 3);
  EXPECT_FALSE(page.last().empty());
  EXPECT_NE(page.trades(0).side(), v1::SIDE_UNSPECIFIED);
  EXPECT_GT(page.trades(0).time_ns(), 0);
  req.set_since(page.last());
  v1::GetRecentTradesResponse next;
  grpc::ClientContext ctx2;
  with_deadline(ctx2);
  ASSERT_TRUE(md_->GetRecentTrades(&ctx2, req, &next).ok());
  for (const auto& t : next.trades()) EXPECT_GT(t.trade_id(), page.trades(page.trades_size() - 1).trade_id());
}

TEST_F(MarketDataE2E, GetTradesServesTheRingFilteredByTradeIdAndLimit) {
  v1::GetTradesRequest req;
  req.set_pair("BTC/USD");
  v1::GetTradesResponse all;
  grpc::ClientContext ctx;
  with_deadline(ctx);
  ASSERT_TRUE(md_->GetTrades(&ctx, req, &all).ok());
  EXPECT_EQ(all.meta().source(), v1::READ_SOURCE_WS_CACHE);
  ASSERT_GE(all.trades_size(), 1);
  for (int i = 1; i < all.trades_size(); ++i) EXPECT_GT(all.trades(i).trade_id(), all.trades(i - 1).trade_id());
  EXPECT_GT(all.meta().sequence(), 0u);
  req.set_limit(1);
  v1::GetTradesResponse last;
  grpc::ClientContext ctx2;
  with_deadline(ctx2);
  ASSERT_TRUE(md_->GetTrades(&ctx2, req, &last).ok());
  ASSERT_EQ(last.trades_size(), 1);
  req.clear_limit();
  req.set_after_trade_id(last.trades(0).trade_id());
  v1::GetTradesResponse after;
  grpc::ClientContext ctx3;
  with_deadline(ctx3);
  ASSERT_TRUE(md_->GetTrades(&ctx3, req, &after).ok());
  for (const auto& t : after.trades()) EXPECT_GT(t.trade_id(), last.trades(0).trade_id());
}

TEST_F(MarketDataE2E, GetSpreadComesFromRestWithItsCursor) {
  v1::GetSpreadRequest req;
  req.set_pair("ETHUSD");
  v1::GetSpreadResponse resp;
  grpc::ClientContext ctx;
  with_deadline(ctx);
  ASSERT_TRUE(md_->GetSpread(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.meta().source(), v1::READ_SOURCE_REST);
  EXPECT_EQ(resp.symbol(), "ETH/USD");
  ASSERT_GT(resp.entries_size(), 0);
  EXPECT_GT(resp.last(), 0);
}

TEST_F(MarketDataE2E, AssetPairsAndAssetsComeFromTheRegistryOrFromRest) {
  v1::GetAssetPairsRequest req;
  req.add_pairs("XBTUSD");
  req.add_pairs("SOL/USD");
  v1::GetAssetPairsResponse cached;
  grpc::ClientContext ctx;
  with_deadline(ctx);
  const auto before = rest_requests();
  ASSERT_TRUE(md_->GetAssetPairs(&ctx, req, &cached).ok());
  EXPECT_EQ(rest_requests(), before);
  ASSERT_EQ(cached.pairs_size(), 2);
  EXPECT_EQ(cached.pairs(0).pair(), "XXBTZUSD");
  EXPECT_EQ(cached.pairs(0).tick_size(), "0.1");
  EXPECT_EQ(cached.pairs(0).pair_decimals(), 1);
  EXPECT_EQ(cached.pairs(1).symbol(), "SOL/USD");
  EXPECT_EQ(cached.pairs(1).status(), v1::PAIR_STATUS_ONLINE);
  req.mutable_read()->set_policy(v1::READ_POLICY_REST_ONLY);
  v1::GetAssetPairsResponse rest;
  grpc::ClientContext ctx2;
  with_deadline(ctx2);
  ASSERT_TRUE(md_->GetAssetPairs(&ctx2, req, &rest).ok());
  EXPECT_EQ(rest.meta().source(), v1::READ_SOURCE_REST);
  ASSERT_EQ(rest.pairs_size(), 2);
  EXPECT_EQ(rest.pairs(0).symbol(), "BTC/USD");

  v1::GetAssetsRequest areq;
  areq.add_assets("XBT");
  areq.add_assets("ZUSD");
  v1::GetAssetsResponse assets;
  grpc::ClientContext ctx3;
  with_deadline(ctx3);
  ASSERT_TRUE(md_->GetAssets(&ctx3, areq, &assets).ok());
  ASSERT_EQ(assets.assets_size(), 2);
  EXPECT_EQ(assets.assets(0).asset(), "XXBT");
  EXPECT_EQ(assets.assets(0).code(), "BTC");
  areq.mutable_read()->set_policy(v1::READ_POLICY_REST_ONLY);
  v1::GetAssetsResponse rest_assets;
  grpc::ClientContext ctx4;
  with_deadline(ctx4);
  ASSERT_TRUE(md_->GetAssets(&ctx4, areq, &rest_assets).ok());
  EXPECT_EQ(rest_assets.meta().source(), v1::READ_SOURCE_REST);
  ASSERT_EQ(rest_assets.assets_size(), 2);
  EXPECT_EQ(rest_assets.assets(0).code(), "BTC");
}

TEST_F(MarketDataE2E, SystemStatusComesFromTheStatusChannelOrFromRest) {
  v1::GetSystemStatusRequest req;
  v1::GetSystemStatusResponse cached;
  grpc::ClientContext ctx;
  with_deadline(ctx);
  ASSERT_TRUE(md_->GetSystemStatus(&ctx, req, &cached).ok());
  EXPECT_EQ(cached.status(), v1::SYSTEM_STATUS_ONLINE);
  EXPECT_EQ(cached.meta().source(), v1::READ_SOURCE_WS_CACHE);
  EXPECT_FALSE(cached.api_version().empty());
  req.mutable_read()->set_policy(v1::READ_POLICY_REST_ONLY);
  v1::GetSystemStatusResponse rest;
  grpc::ClientContext ctx2;
  with_deadline(ctx2);
  ASSERT_TRUE(md_->GetSystemStatus(&ctx2, req, &rest).ok());
  EXPECT_EQ(rest.status(), v1::SYSTEM_STATUS_ONLINE);
  EXPECT_GT(rest.time_ns(), 0);
}

TEST_F(MarketDataE2E, ServerTimeComesFromRestWithTheRoundTrip) {
  v1::GetServerTimeRequest req;
  v1::GetServerTimeResponse resp;
  grpc::ClientContext ctx;
  with_deadline(ctx);
  ASSERT_TRUE(md_->GetServerTime(&ctx, req, &resp).ok());
  EXPECT_GT(resp.server_time_ns(), 0);
  EXPECT_EQ(resp.server_time_ns() % 1'000'000'000, 0);  // Kraken's whole seconds
  EXPECT_GT(resp.round_trip_ns(), 0);
  EXPECT_GT(resp.gateway_time_ns(), 0);
  EXPECT_FALSE(resp.rfc1123().empty());
}

TEST_F(MarketDataE2E, ReadsNoStreamCoversRefuseCacheOnly) {
  const auto before = rest_requests();
  auto expect_refused = [](const grpc::Status& s) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
    EXPECT_EQ(error_detail(s).gateway_code(), "not_streamed");
  };
  {
    v1::GetServerTimeRequest req;
    req.mutable_read()->set_policy(v1::READ_POLICY_CACHE_ONLY);
    v1::GetServerTimeResponse resp;
    grpc::ClientContext ctx;
    expect_refused(md_->GetServerTime(&ctx, req, &resp));
  }
  {
    v1::GetSpreadRequest req;
    req.set_pair("BTC/USD");
    req.mutable_read()->set_policy(v1::READ_POLICY_CACHE_ONLY);
    v1::GetSpreadResponse resp;
    grpc::ClientContext ctx;
    expect_refused(md_->GetSpread(&ctx, req, &resp));
  }
  {
    v1::GetRecentTradesRequest req;
    req.set_pair("BTC/USD");
    req.mutable_read()->set_policy(v1::READ_POLICY_CACHE_ONLY);
    v1::GetRecentTradesResponse resp;
    grpc::ClientContext ctx;
    expect_refused(md_->GetRecentTrades(&ctx, req, &resp));
  }
  EXPECT_EQ(rest_requests(), before);
}

// One malformed request per RPC: the status it got.
struct BadRequest {
  const char* name;
  std::string field;
  std::function<grpc::Status(v1::MarketData::Stub&)> call;
};

template <class Request, class Response>
grpc::Status unary_call(grpc::Status (v1::MarketData::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                        v1::MarketData::Stub& stub, const Request& req) {
  grpc::ClientContext ctx;
  with_deadline(ctx);
  Response resp;
  return (stub.*method)(&ctx, req, &resp);
}

template <class Request, class Event>
grpc::Status stream_call(std::unique_ptr<grpc::ClientReader<Event>> (v1::MarketData::Stub::*method)(grpc::ClientContext*,
                                                                                                     const Request&),
                         v1::MarketData::Stub& stub, const Request& req) {
  grpc::ClientContext ctx;
  with_deadline(ctx);
  auto reader = (stub.*method)(&ctx, req);
  Event e;
  while (reader->Read(&e)) {
  }
  return reader->Finish();
}

std::vector<BadRequest> bad_requests() {
  using S = v1::MarketData::Stub;
  std::vector<BadRequest> out;
  auto add = [&](const char* name, std::string field, std::function<grpc::Status(S&)> call) {
    out.push_back({name, std::move(field), std::move(call)});
  };
  add("GetTicker unknown pair", "pairs[1]", [](S& s) {
    v1::GetTickerRequest r;
    r.add_pairs("BTC/USD");
    r.add_pairs("NOPE/USD");
    return unary_call(&S::GetTicker, s, r);
  });
  add("GetTicker bad policy", "read.policy", [](S& s) {
    v1::GetTickerRequest r;
    r.mutable_read()->set_policy(static_cast<v1::ReadPolicy>(9));
    return unary_call(&S::GetTicker, s, r);
  });
  add("GetTicker negative age", "read.max_age_ns", [](S& s) {
    v1::GetTickerRequest r;
    r.mutable_read()->set_max_age_ns(-1);
    return unary_call(&S::GetTicker, s, r);
  });
  add("GetOrderBook no pair", "pair", [](S& s) { return unary_call(&S::GetOrderBook, s, v1::GetOrderBookRequest()); });
  add("GetOrderBook depth", "depth", [](S& s) {
    v1::GetOrderBookRequest r;
    r.set_pair("BTC/USD");
    r.set_depth(501);
    return unary_call(&S::GetOrderBook, s, r);
  });
  add("GetOhlc interval", "interval_minutes", [](S& s) {
    v1::GetOhlcRequest r;
    r.set_pair("BTC/USD");
    r.set_interval_minutes(7);
    return unary_call(&S::GetOhlc, s, r);
  });
  add("GetOhlc since", "since", [](S& s) {
    v1::GetOhlcRequest r;
    r.set_pair("BTC/USD");
    r.set_since(-5);
    return unary_call(&S::GetOhlc, s, r);
  });
  add("GetRecentTrades count", "count", [](S& s) {
    v1::GetRecentTradesRequest r;
    r.set_pair("BTC/USD");
    r.set_count(1001);
    return unary_call(&S::GetRecentTrades, s, r);
  });
  add("GetRecentTrades since", "since", [](S& s) {
    v1::GetRecentTradesRequest r;
    r.set_pair("BTC/USD");
    r.set_since("yesterday");
    return unary_call(&S::GetRecentTrades, s, r);
  });
  add("GetTrades pair", "pair", [](S& s) {
    v1::GetTradesRequest r;
    r.set_pair("XBTUSDT");
    return unary_call(&S::GetTrades, s, r);
  });
  add("GetSpread since", "since", [](S& s) {
    v1::GetSpreadRequest r;
    r.set_pair("BTC/USD");
    r.set_since(-1);
    return unary_call(&S::GetSpread, s, r);
  });
  add("GetAssetPairs pair", "pairs[0]", [](S& s) {
    v1::GetAssetPairsRequest r;
    r.add_pairs("NOPE");
    return unary_call(&S::GetAssetPairs, s, r);
  });
  add("GetAssetPairs info", "info", [](S& s) {
    v1::GetAssetPairsRequest r;
    r.set_info(static_cast<v1::AssetPairInfo>(42));
    return unary_call(&S::GetAssetPairs, s, r);
  });
  add("GetAssets asset", "assets[1]", [](S& s) {
    v1::GetAssetsRequest r;
    r.add_assets("XBT");
    r.add_assets("NOPE");
    return unary_call(&S::GetAssets, s, r);
  });
  add("GetSystemStatus policy", "read.policy", [](S& s) {
    v1::GetSystemStatusRequest r;
    r.mutable_read()->set_policy(static_cast<v1::ReadPolicy>(-1));
    return unary_call(&S::GetSystemStatus, s, r);
  });
  add("GetServerTime policy", "read.policy", [](S& s) {
    v1::GetServerTimeRequest r;
    r.mutable_read()->set_policy(static_cast<v1::ReadPolicy>(3));
    return unary_call(&S::GetServerTime, s, r);
  });
  add("StreamTicker no pairs", "pairs", [](S& s) { return stream_call(&S::StreamTicker, s, v1::StreamTickerRequest()); });
  add("StreamBook depth", "depth", [](S& s) {
    v1::StreamBookRequest r;
    r.add_pairs("BTC/USD");
    r.set_depth(11);
    return stream_call(&S::StreamBook, s, r);
  });
  add("StreamTrades pair", "pairs[0]", [](S& s) {
    v1::StreamTradesRequest r;
    r.add_pairs("");
    return stream_call(&S::StreamTrades, s, r);
  });
  add("StreamOhlc interval", "interval_minutes", [](S& s) {
    v1::StreamOhlcRequest r;
    r.add_pairs("BTC/USD");
    r.set_interval_minutes(2);
    return stream_call(&S::StreamOhlc, s, r);
  });
  return out;
}

TEST_F(MarketDataE2E, EveryMalformedRequestIsInvalidArgumentNamingTheFieldAndNothingReachesTheExchange) {
  const auto before = rest_requests();
  for (const auto& bad : bad_requests()) {
    const grpc::Status s = bad.call(*md_);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad.name << ": " << s.error_message();
    if (s.error_code() != grpc::StatusCode::INVALID_ARGUMENT) continue;
    const auto d = error_detail(s);
    EXPECT_EQ(d.field(), bad.field) << bad.name;
    EXPECT_EQ(s.error_message().rfind(bad.field + ": ", 0), 0u) << bad.name << ": " << s.error_message();
    EXPECT_EQ(d.classification(), v1::ERROR_CLASS_REJECTED) << bad.name;
    EXPECT_EQ(d.kraken_errors_size(), 0) << bad.name;
  }
  EXPECT_EQ(rest_requests(), before);
}

TEST_F(MarketDataE2E, KrakensErrorStringsReachTheCallerVerbatim) {
  ASSERT_EQ(gw_->admin("/rest/error?error=EQuery:Unknown%20asset%20pair&count=1"), 200u);
  v1::GetSpreadRequest req;
  req.set_pair("BTC/USD");
  v1::GetSpreadResponse resp;
  grpc::ClientContext ctx;
  with_deadline(ctx);
  const auto s = md_->GetSpread(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "EQuery:Unknown asset pair");
  const auto d = error_detail(s);
  ASSERT_EQ(d.kraken_errors_size(), 1);
  EXPECT_EQ(d.kraken_errors(0), "EQuery:Unknown asset pair");
  EXPECT_EQ(d.gateway_code(), "exchange_error");
}

TEST_F(MarketDataE2E, AnExchangeThatIsUnavailableMakesAReadUnavailableAndRetryable) {
  ASSERT_EQ(gw_->admin("/rest/error?error=EService:Unavailable&count=1"), 200u);
  v1::GetServerTimeRequest req;
  v1::GetServerTimeResponse resp;
  grpc::ClientContext ctx;
  with_deadline(ctx);
  const auto s = md_->GetServerTime(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(s.error_message().find("EService:Unavailable"), std::string::npos) << s.error_message();
  EXPECT_EQ(error_detail(s).classification(), v1::ERROR_CLASS_RETRYABLE_NOT_EXECUTED);
  ASSERT_EQ(gw_->admin("/rest/http_status?code=502&count=1"), 200u);
  grpc::ClientContext ctx2;
  with_deadline(ctx2);
  EXPECT_EQ(md_->GetServerTime(&ctx2, req, &resp).error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace kgw::test
