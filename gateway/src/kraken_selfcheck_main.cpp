// kgw-selfcheck: what `make run` starts until the daemon exists. It exercises the core library on
// Kraken's own reference data and says what it found:
//  - loads REST Assets + AssetPairs (the docs examples) into the instrument registry and prints
//    every pair with all its spellings, precisions and grid;
//  - replays the WS v2 book examples in shared/kraken (the docs' MATIC/USD snapshot and update,
//    and every frame of the real BTC/USD capture) through kgw-replay's engine (core's capture
//    reader, book-frame parser and Book) and compares each checksum with Kraken's.
// Exit status 0 only if every check passed.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kgw/core/crc32.hpp"
#include "kgw/core/instrument.hpp"
#include "kgw/core/kraken/capture.hpp"
#include "kgw/core/kraken/reference_data.hpp"
#include "kgw/feed/kraken_book_replay.hpp"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The recordings `files` (in order, as one stream) through kgw-replay's engine; true if every
// book frame of `symbol` verified.
bool check_books(const std::string& label, const std::vector<std::string>& files, const std::string& symbol,
                 kgw::kraken::BookPrecision precision) {
  kgw::feed::KrakenBookReplay replay({.symbol = symbol, .depth = 10, .precision = precision}, nullptr);
  for (const auto& file : files) {
    auto capture = kgw::kraken::Capture::load(file);
    if (!capture) throw std::runtime_error(capture.error().message());
    capture->for_each([&](const kgw::kraken::CaptureEntry& e) { replay.entry(e); });
  }
  const kgw::feed::BookReplayReport& r = replay.report();
  fmt::print("  {:<52} {:<9} {:>3} frames at {}/{}  {}  {}\n", label, symbol, r.book_frames, precision.price,
             precision.qty, r.checksum_line(), r.ok() ? "OK" : "MISMATCH");
  return r.ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kgw-selfcheck: core library checks on Kraken's reference data"};
  std::string shared_dir = "../shared";
  app.add_option("--shared-dir", shared_dir, "folder holding kraken/fixtures and kraken/vectors.json");
  CLI11_PARSE(app, argc, argv);

  const std::string fixtures = shared_dir + "/kraken/fixtures";
  bool all_ok = true;
  try {
    fmt::print("kgw-selfcheck — kraken-gatewayd core library on Kraken's reference data.\n");
    fmt::print("(The daemon, simulator and gRPC services are built by later issues; this is what runs today.)\n\n");

    kgw::InstrumentRegistry registry;
    auto loaded = kgw::kraken::load_registry(registry, read_file(fixtures + "/rest/docs_Assets.json"),
                                             read_file(fixtures + "/rest/docs_AssetPairs.json"));
    if (!loaded) throw std::runtime_error(loaded.error().message());
    fmt::print("Instrument registry from REST Assets + AssetPairs (docs examples): {} pairs\n", registry.size());
    fmt::print("  {:<10} {:<8} {:<8} {:<8} {:>5} {:>5} {:>10} {:>10} {:>8}  {}\n", "rest key", "altname", "wsname",
               "v2", "px dp", "qty dp", "tick", "ordermin", "costmin", "status");
    for (const auto& in : registry.instruments()) {
      fmt::print("  {:<10} {:<8} {:<8} {:<8} {:>5} {:>5} {:>10} {:>10} {:>8}  {}\n", in->rest_key, in->altname,
                 in->wsname, in->symbol, in->price_precision, in->qty_precision,
                 kgw::format_fixed(in->price_increment, in->price_precision),
                 kgw::format_fixed(in->qty_min, in->qty_precision), in->cost_min.to_string(), kgw::to_string(in->status));
      for (const auto& name : {in->rest_key, in->altname, in->wsname, in->symbol})
        if (registry.find(name) != in) {
          fmt::print("  spelling {} does not resolve to {}\n", name, in->symbol);
          all_ok = false;
        }
    }

    fmt::print("\nCRC-32 check value crc32(\"123456789\") = {:#010x} ({})\n", kgw::crc32("123456789"),
               kgw::crc32("123456789") == 0xCBF43926u ? "OK" : "MISMATCH");
    all_ok &= kgw::crc32("123456789") == 0xCBF43926u;

    fmt::print("\nWS v2 book checksums, every frame through the feed's parser and Book (kgw-replay's engine):\n");
    all_ok &= check_books("docs_book_{snapshot,update}_MATICUSD.json",
                          {fixtures + "/ws_v2/docs_book_snapshot_MATICUSD.json",
                           fixtures + "/ws_v2/docs_book_update_MATICUSD.json"},
                          "MATIC/USD", {4, 8});
    all_ok &= check_books("capture_book_BTCUSD_depth10_2023-07-30 (as shipped)",
                          {fixtures + "/ws_v2/capture_book_BTCUSD_depth10_2023-07-30_python-kraken-sdk.json"}, "BTC/USD",
                          {1, 8});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kgw-selfcheck: %s\n", e.what());
    return 2;
  }
  fmt::print("\n{}\n", all_ok ? "all checks passed" : "SOME CHECKS FAILED");
  return all_ok ? 0 : 1;
}
