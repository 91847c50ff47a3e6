#pragma once
// Book-integrity replay of a recorded Kraken WS v2 public stream (the engine behind
// `kgw-replay` and kgw-selfcheck): every `book` frame of one symbol goes through the feed's
// parser and Book (core/kraken), and each frame's checksum is compared with the book it leaves.
//
// Input is any recording core/kraken/capture.hpp reads (NDJSON of raw frames or journal lines,
// a JSON array of frames, the fixtures' capture as shipped): the reader kraken-sim's replay
// uses too. Blank lines and `#` comments are skipped; a malformed entry is counted and reported
// with its line number (its place, in a document), never fatal.

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kgw/core/error.hpp"
#include "kgw/core/kraken/book.hpp"
#include "kgw/core/kraken/book_parser.hpp"
#include "kgw/core/kraken/capture.hpp"

namespace kgw::feed {

struct BookReplayOptions {
  std::string symbol;  // WS v2 spelling, as the frames write it: BTC/USD
  int depth = 10;      // the recorded subscription depth
  // Wins over the file's `instrument` frames; without it the first instrument frame naming the
  // symbol sets the precision.
  std::optional<kraken::BookPrecision> precision;
  std::size_t max_reported = 20;  // problems written to the diagnostics stream; the rest counted
};

struct BookReplayReport {
  std::uint64_t lines = 0;
  std::uint64_t skipped = 0;        // blank or `#`
  std::uint64_t bad_lines = 0;      // not JSON, not a frame, or a frame that does not parse
  std::uint64_t book_frames = 0;    // book frames of the symbol (other symbols are not counted)
  std::uint64_t verified = 0;       // checksum matched the rebuilt book
  std::uint64_t failed = 0;         // checksum did not match
  std::uint64_t unsynced = 0;       // updates with no snapshot to apply to (start of file, after a bad frame)
  std::uint64_t no_precision = 0;   // book frames seen before any precision was known
  std::uint64_t crossed = 0;        // messages after which best bid >= best ask
  std::uint64_t dropped_levels = 0;
  std::uint64_t first_failed_line = 0;  // 0: none
  std::vector<std::pair<std::uint64_t, std::string>> bad;  // first max_reported: line, reason
  std::optional<kraken::BookPrecision> precision;                  // the precision in force at the end

  // What `kgw-replay` prints last: "checksums: N verified, M failed".
  std::string checksum_line() const;
  // Every checksum verified, at least one was seen, and no line was malformed.
  bool ok() const noexcept { return failed == 0 && verified > 0 && bad_lines == 0; }
};

// KrakenBookReplay: consumes a recording entry by entry. Owned by its caller (kgw-replay,
// kgw-selfcheck, tests); not thread-safe. Problems are written to `diagnostics` (nullptr: silent) as
// "line N: ..." up to options.max_reported.
class KrakenBookReplay {
 public:
  KrakenBookReplay(BookReplayOptions options, std::ostream* diagnostics);
  ~KrakenBookReplay();
  KrakenBookReplay(const KrakenBookReplay&) = delete;
  KrakenBookReplay& operator=(const KrakenBookReplay&) = delete;

  // One physical line of the file (without its '\n'); `line_no` is 1-based.
  void line(std::string_view text, std::uint64_t line_no);
  // One entry as core's reader gives it (line() reads the line, then calls this).
  void entry(const kraken::CaptureEntry& e);
  const BookReplayReport& report() const noexcept { return report_; }

 private:
  void frame(std::string_view text, std::uint64_t line_no);
  void problem(std::uint64_t line_no, const std::string& what);
  void bad_line(std::uint64_t line_no, std::string why);

  BookReplayOptions options_;
  std::ostream* diag_;
  std::size_t reported_ = 0;
  kraken::KrakenBookParser parser_;
  kraken::Book book_;
  BookReplayReport report_;
  kraken::CaptureEntryReader entries_;
};

// Replays the recording at `path` (any form core's reader recognises). Errors only when the
// file cannot be read; everything about its content is in the report.
result<BookReplayReport> replay_book_file(const std::string& path, const BookReplayOptions& options,
                                          std::ostream* diagnostics);

}  // namespace kgw::feed
