#include "kgw/core/instrument.hpp"
#include "kgw/core/kraken/reference_data.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "kgw_test_fixtures.hpp"

namespace kgw {
namespace {

class RegistryFromDocs : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = kraken::load_registry(reg_, test::kraken_fixture("rest/docs_Assets.json"),
                                   test::kraken_fixture("rest/docs_AssetPairs.json"));
    ASSERT_TRUE(r) << r.error().message();
  }
  InstrumentRegistry reg_;
};

TEST_F(RegistryFromDocs, ResolvesAllFourKrakenSpellingsToOneInstrument) {
  auto by_key = reg_.find("XXBTZUSD");
  ASSERT_NE(by_key, nullptr);
  for (const char* name : {"XBTUSD", "XBT/USD", "BTC/USD", "BTCUSD", "btc/usd", "xbtusd"}) {
    EXPECT_EQ(reg_.find(name), by_key) << name;
  }
  EXPECT_EQ(by_key->symbol, "BTC/USD");
  EXPECT_EQ(by_key->altname, "XBTUSD");
  EXPECT_EQ(by_key->wsname, "XBT/USD");
  EXPECT_EQ(by_key->base, "BTC");
  EXPECT_EQ(by_key->quote, "USD");
  EXPECT_EQ(by_key->base_asset, "XXBT");
  EXPECT_EQ(by_key->quote_asset, "ZUSD");
}

TEST_F(RegistryFromDocs, CarriesPrecisionsIncrementsAndMinimums) {
  auto btc = reg_.find("BTC/USD");
  ASSERT_NE(btc, nullptr);
  EXPECT_EQ(btc->price_precision, 1);
  EXPECT_EQ(btc->qty_precision, 8);
  EXPECT_EQ(btc->cost_precision, 5);
  EXPECT_EQ(btc->price_increment, 1);       // tick_size "0.1" at 1 decimal
  EXPECT_EQ(btc->qty_min, 10000);           // ordermin "0.0001" at 8 decimals
  EXPECT_EQ(btc->cost_min, Decimal::parse("0.5").value());
  EXPECT_EQ(btc->status, PairStatus::online);
  EXPECT_EQ(btc->long_position_limit, 250);
  EXPECT_EQ(btc->short_position_limit, 200);
  EXPECT_EQ(btc->margin_call, 80);
  EXPECT_EQ(btc->fee_volume_currency, "ZUSD");
  EXPECT_TRUE(btc->marginable());
  ASSERT_FALSE(btc->fees_taker.empty());
  EXPECT_EQ(btc->fees_taker.front().percent, Decimal::parse("0.26").value());
  EXPECT_EQ(btc->fees_maker.front().percent, Decimal::parse("0.16").value());
  EXPECT_TRUE(btc->price_on_grid(Price{452852}));

  auto eth_btc = reg_.find("ETH/BTC");
  ASSERT_NE(eth_btc, nullptr);
  EXPECT_EQ(eth_btc->rest_key, "XETHXXBT");
  EXPECT_EQ(reg_.find("ETHXBT"), eth_btc);
  EXPECT_EQ(reg_.find("ETH/XBT"), eth_btc);
  EXPECT_EQ(eth_btc->price_precision, 5);
  EXPECT_EQ(eth_btc->qty_min, 1000000);  // "0.01"
}

TEST_F(RegistryFromDocs, ResolvesAssetsByIdAltnameAndCode) {
  auto btc = reg_.find_asset("BTC");
  ASSERT_NE(btc, nullptr);
  EXPECT_EQ(btc->id, "XXBT");
  EXPECT_EQ(reg_.find_asset("XBT"), btc);
  EXPECT_EQ(reg_.find_asset("xxbt"), btc);
  EXPECT_EQ(btc->decimals, 10);
  EXPECT_EQ(reg_.find_asset("USD")->id, "ZUSD");
  EXPECT_EQ(reg_.find_asset("NOPE"), nullptr);
}

TEST_F(RegistryFromDocs, UnknownPairIsAClearNotFoundNamingTheField) {
  auto r = reg_.resolve("FOO/BAR", "pair");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::not_found));
  EXPECT_EQ(r.error().detail, "pair: unknown asset pair 'FOO/BAR'");
  EXPECT_TRUE(reg_.resolve("", "pair").error().is(errc::invalid_argument));
}

