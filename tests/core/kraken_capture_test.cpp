// Capture and CaptureEntryReader on the real BTC/USD depth-10 capture (1 snapshot + 509 updates)
// in every form a recording comes in: the fixture file as shipped, a JSON array, NDJSON of raw
// frames and of journal lines; and on entries that are neither.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <sstream>
#include <string>
#include <vector>

#include "kgw/core/kraken/capture.hpp"
#include "kgw_capture_forms.hpp"

namespace kgw::kraken {
namespace {

using Kind = CaptureEntry::Kind;

std::vector<CaptureEntry> entries(const Capture& c) {
  std::vector<CaptureEntry> out;
  c.for_each([&](const CaptureEntry& e) { out.push_back(e); });
  return out;
}

std::vector<std::string> frames_of(const std::vector<CaptureEntry>& es) {
  std::vector<std::string> out;
  for (const auto& e : es)
    if (e.kind == Kind::frame) out.emplace_back(e.frame);
  return out;
}

TEST(Capture, TheFixtureAsShippedGivesItsSnapshotThen509UpdatesEachMinifiedOnALine) {
  auto c = Capture::load(test::shared_path(std::string("kraken/fixtures/") + test::kCapture));
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->form(), CaptureForm::init_updates);
  const auto es = entries(*c);
  ASSERT_EQ(es.size(), 510u);
  for (std::size_t i = 0; i < es.size(); ++i) {
    EXPECT_EQ(es[i].kind, Kind::frame) << i;
    EXPECT_EQ(es[i].line, i + 1);
    EXPECT_FALSE(es[i].journal);
  }
  EXPECT_EQ(frames_of(es), test::capture_frames());
}

TEST(Capture, APrettyPrintedArrayOfFramesGivesEveryFrameInOrder) {
  std::string text = "[\n";
  for (std::size_t i = 0; i < test::capture_frames().size(); ++i)
    text += std::string(i ? ",\n  " : "  ") + test::capture_frames()[i];
  text += "\n]\n";
  const Capture c = Capture::parse(text);
  EXPECT_EQ(c.form(), CaptureForm::array);
  EXPECT_EQ(frames_of(entries(c)), test::capture_frames());
}

TEST(Capture, NdjsonFramesAreViewsOfTheFileTextByteForByteAndParseableInPlace) {
  // A hand-spaced frame after the capture: NDJSON frames are never rewritten.
  const std::string spaced = R"({"channel": "heartbeat"})";
  const std::string text = test::ndjson(test::capture_frames()) + "  " + spaced + "  \r\n";
  const Capture c = Capture::parse(text);
  EXPECT_EQ(c.form(), CaptureForm::ndjson);
  EXPECT_EQ(c.text(), text);
  const auto es = entries(c);
  ASSERT_EQ(es.size(), 511u);
  EXPECT_EQ(es.back().frame, spaced);
  EXPECT_EQ(es.back().line, 511u);
  EXPECT_EQ(es.back().frame.data(), c.text().data() + text.find(spaced));
  EXPECT_GE(static_cast<std::size_t>(c.padded_end() - (c.text().data() + c.text().size())), simdjson::SIMDJSON_PADDING);
  std::vector<std::string> expected = test::capture_frames();
  expected.push_back(spaced);
  EXPECT_EQ(frames_of(es), expected);
}

TEST(Capture, JournalLinesGiveTheirFrameAsWrittenAndTheirReceiveTime) {
  const auto& frames = test::capture_frames();
  std::string text = "# kgw journal: recv_ns, frame\n";
  for (std::size_t i = 0; i < frames.size(); ++i)
    text += "{\"recv_ns\":" + std::to_string(1690730998343415000 + static_cast<std::int64_t>(i)) + ", \"frame\": " +
            frames[i] + " }\n";
  const Capture capture = Capture::parse(text);  // the entries are views into it
  const auto es = entries(capture);
  ASSERT_EQ(es.size(), 511u);
  EXPECT_EQ(es[0].kind, Kind::skipped);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const CaptureEntry& e = es[i + 1];
    ASSERT_EQ(e.kind, Kind::frame) << e.error;
    EXPECT_TRUE(e.journal);
    EXPECT_EQ(e.recv_ns, 1690730998343415000 + static_cast<std::int64_t>(i));
    EXPECT_EQ(e.frame, frames[i]);
    EXPECT_EQ(e.line, i + 2);
  }
}

