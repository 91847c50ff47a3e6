#pragma once
// The read rules every MarketData call shares (common.proto ReadOptions): the request's policy
// and age bound checked before anything is read or sent, and the verdict on a cache answer —
// serve it, or say why not (the contract's fallback_reason). Under AUTO a refused cache answer
// goes to REST; under CACHE_ONLY it fails: UNAVAILABLE while the stream may yet deliver
// (cache_miss, stale, depth), FAILED_PRECONDITION when no stream covers the read (not_streamed).

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>

#include "kgw/core/error.hpp"
#include "kgw/feed/market_reader.hpp"
#include "kgw/gateway/errors.hpp"
#include "kgw/v1/common.pb.h"

namespace kgw::gateway {

enum class Policy : unsigned char { automatic, cache_only, rest_only };

struct ReadRequest {
  Policy policy = Policy::automatic;
  std::optional<std::int64_t> max_age_ns;
};

// Why a read is not answered from the cache (ReadMeta.fallback_reason).
namespace reason {
inline constexpr std::string_view not_streamed = "not_streamed";  // no stream covers it
inline constexpr std::string_view cache_miss = "cache_miss";      // streamed, nothing cached yet
inline constexpr std::string_view stale = "stale";                // the stream does not vouch for it, or max_age_ns
inline constexpr std::string_view depth = "depth";                // more levels than the subscription holds
inline constexpr std::string_view cursor = "cursor";              // a `since` cursor: only REST pages
}  // namespace reason

inline result<ReadRequest> read_request(const v1::ReadOptions& r) {
  ReadRequest out;
  switch (r.policy()) {
    case v1::READ_POLICY_AUTO: out.policy = Policy::automatic; break;
    case v1::READ_POLICY_CACHE_ONLY: out.policy = Policy::cache_only; break;
    case v1::READ_POLICY_REST_ONLY: out.policy = Policy::rest_only; break;
    default: return Error(errc::invalid_argument, fmt::format("read.policy: {} is not a ReadPolicy", static_cast<int>(r.policy())));
  }
  if (r.has_max_age_ns()) {
    if (r.max_age_ns() < 0) return Error(errc::invalid_argument, "read.max_age_ns: must not be negative");
    if (r.max_age_ns() > 0) out.max_age_ns = r.max_age_ns();
  }
  return out;
}

// Reads no stream covers (REST-only by the contract) refuse CACHE_ONLY before anything else.
inline std::optional<Error> rest_only_read(const ReadRequest& rq, std::string_view what) {
  if (rq.policy != Policy::cache_only) return std::nullopt;
  return fail(gateway_errc::not_streamed, fmt::format("read.policy: no stream covers {}; use AUTO or REST_ONLY", what));
}

// Empty: serve the cached answer.
template <class T>
std::string_view refusal(const feed::Sourced<T>& s, const ReadRequest& rq) {
  if (!s.fresh) return reason::stale;
  if (rq.max_age_ns && s.age_ns > *rq.max_age_ns) return reason::stale;
  return {};
}

// The CACHE_ONLY failure for a refusal `why` of the value named by `field`.
inline Error cache_only_failure(std::string_view why, std::string_view field, std::string_view what) {
  if (why == reason::not_streamed)
    return fail(gateway_errc::not_streamed, fmt::format("{}: the gateway's feed does not stream {}", field, what));
  return fail(gateway_errc::cache_miss, fmt::format("{}: no fresh cached value for {} ({})", field, what, why));
}

}  // namespace kgw::gateway
