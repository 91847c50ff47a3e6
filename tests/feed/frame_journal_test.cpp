// FrameJournal: lines in the simulator's replay format, written off the recording thread, all of
// them on close.

#include "kgw/feed/frame_journal.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace kgw::feed {
namespace {

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(FrameJournal, WritesEveryRecordedLineInTheReplayFormatByClose) {
  const auto path = (std::filesystem::temp_directory_path() / ("kgw_journal_" + std::to_string(::getpid()) + ".ndjson")).string();
  std::filesystem::remove(path);
  auto j = FrameJournal::open(path).value();
  j->record(1690730998343415000, R"({"channel":"heartbeat"})");
  // Two threads at once (the feed thread and, say, a test): lines stay whole.
  std::thread other([&] {
    for (int i = 0; i < 5000; ++i) j->record(2, R"({"channel":"ticker","type":"update","data":[]})");
  });
  for (int i = 0; i < 5000; ++i) j->record(3, R"({"channel":"trade","type":"update","data":[]})");
  other.join();
  j->close();
  j->close();  // idempotent
  j->record(4, R"({"late":true})");  // after close: dropped, not a crash
  const auto lines = read_lines(path);
  std::filesystem::remove(path);
  ASSERT_EQ(lines.size(), 10001u);
  EXPECT_EQ(lines[0], R"({"recv_ns":1690730998343415000,"frame":{"channel":"heartbeat"}})");
  EXPECT_EQ(j->lines(), 10001u);
  EXPECT_EQ(j->write_errors(), 0u);
  for (const auto& l : lines) {
    ASSERT_TRUE(l == R"({"recv_ns":2,"frame":{"channel":"ticker","type":"update","data":[]}})" ||
                l == R"({"recv_ns":3,"frame":{"channel":"trade","type":"update","data":[]}})" || l == lines[0])
        << l;
  }
}

TEST(FrameJournal, AnUnwritablePathIsAnErrorNamingTheOption) {
  auto j = FrameJournal::open("/nonexistent-dir/x.ndjson");
  ASSERT_FALSE(j);
  EXPECT_EQ(j.error().detail, "journal_file: cannot open '/nonexistent-dir/x.ndjson'");
}

}  // namespace
}  // namespace kgw::feed
