#include "kgw/feed/book.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace kgw::feed {
namespace {

// Bids are best when highest, asks when lowest.
template <bool kBids>
constexpr bool better(std::int64_t a, std::int64_t b) noexcept {
  if constexpr (kBids) return a > b;
  else return a < b;
}

// Applies `changes` in message order to one side (sorted best first, `n` used of `cap`).
// Returns the number of levels dropped because the side was full.
template <bool kBids>
std::uint32_t apply_side(BookLevel* levels, std::size_t& n, std::size_t cap, std::span<const BookLevel> changes) noexcept {
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
    if (c.qty == 0) {
      // Kraken may delete a level this book never held (it fell out of range here first).
      if (found) {
        std::memmove(levels + lo, levels + lo + 1, (n - lo - 1) * sizeof(BookLevel));
        --n;
      }
      continue;
    }
    if (found) {
      levels[lo].qty = c.qty;
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
  }
  return dropped;
}

}  // namespace

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
  has_snapshot_ = in_sync_ = false;
}

BookApplyResult Book::apply(const BookMessage& m) noexcept {
  BookApplyResult r;
  r.expected = m.checksum;
  if (m.snapshot) {
    n_bids_ = n_asks_ = 0;
    has_snapshot_ = in_sync_ = true;
  } else if (!has_snapshot_) {
    return r;
  }
  r.applied = true;
  r.dropped = apply_side<true>(bids_.data(), n_bids_, capacity(), m.bids) +
              apply_side<false>(asks_.data(), n_asks_, capacity(), m.asks);
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

std::uint32_t Book::checksum() const noexcept { return book_checksum(asks(), bids()); }

bool Book::crossed() const noexcept { return n_bids_ > 0 && n_asks_ > 0 && bids_[0].price >= asks_[0].price; }

}  // namespace kgw::feed
