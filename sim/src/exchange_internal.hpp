#pragma once
// Internal to the simulator's Exchange (exchange*.cpp): shared helpers.

#include <string>

#include "kgw/core/error.hpp"

namespace kgw::sim::detail {

// An exchange_error carrying one Kraken error string, as the wire layers send it.
inline Error kraken_error(std::string text) {
  Error e(errc::exchange_error);
  e.kraken = KrakenError::from_strings({std::move(text)});
  return e;
}

}  // namespace kgw::sim::detail
