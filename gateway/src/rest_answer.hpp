#pragma once
// The REST half of the Account and Trading reads: the checks a REST-only private read makes
// before anything is sent (a key, the read policy, the rebase multiplier), and a page from
// Kraken's REST answered on the call's reactor with REST's meta. Kraken's error, if any, becomes
// the call's status (grpc_status.hpp).

#include <grpcpp/grpcpp.h>

#include <optional>
#include <string_view>
#include <utility>

#include "backend.hpp"
#include "grpc_status.hpp"
#include "proto_convert.hpp"
#include "read_policy.hpp"
#include "trading_requests.hpp"

namespace kgw::gateway {

// A private read no stream covers: refused without a key, under CACHE_ONLY (naming `what`), or
// for a bad read policy or rebase multiplier; else the rebase multiplier's Kraken parameters.
template <class Request>
result<kraken::Params> check_rest_read(const Backend& b, const Request& req, std::string_view what) {
  if (auto e = b.no_order_manager()) return *e;
  auto rq = read_request(req.read());
  if (!rq) return rq.error();
  if (auto e = rest_only_read(*rq, what)) return *e;
  return rebase_of(req.rebase_multiplier());
}

// Sends `call`; on success `fill_page(page)` (a result<T> holding a value) fills `resp` and the
// meta says REST (with `why` the cache was passed over, if it was); on failure the call ends
// with Kraken's error. `why` must outlive the call (the reason:: constants do).
template <class T, class Response, class Fill>
grpc::ServerUnaryReactor* answer_from_rest(Backend& b, grpc::ServerUnaryReactor* r, Response* resp,
                                           kraken::KrakenRestService::Call<T> call, Fill fill_page,
                                           std::string_view why = {}) {
  b.submit<T>(std::move(call), [&b, r, resp, why, fill_page = std::move(fill_page)](result<T> page) {
    if (!page) return r->Finish(to_grpc_status(page.error()));
    fill_page(page);
    fill(*resp->mutable_meta(), rest_meta(b.simulated, 0, b.now_ns(), why));
    r->Finish(grpc::Status::OK);
  });
  return r;
}

}  // namespace kgw::gateway
