// KrakenBookParser + Book on Kraken's own data: the real BTC/USD capture (510 checksums), the
// docs' MATIC/USD examples, the same frames re-serialised with and without trailing zeros,
// and frames that must be refused with an error, not a crash.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kgw_capture_forms.hpp"
#include "kgw/core/kraken/book.hpp"
#include "kgw/core/kraken/book_parser.hpp"

namespace kgw::kraken {
namespace {

constexpr BookPrecision kBtcUsd{1, 8};
constexpr BookPrecision kMaticUsd{4, 8};

struct Verdicts {
  int verified = 0;
  std::vector<std::size_t> failed;  // frame indexes
};

// Every frame through parser + Book at depth 10; each checksum must match.
Verdicts run(const std::vector<std::string>& frames, BookPrecision precision) {
  KrakenBookParser parser;
  Book book(10);
  Verdicts out;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    auto kind = parser.parse(frames[i]);
    if (!kind) {
      ADD_FAILURE() << "frame " << i << ": " << kind.error().message();
      continue;
    }
    EXPECT_EQ(*kind, FrameKind::book);
    auto msg = parser.book_levels(precision);
    if (!msg) {
      ADD_FAILURE() << "frame " << i << ": " << msg.error().message();
      continue;
    }
    const BookApplyResult r = book.apply(*msg);
    EXPECT_TRUE(r.applied);
    EXPECT_FALSE(r.crossed) << "frame " << i;
    EXPECT_EQ(r.dropped, 0u);
    if (r.checksum_ok) ++out.verified;
    else out.failed.push_back(i);
  }
  return out;
}

TEST(KrakenBookParser, TheRealCaptureVerifiesAll510ChecksumsThroughParserAndBook) {
  const auto& frames = test::capture_frames();
  ASSERT_EQ(frames.size(), 510u);
  const Verdicts r = run(frames, kBtcUsd);
  EXPECT_EQ(r.verified, 510);
  EXPECT_TRUE(r.failed.empty()) << "first failure: frame " << r.failed.front();
}

TEST(KrakenBookParser, TheCaptureAgreesFrameByFrameWithTheIndependentTextBook) {
  // Not just the final verdict: after every frame, both books give the same checksum, and the
  // same as the frame carries.
  KrakenBookParser parser;
  Book book(10);
  test::TextBook text;
  for (const auto& f : test::capture_frames()) {
    ASSERT_TRUE(parser.parse(f));
    const auto r = book.apply(*parser.book_levels(kBtcUsd));
    const test::RawBookMsg m = test::read_book(f);
    if (m.snapshot) text.bids.clear(), text.asks.clear();
    text.apply(m.bids, text.bids);
    text.apply(m.asks, text.asks);
    text.truncate();
    ASSERT_EQ(r.computed, text.checksum());
    ASSERT_EQ(r.computed, m.checksum);
  }
}

TEST(KrakenBookParser, TheCaptureReserialisedWithTrailingZerosVerifiesToo) {
  // What a live Kraken connection sends: every number at the pair's full precision.
  std::vector<std::string> frames;
  for (const auto& f : test::capture_frames())
    frames.push_back(test::reserialised(f, [](const std::string& t, bool price) { return test::full_precision(t, price ? 1 : 8); }));
  ASSERT_NE(frames[0].find(R"("qty":4.00000000)"), std::string::npos) << frames[0];
  const Verdicts r = run(frames, kBtcUsd);
  EXPECT_EQ(r.verified, 510);
  EXPECT_TRUE(r.failed.empty());
}

TEST(KrakenBookParser, TheCaptureReserialisedWithoutAnyTrailingZerosVerifiesToo) {
  // The other extreme of a float round trip: `4.0` -> `4`, `29431.0` -> `29431`.
  std::vector<std::string> frames;
  for (const auto& f : test::capture_frames())
    frames.push_back(test::reserialised(f, [](const std::string& t, bool) { return test::shortest(t); }));
  ASSERT_NE(frames[0].find(R"("qty":4})"), std::string::npos) << frames[0];
  const Verdicts r = run(frames, kBtcUsd);
  EXPECT_EQ(r.verified, 510);
  EXPECT_TRUE(r.failed.empty());
}

TEST(KrakenBookParser, TheDocsMaticUsdSnapshotAndUpdateReproduceTheirPublishedChecksums) {
  const std::string snapshot = test::kraken_fixture("ws_v2/docs_book_snapshot_MATICUSD.json");
  const std::string update = test::kraken_fixture("ws_v2/docs_book_update_MATICUSD.json");
  const Verdicts r = run({snapshot, update}, kMaticUsd);
  EXPECT_EQ(r.verified, 2);

  KrakenBookParser parser;
  ASSERT_TRUE(parser.parse(snapshot));
  EXPECT_EQ(parser.book_symbol(), "MATIC/USD");
  auto m = parser.book_levels(kMaticUsd);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->snapshot);
  EXPECT_EQ(m->checksum, 2439117997u);  // > 2^31: read as unsigned
  EXPECT_EQ(m->timestamp, "2023-10-06T17:35:55.440295Z");
  ASSERT_EQ(m->bids.size(), 10u);
  EXPECT_EQ(m->bids[6].price, 5660);          // `0.566` at 4 decimals
  EXPECT_EQ(m->bids[6].qty, 1809715470000);   // `18097.1547` at 8 decimals
}

