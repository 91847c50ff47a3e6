#pragma once
// Test helper: reads Kraken's documented examples and captures from shared/kraken/fixtures (the
// project's reference data, beside the repository; see shared/kraken/fixtures/README.md).

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace kgw::test {

inline std::string shared_path(const std::string& relative) { return std::string(KGW_SHARED_DIR) + "/" + relative; }

// Contents of shared/kraken/fixtures/<relative>; fails the calling test if it cannot be read.
inline std::string kraken_fixture(const std::string& relative) {
  const std::string path = shared_path("kraken/fixtures/" + relative);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace kgw::test
