// Replay mode driven by the real BTC/USD depth-10 capture (1 snapshot + 509 updates), turned
// here into NDJSON (raw frames and the gateway journal form) and played through a fake
// connection on a ManualClock. Checksums the subscriber receives are re-checked by a book kept
// as decimal text, independent of the fixed-point code under test.

#include <gtest/gtest.h>
#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <map>

#include "kgw/sim/default_market.hpp"
#include "kgw/sim/kraken_replay.hpp"
#include "kgw_capture_forms.hpp"
#include "kgw_test_fixtures.hpp"
#include "kgw_sim_ws_client.hpp"
#include "kgw_ws_book_check.hpp"

namespace kgw::sim {
namespace {

constexpr std::int64_t kJournalStart = 1690730998343415000;  // the capture's first update, unix ns
constexpr std::chrono::milliseconds kJournalStep{10};

using FakeClient = test::FakeWsClient;

using test::capture_frames;

std::string raw_ndjson() { return test::ndjson(capture_frames()); }

// Frame i received at kJournalStart + i × 10 ms.
std::string journal_ndjson() {
  std::string s = "# kgw journal: recv_ns, frame\n";
  const auto& frames = capture_frames();
  for (std::size_t i = 0; i < frames.size(); ++i)
    s += "{\"recv_ns\":" + std::to_string(kJournalStart + static_cast<std::int64_t>(i) * std::chrono::nanoseconds(kJournalStep).count()) +
         ",\"frame\":" + frames[i] + "}\n";
  return s;
}

std::uint64_t recorded_checksum(const std::string& frame) {
  const auto at = frame.find("\"checksum\":");
  EXPECT_NE(at, std::string::npos) << frame;
  return std::stoull(frame.substr(at + 11));
}

using test::read_book;


// Replays every book message a client received; returns how many verified, failing on any mismatch.
int verify_with_text_book(const std::vector<std::string>& received) {
  const auto r = test::replay_books(received);
  for (const auto& text : r.mismatched) ADD_FAILURE() << "checksum mismatch: " << text;
  return r.verified;
}

std::vector<std::string> book_frames(const std::vector<std::string>& out) {
  std::vector<std::string> b;
  for (const auto& m : out)
    if (m.rfind(R"({"channel":"book")", 0) == 0) b.push_back(m);
  return b;
}

constexpr const char* kSubscribeBook = R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10},"req_id":3})";

class Replay : public ::testing::Test {
 protected:
  ManualClock clock_;

  ReplayFile load(const std::string& content, ReplayLoadOptions options = {}) {
    test::TempFile tmp(content);
    auto f = ReplayFile::load(tmp.path(), std::move(options));
    EXPECT_TRUE(f) << f.error().message();
    return std::move(f).value();
  }
  std::shared_ptr<FakeClient> connect(ReplayWsApi& api, std::uint64_t id) {
    auto c = std::make_shared<FakeClient>(id);
    api.on_open(c);
    return c;
  }
};

TEST_F(Replay, TheRealCaptureVerifiesAll510RecordedChecksumsInTheFile) {
  ASSERT_EQ(capture_frames().size(), 510u);
  const ReplayFile f = load(raw_ndjson());
  const ReplayStats& st = f.stats();
  EXPECT_EQ(st.frames, 510u);
  EXPECT_EQ(st.raw_lines, 510u);
  EXPECT_EQ(st.malformed, 0u);
  EXPECT_EQ(st.channels.at("book"), 510u);
  EXPECT_EQ(st.checksums_verified, 510u);
  EXPECT_EQ(st.checksums_failed, 0u);
  // No instrument frame: the grid comes from the number text (most decimals seen), depth from
  // the snapshot.
  const auto sym = f.symbol_index("BTC/USD");
  ASSERT_TRUE(sym);
  const ReplayBookInfo* info = f.book_info(*sym);
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->price_precision, 1);
  EXPECT_EQ(info->qty_precision, 8);
  EXPECT_EQ(info->depth, 10);
  EXPECT_EQ(info->precision_source, ReplayBookInfo::Source::inferred);
  EXPECT_NE(f.summary().find("book checksums 510 verified, 0 failed"), std::string::npos) << f.summary();
}

