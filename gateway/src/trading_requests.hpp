#pragma once
// Trading requests of the contract (trading.proto) into the order manager's typed requests
// (core/kraken/orders.hpp), every field checked before anything is sent: a bad one is
// errc::invalid_argument whose detail starts with the contract's field path ("price",
// "orders[2].display_volume", "close.order_type"). What Kraken's rules say (grids, ordermin,
// mutually exclusive parameters) stays core's and the order manager's (kraken::check, the
// pre-trade checks); here is only what the contract's shape adds: enum values, oneofs, decimal
// text, times, and the fields no route can carry yet. Errors those checks or Kraken return in
// Kraken's REST names are put in the contract's by contract_field(). Pure; any thread.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"
#include "kgw/core/instrument.hpp"
#include "kgw/core/kraken/orders.hpp"
#include "kgw/core/kraken/rest_client.hpp"
#include "kgw/oms/order_entry.hpp"
#include "kgw/v1/trading.pb.h"

namespace kgw::gateway {

result<oms::Route> route_of(v1::Route route);
v1::Route route_of(oms::EntryPath path);

// PlaceOrder: `pair` resolved by the caller. A request without cl_ord_id and userref gets a
// generated cl_ord_id here, so every answer (and an unknown outcome) can name it.
result<kraken::OrderRequest> order_of(const v1::PlaceOrderRequest& r, const Instrument& pair, WallTime now);
// One order of a batch; `where` prefixes its fields ("orders[1].").
result<kraken::OrderRequest> order_of(const v1::BatchOrder& o, std::string_view where, WallTime now);
result<kraken::AmendRequest> amend_of(const v1::AmendOrderRequest& r, WallTime now);
result<kraken::EditRequest> edit_of(const v1::EditOrderRequest& r, const Instrument& pair, WallTime now);
result<kraken::CancelRequest> cancel_of(const v1::CancelOrderRequest& r);
result<kraken::CancelRequest> cancel_of(const v1::BatchCancelRequest& r);
// A deadline as Kraken takes it (RFC 3339, milliseconds); nullopt when not given.
result<std::optional<std::string>> deadline_of(const v1::TimeSpec& t, std::string_view field, WallTime now);

// The history filters of ClosedOrders / TradesHistory / Ledgers: a time (unix seconds with
// their fraction, exactly) or an id.
std::optional<std::string> bound_of(const v1::TimeOrId& b);
// Kraken's `rebase_multiplier`: "" (Kraken's default), "rebased" or "base".
result<kraken::Params> rebase_of(const std::string& value);

// A field path in Kraken's REST names ("orders[1].displayvol", "expiretm") in the contract's
// ("orders[1].display_volume", "expire_time").
std::string contract_field(std::string_view kraken_field);
// The same for the field an invalid_argument error's detail starts with.
Error in_contract_terms(Error e);

}  // namespace kgw::gateway