TEST(KrakenBookParser, TheNumberTextOfABookFrameIsKeptAsTheFrameWroteIt) {
  // What a replay without instrument frames learns the grid from: `0.566` stays three decimals.
  const std::string snapshot = test::kraken_fixture("ws_v2/docs_book_snapshot_MATICUSD.json");
  KrakenBookParser parser;
  ASSERT_TRUE(parser.parse(snapshot));
  ASSERT_EQ(parser.bid_text().size(), 10u);
  ASSERT_EQ(parser.ask_text().size(), 10u);
  EXPECT_EQ(parser.bid_text()[0].price, "0.5666");
  EXPECT_EQ(parser.bid_text()[0].qty, "4831.75496356");
  EXPECT_EQ(parser.bid_text()[6].price, "0.566");
  EXPECT_EQ(parser.bid_text()[6].qty, "18097.1547");
  EXPECT_EQ(parser.ask_text()[0].price, "0.5668");
  ASSERT_TRUE(parser.parse(R"({"channel":"heartbeat"})"));
  EXPECT_TRUE(parser.bid_text().empty());
}

TEST(KrakenBookParser, TheDocsExampleFailsWithTheWrongPrecision) {
  // The precision is part of the checksum: MATIC/USD at BTC/USD's 1/8 cannot even convert
  // (0.5666 has four decimals), and at 5/8 the digits differ.
  const std::string snapshot = test::kraken_fixture("ws_v2/docs_book_snapshot_MATICUSD.json");
  KrakenBookParser parser;
  ASSERT_TRUE(parser.parse(snapshot));
  EXPECT_TRUE(parser.book_levels(kBtcUsd).error().is(errc::precision_exceeded));
  Book book(10);
  EXPECT_FALSE(book.apply(*parser.book_levels({5, 8})).checksum_ok);
}

TEST(KrakenBookParser, NumbersConvertExactlyWithFewerOrMoreZeroDecimalsThanThePrecision) {
  KrakenBookParser parser;
  const std::string frame =
      R"({"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":29426,"qty":4.0},)"
      R"({"price":29425.70000,"qty":0.1000000000000}],"asks":[{"price":2.94267e4,"qty":1e-08}],"checksum":1}]})";
  ASSERT_TRUE(parser.parse(frame));
  auto m = parser.book_levels(kBtcUsd);
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->bids[0].price, 294260);
  EXPECT_EQ(m->bids[0].qty, 400000000);
  EXPECT_EQ(m->bids[1].price, 294257);
  EXPECT_EQ(m->bids[1].qty, 10000000);
  EXPECT_EQ(m->asks[0].price, 294267);
  EXPECT_EQ(m->asks[0].qty, 1);
}

