#pragma once
// The simulator's Kraken REST API: /0/public/* and /0/private/* with Kraken's envelope, types and
// error strings, real API-Key/API-Sign verification (form and JSON bodies), the per-key nonce and
// the per-key REST call counter. Transport-agnostic: the server hands over method, target,
// headers and body and sends back the reply. Single-threaded (the simulator thread).

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "kgw/sim/exchange.hpp"
#include "kgw/sim/faults.hpp"
#include "kgw/sim/market_data.hpp"
#include "kgw/sim/tokens.hpp"

namespace kgw::sim {

struct RestReply {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::chrono::microseconds delay{0};
  bool drop = false;  // processed, but close the connection instead of answering
};

class KrakenRestApi {
 public:
  // Looks a request header up by name (case-insensitive); empty if absent.
  using HeaderLookup = std::function<std::string_view(std::string_view)>;

  KrakenRestApi(Exchange& ex, MarketData& md, TokenStore& tokens, Faults& faults);
  // The tier whose REST call counter applies (PROTOCOL.md §5.1), or other limits.
  void set_tier(kraken::Tier tier) noexcept { limits_ = kraken::tier_limits(tier); }
  void set_limits(const kraken::TierLimits& limits) noexcept { limits_ = limits; }

  RestReply handle(std::string_view method, std::string_view target, const HeaderLookup& header, std::string_view body);

  // REST call counter of an API key (decayed to now), for tests and the admin API.
  double call_counter(AccountId id) const;

 private:
  Exchange& ex_;
  MarketData& md_;
  TokenStore& tokens_;
  Faults& faults_;
  std::map<AccountId, std::pair<double, WallTime>> counters_;
  kraken::TierLimits limits_ = kraken::tier_limits(kraken::Tier::intermediate);
};

}  // namespace kgw::sim
