#pragma once
// Accounts of the simulated exchange: balances per asset with holds for open orders, ledger
// entries, API keys with permissions and a per-key nonce high-water mark. Amounts are int64 at
// the asset's `decimals` (ZUSD 4, XXBT 10). Owned and used by the Exchange on its thread.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/core/decimal.hpp"
#include "kgw/core/secret.hpp"
#include "kgw/sim/types.hpp"

namespace kgw::sim {

struct Permissions {
  bool query = true;      // Query Funds / Query Open Orders & Trades / Ledger Entries
  bool trade = true;      // Create & Modify Orders, Cancel/Close Orders
  bool websocket = true;  // WebSocket interface
};

struct LedgerEntry {
  std::string id;     // LXXXXX-XXXXX-XXXXXX
  std::string refid;  // trade or deposit reference
  WallTime time{};
  std::string type;   // trade, deposit, withdrawal, margin, rollover, adjustment, ...
  std::string subtype;
  std::size_t asset = 0;   // index into the exchange's asset table
  std::int64_t amount = 0;  // at the asset's decimals, signed
  std::int64_t fee = 0;
  std::int64_t balance = 0;  // after this entry
};

struct Account {
  AccountId id = 0;
  std::string name;
  std::string api_key;
  Secret api_secret;  // base64, as Kraken issues it
  Permissions perms;
  std::uint64_t last_nonce = 0;
  std::vector<std::int64_t> balance;  // per asset index
  std::vector<std::int64_t> hold;     // per asset index: reserved by open orders
  std::vector<LedgerEntry> ledger;    // oldest first
  std::int64_t volume_30d_usd = 0;    // drives the fee tier (whole USD)
};

}  // namespace kgw::sim
