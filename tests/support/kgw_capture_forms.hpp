#pragma once
// Test helpers for the suites that replay the real BTC/USD depth-10 capture: its compact WS v2
// frames (number text untouched) re-serialised at full precision and at shortest precision
// (built from the wire text, not with the code under test), written as NDJSON, and temp files.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "kgw_capture.hpp"
#include "kgw_test_fixtures.hpp"
#include "kgw_ws_book_check.hpp"

namespace kgw::test {

// Number text at `decimals` (full precision, trailing zeros kept) or with every trailing zero
// and a bare '.' removed (`4.00000000` -> `4`), by text operations only.
inline std::string full_precision(const std::string& text, int decimals) { return TextBook::padded(text, decimals); }
inline std::string shortest(const std::string& text) {
  std::string t = text;
  if (t.find('.') == std::string::npos) return t;
  while (t.back() == '0') t.pop_back();
  if (t.back() == '.') t.pop_back();
  return t;
}

// One capture frame written again with its numbers passed through `number(text, is_price)`.
template <class F>
std::string reserialised(const std::string& frame, F number) {
  const RawBookMsg m = read_book(frame);
  std::string s = std::string(R"({"channel":"book","type":")") + (m.snapshot ? "snapshot" : "update") +
                  R"(","data":[{"symbol":"BTC/USD","bids":[)";
  auto side = [&](const std::vector<std::pair<std::string, std::string>>& levels) {
    for (std::size_t i = 0; i < levels.size(); ++i) {
      if (i) s += ',';
      s += R"({"price":)" + number(levels[i].first, true) + R"(,"qty":)" + number(levels[i].second, false) + "}";
    }
  };
  side(m.bids);
  s += R"(],"asks":[)";
  side(m.asks);
  s += R"(],"checksum":)" + std::to_string(m.checksum) + "}]}";
  return s;
}

inline std::string ndjson(const std::vector<std::string>& frames) {
  std::string s;
  for (const auto& f : frames) s += f + "\n";
  return s;
}

// A temp file removed with the test.
class TempFile {
 public:
  explicit TempFile(const std::string& content, const std::string& suffix = ".ndjson") {
    static std::atomic<int> n{0};
    path_ = ::testing::TempDir() + "kgw_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++) + suffix;
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace kgw::test
