#include "kgw/sim/permissions_file.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include "kgw/core/kraken/signing.hpp"
#include "kgw/sim/default_market.hpp"

namespace kgw::sim {

result<std::vector<AccountSpec>> load_accounts_file(const std::string& path) {
  toml::table doc;
  try {
    doc = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Error(errc::invalid_argument, fmt::format("{}: {}", path, e.description()));
  }
  std::vector<AccountSpec> out;
  const auto* accounts = doc["account"].as_array();
  if (!accounts || accounts->empty()) return Error(errc::invalid_argument, fmt::format("{}: no [[account]] entries", path));
  for (std::size_t i = 0; i < accounts->size(); ++i) {
    const auto* t = accounts->get(i)->as_table();
    if (!t) return Error(errc::invalid_argument, fmt::format("{}: account {} is not a table", path, i));
    AccountSpec a;
    a.name = (*t)["name"].value_or(fmt::format("account{}", i + 1));
    a.api_key = (*t)["api_key"].value_or(std::string());
    a.api_secret = (*t)["api_secret"].value_or(std::string());
    if (a.api_key.empty() || a.api_secret.empty())
      return Error(errc::invalid_argument, fmt::format("{}: account '{}' needs api_key and api_secret", path, a.name));
    if (!kraken::base64_decode(a.api_secret))
      return Error(errc::invalid_argument, fmt::format("{}: account '{}': api_secret is not base64", path, a.name));
    if (const auto* perms = (*t)["permissions"].as_array()) {
      a.permissions = Permissions{false, false, false};
      for (const auto& p : *perms) {
        const std::string v = p.value_or(std::string());
        if (v == "query") a.permissions.query = true;
        else if (v == "trade") a.permissions.trade = true;
        else if (v == "websocket") a.permissions.websocket = true;
        else return Error(errc::invalid_argument, fmt::format("{}: unknown permission '{}'", path, v));
      }
    }
    if (const auto* bal = (*t)["balances"].as_table())
      for (const auto& [asset, amount] : *bal) {
        auto text = amount.value<std::string>();
        if (!text) return Error(errc::invalid_argument, fmt::format("{}: balance of {} must be a string", path, asset.str()));
        a.balances.emplace_back(std::string(asset.str()), *text);
      }
    out.push_back(std::move(a));
  }
  return out;
}

AccountSpec demo_account(std::uint64_t seed) {
  // Deterministic 56-char key and 64-byte secret, shaped like Kraken's.
  std::uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 0xD1B54A32D192ED03ULL;
  auto next = [&s] {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  };
  std::string raw;
  for (int i = 0; i < 42; ++i) raw.push_back(static_cast<char>(next() & 0xFF));
  std::string key = kraken::base64_encode(raw);  // 56 chars
  std::string secret_bytes;
  for (int i = 0; i < 64; ++i) secret_bytes.push_back(static_cast<char>(next() & 0xFF));
  AccountSpec a;
  a.name = "demo";
  a.api_key = key;
  a.api_secret = kraken::base64_encode(secret_bytes);
  a.balances = default_demo_balances();
  return a;
}

}  // namespace kgw::sim
