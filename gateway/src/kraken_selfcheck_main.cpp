// kgw-selfcheck: what `make run` starts until the daemon exists. It exercises the core library on
// Kraken's own reference data and says what it found:
//  - loads REST Assets + AssetPairs (the docs examples) into the instrument registry and prints
//    every pair with all its spellings, precisions and grid;
//  - recomputes the WS v2 book checksums of the snapshots in shared/kraken (docs examples and the
//    real BTC/USD capture) from fixed-point levels and compares them to Kraken's values.
// Exit status 0 only if every check passed.

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <simdjson.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kgw/core/book_checksum.hpp"
#include "kgw/core/crc32.hpp"
#include "kgw/core/instrument.hpp"
#include "kgw/core/kraken/json.hpp"
#include "kgw/core/kraken/reference_data.hpp"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Reads one `{"channel":"book","type":"snapshot","data":[{...}]}` object and checks its checksum.
bool check_snapshot(simdjson::ondemand::object book_msg, int price_prec, int qty_prec, const std::string& label) {
  std::vector<kgw::BookLevel> asks, bids;
  std::uint64_t expected = 0;
  std::string symbol;
  for (auto field : book_msg) {
    std::string_view key = field.unescaped_key();
    if (key != "data") continue;
    for (auto item : field.value().get_array()) {
      for (auto f : item.get_object()) {
        std::string_view k = f.unescaped_key();
        if (k == "symbol") symbol = std::string(std::string_view(f.value().get_string()));
        else if (k == "checksum") expected = f.value().get_uint64();
        else if (k == "bids" || k == "asks") {
          auto& side = k == "bids" ? bids : asks;
          for (auto lvl : f.value().get_array()) {
            kgw::BookLevel l{};
            for (auto lf : lvl.get_object()) {
              std::string_view lk = lf.unescaped_key();
              auto v = lf.value();
              auto m = kgw::kraken::read_fixed(v.value(), lk == "price" ? price_prec : qty_prec, lk);
              if (!m) throw std::runtime_error(m.error().message());
              (lk == "price" ? l.price : l.qty) = *m;
            }
            side.push_back(l);
          }
        }
      }
    }
  }
  const std::uint32_t got = kgw::book_checksum(asks, bids);
  const bool ok = got == expected;
  fmt::print("  {:<44} {:<9} {:>2} asks {:>2} bids  checksum {:>10}  expected {:>10}  {}\n", label, symbol,
             asks.size(), bids.size(), got, expected, ok ? "OK" : "MISMATCH");
  return ok;
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

    fmt::print("\nWS v2 book checksums recomputed from fixed-point levels:\n");
    simdjson::ondemand::parser parser;
    struct Case {
      std::string file;
      int price_prec, qty_prec;
      const char* member;  // nullptr: the document is the message
    };
    const Case cases[] = {
        {fixtures + "/ws_v2/docs_book_snapshot_MATICUSD.json", 4, 8, nullptr},
        {fixtures + "/ws_v2/capture_book_BTCUSD_depth10_2023-07-30_python-kraken-sdk.json", 1, 8, "init"},
    };
    for (const auto& c : cases) {
      simdjson::padded_string json = simdjson::padded_string::load(c.file);
      auto doc = parser.iterate(json);
      simdjson::ondemand::object obj = c.member ? doc[c.member].get_object() : doc.get_object();
      const auto slash = c.file.find_last_of('/');
      all_ok &= check_snapshot(obj, c.price_prec, c.qty_prec, c.file.substr(slash + 1, 44));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kgw-selfcheck: %s\n", e.what());
    return 2;
  }
  fmt::print("\n{}\n", all_ok ? "all checks passed" : "SOME CHECKS FAILED");
  return all_ok ? 0 : 1;
}
