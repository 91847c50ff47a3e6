// kgw-bench-e2e in its quickest mode, as a process: it finishes, and e2e.json has one object
// per row with the fields bench/README.md documents, the ratios, and the skipped ccxt rows
// saying why instead of carrying numbers. Speed is not asserted.

#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include "kgw_process.hpp"

namespace kgw::test {
namespace {

TEST(BenchE2e, QuickRunWritesEveryRowWithItsPercentilesAndTheRatios) {
  const auto dir = std::filesystem::temp_directory_path() / ("kgw-bench-smoke-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string json = (dir / "e2e.json").string();
  const auto run = run_process(std::string(KGW_BENCH_E2E_EXE) + " --quick --no-ccxt --out " + json + " 2>&1");
  ASSERT_EQ(run.status, 0) << run.out;
  EXPECT_NE(run.out.find("| row | transport | count |"), std::string::npos) << run.out;  // the markdown table

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.load(json).get(doc), simdjson::SUCCESS) << run.out;
  std::set<std::string> names;
  simdjson::dom::array rows;
  ASSERT_EQ(doc["rows"].get(rows), simdjson::SUCCESS);
  for (simdjson::dom::element row : rows) {
    std::string_view name, transport;
    ASSERT_EQ(row["name"].get(name), simdjson::SUCCESS);
    ASSERT_EQ(row["transport"].get(transport), simdjson::SUCCESS);
    uint64_t count = 0;
    ASSERT_EQ(row["count"].get(count), simdjson::SUCCESS) << name;
    bool skipped = true;
    ASSERT_EQ(row["skipped"].get(skipped), simdjson::SUCCESS) << name;
    for (const char* field : {"p50_us", "p90_us", "p99_us", "p999_us", "max_us"}) {
      const auto v = row[field];
      ASSERT_EQ(v.error(), simdjson::SUCCESS) << name << " " << field;
      if (skipped) {
        EXPECT_TRUE(v.is_null()) << name << " " << field;  // never a made-up number
      } else {
        EXPECT_TRUE(v.is_number()) << name << " " << field;
      }
    }
    if (!skipped) {
      EXPECT_GT(count, 0u) << name;
    }
    names.insert(std::string(name) + "/" + std::string(transport));
  }
  for (const char* expected : {"echo (floor)/tcp", "echo (floor)/unix", "GetTicker cached/tcp", "GetTicker cached/unix",
                               "GetOrderBook d10 cached/tcp", "GetBalance cached/unix", "PlaceOrder/tcp", "CancelOrder/tcp",
                               "StreamBook tick-to-client x64/tcp", "StreamBook x16 beside 1 slow client/tcp",
                               "ccxt fetchTicker/http", "ccxt createOrder @2.5ms exchange/http",
                               "start to ready, 20 pairs depth 100/process"})
    EXPECT_TRUE(names.contains(expected)) << expected;

  simdjson::dom::object ratios;
  ASSERT_EQ(doc["ratios"].get(ratios), simdjson::SUCCESS);
  double ticker_over_echo = 0;
  EXPECT_EQ(ratios["GetTicker/echo p50 (tcp)"].get(ticker_over_echo), simdjson::SUCCESS);
  EXPECT_GT(ticker_over_echo, 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kgw::test