TEST(KrakenBookParser, MoreNonZeroDecimalsThanThePrecisionAreRefusedNamingTheLevel) {
  KrakenBookParser parser;
  const std::string frame =
      R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[{"price":29430.3,"qty":1},)"
      R"({"price":29430.4,"qty":0.123456789}],"checksum":1}]})";
  ASSERT_TRUE(parser.parse(frame));  // the shape is fine; the grid is checked on conversion
  auto m = parser.book_levels(kBtcUsd);
  ASSERT_FALSE(m);
  EXPECT_TRUE(m.error().is(errc::precision_exceeded));
  EXPECT_NE(m.error().message().find("asks[1].qty"), std::string::npos) << m.error().message();
  EXPECT_NE(m.error().message().find("0.123456789"), std::string::npos) << m.error().message();
  // At 9 decimals the same frame is fine.
  EXPECT_TRUE(parser.book_levels({1, 9}));
}

struct Malformed {
  const char* why;
  const char* frame;
  const char* says;  // a piece of the error detail
};

TEST(KrakenBookParser, MalformedFramesGiveErrorsNotCrashes) {
  const Malformed cases[] = {
      {"not JSON", "hello", ""},
      {"empty", "", ""},
      {"truncated", R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[)", ""},
      {"junk after the object", R"({"channel":"heartbeat"} {})", "after the JSON object"},
      {"an array", R"([1,2,3])", "not a JSON object"},
      {"no channel", R"({"type":"update","data":[]})", "neither"},
      {"no type", R"({"channel":"book","data":[{"symbol":"BTC/USD","bids":[],"asks":[],"checksum":1}]})", "`type`"},
      {"bad type", R"({"channel":"book","type":"delta","data":[{"symbol":"BTC/USD","bids":[],"asks":[],"checksum":1}]})", "delta"},
      {"no data", R"({"channel":"book","type":"update"})", "`data`"},
      {"data not an array", R"({"channel":"book","type":"update","data":{}})", "not an array"},
      {"empty data", R"({"channel":"book","type":"update","data":[]})", "empty"},
      {"two items", R"({"channel":"book","type":"update","data":[{"symbol":"A/B","bids":[],"asks":[],"checksum":1},{"symbol":"A/B","bids":[],"asks":[],"checksum":1}]})", "more than one"},
      {"no symbol", R"({"channel":"book","type":"update","data":[{"bids":[],"asks":[],"checksum":1}]})", "`symbol`"},
      {"no checksum", R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[]}]})", "`checksum`"},
      {"checksum as a string", R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[],"checksum":"1"}]})", "checksum"},
      {"checksum beyond uint32", R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[],"checksum":4294967296}]})", "not a CRC32"},
      {"negative checksum", R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[],"checksum":-1}]})", "checksum"},
      {"no asks", R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"checksum":1}]})", "`asks`"},
      {"no bids", R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","asks":[],"checksum":1}]})", "`bids`"},
      {"price as a string (v1 style)", R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":"29430.2","qty":1.0}],"asks":[],"checksum":1}]})", "bids[0].price is not a JSON number"},
      {"level without qty", R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[{"price":1.0},{"price":2.0}],"checksum":1}]})", "asks[0] without `qty`"},
      {"level not an object", R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[[1.0,2.0]],"asks":[],"checksum":1}]})", "bids[0]"},
      {"instrument data as an array", R"({"channel":"instrument","type":"snapshot","data":[]})", "not an object"},
      {"instrument pair without symbol", R"({"channel":"instrument","type":"snapshot","data":{"pairs":[{"price_precision":1}]}})", "`symbol`"},
      {"instrument precision out of range", R"({"channel":"instrument","type":"snapshot","data":{"pairs":[{"symbol":"A/B","price_precision":40}]}})", "0..18"},
  };
  KrakenBookParser parser;
  for (const auto& c : cases) {
    auto r = parser.parse(c.frame);
    ASSERT_FALSE(r) << c.why;
    EXPECT_TRUE(r.error().is(errc::parse_error)) << c.why << ": " << r.error().message();
    EXPECT_NE(r.error().message().find(c.says), std::string::npos) << c.why << ": " << r.error().message();
    EXPECT_FALSE(parser.book_levels(kBtcUsd)) << c.why;  // nothing half-parsed is handed out
  }
  // The parser is usable again after any of them.
  EXPECT_EQ(run({test::capture_frames()[0]}, kBtcUsd).verified, 1);
}

