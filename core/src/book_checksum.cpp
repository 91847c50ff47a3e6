#include "kgw/core/book_checksum.hpp"

#include <charconv>

#include "kgw/core/crc32.hpp"

namespace kgw {
namespace {

constexpr std::size_t kChecksumDepth = 10;

std::uint32_t feed_side(std::uint32_t crc, std::span<const BookLevel> side) noexcept {
  char buf[48];
  const std::size_t n = side.size() < kChecksumDepth ? side.size() : kChecksumDepth;
  for (std::size_t i = 0; i < n; ++i) {
    char* p = std::to_chars(buf, buf + 24, side[i].price).ptr;
    p = std::to_chars(p, buf + sizeof buf, side[i].qty).ptr;
    crc = crc32_update(crc, buf, static_cast<std::size_t>(p - buf));
  }
  return crc;
}

}  // namespace

std::uint32_t book_checksum(std::span<const BookLevel> asks, std::span<const BookLevel> bids) noexcept {
  return crc32_final(feed_side(feed_side(crc32_init(), asks), bids));
}

}  // namespace kgw
