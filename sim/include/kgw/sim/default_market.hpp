#pragma once
// The simulator's out-of-the-box reference data: the assets and pairs it lists with Kraken's
// real precisions, minimums and fee schedule, and the demo account's starting balances.

#include <string>
#include <utility>
#include <vector>

#include "kgw/core/instrument.hpp"

namespace kgw::sim {

// XXBT, XETH, SOL, ZUSD, ZEUR.
std::vector<Asset> default_assets();
// XXBTZUSD (BTC/USD), XETHZUSD (ETH/USD), SOLUSD (SOL/USD), XXBTZEUR (BTC/EUR), XETHXXBT (ETH/BTC).
std::vector<Instrument> default_instruments();
// (asset, amount) the demo account starts with: USD, EUR, XBT and ETH.
std::vector<std::pair<std::string, std::string>> default_demo_balances();
// A plausible starting mid price per default pair (rest key -> decimal text), for synthetic flow.
std::vector<std::pair<std::string, std::string>> default_reference_prices();

}  // namespace kgw::sim