// Issue #9: beyond 64 bits this read "The JSON element does not have the requested type".
TEST(KrakenBookParser, AChecksumThatIsNotACrc32IsSaidInKrakensTerms) {
  auto frame = [](std::string_view checksum) {
    return std::string(R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[],"checksum":)") +
           std::string(checksum) + "}]}";
  };
  KrakenBookParser parser;
  for (const char* bad : {"4294967296", "18446744073709551615", "18446744073709551616",
                          "340282366920938463463374607431768211456", "-1", "12.5", "1e3", R"("3310070434")"}) {
    auto r = parser.parse(frame(bad));
    ASSERT_FALSE(r) << bad;
    EXPECT_TRUE(r.error().is(errc::parse_error)) << bad;
    EXPECT_EQ(r.error().detail, std::string("book checksum: ") + bad + " is not a CRC32 (0..4294967295)");
    EXPECT_EQ(parser.book_symbol(), "BTC/USD") << bad;  // the feed resyncs that book
  }
  for (const char* good : {"0", "3310070434", "4294967295"}) {
    ASSERT_TRUE(parser.parse(frame(good))) << good;
    EXPECT_EQ(parser.book_levels(kBtcUsd)->checksum, std::stoul(good));
  }
}

TEST(KrakenBookParser, EveryTruncationOfARealFrameIsAnErrorAndNeverACrash) {
  KrakenBookParser parser;
  for (std::size_t i : {0u, 1u, 2u, 300u}) {
    const std::string& f = test::capture_frames()[i];
    for (std::size_t len = 0; len < f.size(); ++len) {
      auto r = parser.parse(std::string_view(f).substr(0, len));
      ASSERT_FALSE(r) << "frame " << i << " cut at " << len;
      EXPECT_FALSE(parser.book_levels(kBtcUsd));
    }
  }
}

TEST(KrakenBookParser, EverySingleByteCorruptionOfARealFrameEndsInAResultNeverACrash) {
  // Whatever a flipped byte does (still valid, different number, broken JSON), parse and
  // convert return; run under the asan preset this also proves no out-of-bounds read.
  KrakenBookParser parser;
  Book book(10);
  const std::string& f = test::capture_frames()[1];
  int ok = 0, refused = 0;
  for (std::size_t at = 0; at < f.size(); ++at)
    for (char c : {'\0', '"', '}', ']', '9', '-', '.', 'e', ' ', '\\'}) {
      std::string g = f;
      g[at] = c;
      auto r = parser.parse(g);
      if (r && *r == FrameKind::book) {
        if (auto m = parser.book_levels(kBtcUsd)) {
          book.apply(*m);
          ++ok;
          continue;
        }
      }
      ++refused;
    }
  EXPECT_GT(ok, 0);
  EXPECT_GT(refused, 0);
}

TEST(KrakenBookParser, BadNumbersAreRefusedOnConversionNamingTheSymbol) {
  KrakenBookParser parser;
  for (const char* frame : {
           R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":1.0,"qty":-1}],"asks":[],"checksum":1}]})",
           R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":-1.0,"qty":1}],"asks":[],"checksum":1}]})",
           R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[{"price":0,"qty":1}],"checksum":1}]})",
           R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[{"price":1e30,"qty":1}],"checksum":1}]})",
           // ondemand reads number tokens lazily: the grammar is checked when converting.
           R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":1.2.3,"qty":1}],"asks":[],"checksum":1}]})",
       }) {
    ASSERT_TRUE(parser.parse(frame)) << frame;
    auto m = parser.book_levels(kBtcUsd);
    ASSERT_FALSE(m) << frame;
    EXPECT_NE(m.error().message().find("BTC/USD"), std::string::npos) << m.error().message();
  }
}

TEST(KrakenBookParser, OtherChannelsAndMethodResponsesAreClassifiedNotParsed) {
  KrakenBookParser parser;
  for (const char* f : {"ws_v2/docs_heartbeat.json", "ws_v2/docs_status_update.json", "ws_v2/docs_ticker_update_ALGOUSD.json",
                        "ws_v2/docs_trade_update_MATICUSD.json", "ws_v2/docs_pong_response.json",
                        "ws_v2/docs_book_subscribe_request.json"}) {
    auto r = parser.parse(test::kraken_fixture(f));
    ASSERT_TRUE(r) << f << ": " << r.error().message();
    EXPECT_EQ(*r, FrameKind::other) << f;
    EXPECT_TRUE(parser.book_symbol().empty());
  }
  std::string acks = test::kraken_fixture("ws_v2/docs_book_subscribe_ack.jsonl");
  for (std::size_t pos = 0, nl; pos < acks.size(); pos = nl + 1) {
    nl = acks.find('\n', pos);
    if (nl == std::string::npos) nl = acks.size();
    if (nl == pos) continue;
    auto r = parser.parse(std::string_view(acks).substr(pos, nl - pos));
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(*r, FrameKind::other);
  }
}

