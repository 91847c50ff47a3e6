#pragma once
// CRC-32 (IEEE 802.3 / zlib: reflected polynomial 0xEDB88320, init and final xor 0xFFFFFFFF),
// the checksum of Kraken's book channel. Slice-by-8 tables; incremental so a book can feed its
// level digits without building a string. Pure functions, thread-safe.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kgw {

// Incremental form: state starts at crc32_init(), is fed with crc32_update(), and is finished
// with crc32_final(). crc32(x) == crc32_final(crc32_update(crc32_init(), x)).
constexpr std::uint32_t crc32_init() noexcept { return 0xFFFFFFFFu; }
std::uint32_t crc32_update(std::uint32_t state, const void* data, std::size_t n) noexcept;
inline std::uint32_t crc32_update(std::uint32_t state, std::string_view s) noexcept {
  return crc32_update(state, s.data(), s.size());
}
constexpr std::uint32_t crc32_final(std::uint32_t state) noexcept { return state ^ 0xFFFFFFFFu; }

inline std::uint32_t crc32(std::string_view s) noexcept { return crc32_final(crc32_update(crc32_init(), s)); }

}  // namespace kgw
