// kgw-replay: runs every `book` frame of one symbol in a recorded Kraken WS v2 stream (any form
// core/kraken/capture.hpp reads) through the feed's parser and Book and checks each checksum. Problems go to stderr with their line number; the last line on stdout is exactly
// `checksums: N verified, M failed`. Exit status: 0 when every checksum verified, at least one
// was seen and no line was malformed; 1 otherwise; 2 for an unreadable file or bad arguments.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <iostream>

#include "kgw/feed/kraken_book_replay.hpp"

int main(int argc, char** argv) {
  CLI::App app{"kgw-replay: verify the book checksums of a recorded Kraken WS v2 stream"};
  std::string path;
  kgw::feed::BookReplayOptions options;
  int price_precision = -1, qty_precision = -1;
  app.add_option("FILE", path,
                 "NDJSON of raw WS v2 frames or journal lines {\"recv_ns\":..,\"frame\":{..}}, a JSON array of frames, "
                 "or a capture {\"init\":..,\"updates\":[..]}")
      ->required();
  app.add_option("--symbol", options.symbol, "WS v2 symbol as the frames write it, e.g. BTC/USD")->required();
  app.add_option("--depth", options.depth, "the recorded book subscription depth")
      ->capture_default_str()
      ->check(CLI::IsMember({10, 25, 100, 500, 1000}));
  auto* pp = app.add_option("--price-precision", price_precision,
                            "price decimals (default: from the file's instrument frames)")
                 ->check(CLI::Range(0, 18));
  auto* qp = app.add_option("--qty-precision", qty_precision, "qty decimals (default: from the file's instrument frames)")
                 ->check(CLI::Range(0, 18));
  pp->needs(qp);
  qp->needs(pp);
  app.add_option("--max-reported", options.max_reported, "problems printed on stderr; the rest are counted")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (*pp) options.precision = kgw::kraken::BookPrecision{price_precision, qty_precision};

  auto report = kgw::feed::replay_book_file(path, options, &std::cerr);
  if (!report) {
    std::cerr << "kgw-replay: " << report.error().message() << '\n';
    return 2;
  }
  const auto& r = *report;
  std::cerr << fmt::format(
      "kgw-replay: {}: {} lines, {} book frames for {}, {} bad lines, {} updates before a snapshot, "
      "{} frames before a precision, {} crossed",
      path, r.lines, r.book_frames, options.symbol, r.bad_lines, r.unsynced, r.no_precision, r.crossed);
  if (r.precision) std::cerr << fmt::format(", precision {}/{}", r.precision->price, r.precision->qty);
  if (r.first_failed_line) std::cerr << fmt::format(", first mismatch on line {}", r.first_failed_line);
  std::cerr << '\n';
  std::cout << r.checksum_line() << std::endl;
  return r.ok() ? 0 : 1;
}