TEST_F(Replay, TheFixtureAsShippedIsServedFrameByFrameWithAll510ChecksumsVerified) {
  // The pretty-printed {"init":…,"updates":[…]} document, pointed at directly: each frame goes
  // out minified, as Kraken sent it.
  auto f = ReplayFile::load(test::shared_path(std::string("kraken/fixtures/") + test::kCapture));
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->stats().frames, 510u);
  EXPECT_EQ(f->stats().lines, 510u);
  EXPECT_EQ(f->stats().malformed, 0u);
  EXPECT_EQ(f->stats().checksums_verified, 510u);
  EXPECT_EQ(f->stats().checksums_failed, 0u);
  EXPECT_EQ(f->book_info(*f->symbol_index("BTC/USD"))->depth, 10);
  ReplayWsApi api(*f, clock_, {.speed = 0});
  auto c = connect(api, 1);
  api.on_message(c, kSubscribeBook);
  api.on_timer();
  EXPECT_EQ(book_frames(c->out), capture_frames());
  EXPECT_EQ(api.checksums_verified(), 510u);
  EXPECT_EQ(api.checksums_failed(), 0u);
}

TEST_F(Replay, AJsonArrayOfFramesIsARecordingToo) {
  std::string array = "[\n";
  for (std::size_t i = 0; i < capture_frames().size(); ++i) array += (i ? ",\n" : "") + capture_frames()[i];
  const ReplayFile f = load(array + "\n]\n");
  EXPECT_EQ(f.stats().frames, 510u);
  EXPECT_EQ(f.stats().checksums_verified, 510u);
  EXPECT_EQ(f.stats().checksums_failed, 0u);
  ASSERT_EQ(f.frames().size(), 510u);
  for (std::size_t i = 0; i < capture_frames().size(); ++i) ASSERT_EQ(f.text(f.frames()[i]), capture_frames()[i]) << i;
}

TEST_F(Replay, UpdatesBeforeTheFirstSnapshotAreCountedApartFromFailures) {
  // A recording that starts mid-stream: nothing to check the first updates against.
  const auto& all = capture_frames();
  std::vector<std::string> frames(all.begin() + 1, all.begin() + 11);
  frames.insert(frames.end(), all.begin(), all.end());
  const ReplayFile f = load(test::ndjson(frames));
  EXPECT_EQ(f.stats().checksums_unsynced, 10u);
  EXPECT_EQ(f.stats().checksums_verified, 510u);
  EXPECT_EQ(f.stats().checksums_failed, 0u);
  EXPECT_NE(f.summary().find("book checksums 510 verified, 0 failed, 10 updates before a snapshot"), std::string::npos)
      << f.summary();
}

TEST_F(Replay, TheCataloguesPrecisionWinsOverOnePriceWrittenWithATrailingZero) {
  // One price of the capture re-written with two decimals ("…0" appended): inferring the grid
  // from the text would move the price grid to 2 decimals and fail every checksum.
  std::string text = raw_ndjson();
  const auto at = text.find(R"("price":)", text.find('\n'));  // a level in the second frame
  ASSERT_NE(at, std::string::npos);
  const auto end = text.find_first_of(",}", at + 8);
  ASSERT_NE(text.substr(at + 8, end - at - 8).find('.'), std::string::npos);
  text.insert(end, "0");
  const ReplayFile inferred = load(text);
  const auto sym = inferred.symbol_index("BTC/USD");
  ASSERT_TRUE(sym);
  EXPECT_EQ(inferred.book_info(*sym)->price_precision, 2);
  EXPECT_GT(inferred.stats().checksums_failed, 500u);

  ReplayLoadOptions known;
  known.catalogue["BTC/USD"] = {1, 8};
  const ReplayFile f = load(text, known);
  EXPECT_EQ(f.book_info(*sym)->precision_source, ReplayBookInfo::Source::catalogue);
  EXPECT_EQ(f.book_info(*sym)->price_precision, 1);
  EXPECT_EQ(f.stats().checksums_verified, 510u);
  EXPECT_EQ(f.stats().checksums_failed, 0u);
  EXPECT_NE(f.summary().find("precision 1/8 (catalogue)"), std::string::npos) << f.summary();
}

TEST_F(Replay, AMissingFileIsAnErrorNotAnEmptyReplay) {
  auto f = ReplayFile::load(::testing::TempDir() + "kgw_replay_does_not_exist.ndjson");
  ASSERT_FALSE(f);
  EXPECT_TRUE(f.error().is(errc::not_found)) << f.error().message();
}

