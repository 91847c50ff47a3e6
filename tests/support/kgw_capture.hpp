#pragma once
// Test helper: Kraken's real BTC/USD depth-10 book capture (shared/kraken/fixtures/ws_v2) as the
// compact WS v2 frames Kraken sent, number text untouched. Shared by the feed and simulator
// suites.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "kgw_test_fixtures.hpp"

namespace kgw::test {

inline constexpr const char* kCapture = "ws_v2/capture_book_BTCUSD_depth10_2023-07-30_python-kraken-sdk.json";

inline std::string minified(std::string_view json) {
  std::string out(json.size(), '\0');
  std::size_t n = 0;
  EXPECT_EQ(simdjson::minify(json.data(), json.size(), out.data(), n), simdjson::SUCCESS);
  out.resize(n);
  return out;
}

// [0] the snapshot, [1..509] the updates, as Kraken sent them (after the capture's own float
// round trip: `4.0`, `0.001`).
inline const std::vector<std::string>& capture_frames() {
  static const std::vector<std::string> frames = [] {
    std::vector<std::string> out;
    simdjson::padded_string json(kraken_fixture(kCapture));
    simdjson::ondemand::parser p;
    auto doc = p.iterate(json);
    for (auto field : doc.get_object()) {
      const std::string_view key = field.unescaped_key();
      if (key == "init") {
        simdjson::ondemand::object o = field.value().get_object();
        out.insert(out.begin(), minified(o.raw_json().value()));
      } else if (key == "updates") {
        for (auto u : field.value().get_array()) {
          simdjson::ondemand::object o = u.get_object();
          out.push_back(minified(o.raw_json().value()));
        }
      }
    }
    return out;
  }();
  return frames;
}

}  // namespace kgw::test
