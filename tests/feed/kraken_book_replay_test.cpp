// KrakenBookReplay and the kgw-replay process on the real capture written as NDJSON, in both
// line forms the simulator's replay reads (raw frames, journal entries), and on corrupted copies.

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kgw_capture_forms.hpp"
#include "kgw/feed/kraken_book_replay.hpp"
#include "kgw_process.hpp"

namespace kgw::feed {
namespace {

constexpr const char* kBtcUsdInstrument =
    R"({"channel":"instrument","type":"snapshot","data":{"assets":[],"pairs":[{"symbol":"BTC/USD","base":"BTC","quote":"USD","status":"online","qty_precision":8,"qty_increment":1e-08,"price_precision":1,"price_increment":0.1,"qty_min":0.0001}]}})";

BookReplayOptions btc_usd(bool with_precision = true) {
  BookReplayOptions o;
  o.symbol = "BTC/USD";
  o.depth = 10;
  if (with_precision) o.precision = kraken::BookPrecision{1, 8};
  return o;
}

// The capture in the gateway's journal form, the way the simulator's tests write it (with a
// comment line, and the spaced form a hand-edited journal might have).
std::string journal(const std::vector<std::string>& frames) {
  std::string s = "# kgw journal: recv_ns, frame\n";
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (i % 2) s += "{\"recv_ns\":" + std::to_string(1690730998343415000 + i) + ",\"frame\":" + frames[i] + "}\n";
    else s += "{\"frame\": " + frames[i] + ", \"recv_ns\": " + std::to_string(1690730998343415000 + i) + " }\n";
  }
  return s;
}

BookReplayReport replay_text(const std::string& text, const BookReplayOptions& options, std::string* diag = nullptr) {
  std::ostringstream out;
  KrakenBookReplay r(options, &out);
  std::istringstream in(text);
  std::string line;
  std::uint64_t n = 0;
  while (std::getline(in, line)) r.line(line, ++n);
  if (diag) *diag = out.str();
  return r.report();
}

// The capture with the checksum of frame `index` changed to another valid uint32.
std::vector<std::string> with_corrupted_checksum(std::size_t index) {
  std::vector<std::string> frames = test::capture_frames();
  std::string& f = frames[index];
  const auto at = f.find("\"checksum\":") + 11;
  const auto end = f.find_first_not_of("0123456789", at);
  const std::uint32_t good = static_cast<std::uint32_t>(std::stoull(f.substr(at, end - at)));
  f.replace(at, end - at, std::to_string(good ^ 0x10u));
  return frames;
}

TEST(KrakenBookReplay, TheCaptureAsRawFramesVerifiesAll510Checksums) {
  const auto r = replay_text(test::ndjson(test::capture_frames()), btc_usd());
  EXPECT_EQ(r.lines, 510u);
  EXPECT_EQ(r.book_frames, 510u);
  EXPECT_EQ(r.verified, 510u);
  EXPECT_EQ(r.failed, 0u);
  EXPECT_EQ(r.bad_lines, 0u);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.checksum_line(), "checksums: 510 verified, 0 failed");
}

TEST(KrakenBookReplay, TheCaptureAsJournalLinesVerifiesAll510Checksums) {
  const auto r = replay_text(journal(test::capture_frames()), btc_usd());
  EXPECT_EQ(r.skipped, 1u);  // the comment
  EXPECT_EQ(r.verified, 510u);
  EXPECT_EQ(r.failed, 0u);
  EXPECT_EQ(r.bad_lines, 0u);
}

TEST(KrakenBookReplay, AnInstrumentFrameInTheFileSuppliesThePrecision) {
  const auto r = replay_text(std::string(kBtcUsdInstrument) + "\n" + test::ndjson(test::capture_frames()), btc_usd(false));
  ASSERT_TRUE(r.precision);
  EXPECT_EQ(*r.precision, (kraken::BookPrecision{1, 8}));
  EXPECT_EQ(r.verified, 510u);
  EXPECT_TRUE(r.ok());
}

