#pragma once
// Accounts for the simulator: from a TOML file (`--accounts FILE`) or the deterministic demo
// account. File format:
//   [[account]]
//   name = "demo"
//   api_key = "..."            # any string
//   api_secret = "..."         # base64, as Kraken issues secrets
//   permissions = ["query", "trade", "websocket"]   # default: all three
//   [account.balances]
//   ZUSD = "100000"            # any asset spelling, decimal text
//   XXBT = "2"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kgw/core/error.hpp"
#include "kgw/sim/accounts.hpp"

namespace kgw::sim {

struct AccountSpec {
  std::string name;
  std::string api_key;
  std::string api_secret;  // base64
  Permissions permissions;
  std::vector<std::pair<std::string, std::string>> balances;  // asset, decimal text
};

result<std::vector<AccountSpec>> load_accounts_file(const std::string& path);
// The demo account: credentials derived from `seed` so scripts can rely on them, and the
// default balances (USD, EUR, XBT, ETH).
AccountSpec demo_account(std::uint64_t seed);

}  // namespace kgw::sim
