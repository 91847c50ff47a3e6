#pragma once
// For readers of Kraken's JSON with simdjson ondemand (core/kraken and the feed's kraken_* parsers).

#include <simdjson.h>

namespace kgw::kraken {

// True once a document has been read to its end. simdjson 3.0's ondemand document has no
// at_end(); current_location() reports OUT_OF_BOUNDS exactly there. Without this check
// `{...} junk` would pass, since ondemand reads lazily.
inline bool at_end(simdjson::ondemand::document& doc) noexcept {
  return doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

}  // namespace kgw::kraken