TEST_F(Replay, JournalLinesKeepTheFrameByteForByteAndTakeRecvNsAsTheTime) {
  // One extra journal line written with spaces: the frame is forwarded exactly as recorded.
  const std::string spaced = R"({"channel": "book", "type": "update", "data": [{"symbol": "BTC/USD", "bids": [], "asks": [], "checksum": 1, "timestamp": "2023-07-30T15:31:00.000000Z"}]})";
  const ReplayFile f = load(journal_ndjson() + R"({"recv_ns": 1690731999000000000, "frame": )" + spaced + " }\n");
  const auto& frames = capture_frames();
  ASSERT_EQ(f.frames().size(), frames.size() + 1);
  EXPECT_EQ(f.stats().journal_lines, frames.size() + 1);
  EXPECT_EQ(f.stats().skipped, 1u);  // the comment line
  for (std::size_t i = 0; i < frames.size(); ++i) {
    ASSERT_EQ(f.text(f.frames()[i]), frames[i]) << i;
    EXPECT_EQ(f.frames()[i].time_ns, kJournalStart + static_cast<std::int64_t>(i) * 10'000'000) << i;
    EXPECT_EQ(f.frames()[i].line, i + 2);
  }
  EXPECT_EQ(f.text(f.frames().back()), spaced);
  EXPECT_EQ(f.frames().back().time_ns, 1690731999000000000);
  // The empty update keeps the book; its made-up checksum is the only failure.
  EXPECT_EQ(f.stats().checksums_verified, 510u);
  EXPECT_EQ(f.stats().checksums_failed, 1u);
  EXPECT_EQ(f.stats().first_checksum_failure_line, 512u);
}

TEST_F(Replay, RawFramesAreTimedByTheirTimestampAndTheSnapshotWithoutOneByLineOrder) {
  const ReplayFile f = load(raw_ndjson());
  const auto& fr = f.frames();
  const std::int64_t first_update = parse_rfc3339("2023-07-30T15:29:58.343415Z")->time_since_epoch().count();
  EXPECT_EQ(fr[0].time_ns, first_update);  // the snapshot has no timestamp: released with the first update
  EXPECT_EQ(fr[1].time_ns, first_update);
  EXPECT_EQ(fr.back().time_ns, parse_rfc3339("2023-07-30T15:30:49.008834Z")->time_since_epoch().count());
  EXPECT_TRUE(std::is_sorted(fr.begin(), fr.end(), [](const auto& a, const auto& b) { return a.time_ns < b.time_ns; }));
}

TEST_F(Replay, ASubscriberFromTheStartGetsTheRecordedSnapshotAndEveryUpdateByteForByte) {
  const ReplayFile f = load(raw_ndjson());
  ReplayWsApi api(f, clock_, {.speed = 0});
  auto c = connect(api, 1);
  api.on_message(c, kSubscribeBook);
  ASSERT_EQ(c->out.size(), 2u);  // status, ack; no snapshot before playback has one
  EXPECT_NE(c->out[1].find(R"("result":{"channel":"book","depth":10,"snapshot":true,"symbol":"BTC/USD"},"success":true)"),
            std::string::npos)
      << c->out[1];
  api.on_timer();
  const auto& frames = capture_frames();
  ASSERT_EQ(c->out.size(), 2 + frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) ASSERT_EQ(c->out[2 + i], frames[i]) << i;
  EXPECT_EQ(api.checksums_verified(), 510u);
  EXPECT_EQ(api.checksums_failed(), 0u);
  EXPECT_TRUE(api.finished());
  EXPECT_EQ(api.passes_completed(), 1u);
  EXPECT_EQ(verify_with_text_book(c->out), 510);
}

TEST_F(Replay, ALateSubscriberGetsAGeneratedSnapshotWithTheRecordedChecksumThenTheRestVerbatim) {
  const ReplayFile f = load(journal_ndjson());
  ReplayWsApi api(f, clock_, {.speed = 1});
  api.on_timer();  // playback starts: the snapshot is due at once
  EXPECT_EQ(api.position(), 1u);
  // Update n is due n × 10 ms in: release the snapshot and updates 1..200.
  clock_.advance(std::chrono::milliseconds(2000));
  api.on_timer();
  ASSERT_EQ(api.position(), 201u);
  auto c = connect(api, 7);
  api.on_message(c, kSubscribeBook);
  ASSERT_EQ(c->out.size(), 3u);
  const std::string& snap = c->out[2];
  const auto& frames = capture_frames();
  EXPECT_EQ(snap.rfind(R"({"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":)", 0), 0u) << snap;
  // Fixtures README fact 4: a fresh snapshot carries the checksum after the last update.
  EXPECT_EQ(recorded_checksum(snap), recorded_checksum(frames[200]));
  EXPECT_NE(snap.find(R"("timestamp":"2023-07-30T15:30:13.378775Z")"), std::string::npos) << snap;  // update 200's
  EXPECT_EQ(read_book(snap).bids.size(), 10u);
  EXPECT_EQ(read_book(snap).asks.size(), 10u);
  for (int i = 0; i < 400; ++i) {
    clock_.advance(std::chrono::milliseconds(20));
    api.on_timer();
  }
  ASSERT_TRUE(api.finished());
  const auto books = book_frames(c->out);
  ASSERT_EQ(books.size(), 1 + (frames.size() - 201));
  for (std::size_t i = 201; i < frames.size(); ++i) ASSERT_EQ(books[1 + i - 201], frames[i]) << i;
  EXPECT_EQ(verify_with_text_book(c->out), static_cast<int>(books.size()));
  EXPECT_EQ(api.checksums_verified(), 510u);
  EXPECT_EQ(api.checksums_failed(), 0u);
}

