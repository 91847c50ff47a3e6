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
// The defaults plus 17 more pairs (ADA, DOT, XRP, LTC, DOGE, LINK, MATIC, ALGO, ATOM, AVAX, UNI,
// XLM, BCH, USDT, TRX against USD; SOL and ETH against EUR) and their assets, which --pairs may
// pick from (a 22-pair market for feed tests and paper trading across many symbols).
std::vector<Asset> catalogue_assets();
std::vector<Instrument> catalogue_instruments();
// (asset, amount) the demo account starts with: USD, EUR, XBT and ETH.
std::vector<std::pair<std::string, std::string>> default_demo_balances();
// A plausible starting mid price per catalogue pair (rest key -> decimal text), for synthetic flow.
std::vector<std::pair<std::string, std::string>> default_reference_prices();

}  // namespace kgw::sim
