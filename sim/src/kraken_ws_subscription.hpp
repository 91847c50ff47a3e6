#pragma once
// Internal to the simulator's WS API: Kraken's subscribe/unsubscribe for the public channels
// (PROTOCOL.md §6.3): reading and checking the params, one answer per symbol, and the ack or
// nack each gets. Written once for the two public endpoints, the live market (KrakenWsApi) and a
// replay (ReplayWsApi), which differ only in what they can serve and what follows an ack.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/core/json_writer.hpp"
#include "kgw/sim/kraken_ws_api.hpp"

namespace kgw::sim::ws {

struct Request;

// One subscribe or unsubscribe request for a public channel, Kraken's defaults filled in.
struct Subscription {
  PublicChannel channel = PublicChannel::book;
  bool unsubscribe = false;
  bool snapshot = true;              // Kraken's default: true, but false for trade
  int depth = 10;                    // book
  int interval = 1;                  // ohlc
  bool bbo = false;                  // ticker: event_trigger "bbo" rather than "trades"
  std::vector<std::string> symbols;  // none for instrument
  std::optional<std::int64_t> req_id;
  WallTime time_in{};

  std::string_view method() const noexcept { return unsubscribe ? "unsubscribe" : "subscribe"; }
};

// A boolean parameter written as JSON text (`true`/`false`); `dflt` when absent.
inline bool flag_or(std::optional<std::string_view> v, bool dflt) { return v ? *v == "true" : dflt; }

// What an endpoint lends subscribe() for one request on one connection.
struct SubscriptionEndpoint {
  std::function<WallTime()> now;  // time_out of the answers
  std::function<void(std::string)> send;
  // Why this endpoint cannot serve `symbol` on the request's channel (Kraken's error text, sent
  // as that symbol's nack), or nullopt. For instrument, once with an empty symbol.
  std::function<std::optional<std::string>(const Subscription&, const std::string& symbol)> refuse;
  // After the symbol's ack: records or drops the subscription and sends what follows (the
  // snapshot, when asked for).
  std::function<void(const Subscription&, const std::string& symbol)> serve;
};

// Answers one (un)subscribe request for a public channel: a nack for a missing or invalid
// parameter; otherwise, per symbol in request order, a nack when the endpoint refuses it or an
// ack followed by serve(). Private channels (executions, balances) are the caller's.
void subscribe(const Request& req, WallTime time_in, const SubscriptionEndpoint& endpoint);

// {"method":M,"req_id":R,"result":{"channel":C,<fields>},"success":true,"time_in":..,"time_out":..}:
// the ack of a subscription, public or private.
std::string subscription_ack(std::string_view method, std::string_view channel, std::optional<std::int64_t> req_id,
                             const std::function<void(JsonWriter&)>& fields, WallTime time_in, WallTime time_out);

}  // namespace kgw::sim::ws
