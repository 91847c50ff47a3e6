#pragma once
// One symbol's L2 order book as Kraken's WS v2 `book` channel defines it (PROTOCOL.md §6.4, §7),
// held as fixed-point int64 mantissas at the instrument's price/qty precision, plus the message
// type its callers hand it (already parsed; no JSON here). The one book engine of the project:
// the feed, kgw-replay, kraken-sim's replay and kgw-selfcheck all rebuild books with it.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "kgw/core/book_checksum.hpp"

namespace kgw::kraken {

// One parsed book message: levels are in message order (Kraken's update lists are unordered and
// may repeat a price; the order they arrive in is the order they apply in).
struct BookMessage {
  std::string_view symbol;
  bool snapshot = false;
  std::span<const BookLevel> bids;
  std::span<const BookLevel> asks;
  std::uint32_t checksum = 0;   // Kraken's CRC32 of the top 10 + 10 after this message
  std::string_view timestamp;   // RFC3339 as sent; empty if the frame had none
};

// What applying one message found.
struct BookApplyResult {
  bool applied = false;      // false: an update before any snapshot; the book was not touched
  bool checksum_ok = false;  // the book's CRC32 equals the message's
  bool crossed = false;      // best bid >= best ask after the message
  std::uint32_t computed = 0;
  std::uint32_t expected = 0;
  std::uint32_t dropped = 0;  // levels dropped because one message overfilled the working room
};

// Book: one symbol's L2 book at one subscribed depth; both sides are sorted flat arrays, best
// level first, preallocated at construction so applying a message never allocates.
// Owned by whoever follows the symbol (the feed's per-symbol state, a replay). Not thread-safe:
// exactly one thread applies messages and reads it; the feed publishes copies (seqlock slots).
class Book {
 public:
  // The depths Kraken's `book` channel accepts.
  static constexpr std::array<int, 5> kDepths = {10, 25, 100, 500, 1000};
  static bool valid_depth(int depth) noexcept;

  // Throws std::invalid_argument for a depth Kraken does not offer (a configuration error).
  explicit Book(int depth);

  // Applies one message as Kraken defines it: a snapshot replaces the book; every level in order
  // (qty 0 deletes, others set the level); then each side is truncated to the depth; then the
  // CRC32 is computed and compared with the message's and the book is checked for a cross.
  // A failed check leaves the book as applied and marks it out of sync (until the next
  // snapshot); the caller decides to resubscribe. Never allocates, never throws.
  BookApplyResult apply(const BookMessage& m) noexcept;

  // Forgets everything; the next message must be a snapshot.
  void clear() noexcept;

  // Best first: bids descending, asks ascending; at most depth() levels each.
  std::span<const BookLevel> bids() const noexcept { return {bids_.data(), n_bids_}; }
  std::span<const BookLevel> asks() const noexcept { return {asks_.data(), n_asks_}; }
  std::optional<BookLevel> best_bid() const noexcept;
  std::optional<BookLevel> best_ask() const noexcept;

  // Kraken's checksum of the current book (top 10 asks ascending, then top 10 bids descending);
  // equal to kgw::book_checksum(asks(), bids()), but from digit text cached per top level.
  std::uint32_t checksum() const noexcept;
  bool crossed() const noexcept;

  int depth() const noexcept { return depth_; }
  bool has_snapshot() const noexcept { return has_snapshot_; }
  // A snapshot arrived and every message since verified and left the book uncrossed.
  bool in_sync() const noexcept { return has_snapshot_ && in_sync_; }

  // Levels the checksum covers on each side (PROTOCOL.md §7.1: always 10, whatever the depth).
  static constexpr std::size_t kChecksumLevels = 10;

 private:
  // The checksum digits of one level: its price mantissa's decimal text, then its qty's.
  struct LevelText {
    char digits[40];  // two int64 of at most 20 chars each
    std::uint8_t len;
  };
  // Digit text of the top kChecksumLevels of one side, kept in step with the levels: inserts
  // and deletes shift it like the levels, and a bit in `dirty` marks a slot whose text is stale.
  // Formatting 40 integers per message was two thirds of the ingest cost (bench/README.md); an
  // update touching one level now formats one level.
  struct TopText {
    std::array<LevelText, kChecksumLevels> slots;
    std::uint32_t dirty = (1u << kChecksumLevels) - 1;
  };
  template <bool kBids>
  static std::uint32_t apply_side(BookLevel* levels, std::size_t& n, std::size_t cap, TopText& text,
                                  std::span<const BookLevel> changes) noexcept;
  static char* write_top(char* out, std::span<const BookLevel> side, TopText& text) noexcept;

  std::size_t capacity() const noexcept { return bids_.size(); }

  int depth_;
  // Room for depth_ levels plus as many again: within one message a new level may land beyond
  // the depth and come back into range when a better level is deleted later in the same
  // message, so truncation waits for the end of the message.
  std::vector<BookLevel> bids_, asks_;
  std::size_t n_bids_ = 0, n_asks_ = 0;
  // Refreshed lazily by checksum() (const: a cache of what bids_/asks_ already say).
  mutable TopText bid_text_, ask_text_;
  bool has_snapshot_ = false;
  bool in_sync_ = false;
};

}  // namespace kgw::kraken