TEST(KrakenBookParser, DataBeforeChannelIsStillRead) {
  // Key order is not part of JSON; Kraken writes `channel` first, the docs' status example
  // writes `type` last.
  KrakenBookParser parser;
  const std::string frame =
      R"({"data":[{"checksum":2114181697,"asks":[],"bids":[{"qty":1098.3947558,"price":0.5657}],"symbol":"MATIC/USD"}],"type":"update","channel":"book"})";
  auto r = parser.parse(frame);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(*r, FrameKind::book);
  EXPECT_EQ(parser.book_symbol(), "MATIC/USD");
  auto m = parser.book_levels(kMaticUsd);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->snapshot);
  ASSERT_EQ(m->bids.size(), 1u);
  EXPECT_EQ(m->bids[0].price, 5657);
  EXPECT_EQ(m->bids[0].qty, 109839475580);
  EXPECT_EQ(m->checksum, 2114181697u);
}

TEST(KrakenBookParser, TheInstrumentSnapshotGivesEachPairsPrecisions) {
  KrakenBookParser parser;
  auto r = parser.parse(test::kraken_fixture("ws_v2/docs_instrument_snapshot.json"));
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(*r, FrameKind::instrument);
  const auto& pairs = parser.instruments();
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].symbol, "BTC/USD");
  EXPECT_EQ(book_precision(pairs[0]), (BookPrecision{1, 8}));
  EXPECT_EQ(pairs[0].qty_increment->to_fixed(8).value(), 1);  // `1e-08`
  EXPECT_EQ(pairs[0].price_increment->to_fixed(1).value(), 1);
  EXPECT_EQ(pairs[0].status, PairStatus::online);
  EXPECT_EQ(pairs[0].base, "BTC");
  EXPECT_EQ(pairs[0].position_limit_long, 250);
  EXPECT_EQ(pairs[1].symbol, "MATIC/GBP");
  EXPECT_EQ(book_precision(pairs[1]), (BookPrecision{4, 8}));
  EXPECT_EQ(pairs[1].marginable, false);

  // An update about assets only names no pair.
  r = parser.parse(test::kraken_fixture("ws_v2/docs_instrument_update.json"));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, FrameKind::instrument);
  EXPECT_TRUE(parser.instruments().empty());
}

TEST(KrakenBookParser, BookLevelsAfterANonBookFrameIsAnError) {
  KrakenBookParser parser;
  ASSERT_TRUE(parser.parse(R"({"channel":"heartbeat"})"));
  EXPECT_TRUE(parser.book_levels(kBtcUsd).error().is(errc::invalid_argument));
}

TEST(KrakenBookParser, ADepth1000SnapshotParsesAndApplies) {
  // The biggest frame Kraken sends on this channel; the parser's buffers grow once for it.
  std::string frame = R"({"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[)";
  std::string asks;
  for (int i = 0; i < 1000; ++i) {
    if (i) frame += ',', asks += ',';
    frame += R"({"price":)" + std::to_string(20000 - i) + R"(.5,"qty":0.5})";
    asks += R"({"price":)" + std::to_string(20001 + i) + R"(.5,"qty":1.25})";
  }
  frame += R"(],"asks":[)" + asks + R"(],"checksum":0}]})";
  KrakenBookParser parser;
  ASSERT_TRUE(parser.parse(frame));
  auto m = parser.book_levels(kBtcUsd);
  ASSERT_TRUE(m);
  Book book(1000);
  const auto r = book.apply(*m);
  EXPECT_EQ(book.bids().size(), 1000u);
  EXPECT_EQ(book.asks().size(), 1000u);
  EXPECT_FALSE(r.checksum_ok);  // made-up checksum
  EXPECT_EQ(r.dropped, 0u);
}

}  // namespace
}  // namespace kgw::kraken