TEST(Capture, EntriesThatAreNeitherAFrameNorAJournalLineSayWhyWithTheirLineNumbers) {
  const std::string frame = test::capture_frames()[1];
  const std::vector<std::pair<std::string, std::string>> lines = {
      {"", ""},
      {"   # a comment", ""},
      {frame.substr(0, frame.size() / 2), "not a JSON object"},
      {"[1,2,3]", "not a JSON object"},
      {R"({"recv_ns":1690730998343415000})", "journal entry without `frame`"},
      {R"({"recv_ns":"soon","frame":)" + frame + "}", "journal `recv_ns` is not an integer"},
      {R"({"recv_ns":1,"frame":[]})", "journal `frame` is not an object"},
      {R"({"type":"update","data":[]})", "neither a WS v2 frame nor a journal entry"},
      {frame + " trailing", "not a JSON object"},
      {R"({"method":"pong","req_id":1})", ""},
  };
  std::string text;
  for (const auto& [line, why] : lines) text += line + "\n";
  const Capture capture = Capture::parse(text);  // the entries are views into it
  const auto es = entries(capture);
  ASSERT_EQ(es.size(), lines.size());
  const std::vector<Kind> kinds = {Kind::skipped,   Kind::skipped,   Kind::malformed, Kind::malformed, Kind::malformed,
                                   Kind::malformed, Kind::malformed, Kind::malformed, Kind::malformed, Kind::frame};
  for (std::size_t i = 0; i < es.size(); ++i) {
    EXPECT_EQ(es[i].line, i + 1);
    EXPECT_EQ(es[i].kind, kinds[i]) << i;
    EXPECT_EQ(es[i].error, lines[i].second) << i;
  }
}

TEST(Capture, OneFrameOnOneLineIsNdjsonNotADocument) {
  const Capture c = Capture::parse(test::capture_frames()[0]);
  EXPECT_EQ(c.form(), CaptureForm::ndjson);
  const auto es = entries(c);
  ASSERT_EQ(es.size(), 1u);
  EXPECT_EQ(es[0].frame, test::capture_frames()[0]);
}

TEST(Capture, ABrokenDocumentIsReadAsNdjsonSoEveryLineIsAccountedFor) {
  // The fixture cut short: not a document, so each of its lines is an entry, and none of its
  // pretty-printed lines is a frame by itself.
  std::string text = test::kraken_fixture(test::kCapture);
  text.resize(text.size() / 2);
  const Capture c = Capture::parse(text);
  EXPECT_EQ(c.form(), CaptureForm::ndjson);
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  const auto es = entries(c);
  ASSERT_EQ(es.size(), lines.size());
  ASSERT_GT(es.size(), 4900u);
  for (std::size_t i = 0; i < es.size(); ++i) {
    const bool blank = lines[i].find_first_not_of(" \r") == std::string::npos;
    EXPECT_EQ(es[i].kind, blank ? Kind::skipped : Kind::malformed) << "line " << i + 1 << ": " << lines[i];
  }
}

TEST(Capture, AMissingFileIsNotFound) {
  auto c = Capture::load(::testing::TempDir() + "kgw_capture_does_not_exist.ndjson");
  ASSERT_FALSE(c);
  EXPECT_TRUE(c.error().is(errc::not_found)) << c.error().message();
}

}  // namespace
}  // namespace kgw::kraken