TEST_F(RegistryFromDocs, InstrumentChannelUpdatesStatusAndIncrementsAndAddsNewPairs) {
  const auto v0 = reg_.version();
  auto before = reg_.find("BTC/USD");
  InstrumentUpdate u;
  u.symbol = "BTC/USD";
  u.status = PairStatus::cancel_only;
  u.qty_min = Decimal::parse("0.0002").value();
  u.price_increment = Decimal::parse("0.5").value();
  ASSERT_TRUE(reg_.apply(u));
  auto after = reg_.find("XBTUSD");
  EXPECT_EQ(after->status, PairStatus::cancel_only);
  EXPECT_EQ(after->qty_min, 20000);
  EXPECT_EQ(after->price_increment, 5);
  EXPECT_GT(reg_.version(), v0);
  // A reader holding the old entry still sees a consistent old value.
  EXPECT_EQ(before->status, PairStatus::online);

  InstrumentUpdate fresh;
  fresh.symbol = "MATIC/GBP";
  fresh.base = "MATIC";
  fresh.quote = "GBP";
  fresh.price_precision = 4;
  fresh.qty_precision = 8;
  fresh.qty_increment = Decimal::parse("1e-08").value();
  fresh.qty_min = Decimal::parse("4.0").value();
  ASSERT_TRUE(reg_.apply(fresh));
  auto matic = reg_.find("MATIC/GBP");
  ASSERT_NE(matic, nullptr);
  EXPECT_EQ(matic->qty_min, 400000000);
  EXPECT_EQ(reg_.find("MATICGBP"), matic);

  InstrumentUpdate bad;
  bad.symbol = "BTC/USD";
  bad.qty_min = Decimal::parse("0.000000001").value();
  auto r = reg_.apply(bad);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::precision_exceeded));
}

TEST_F(RegistryFromDocs, ConcurrentReadersSeeWholeSnapshotsWhileUpdatesApply) {
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    for (int i = 0; i < 200000 && !stop.load(); ++i) {
      auto p = reg_.find("XBT/USD");
      if (!p || p->symbol != "BTC/USD") bad.fetch_add(1);
    }
  });
  for (int i = 0; i < 200; ++i) {
    InstrumentUpdate u;
    u.symbol = "BTC/USD";
    u.status = (i % 2) ? PairStatus::online : PairStatus::post_only;
    ASSERT_TRUE(reg_.apply(u));
  }
  stop = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST(ReferenceData, ErrorEnvelopeBecomesAnExchangeErrorWithKrakensStrings) {
  auto r = kraken::parse_asset_pairs_response(R"({"error":["EQuery:Unknown asset pair"]})");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::exchange_error));
  ASSERT_TRUE(r.error().kraken.has_value());
  EXPECT_EQ(r.error().kraken->errors.at(0), "EQuery:Unknown asset pair");
}

TEST(ReferenceData, MalformedJsonIsAParseErrorNotACrash) {
  for (const char* bad : {"", "{", "[]", R"({"error":[],"result":[1,2]})", R"({"error":[],"result":{"X":{"pair_decimals":"x"}}})",
                          R"({"error":[]})"}) {
    auto r = kraken::parse_asset_pairs_response(bad);
    EXPECT_FALSE(r) << bad;
  }
}

}  // namespace
}  // namespace kgw

namespace kgw {
namespace {

TEST_F(RegistryFromDocs, PrecisionChangeWithoutNewGridKeepsTheGridsValue) {
  InstrumentUpdate u;
  u.symbol = "BTC/USD";
  u.price_precision = 2;
  ASSERT_TRUE(reg_.apply(u));
  auto btc = reg_.find("BTC/USD");
  EXPECT_EQ(btc->price_precision, 2);
  EXPECT_EQ(btc->price_increment, 10);  // still 0.1
}

TEST_F(RegistryFromDocs, BatchApplyIsAllOrNothing) {
  InstrumentUpdate good;
  good.symbol = "BTC/USD";
  good.status = PairStatus::maintenance;
  InstrumentUpdate bad;
  bad.symbol = "ETH/BTC";
  bad.qty_min = Decimal::parse("0.000000001").value();
  EXPECT_FALSE(reg_.apply(std::vector<InstrumentUpdate>{good, bad}));
  EXPECT_EQ(reg_.find("BTC/USD")->status, PairStatus::online);
}

}  // namespace
}  // namespace kgw
