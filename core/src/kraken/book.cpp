#include "kgw/core/kraken/book.hpp"

#include "kgw/core/crc32.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <string>

namespace kgw::kraken {
namespace {

// Bids are best when highest, asks when lowest.
template <bool kBids>
constexpr bool better(std::int64_t a, std::int64_t b) noexcept {
  if constexpr (kBids) return a > b;
  else return a < b;
}

constexpr std::uint32_t kTopMask = (1u << Book::kChecksumLevels) - 1;

}  // namespace

// Applies `changes` in message order to one side (sorted best first, `n` used of `cap`) and
// keeps the side's top digit text in step. Returns the number of levels dropped because the
// side was full.
template <bool kBids>
std::uint32_t Book::apply_side(BookLevel* levels, std::size_t& n, std::size_t cap, TopText& text,
                               std::span<const BookLevel> changes) noexcept {
  constexpr std::size_t kTop = kChecksumLevels;
  std::uint32_t dropped = 0;
  for (const BookLevel& c : changes) {
    // First level whose price is not better than c.price (binary search; n is small enough
    // that this costs a handful of compares even at depth 1000).
    std::size_t lo = 0, hi = n;
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      if (better<kBids>(levels[mid].price, c.price)) lo = mid + 1;
      else hi = mid;
    }
    const bool found = lo < n && levels[lo].price == c.price;
    const std::uint32_t below = (1u << (lo < kTop ? lo : kTop)) - 1;  // slots above position lo
    if (c.qty == 0) {
      // Kraken may delete a level this book never held (it fell out of range here first).
      if (!found) continue;
      std::memmove(levels + lo, levels + lo + 1, (n - lo - 1) * sizeof(BookLevel));
      --n;
      if (lo < kTop) {
        // Slots below lo move up one; the last slot receives level kTop, whose text is unknown.
        std::memmove(&text.slots[lo], &text.slots[lo + 1], (kTop - 1 - lo) * sizeof(LevelText));
        text.dirty = (text.dirty & below) | ((text.dirty >> 1) & ~below) | (1u << (kTop - 1));
      }
      continue;
    }
    if (found) {
      levels[lo].qty = c.qty;
      if (lo < kTop) text.dirty |= 1u << lo;
      continue;
    }
    if (n == cap) {
      // Full: the worst level goes (it is beyond the depth, so only churn within this one
      // message could have brought it back into range).
      ++dropped;
      if (lo == n) continue;
      --n;
    }
    std::memmove(levels + lo + 1, levels + lo, (n - lo) * sizeof(BookLevel));
    levels[lo] = c;
    ++n;
    if (lo < kTop) {
      std::memmove(&text.slots[lo + 1], &text.slots[lo], (kTop - 1 - lo) * sizeof(LevelText));
      text.dirty = ((text.dirty & below) | ((text.dirty << 1) & ~below) | (1u << lo)) & kTopMask;
    }
  }
  return dropped;
}

// Appends the checksum digits of the side's top levels at `out`, formatting stale slots first.
// `out` needs kChecksumLevels * 40 bytes of room plus 40 (each slot is copied whole).
char* Book::write_top(char* out, std::span<const BookLevel> side, TopText& text) noexcept {
  const std::size_t n = side.size() < kChecksumLevels ? side.size() : kChecksumLevels;
  for (std::size_t i = 0; i < n; ++i) {
    LevelText& t = text.slots[i];
    if (text.dirty & (1u << i)) {
      // Same digits as kgw::book_checksum writes: '.' removed and leading zeros stripped is
      // the decimal text of the mantissa.
      char* e = std::to_chars(t.digits, t.digits + 20, side[i].price).ptr;
      e = std::to_chars(e, e + 20, side[i].qty).ptr;
      t.len = static_cast<std::uint8_t>(e - t.digits);
    }
    // A fixed-size copy is a few vector moves; only len bytes count.
    std::memcpy(out, t.digits, sizeof t.digits);
    out += t.len;
  }
  text.dirty &= ~((1u << n) - 1);
  return out;
}

bool Book::valid_depth(int depth) noexcept {
  return std::find(kDepths.begin(), kDepths.end(), depth) != kDepths.end();
}

Book::Book(int depth) : depth_(depth) {
  if (!valid_depth(depth)) throw std::invalid_argument("book depth " + std::to_string(depth) + " is not one of 10, 25, 100, 500, 1000");
  const auto cap = static_cast<std::size_t>(2 * depth);
  bids_.resize(cap);
  asks_.resize(cap);
}

void Book::clear() noexcept {
  n_bids_ = n_asks_ = 0;
  bid_text_.dirty = ask_text_.dirty = kTopMask;
  has_snapshot_ = in_sync_ = false;
}

BookApplyResult Book::apply(const BookMessage& m) noexcept {
  BookApplyResult r;
  r.expected = m.checksum;
  if (m.snapshot) {
    n_bids_ = n_asks_ = 0;
    bid_text_.dirty = ask_text_.dirty = kTopMask;
    has_snapshot_ = in_sync_ = true;
  } else if (!has_snapshot_) {
    return r;
  }
  r.applied = true;
  r.dropped = apply_side<true>(bids_.data(), n_bids_, capacity(), bid_text_, m.bids) +
              apply_side<false>(asks_.data(), n_asks_, capacity(), ask_text_, m.asks);
  // Kraken sends no delete for a level pushed out of range (PROTOCOL.md §6.4).
  const auto depth = static_cast<std::size_t>(depth_);
  n_bids_ = std::min(n_bids_, depth);
  n_asks_ = std::min(n_asks_, depth);
  r.computed = checksum();
  r.checksum_ok = r.computed == m.checksum;
  r.crossed = crossed();
  if (!r.checksum_ok || r.crossed) in_sync_ = false;
  return r;
}

std::optional<BookLevel> Book::best_bid() const noexcept {
  if (n_bids_ == 0) return std::nullopt;
  return bids_[0];
}

std::optional<BookLevel> Book::best_ask() const noexcept {
  if (n_asks_ == 0) return std::nullopt;
  return asks_[0];
}

std::uint32_t Book::checksum() const noexcept {
  // One buffer and one CRC call: the slice-by-8 loop does not engage on 10-byte pieces.
  char buf[2 * kChecksumLevels * sizeof(LevelText::digits) + sizeof(LevelText::digits)];
  char* end = write_top(write_top(buf, asks(), ask_text_), bids(), bid_text_);
  return crc32_final(crc32_update(crc32_init(), buf, static_cast<std::size_t>(end - buf)));
}

bool Book::crossed() const noexcept { return n_bids_ > 0 && n_asks_ > 0 && bids_[0].price >= asks_[0].price; }

}  // namespace kgw::kraken
