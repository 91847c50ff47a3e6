#pragma once
// Internal to the simulator's REST API: request parameters (query string, form body or JSON
// body, flattened to Kraken's form key style `orders[0][price]`) and the response envelope.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kgw/core/error.hpp"
#include "kgw/core/json_writer.hpp"

namespace kgw::sim::rest {

// Bounds on a JSON request (REST body or WS frame). Kraken's deepest request is a WS batch_add
// order with triggers or a conditional close: {"params":{"orders":[{"triggers":{…}}]}}, five
// levels; a batch of 15 orders has a few hundred values. Anything beyond is refused before a
// handler sees it, at a cost linear in the input.
inline constexpr int kMaxRequestDepth = 8;
inline constexpr std::size_t kMaxRequestValues = 4096;

class Params {
 public:
  static Params from_form(std::string_view form);
  // JSON bodies: scalars keep their raw text (numbers) or unescaped value (strings); nested
  // objects and arrays flatten to `key[sub]` / `key[i]`.
  static result<Params> from_json(std::string_view json);

  std::optional<std::string_view> get(std::string_view key) const;
  bool has(std::string_view key) const { return get(key).has_value(); }
  bool flag(std::string_view key) const;  // "true"/"1"
  // Comma-separated list (`txid=A,B`) or indexed keys (`orders[0]`, `orders[1]`).
  std::vector<std::string> list(std::string_view key) const;
  // Sub-parameters of `key[i]` as their own Params (batch orders).
  std::vector<Params> objects(std::string_view key) const;
  const std::map<std::string, std::string, std::less<>>& all() const { return values_; }
  void set(std::string key, std::string value) { values_[std::move(key)] = std::move(value); }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// {"error":[],"result":<result_json>}
std::string ok(std::string_view result_json);
// {"error":["<e>"]}
std::string fail(std::string_view kraken_error);
std::string fail(const Error& e);

std::string percent_decode(std::string_view s);

// An integer parameter (`count=5`, `since=1688671200.123` -> 1688671200); nullopt if absent or
// not a number.
std::optional<std::int64_t> int_value(std::optional<std::string_view> v);

}  // namespace kgw::sim::rest
