#pragma once
// The simulator's out-of-the-box reference data: the assets and pairs it lists with Kraken's
// real precisions, minimums and fee schedule, and the demo account's starting balances.

#include <cstddef>
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
// A synthetic catalogue of `n` more pairs, for load tests at the scale of Kraken's whole spot
// market (~1,500 pairs): assets S0001, S0002, ... each against USD (rest key S0001USD, v2 symbol
// S0001/USD), 4 price decimals, with start prices spread over 0.5 .. 500 so that the books'
// digit counts vary like real ones. Appended after the catalogue.
std::vector<Asset> synthetic_assets(std::size_t n);
std::vector<Instrument> synthetic_instruments(std::size_t n);
// Start mid prices of the synthetic pairs (rest key -> decimal text).
std::vector<std::pair<std::string, std::string>> synthetic_reference_prices(std::size_t n);
// (asset, amount) the demo account starts with: USD, EUR, XBT and ETH.
std::vector<std::pair<std::string, std::string>> default_demo_balances();
// A plausible starting mid price per catalogue pair (rest key -> decimal text), for synthetic flow.
std::vector<std::pair<std::string, std::string>> default_reference_prices();

}  // namespace kgw::sim
