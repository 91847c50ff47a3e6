#pragma once
// Kraken order entry as typed values, one shape for both APIs (PROTOCOL.md §3.3, §3.5, §6.6):
// OrderRequest (AddOrder, add_order, batch entries), AmendRequest, EditRequest, CancelRequest.
// Their fields read as Kraken's REST documents them, which is what the gateway's callers know
// (`price` is the limit price of a limit order and the trigger price of a stop; `price2` the limit
// of a -limit order; relative prices `+5`, `-2%`, `#1`), with the words typed. The REST form and
// JSON bodies are built here (used by KrakenRestClient); the WS v2 requests in kraken/ws_requests
// from the same values. check() runs before anything is sent on either path: an error is
// errc::invalid_argument whose detail starts with the field (`orders[1].volume: required`).
// Values and pure functions: any thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"
#include "kgw/core/kraken/vocabulary.hpp"

namespace kgw::kraken {

using Params = std::vector<std::pair<std::string, std::string>>;

// REST `oflags`. On WS v2: post → post_only, fcib/fciq → fee_preference, viqc → cash_order_qty
// (the volume is then quote currency), nompp is dropped (Kraken ignores it).
struct OrderFlags {
  bool post = false, fcib = false, fciq = false, viqc = false, nompp = false;
  bool any() const noexcept { return post || fcib || fciq || viqc || nompp; }
  friend bool operator==(const OrderFlags&, const OrderFlags&) = default;
};
// REST's comma list (`post,fciq`), in Kraken's order; parse refuses an unknown flag, naming it.
std::string format_oflags(const OrderFlags& f);
result<OrderFlags> parse_oflags(std::string_view comma_list);

// A conditional close order placed when the order fills (REST close[...], WS `conditional`).
struct CloseOrder {
  OrderType type = OrderType::limit;
  std::optional<std::string> price, price2;
  friend bool operator==(const CloseOrder&, const CloseOrder&) = default;
};

struct OrderRequest {
  std::string pair;  // REST: any spelling Kraken's REST takes; WS v2: the v2 symbol (BTC/USD)
  Side side = Side::buy;
  OrderType type = OrderType::limit;
  std::string volume;  // base currency, decimal text ("0" settles a margin position on REST)
  std::optional<std::string> price, price2;
  std::optional<TriggerReference> trigger;  // absent: Kraken's default (last)
  std::optional<std::string> leverage;      // "2".."5"; absent: spot
  bool reduce_only = false;
  std::optional<SelfTradePrevention> stp;
  OrderFlags flags;
  std::optional<TimeInForce> time_in_force;
  // REST forms: `0` (now / none), unix seconds, or `+<seconds>` from now.
  std::optional<std::string> starttm, expiretm;
  std::optional<std::string> cl_ord_id;
  std::optional<std::int32_t> userref;
  std::optional<std::string> displayvol;
  std::optional<CloseOrder> close;
  // Single orders only (a batch has its own deadline and validate).
  std::optional<std::string> deadline;  // RFC 3339
  bool validate = false;
  std::optional<std::string> asset_class, broker;  // REST only (xStocks, partner IIBAN)

  friend bool operator==(const OrderRequest&, const OrderRequest&) = default;
};

// AmendOrder / amend_order: in place, keeping the order's ids and, where possible, its queue
// priority. Exactly one of txid / cl_ord_id; at least one quantity or price. Prices may be
// relative (`+1.5`, `-2%`).
struct AmendRequest {
  std::optional<std::string> txid, cl_ord_id;
  std::optional<std::string> order_qty, display_qty, limit_price, trigger_price;
  std::optional<std::string> deadline, pair;  // pair: xStocks only
  bool post_only = false;                      // reject if the new price would take
  friend bool operator==(const AmendRequest&, const AmendRequest&) = default;
};

// EditOrder / edit_order (legacy cancel-and-replace: new txid, queue position lost).
struct EditRequest {
  std::string txid;  // order id (REST also takes a userref)
  std::string pair;  // required by Kraken, cannot change
  std::optional<std::string> volume, displayvol, price, price2, deadline, asset_class;
  std::optional<std::int32_t> userref;  // new userref
  bool post_only = false;               // the only flag EditOrder can change
  bool cancel_response = false, validate = false;
  friend bool operator==(const EditRequest&, const EditRequest&) = default;
};

// What to cancel: order ids, cl_ord_ids and userrefs (REST CancelOrder takes one; CancelOrderBatch
// and WS cancel_order/batch_cancel take lists).
struct CancelRequest {
  std::vector<std::string> txids{}, cl_ord_ids{};
  std::vector<std::int32_t> userrefs{};
  std::size_t size() const noexcept { return txids.size() + cl_ord_ids.size() + userrefs.size(); }
};

// Checks Kraken would make anyway, made before anything is sent; `where` prefixes the field
// (`orders[1].`).
result<void> check(const OrderRequest& o, std::string_view where = {});
result<void> check(const AmendRequest& a);
result<void> check(const EditRequest& e);
// A batch: 2..15 orders on `pair`; each entry's pair empty or the batch's, no per-order
// deadline/validate/asset_class/broker.
result<void> check_batch(std::string_view pair, const std::vector<OrderRequest>& orders);

// REST bodies (PROTOCOL.md §3.3).
result<Params> rest_add_order(const OrderRequest& o);
result<std::string> rest_add_order_batch(std::string_view pair, const std::vector<OrderRequest>& orders, bool validate,
                                         const std::optional<std::string>& deadline);
result<Params> rest_amend_order(const AmendRequest& a);
result<Params> rest_edit_order(const EditRequest& e);
// One id for CancelOrder: a txid, a userref, or a cl_ord_id.
result<Params> rest_cancel_order(const CancelRequest& c);
// Up to 50 ids for CancelOrderBatch (JSON body; userrefs are integers on the wire).
result<std::string> rest_cancel_order_batch(const CancelRequest& c);

// A REST time form (`0`, unix seconds, `+<seconds>`) as an instant, given now; nullopt for `0`
// (none). WS v2 takes RFC 3339 instants only.
result<std::optional<WallTime>> resolve_rest_time(std::string_view text, WallTime now, std::string_view field);

// A REST price form split into what WS v2 takes: the number and its price type (`+5` → 5 quote,
// `-2%` → -2 pct, `30000.5` → 30000.5 static). `#` (direction from the side) has no WS v2 form.
struct SplitPrice {
  std::string number;
  PriceType type = PriceType::absolute;
};
result<SplitPrice> split_rest_price(std::string_view text, std::string_view field);

}  // namespace kgw::kraken