TEST(KrakenBookReplay, WithoutAnyPrecisionNothingIsVerifiedAndTheReplayFails) {
  std::string diag;
  const auto r = replay_text(test::ndjson(test::capture_frames()), btc_usd(false), &diag);
  EXPECT_EQ(r.no_precision, 510u);
  EXPECT_EQ(r.verified, 0u);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(diag.find("--price-precision"), std::string::npos) << diag;
}

TEST(KrakenBookReplay, ACorruptedChecksumIsCountedAndReportedWithItsLine) {
  std::string diag;
  const auto r = replay_text(test::ndjson(with_corrupted_checksum(100)), btc_usd(), &diag);
  EXPECT_EQ(r.verified, 509u);
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.first_failed_line, 101u);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(diag.find("line 101: checksum mismatch"), std::string::npos) << diag;
}

TEST(KrakenBookReplay, AChangedLevelMakesTheFollowingChecksumsFail) {
  // A qty changed in one update: the book diverges from Kraken's until the level is replaced.
  std::vector<std::string> frames = test::capture_frames();
  const auto at = frames[0].find("\"qty\":4.0");
  ASSERT_NE(at, std::string::npos);
  frames[0].replace(at, 9, "\"qty\":4.1");
  const auto r = replay_text(test::ndjson(frames), btc_usd());
  EXPECT_GE(r.failed, 1u);
  EXPECT_EQ(r.first_failed_line, 1u);
}

TEST(KrakenBookReplay, BadLinesAreCountedWithTheirLineNumbersAndTheRestStillReplays) {
  std::vector<std::string> frames = test::capture_frames();
  std::string text = test::ndjson(frames);
  text += "not json at all\n";
  text += "{\"recv_ns\":1}\n";                       // journal entry without a frame
  text += "{\"channel\":\"book\",\"type\":\"update\"\n";  // truncated
  text += "\n";
  text += R"({"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD"}]})" "\n";  // not ours to check
  text += R"({"channel":"book","type":"update","data":[{"symbol":"ETH/USD","bids":[],"asks":[],"checksum":7}]})" "\n";
  std::string diag;
  const auto r = replay_text(text, btc_usd(), &diag);
  EXPECT_EQ(r.verified, 510u);
  EXPECT_EQ(r.failed, 0u);
  EXPECT_EQ(r.bad_lines, 3u);
  EXPECT_EQ(r.skipped, 1u);
  EXPECT_EQ(r.book_frames, 510u);  // the ETH/USD frame is another symbol's
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.bad.size(), 3u);
  EXPECT_EQ(r.bad[0].first, 511u);
  EXPECT_EQ(r.bad[1].first, 512u);
  EXPECT_NE(r.bad[1].second.find("without `frame`"), std::string::npos) << r.bad[1].second;
  EXPECT_EQ(r.bad[2].first, 513u);
  EXPECT_NE(diag.find("line 511: skipped"), std::string::npos) << diag;
}

TEST(KrakenBookReplay, UpdatesBeforeTheFirstSnapshotAreNotCountedAsVerified) {
  const auto& all = test::capture_frames();
  const std::vector<std::string> updates(all.begin() + 1, all.end());
  const auto r = replay_text(test::ndjson(updates), btc_usd());
  EXPECT_EQ(r.unsynced, 509u);
  EXPECT_EQ(r.verified, 0u);
  EXPECT_FALSE(r.ok());
}

TEST(KrakenBookReplay, AMissingFileIsAnError) {
  auto r = replay_book_file(::testing::TempDir() + "kgw_feed_does_not_exist.ndjson", btc_usd(), nullptr);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::not_found));
}

// kgw-replay as a process: stdout, stderr and exit status.
struct Process {
  int status = -1;
  std::string out, err;
};

