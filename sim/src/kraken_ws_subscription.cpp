// Kraken's public subscribe/unsubscribe, shared by the live and the replayed public endpoint.
#include "kraken_ws_subscription.hpp"

#include <algorithm>
#include <variant>

#include "kgw/core/kraken/book.hpp"
#include "kraken_ws_common.hpp"

namespace kgw::sim {

std::optional<PublicChannel> public_channel(std::string_view name) noexcept {
  if (name == "book") return PublicChannel::book;
  if (name == "ticker") return PublicChannel::ticker;
  if (name == "trade") return PublicChannel::trade;
  if (name == "ohlc") return PublicChannel::ohlc;
  if (name == "instrument") return PublicChannel::instrument;
  return std::nullopt;
}

namespace ws {
namespace {

// The request's params in Kraken's order of checks; the error text of the first that fails.
std::variant<Subscription, std::string> read(const Request& req, WallTime time_in) {
  const rest::Params& msg = req.msg;
  Subscription s;
  s.unsubscribe = req.method == "unsubscribe";
  s.req_id = req.req_id;
  s.time_in = time_in;
  const auto name = msg.get("params[channel]");
  if (!name) return std::string("Channel required");
  const auto channel = public_channel(*name);
  if (!channel) return std::string("Subscription name invalid");
  s.channel = *channel;
  s.snapshot = flag_or(msg.get("params[snapshot]"), s.channel != PublicChannel::trade);
  if (s.channel == PublicChannel::instrument) return s;
  s.symbols = msg.list("params[symbol]");
  if (s.symbols.empty()) return std::string("Symbol(s) not found");
  if (s.channel == PublicChannel::book) {
    s.depth = static_cast<int>(to_int(msg.get("params[depth]")).value_or(10));
    if (!kraken::Book::valid_depth(s.depth)) return std::string("Invalid depth");
  }
  if (s.channel == PublicChannel::ohlc) {
    s.interval = static_cast<int>(to_int(msg.get("params[interval]")).value_or(1));
    if (std::find(kOhlcIntervals.begin(), kOhlcIntervals.end(), s.interval) == kOhlcIntervals.end())
      return std::string("Invalid interval");
  }
  const std::string_view trigger = msg.get("params[event_trigger]").value_or("trades");
  if (s.channel == PublicChannel::ticker && trigger != "trades" && trigger != "bbo") return std::string("Invalid event_trigger");
  s.bbo = trigger == "bbo";
  return s;
}

// The `result` fields of one symbol's ack, as Kraken's documentation examples write them.
void ack_fields(JsonWriter& w, const Subscription& s, const std::string& symbol) {
  const bool sub = !s.unsubscribe;
  switch (s.channel) {
    case PublicChannel::instrument:
      if (sub) {
        w.field("snapshot", s.snapshot);
        w.key("warnings").begin_array().value("tick_size is deprecated, use price_increment").end_array();
      }
      return;
    case PublicChannel::ticker:
      if (sub) w.field("snapshot", s.snapshot);
      else w.field("event_trigger", s.bbo ? "bbo" : "trades");
      break;
    case PublicChannel::book:
      w.field("depth", s.depth).field("snapshot", s.snapshot);
      break;
    case PublicChannel::trade:
      if (sub) w.field("snapshot", s.snapshot);
      break;
    case PublicChannel::ohlc:
      w.field("interval", s.interval);
      if (sub) w.field("snapshot", s.snapshot);
      w.field("symbol", symbol);
      if (sub) w.key("warnings").begin_array().value("timestamp is deprecated, use interval_begin").end_array();
      return;
  }
  w.field("symbol", symbol);
}

std::string_view name_of(PublicChannel c) noexcept {
  switch (c) {
    case PublicChannel::book: return "book";
    case PublicChannel::ticker: return "ticker";
    case PublicChannel::trade: return "trade";
    case PublicChannel::ohlc: return "ohlc";
    case PublicChannel::instrument: return "instrument";
  }
  return "";
}

}  // namespace

std::string subscription_ack(std::string_view method, std::string_view channel, std::optional<std::int64_t> req_id,
                             const std::function<void(JsonWriter&)>& fields, WallTime time_in, WallTime time_out) {
  JsonWriter w;
  w.begin_object().field("channel", channel);
  fields(w);
  w.end_object();
  return ack(method, req_id, w.str(), time_in, time_out);
}

void subscribe(const Request& req, WallTime time_in, const SubscriptionEndpoint& ep) {
  auto read_result = read(req, time_in);
  if (auto* error = std::get_if<std::string>(&read_result))
    return ep.send(nack(req.method, req.req_id, *error, time_in, ep.now()));
  const Subscription& s = std::get<Subscription>(read_result);
  // One answer per symbol, like Kraken (v2 symbols only: `XBT/USD` is not one); instrument
  // takes none and is answered once.
  const bool instrument = s.channel == PublicChannel::instrument;
  const std::vector<std::string> no_symbol{std::string()};
  for (const std::string& symbol : instrument ? no_symbol : s.symbols) {
    if (auto refusal = ep.refuse(s, symbol)) {
      ep.send(nack(s.method(), s.req_id, *refusal, time_in, ep.now(),
                   instrument ? std::nullopt : std::optional<std::string_view>(symbol)));
      continue;
    }
    ep.send(subscription_ack(s.method(), name_of(s.channel), s.req_id,
                             [&](JsonWriter& w) { ack_fields(w, s, symbol); }, time_in, ep.now()));
    ep.serve(s, symbol);
  }
}

}  // namespace ws
}  // namespace kgw::sim
