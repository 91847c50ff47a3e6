#pragma once
// The read rules of the account caches (the order manager's AccountSnapshot), shared by the
// Trading and Account services: a cached answer is served while the private session's snapshots
// are in and it is live (and younger than the request's max_age_ns, measured from the last
// private frame, which vouches for everything cached); its meta says so, with the order
// manager's event sequence. Also how an order-entry error becomes the contract's status. Pure;
// any thread.

#include <string>
#include <string_view>
#include <vector>

#include "grpc_status.hpp"
#include "kgw/gateway/errors.hpp"
#include "kgw/oms/account_types.hpp"
#include "proto_convert.hpp"
#include "read_policy.hpp"
#include "trading_requests.hpp"

namespace kgw::gateway {

// Empty: serve `s`; else why not (ReadMeta.fallback_reason).
inline std::string_view account_refusal(const oms::AccountSnapshot* s, const ReadRequest& rq, std::int64_t now_ns) {
  if (!s) return reason::cache_miss;
  if (!s->fresh()) return reason::stale;
  const std::int64_t vouched = s->freshness.last_frame.time_since_epoch().count();
  if (rq.max_age_ns && now_ns - vouched > *rq.max_age_ns) return reason::stale;
  return {};
}

inline Meta account_meta(const oms::AccountSnapshot& s, bool simulated, std::int64_t now_ns) {
  Meta m;
  m.source = v1::READ_SOURCE_WS_CACHE;
  m.simulated = simulated;
  m.receive_ns = s.freshness.last_frame.time_since_epoch().count();
  m.served_ns = now_ns;
  m.sequence = s.cursor.sequence;
  return m;
}

// An order-entry error as the contract's status: fields in the contract's names, the engine's or
// a pair's status as UNAVAILABLE (retry later), and the cl_ord_ids the request used (empty for
// an order tagged with a userref only).
inline grpc::Status entry_status(Error e, const std::vector<std::string>& cl_ord_ids = {}) {
  e = in_contract_terms(std::move(e));
  if (e.is(errc::invalid_argument) && (e.detail.rfind("system status:", 0) == 0 || e.detail.rfind("pair status:", 0) == 0))
    e = Error(make_error_code(gateway_errc::market_closed), e.detail);
  if (e.cl_ord_ids.empty()) e.cl_ord_ids = cl_ord_ids;
  for (auto& id : e.cl_ord_ids)
    if (id.rfind("userref:", 0) == 0) id.clear();  // the order manager's own key for such an order
  const std::string field = contract_field(invalid_field(e));
  return to_grpc_status(e, CallKind::order_entry, field);
}

}  // namespace kgw::gateway