Process run_replay(const std::string& args) {
  test::TempFile err("", ".stderr");
  const test::Process run = test::run_process(std::string(KGW_REPLAY_EXE) + " " + args + " 2>" + err.path());
  std::ifstream in(err.path());
  std::stringstream ss;
  ss << in.rdbuf();
  return Process{run.status, run.out, ss.str()};
}

TEST(KgwReplay, TheCapturePrints510VerifiedAndExitsZero) {
  test::TempFile file(test::ndjson(test::capture_frames()));
  const Process p = run_replay(file.path() + " --symbol BTC/USD --depth 10 --price-precision 1 --qty-precision 8");
  EXPECT_EQ(p.out, "checksums: 510 verified, 0 failed\n") << p.err;
  EXPECT_EQ(p.status, 0) << p.err;
}

TEST(KgwReplay, TheCaptureFileAsShippedReplaysWithoutConversion) {
  // The fixture is one pretty-printed document {"init": ..., "updates": [...]}; a user points
  // the tool at it directly.
  const Process p = run_replay(test::shared_path(std::string("kraken/fixtures/") + test::kCapture) +
                               " --symbol BTC/USD --depth 10 --price-precision 1 --qty-precision 8");
  EXPECT_EQ(p.out, "checksums: 510 verified, 0 failed\n") << p.err;
  EXPECT_EQ(p.status, 0) << p.err;
  // And a JSON array of frames.
  std::string array = "[\n";
  for (std::size_t i = 0; i < test::capture_frames().size(); ++i) array += (i ? ",\n" : "") + test::capture_frames()[i];
  test::TempFile file(array + "\n]\n");
  const Process q = run_replay(file.path() + " --symbol BTC/USD --price-precision 1 --qty-precision 8");
  EXPECT_EQ(q.out, "checksums: 510 verified, 0 failed\n") << q.err;
}

TEST(KgwReplay, TheCaptureAsAJournalWithAnInstrumentFrameNeedsNoPrecisionFlags) {
  test::TempFile file(std::string(kBtcUsdInstrument) + "\n" + journal(test::capture_frames()));
  const Process p = run_replay(file.path() + " --symbol BTC/USD");
  EXPECT_EQ(p.out, "checksums: 510 verified, 0 failed\n") << p.err;
  EXPECT_EQ(p.status, 0) << p.err;
}

TEST(KgwReplay, ACorruptedCopyExitsNonZeroAndNamesTheLine) {
  test::TempFile file(test::ndjson(with_corrupted_checksum(42)));
  const Process p = run_replay(file.path() + " --symbol BTC/USD --price-precision 1 --qty-precision 8");
  EXPECT_EQ(p.out, "checksums: 509 verified, 1 failed\n") << p.err;
  EXPECT_NE(p.status, 0);
  EXPECT_NE(p.err.find("line 43: checksum mismatch"), std::string::npos) << p.err;
}

TEST(KgwReplay, AFileWithNoBookFramesForTheSymbolExitsNonZero) {
  test::TempFile file(test::ndjson(test::capture_frames()));
  const Process p = run_replay(file.path() + " --symbol ETH/USD --price-precision 2 --qty-precision 8");
  EXPECT_EQ(p.out, "checksums: 0 verified, 0 failed\n");
  EXPECT_NE(p.status, 0);
}

TEST(KgwReplay, BadArgumentsAndAMissingFileExitWithStatusTwo) {
  EXPECT_EQ(run_replay(::testing::TempDir() + "kgw_feed_none.ndjson --symbol BTC/USD").status, 2);
  test::TempFile file(test::ndjson(test::capture_frames()));
  EXPECT_EQ(run_replay(file.path() + " --symbol BTC/USD --depth 7").status, 2);
  EXPECT_EQ(run_replay(file.path() + " --symbol BTC/USD --price-precision 1").status, 2);  // needs --qty-precision
  EXPECT_EQ(run_replay(file.path()).status, 2);                                           // needs --symbol
}

}  // namespace
}  // namespace kgw::feed
