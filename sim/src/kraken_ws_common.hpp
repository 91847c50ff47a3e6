#pragma once
// Internal to the simulator's WS API: the per-connection state and message helpers shared by
// the public and private halves.

#include <charconv>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>

#include "kgw/core/json_writer.hpp"
#include "kgw/sim/kraken_ws_api.hpp"
#include "kraken_rest_common.hpp"

namespace kgw::sim {

struct KrakenWsApi::Conn {
  std::shared_ptr<WsClient> client;
  std::uint64_t connection_id = 0;
  WallTime last_sent{};
  // Public subscriptions.
  std::map<std::size_t, bool> ticker;  // pair -> event_trigger is bbo
  std::map<std::size_t, int> book;     // pair -> depth
  std::set<std::size_t> trade;
  std::map<std::size_t, std::set<int>> ohlc;
  bool instrument = false;
  // Private subscriptions.
  std::optional<AccountId> executions;
  bool exec_order_status = true;
  std::uint64_t exec_sequence = 0;
  std::optional<AccountId> balances;
  std::uint64_t balance_sequence = 0;
  std::set<std::string> tokens;  // held so they do not expire while subscribed

  bool subscribed() const {
    return !ticker.empty() || !book.empty() || !trade.empty() || !ohlc.empty() || instrument || executions || balances;
  }
};

namespace ws {

// An integer parameter written as JSON number text; nullopt if absent or not an integer.
inline std::optional<std::int64_t> to_int(std::optional<std::string_view> v) {
  return v ? parse_integer<std::int64_t>(*v) : std::nullopt;
}

// A parsed request frame: what is left for an endpoint once the shared parts are handled.
struct Request {
  rest::Params msg;
  std::string method;
  std::optional<std::int64_t> req_id;
};
// Parses a request; answers malformed frames, frames without a method and `ping` itself via
// `send` (nullopt then: nothing left to do).
std::optional<Request> preamble(std::string_view text, WallTime time_in, const std::function<WallTime()>& now,
                                const std::function<void(std::string)>& send);
bool is_trading_method(std::string_view method);

// Kraken's connection ids exceed 2^63 (PROTOCOL.md §6.2); ours start there so clients must
// parse them as uint64.
inline constexpr std::uint64_t kFirstConnectionId = 13834774380200032777ULL;
// The `status` message sent on connect and on a system status change.
std::string status_message(std::uint64_t connection_id, std::string_view system);

// A `book` snapshot of one symbol, levels best first, numbers at the pair's precision.
std::string book_snapshot_message(std::string_view symbol, std::span<const BookLevel> bids,
                                  std::span<const BookLevel> asks, int price_precision, int qty_precision,
                                  std::uint32_t checksum, std::string_view timestamp);

// One `trade` channel item and one `ohlc` channel item, as Kraken writes them.
void write_trade(JsonWriter& w, const Instrument& in, const PublicTrade& t);
void write_candle(JsonWriter& w, const Instrument& in, const Candle& k, int interval);

// {"method":M,"req_id":R,"result":<result>,"success":true,"time_in":..,"time_out":..}
std::string ack(std::string_view method, std::optional<std::int64_t> req_id, std::string_view result_json,
                WallTime time_in, WallTime time_out);
// {"error":E,"method":M,"req_id":R,"success":false,"symbol"?:S,"time_in":..,"time_out":..}
std::string nack(std::string_view method, std::optional<std::int64_t> req_id, std::string_view error,
                 WallTime time_in, WallTime time_out, std::optional<std::string_view> symbol = std::nullopt);

}  // namespace ws
}  // namespace kgw::sim