TEST_F(Replay, AnIndependentTextBookReproducesEveryChecksumEachSubscriberReceives) {
  const ReplayFile f = load(journal_ndjson());
  ReplayWsApi api(f, clock_, {.speed = 1});
  std::vector<std::shared_ptr<FakeClient>> clients;
  api.on_timer();
  // A new subscriber every 370 ms, one unsubscribing and coming back on the same socket.
  for (int step = 0; step < 300; ++step) {
    if (step % 37 == 0) {
      clients.push_back(connect(api, 100 + static_cast<std::uint64_t>(step)));
      api.on_message(clients.back(), kSubscribeBook);
    }
    if (step == 150) {
      api.on_message(clients[1], R"({"method":"unsubscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10}})");
      api.on_message(clients[1], kSubscribeBook);
    }
    clock_.advance(std::chrono::milliseconds(20));
    api.on_timer();
  }
  ASSERT_TRUE(api.finished());
  for (const auto& c : clients) {
    const auto books = book_frames(c->out);
    ASSERT_FALSE(books.empty());
    EXPECT_EQ(verify_with_text_book(c->out), static_cast<int>(books.size())) << "client " << c->id();
  }
}

TEST_F(Replay, PacesFramesByRecordedTimeScaledBySpeedAndSpeedZeroReleasesAllAtOnce) {
  const ReplayFile f = load(journal_ndjson());
  ReplayWsApi real(f, clock_, {.speed = 1});
  ReplayWsApi fast(f, clock_, {.speed = 2});
  ReplayWsApi all(f, clock_, {.speed = 0});
  EXPECT_FALSE(real.started());
  for (auto* api : {&real, &fast, &all}) api->on_timer();
  EXPECT_EQ(real.position(), 1u);
  EXPECT_EQ(fast.position(), 1u);
  EXPECT_EQ(all.position(), 510u);
  clock_.advance(std::chrono::milliseconds(95));
  for (auto* api : {&real, &fast}) api->on_timer();
  EXPECT_EQ(real.position(), 10u);  // frames at 0..90 ms
  EXPECT_EQ(fast.position(), 20u);  // frames at 0..190 ms of recorded time
  clock_.advance(std::chrono::milliseconds(5));
  real.on_timer();
  EXPECT_EQ(real.position(), 11u);  // exactly due at 100 ms
  clock_.advance(std::chrono::seconds(10));
  for (auto* api : {&real, &fast}) api->on_timer();
  EXPECT_TRUE(real.finished());
  EXPECT_TRUE(fast.finished());
}

TEST_F(Replay, ABurstCapSpreadsFramesOverTimersWithoutDroppingAny) {
  const ReplayFile f = load(raw_ndjson());
  ReplayWsApi api(f, clock_, {.speed = 0, .max_frames_per_timer = 100});
  auto c = connect(api, 1);
  api.on_message(c, kSubscribeBook);
  for (int i = 0; i < 5; ++i) api.on_timer();
  EXPECT_EQ(api.position(), 500u);
  api.on_timer();
  EXPECT_TRUE(api.finished());
  EXPECT_EQ(book_frames(c->out), capture_frames());
}

TEST_F(Replay, UnrecordedSymbolsChannelsAndDepthsGetErrorAcks) {
  const ReplayFile f = load(raw_ndjson());
  ReplayWsApi api(f, clock_, {});
  auto c = connect(api, 1);
  api.on_message(c, R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD","ETH/USD"],"depth":10},"req_id":69})");
  ASSERT_EQ(c->out.size(), 3u);
  EXPECT_NE(c->out[1].find(R"("success":true)"), std::string::npos) << c->out[1];
  EXPECT_EQ(c->out[2].rfind(R"({"error":"Currency pair not supported ETH/USD","method":"subscribe","req_id":69,"success":false,"symbol":"ETH/USD","time_in":")", 0),
            0u)
      << c->out[2];
  api.on_message(c, R"({"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD"]}})");
  EXPECT_NE(c->out.back().find(R"("error":"Currency pair not supported BTC/USD")"), std::string::npos) << c->out.back();
  api.on_message(c, R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":25}})");
  EXPECT_NE(c->out.back().find(R"x("error":"Depth 25 not recorded for BTC/USD (replay has depth 10)")x"), std::string::npos) << c->out.back();
  api.on_message(c, R"({"method":"subscribe","params":{"channel":"instrument"}})");
  EXPECT_NE(c->out.back().find(R"("error":"Subscription name invalid")"), std::string::npos) << c->out.back();
  api.on_message(c, R"({"method":"add_order","params":{"symbol":"BTC/USD"}})");
  EXPECT_NE(c->out.back().find(R"("error":"Method not supported on this endpoint")"), std::string::npos) << c->out.back();
}

