#pragma once
// Internal to the simulator's REST API: the endpoint handlers, public and private. Each returns
// the whole response body (Kraken envelope); `found` is false for an unknown method.

#include <string>
#include <string_view>

#include "kgw/sim/exchange.hpp"
#include "kgw/sim/market_data.hpp"
#include "kgw/sim/tokens.hpp"
#include "kraken_rest_common.hpp"

namespace kgw::sim::rest {

struct Context {
  Exchange& ex;
  MarketData& md;
  TokenStore& tokens;
};

std::string handle_public(Context& c, std::string_view method, const Params& p, bool& found);
std::string handle_private(Context& c, std::string_view method, const Params& p, AccountId account, bool& found);

// Shared formatting: seconds since the epoch as a JSON number with `decimals` decimals.
void write_time(JsonWriter& w, WallTime t, int decimals);
// REST market data prints prices with more decimals than the pair's precision
// ("30300.10000" for a 1-decimal pair): the larger of pair_decimals and cost_decimals.
int rest_price_decimals(const Instrument& in);
void write_price_string(JsonWriter& w, const Instrument& in, Price p);

}  // namespace kgw::sim::rest
