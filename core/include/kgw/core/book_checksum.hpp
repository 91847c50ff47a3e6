#pragma once
// Kraken's WS v2 book checksum (PROTOCOL.md §7.1) over fixed-point levels: for the top 10 asks
// (ascending) then the top 10 bids (descending), the decimal digits of the price mantissa then
// of the qty mantissa, CRC-32'd. Removing '.' and leading zeros from a fixed-precision decimal is
// exactly the decimal text of its integer mantissa, so no strings are built. Shared by the feed
// (verification) and the simulator (generation). Pure, no allocation.

#include <cstdint>
#include <span>

namespace kgw {

struct BookLevel {
  std::int64_t price;  // mantissa at the instrument's price precision
  std::int64_t qty;    // mantissa at the instrument's qty precision
};

// `asks` best (lowest) first, `bids` best (highest) first; only the first 10 of each count.
std::uint32_t book_checksum(std::span<const BookLevel> asks, std::span<const BookLevel> bids) noexcept;

}  // namespace kgw
