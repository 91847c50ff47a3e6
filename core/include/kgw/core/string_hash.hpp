#pragma once
// StringHash: the hash for std::unordered_map<std::string, V, StringHash, std::equal_to<>>, so a
// string_view (a symbol read out of a frame, an order id) finds its entry without a std::string
// being made for the lookup.

#include <cstddef>
#include <functional>
#include <string_view>

namespace kgw {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

}  // namespace kgw