TEST_F(Replay, MalformedLinesAreCountedWithTheirLineNumbersAndSkipped) {
  const auto& frames = capture_frames();
  std::string s;
  s += frames[0] + "\n";                                                // 1
  s += "\n";                                                            // 2 blank
  s += "   # comment\n";                                                // 3
  s += frames[1].substr(0, frames[1].size() / 2) + "\n";                // 4 truncated
  s += "[1,2,3]\n";                                                     // 5 not an object
  s += R"({"recv_ns":1690730998343415000})" "\n";                       // 6 journal without frame
  s += R"({"recv_ns":"soon","frame":)" + frames[1] + "}\n";             // 7 recv_ns not an integer
  s += R"({"type":"update","data":[]})" "\n";                           // 8 neither frame nor journal
  s += R"({"channel":"book","type":"update","data":[{"bids":[]}]})" "\n";  // 9 no symbol
  s += R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":"1","qty":2}]}]})" "\n";  // 10 price is a string
  s += "garbage\r\n";                                                   // 11
  for (std::size_t i = 1; i < frames.size(); ++i) s += frames[i] + "\r\n";  // CRLF is fine
  const ReplayFile f = load(s);
  const ReplayStats& st = f.stats();
  EXPECT_EQ(st.malformed, 8u);
  std::vector<std::uint64_t> lines;
  for (const auto& [line, why] : st.malformed_lines) lines.push_back(line);
  EXPECT_EQ(lines, (std::vector<std::uint64_t>{4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(st.skipped, 2u);
  EXPECT_EQ(st.frames, 510u);
  EXPECT_EQ(st.checksums_verified, 510u);
  EXPECT_EQ(st.checksums_failed, 0u);
  ReplayWsApi api(f, clock_, {.speed = 0});
  auto c = connect(api, 1);
  api.on_message(c, kSubscribeBook);
  api.on_timer();
  EXPECT_EQ(book_frames(c->out), frames);
}

TEST_F(Replay, LoopModeRestartsWithAFreshRecordedSnapshot) {
  const ReplayFile f = load(raw_ndjson());
  ReplayWsApi api(f, clock_, {.speed = 0, .loop = true});
  auto c = connect(api, 1);
  api.on_message(c, kSubscribeBook);
  api.on_timer();
  api.on_timer();
  const auto& frames = capture_frames();
  const auto books = book_frames(c->out);
  ASSERT_EQ(books.size(), 2 * frames.size());
  for (std::size_t i = 0; i < books.size(); ++i) ASSERT_EQ(books[i], frames[i % frames.size()]) << i;
  EXPECT_EQ(api.passes_completed(), 2u);
  EXPECT_FALSE(api.finished());
  EXPECT_EQ(api.checksums_verified(), 1020u);
  EXPECT_EQ(api.checksums_failed(), 0u);
  EXPECT_EQ(verify_with_text_book(c->out), 1020);
}

TEST_F(Replay, LoopModeAtRecordedPaceCarriesThePaceIntoTheNextPass) {
  const ReplayFile f = load(journal_ndjson());  // frames every 10 ms, 5.09 s per pass
  ReplayWsApi api(f, clock_, {.speed = 1, .loop = true});
  api.on_timer();
  clock_.advance(std::chrono::milliseconds(5090));
  api.on_timer();
  EXPECT_EQ(api.passes_completed(), 1u);
  EXPECT_EQ(api.position(), 510u);  // the wrap happens on the next timer
  api.on_timer();
  EXPECT_EQ(api.position(), 1u);  // the next snapshot is due when the last update was
  clock_.advance(std::chrono::milliseconds(45));
  api.on_timer();
  EXPECT_EQ(api.position(), 5u);
}

TEST_F(Replay, StatusPingAndHeartbeatsAnswerLikeKraken) {
  const ReplayFile f = load(raw_ndjson());
  ReplayWsApi api(f, clock_, {.speed = 0});
  auto c = connect(api, 1);
  ASSERT_EQ(c->out.size(), 1u);
  EXPECT_EQ(c->out[0].rfind(R"({"channel":"status","data":[{"api_version":"v2","connection_id":13834774380200032777,"system":"online","version":"2.0.0"}],"type":"update"})", 0), 0u) << c->out[0];
  api.on_message(c, R"({"method":"ping","req_id":101})");
  EXPECT_EQ(c->out.back().rfind(R"({"method":"pong","req_id":101,"time_in":")", 0), 0u) << c->out.back();
  clock_.advance(std::chrono::seconds(2));
  api.on_timer();
  EXPECT_EQ(c->out.back().find("heartbeat"), std::string::npos);  // not subscribed yet
  // Playback ran to the end before anyone subscribed: the snapshot is generated from the final
  // book and carries the last update's checksum.
  api.on_message(c, kSubscribeBook);
  ASSERT_EQ(book_frames(c->out).size(), 1u);
  EXPECT_EQ(recorded_checksum(book_frames(c->out)[0]), recorded_checksum(capture_frames().back()));
  clock_.advance(std::chrono::milliseconds(999));
  api.on_timer();
  EXPECT_EQ(c->out.back().find("heartbeat"), std::string::npos);
  clock_.advance(std::chrono::milliseconds(1));
  api.on_timer();
  EXPECT_EQ(c->out.back(), R"({"channel":"heartbeat"})");
  api.on_message(c, "{");
  EXPECT_NE(c->out.back().find(R"("error":"Malformed request")"), std::string::npos);
  api.on_close(c);
  EXPECT_EQ(api.connections(), 0u);
}

TEST_F(Replay, StartOnFirstSubscribeHoldsTheRecordingForTheFirstSubscriber) {
  const ReplayFile f = load(journal_ndjson());
  ReplayWsApi api(f, clock_, {.speed = 1, .start_on_first_subscribe = true});
  clock_.advance(std::chrono::seconds(30));
  api.on_timer();
  EXPECT_FALSE(api.started());
  EXPECT_EQ(api.position(), 0u);
  auto c = connect(api, 1);
  api.on_message(c, kSubscribeBook);
  EXPECT_TRUE(api.started());
  api.on_timer();
  ASSERT_EQ(book_frames(c->out).size(), 1u);
  EXPECT_EQ(book_frames(c->out)[0], capture_frames()[0]);
}

TEST_F(Replay, PrecisionComesFromAnInstrumentFrameOrConfigurationAndAWrongOneFailsTheChecksums) {
  const std::string instrument =
      R"({"channel":"instrument","type":"snapshot","data":{"assets":[],"pairs":[{"symbol":"BTC/USD","base":"BTC","quote":"USD","status":"online","qty_precision":8,"qty_increment":1e-08,"price_precision":1,"price_increment":0.1}]}})";
  const ReplayFile with_instrument = load(instrument + "\n" + raw_ndjson());
  const auto sym = with_instrument.symbol_index("BTC/USD");
  ASSERT_TRUE(sym);
  EXPECT_EQ(with_instrument.book_info(*sym)->precision_source, ReplayBookInfo::Source::instrument);
  EXPECT_EQ(with_instrument.stats().checksums_verified, 510u);
  EXPECT_TRUE(with_instrument.has_instrument());

  ReplayLoadOptions wrong;
  wrong.precisions["BTC/USD"] = {1, 9};  // one qty decimal too many: every digit string changes
  const ReplayFile configured = load(raw_ndjson(), wrong);
  EXPECT_EQ(configured.book_info(*configured.symbol_index("BTC/USD"))->precision_source, ReplayBookInfo::Source::configured);
  EXPECT_EQ(configured.stats().checksums_verified, 0u);
  EXPECT_EQ(configured.stats().checksums_failed, 510u);
  EXPECT_EQ(configured.stats().first_checksum_failure_line, 1u);
  // During playback the book is never trusted, so a late subscriber waits for a recorded snapshot.
  ReplayWsApi api(configured, clock_, {.speed = 0});
  api.on_timer();
  EXPECT_EQ(api.checksums_failed(), 510u);
  auto c = connect(api, 1);
  api.on_message(c, kSubscribeBook);
  EXPECT_TRUE(book_frames(c->out).empty());
}

TEST_F(Replay, TickerTradeOhlcAndInstrumentAreForwardedVerbatimWithSnapshotsForLateSubscribers) {
  // Generated lines in Kraken's v2 shapes (PROTOCOL.md §6.4), journal and raw forms mixed.
  const std::vector<std::string> lines = {
      R"({"channel":"instrument","type":"snapshot","data":{"assets":[],"pairs":[{"symbol":"MATIC/USD","qty_precision":8,"price_precision":4}]}})",
      R"({"channel":"ticker","type":"snapshot","data":[{"symbol":"MATIC/USD","bid":0.5116,"bid_qty":740.0,"ask":0.5117,"ask_qty":1361.44813783,"last":0.5117,"volume":997038.98383185,"vwap":0.5148,"low":0.5079,"high":0.5185,"change":-0.0017,"change_pct":-0.33,"timestamp":"2023-09-25T07:49:36.000000Z"}]})",
      R"({"recv_ns":1695628177708706000,"frame":{"channel":"trade","type":"update","data":[{"symbol":"MATIC/USD","side":"sell","price":0.5117,"qty":40.0,"ord_type":"market","trade_id":4665906,"timestamp":"2023-09-25T07:49:37.708706Z"},{"symbol":"MATIC/USD","side":"sell","price":0.5116,"qty":2.5,"ord_type":"market","trade_id":4665907,"timestamp":"2023-09-25T07:49:37.708706Z"}]}})",
      R"({"channel":"ticker","type":"update","data":[{"symbol":"MATIC/USD","bid":0.5115,"bid_qty":10.0,"ask":0.5116,"ask_qty":1361.44813783,"last":0.5116,"volume":997081.48383185,"vwap":0.5148,"low":0.5079,"high":0.5185,"change":-0.0018,"change_pct":-0.35,"timestamp":"2023-09-25T07:49:37.708706Z"}]})",
      R"({"channel":"ohlc","type":"update","timestamp":"2023-09-25T07:49:37.900000000Z","data":[{"symbol":"MATIC/USD","open":0.5120,"high":0.5120,"low":0.5116,"close":0.5116,"trades":2,"volume":42.5,"vwap":0.5117,"interval_begin":"2023-09-25T07:49:00.000000000Z","interval":1,"timestamp":"2023-09-25T07:50:00.000000Z"}]})",
      R"({"channel":"heartbeat"})",
      R"({"method":"subscribe","result":{"channel":"ticker","snapshot":true,"symbol":"MATIC/USD"},"success":true,"time_in":"2023-09-25T07:49:30.000000Z","time_out":"2023-09-25T07:49:30.000100Z"})",
  };
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  const ReplayFile f = load(s);
  EXPECT_EQ(f.stats().frames, 5u);
  EXPECT_EQ(f.stats().responses, 1u);
  EXPECT_EQ(f.stats().channels.at("heartbeat"), 1u);
  EXPECT_EQ(f.stats().malformed, 0u);

  ReplayWsApi api(f, clock_, {.speed = 0});
  auto early = connect(api, 1);
  api.on_message(early, R"({"method":"subscribe","params":{"channel":"ticker","symbol":["MATIC/USD"]}})");
  api.on_message(early, R"({"method":"subscribe","params":{"channel":"trade","symbol":["MATIC/USD"]}})");
  api.on_message(early, R"({"method":"subscribe","params":{"channel":"ohlc","symbol":["MATIC/USD"],"interval":1}})");
  api.on_message(early, R"({"method":"subscribe","params":{"channel":"instrument"}})");
  api.on_message(early, R"({"method":"subscribe","params":{"channel":"ohlc","symbol":["MATIC/USD"],"interval":5}})");
  EXPECT_NE(early->out.back().find(R"("error":"Interval 5 not recorded for MATIC/USD")"), std::string::npos) << early->out.back();
  const auto before = early->out.size();
  api.on_timer();
  const std::vector<std::string> forwarded(early->out.begin() + static_cast<std::ptrdiff_t>(before), early->out.end());
  const std::vector<std::string> expected = {lines[0], lines[1], lines[2].substr(lines[2].find(R"("frame":)") + 8, lines[2].size() - lines[2].find(R"("frame":)") - 9), lines[3], lines[4]};
  EXPECT_EQ(forwarded, expected);

  auto late = connect(api, 2);
  api.on_message(late, R"({"method":"subscribe","params":{"channel":"ticker","symbol":["MATIC/USD"]}})");
  api.on_message(late, R"({"method":"subscribe","params":{"channel":"trade","symbol":["MATIC/USD"],"snapshot":true}})");
  api.on_message(late, R"({"method":"subscribe","params":{"channel":"ohlc","symbol":["MATIC/USD"],"interval":1}})");
  api.on_message(late, R"({"method":"subscribe","params":{"channel":"instrument"}})");
  std::vector<std::string> snaps;
  for (const auto& m : late->out)
    if (m.find(R"("type":"snapshot")") != std::string::npos) snaps.push_back(m);
  ASSERT_EQ(snaps.size(), 4u);
  std::string ticker = lines[3];
  ticker.replace(ticker.find(R"("type":"update")"), 15, R"("type":"snapshot")");
  EXPECT_EQ(snaps[0], ticker);  // the latest ticker, relabelled
  EXPECT_EQ(snaps[1],
            R"({"channel":"trade","type":"snapshot","data":[{"symbol":"MATIC/USD","side":"sell","price":0.5117,"qty":40.0,"ord_type":"market","trade_id":4665906,"timestamp":"2023-09-25T07:49:37.708706Z"},{"symbol":"MATIC/USD","side":"sell","price":0.5116,"qty":2.5,"ord_type":"market","trade_id":4665907,"timestamp":"2023-09-25T07:49:37.708706Z"}]})");
  EXPECT_EQ(snaps[2],
            R"({"channel":"ohlc","type":"snapshot","timestamp":"2023-09-25T07:49:37.900000000Z","data":[{"symbol":"MATIC/USD","open":0.5120,"high":0.5120,"low":0.5116,"close":0.5116,"trades":2,"volume":42.5,"vwap":0.5117,"interval_begin":"2023-09-25T07:49:00.000000000Z","interval":1,"timestamp":"2023-09-25T07:50:00.000000Z"}]})");
  EXPECT_EQ(snaps[3], lines[0]);
  // A trade subscription without snapshot (Kraken's default for trade) gets none.
  auto quiet = connect(api, 3);
  api.on_message(quiet, R"({"method":"subscribe","params":{"channel":"trade","symbol":["MATIC/USD"]}})");
  EXPECT_EQ(quiet->out.size(), 2u);
}

TEST_F(Replay, AnswersSubscribeRequestsExactlyAsTheLiveMarketDoes) {
  // One subscribe implementation: the same request gets the same ack or nack, byte for byte,
  // from the replay and from the simulated market (both on this test's clock), wherever both
  // can serve the request. Snapshots differ (recorded vs generated) and are left out.
  const ReplayFile f = load(raw_ndjson());
  ReplayWsApi replay(f, clock_, {});
  Exchange ex{{default_assets(), default_instruments(), 11, kraken::Tier::pro}, clock_};
  MarketData md{ex};
  TokenStore tokens{11};
  Faults faults;
  KrakenWsApi live(ex, md, tokens, faults, {.authenticated = false});
  const std::vector<std::string> requests = {
      R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10},"req_id":1})",
      R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10,"snapshot":false},"req_id":2})",
      R"({"method":"unsubscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10},"req_id":3})",
      R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD","DOGE/USD"],"depth":10},"req_id":4})",
      R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":20},"req_id":5})",
      R"({"method":"subscribe","params":{"symbol":["BTC/USD"]},"req_id":6})",
      R"({"method":"subscribe","params":{"channel":"level3","symbol":["BTC/USD"]},"req_id":7})",
      R"({"method":"subscribe","params":{"channel":"executions","token":"x"},"req_id":8})",
      R"({"method":"subscribe","params":{"channel":"ticker","symbol":[]},"req_id":9})",
      R"({"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD"],"event_trigger":"every"},"req_id":10})",
      R"({"method":"subscribe","params":{"channel":"ohlc","symbol":["BTC/USD"],"interval":7},"req_id":11})",
      R"({"method":"subscribe","params":{"channel":"trade","symbol":["XBT/USD"]},"req_id":12})",
      R"({"method":"add_order","params":{"symbol":"BTC/USD"},"req_id":13})",
      R"({"method":"status","req_id":14})",
  };
  auto answers = [](const std::vector<std::string>& out) {
    std::vector<std::string> a;
    for (const auto& m : out)
      if (m.rfind(R"({"method")", 0) == 0 || m.rfind(R"({"error")", 0) == 0) a.push_back(m);
    return a;
  };
  auto r = connect(replay, 1);
  auto l = std::make_shared<FakeClient>(1);
  live.on_open(l);
  for (const auto& req : requests) {
    const std::size_t before_r = r->out.size(), before_l = l->out.size();
    replay.on_message(r, req);
    live.on_message(l, req);
    const auto got_r = answers({r->out.begin() + static_cast<std::ptrdiff_t>(before_r), r->out.end()});
    const auto got_l = answers({l->out.begin() + static_cast<std::ptrdiff_t>(before_l), l->out.end()});
    ASSERT_FALSE(got_r.empty()) << req;
    EXPECT_EQ(got_r, got_l) << req;
  }
}

}  // namespace
}  // namespace kgw::sim
