#pragma once
// Typed parsing of REST Assets and AssetPairs responses (whole envelope) into the instrument
// registry's types. Pure functions.

#include "kgw/core/error.hpp"
#include "kgw/core/instrument.hpp"

#include <string_view>
#include <vector>

namespace kgw::kraken {

result<std::vector<Asset>> parse_assets_response(std::string_view json);
result<std::vector<Instrument>> parse_asset_pairs_response(std::string_view json);

// Loads a registry from the two responses (e.g. the docs fixtures, or a start-up REST fetch).
result<void> load_registry(InstrumentRegistry& registry, std::string_view assets_json, std::string_view asset_pairs_json);

}  // namespace kgw::kraken
