#pragma once
// The gateway's own refusals, as error codes of their own category beside kgw::errc, so that
// every failure a gRPC caller can see is a kgw::Error and one function maps them all to a gRPC
// status (src/grpc_status.hpp). The names are the contract's ErrorDetail.gateway_code values.

#include <boost/system/error_code.hpp>

#include <string_view>

#include "kgw/core/error.hpp"

namespace kgw::gateway {

enum class gateway_errc : int {
  no_api_key = 1,       // a private call and no Kraken API key configured: FAILED_PRECONDITION
  cache_miss,           // CACHE_ONLY and no fresh cached value: UNAVAILABLE
  not_streamed,         // CACHE_ONLY on a read no stream covers: FAILED_PRECONDITION
  not_subscribed,       // a stream for a pair/interval/depth the feed is not subscribed to: FAILED_PRECONDITION
  market_closed,        // the engine's or the pair's status refuses this order now (cancel_only, post_only, maintenance): UNAVAILABLE
  unimplemented,        // valid, but this gateway does not serve it (yet): UNIMPLEMENTED
  client_too_slow,      // a stream client let its bounded queue fill: RESOURCE_EXHAUSTED
  shutting_down,        // the gateway is stopping: UNAVAILABLE
  dead_man_keeper,      // CancelAllOrdersAfter while the gateway's own dead-man keeper owns the switch: FAILED_PRECONDITION
};

const boost::system::error_category& gateway_category() noexcept;
// "no_api_key", "cache_miss", ...
std::string_view name(gateway_errc e) noexcept;

inline boost::system::error_code make_error_code(gateway_errc e) noexcept {
  return {static_cast<int>(e), gateway_category()};
}

// Shorthand: Error(gateway_errc::cache_miss, "pair: ...").
inline Error fail(gateway_errc e, std::string detail) { return Error(make_error_code(e), std::move(detail)); }

}  // namespace kgw::gateway

template <>
struct boost::system::is_error_code_enum<kgw::gateway::gateway_errc> : std::true_type {};
