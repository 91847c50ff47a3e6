#pragma once
// Kraken WebSocket v2 requests and method replies (PROTOCOL.md §6.2–§6.6): every request the
// project sends is built here, as JSON text with its req_id, and every method reply (subscribe
// acks, pong, order-entry answers, Kraken's bare {"Error":…}) is read by one parser. Order entry
// takes the typed requests of kraken/orders.hpp, so the WS path and the REST path send the same
// order; a request that WS v2 cannot express (a `#` offset, a leverage level, a REST-only field)
// is refused with invalid_argument naming the field, so the caller sends it over REST instead.
// Builders: pure functions, any thread. WsReplyParser: one per reading thread.

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"
#include "kgw/core/kraken/orders.hpp"

namespace kgw::kraken {

// subscribe / unsubscribe (§6.4 public channels, §6.5 private ones).
struct SubscribeRequest {
  std::string channel;               // ticker, book, trade, ohlc, instrument, executions, balances, level3
  std::vector<std::string> symbols;  // v2 symbols; none for instrument, executions, balances
  std::optional<int> depth;          // book, level3
  std::optional<int> interval;       // ohlc
  std::optional<bool> snapshot;
  std::optional<std::string> event_trigger;  // ticker: trades (default) | bbo
  // executions
  std::optional<bool> snap_orders, snap_trades, order_status, ratecounter;
  std::optional<std::string> token;  // private channels
};
std::string ws_subscribe(const SubscribeRequest& r, std::int64_t req_id);
std::string ws_unsubscribe(const SubscribeRequest& r, std::int64_t req_id);
std::string ws_ping(std::int64_t req_id);

// Order entry (§6.6). `now` resolves REST-style relative times (`expiretm=+60`) into the RFC
// 3339 instants WS v2 takes. The pair must be the v2 symbol (BTC/USD).
result<std::string> ws_add_order(const OrderRequest& o, std::string_view token, std::int64_t req_id, WallTime now);
result<std::string> ws_amend_order(const AmendRequest& a, std::string_view token, std::int64_t req_id);
result<std::string> ws_edit_order(const EditRequest& e, std::string_view token, std::int64_t req_id);
result<std::string> ws_cancel_order(const CancelRequest& c, std::string_view token, std::int64_t req_id);
std::string ws_cancel_all(std::string_view token, std::int64_t req_id);
result<std::string> ws_cancel_all_orders_after(int timeout_s, std::string_view token, std::int64_t req_id);
result<std::string> ws_batch_add(std::string_view symbol, const std::vector<OrderRequest>& orders, bool validate,
                                 const std::optional<std::string>& deadline, std::string_view token, std::int64_t req_id,
                                 WallTime now);
result<std::string> ws_batch_cancel(const CancelRequest& c, std::string_view token, std::int64_t req_id);

// One method reply, as Kraken sent it. Views point into the frame given to parse() and are valid
// until the next parse() (or until the frame's buffer changes).
struct MethodReply {
  std::string_view method;  // subscribe, pong, add_order, ...; "error" for a bare {"Error":…}
  bool success = false;     // a pong counts as success
  std::optional<std::int64_t> req_id;
  std::string_view error;   // Kraken's string, verbatim, when success is false
  std::string_view symbol;  // a refused subscribe's top-level symbol, or result.symbol
  std::string_view channel; // result.channel (subscription acks)
  std::string_view result;  // the raw JSON of `result` (object or array); empty when absent
  std::optional<WallTime> time_in, time_out;
  std::vector<std::string_view> warnings;  // result.warnings
};

// WsReplyParser: reads method replies with one reused simdjson parser. Not thread-safe.
class WsReplyParser {
 public:
  WsReplyParser();
  ~WsReplyParser();
  WsReplyParser(const WsReplyParser&) = delete;
  WsReplyParser& operator=(const WsReplyParser&) = delete;

  // `frame` with at least simdjson::SIMDJSON_PADDING readable bytes after its end (a WS read
  // buffer); otherwise use parse_copy(). errc::parse_error when it is not a method reply.
  result<const MethodReply*> parse(simdjson::padded_string_view frame);
  result<const MethodReply*> parse_copy(std::string_view frame);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Where a frame goes, from the way Kraken writes it: `method` first for a reply (`error` first
// for a failed one, the bare `Error` for the rate limit), `channel` first for data. reply: WsReplyParser; book_or_instrument: the book parser;
// channel: another channel's parser; unknown: another key order (classify by parsing).
enum class FrameRoute : unsigned char { reply, book_or_instrument, channel, unknown };
FrameRoute route_frame(std::string_view frame) noexcept;

// Typed results of the order-entry replies (the `result` text of a successful MethodReply).
struct WsOrderAck {  // add_order, one entry of batch_add, cancel_order
  std::string order_id, cl_ord_id;
  std::optional<std::int64_t> order_userref;
  std::vector<std::string> warnings;
};
struct WsAmendAck {
  std::string amend_id, order_id, cl_ord_id;
};
struct WsEditAck {
  std::string order_id, original_order_id;
};
struct WsDeadManAck {
  std::string current_time, trigger_time;
};
result<WsOrderAck> parse_ws_order_ack(std::string_view result_json);
result<WsAmendAck> parse_ws_amend_ack(std::string_view result_json);
result<WsEditAck> parse_ws_edit_ack(std::string_view result_json);
result<std::int64_t> parse_ws_count_ack(std::string_view result_json);  // cancel_all, batch_cancel
result<WsDeadManAck> parse_ws_dead_man_ack(std::string_view result_json);
// batch_add: an array in request order (the docs), or {"orders":[…]} (handled too, defensively).
result<std::vector<WsOrderAck>> parse_ws_batch_add_ack(std::string_view result_json);

}  // namespace kgw::kraken
