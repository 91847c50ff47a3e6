#pragma once
// Kraken WS v2 frame parser for the book path of the feed and the replays (PROTOCOL.md §6.2–§6.4): classifies a frame
// by channel, reads `book` messages with their price/qty as the raw JSON number text, and
// converts those to mantissas at a symbol's precision; reads the precisions the `instrument`
// channel announces.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kgw/core/error.hpp"
#include "kgw/core/instrument.hpp"
#include "kgw/core/kraken/book.hpp"

namespace kgw::kraken {

enum class FrameKind : std::uint8_t {
  book,        // a `book` message: book_symbol(), then book_levels()
  instrument,  // an `instrument` message: instruments()
  other,       // any other channel, heartbeat, status, or a method response
};

// The grid a book's numbers are converted at (the instrument's price_precision/qty_precision).
struct BookPrecision {
  int price = 0;
  int qty = 0;
  friend bool operator==(const BookPrecision&, const BookPrecision&) = default;
};

// A book level as the frame wrote it: the JSON number text of its price and qty.
struct BookLevelText {
  std::string_view price, qty;
};

// KrakenBookParser: one reused simdjson ondemand parser plus the buffers its results live in.
// Owned by one thread (the feed's, a replay's); not thread-safe. Results (views and spans) stay
// valid until the next parse(). After warm-up, parsing and converting a book frame allocates
// nothing: the buffers only grow when a bigger frame than any before arrives.
class KrakenBookParser {
 public:
  KrakenBookParser();
  ~KrakenBookParser();
  KrakenBookParser(const KrakenBookParser&) = delete;
  KrakenBookParser& operator=(const KrakenBookParser&) = delete;

  // Parses one WS v2 text frame: in place when at least simdjson::SIMDJSON_PADDING readable
  // bytes follow it (`padding`, as a WebSocket read gives them), else copied into the parser's
  // padded buffer; views into the results need the frame's bytes until the next parse(). A `book` frame is
  // checked for its shape (one data item with symbol, bids, asks of {price, qty} numbers, and a
  // uint32 checksum) but its numbers are kept as text until book_levels(): the precision
  // depends on the symbol, which may come last in the object. Errors are errc::parse_error with
  // a detail naming what is wrong (building it is the only allocation, on the error path).
  result<FrameKind> parse(std::string_view frame, std::size_t padding = 0);

  // The symbol of the book frame parse() just read (empty otherwise). Also set when parse()
  // refused a book frame after reading its symbol: that book missed an update and is resynced.
  std::string_view book_symbol() const noexcept;

  // Converts the book frame parse() just read at `precision`. The number text may carry fewer
  // decimals than the precision (`4.0` for 4.00000000: frames that went through a float round
  // trip lost their trailing zeros) or more zero decimals; a non-zero digit beyond the
  // precision is errc::precision_exceeded, a negative value or one beyond int64
  // errc::parse_error/overflow, each naming the level.
  result<BookMessage> book_levels(BookPrecision precision);

  // The levels of the book frame parse() just read as number text, in message order (views into
  // the parser's copy of the frame, valid until the next parse()): for a caller that must learn
  // the grid from the text itself, as a replay of a recording without instrument frames does.
  std::span<const BookLevelText> bid_text() const noexcept;
  std::span<const BookLevelText> ask_text() const noexcept;

  // The pairs of the instrument frame parse() just read (cold path: strings are allocated).
  const std::vector<InstrumentUpdate>& instruments() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The precision an instrument update sets for its symbol, if it carries both.
std::optional<BookPrecision> book_precision(const InstrumentUpdate& u) noexcept;

}  // namespace kgw::kraken
