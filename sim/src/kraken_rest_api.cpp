#include "kgw/sim/kraken_rest_api.hpp"

#include <charconv>

#include "kgw/core/kraken/signing.hpp"
#include "kraken_rest_handlers.hpp"

namespace kgw::sim {
namespace {

// Order entry is exactly what the REST call counter leaves to the trading counter (§5.1).
bool needs_trade(std::string_view m) { return kraken::rest_call_cost(m) == 0; }
bool needs_websocket(std::string_view m) { return m == "GetWebSocketsToken"; }
bool is_order_entry(std::string_view m) {
  return m == "AddOrder" || m == "AddOrderBatch" || m == "AmendOrder" || m == "EditOrder";
}


RestReply json(std::string body) {
  RestReply r;
  r.body = std::move(body);
  return r;
}

}  // namespace

KrakenRestApi::KrakenRestApi(Exchange& ex, MarketData& md, TokenStore& tokens, Faults& faults)
    : ex_(ex), md_(md), tokens_(tokens), faults_(faults) {}

double KrakenRestApi::call_counter(AccountId id) const {
  auto it = counters_.find(id);
  if (it == counters_.end()) return 0;
  return kraken::decayed(it->second.first, ex_.now() - it->second.second, limits_.rest_decay_per_s);
}

RestReply KrakenRestApi::handle(std::string_view method, std::string_view target, const HeaderLookup& header,
                                std::string_view body) {
  std::string_view path = target;
  std::string_view query;
  if (auto q = target.find('?'); q != std::string_view::npos) {
    path = target.substr(0, q);
    query = target.substr(q + 1);
  }
  constexpr std::string_view kPublic = "/0/public/", kPrivate = "/0/private/";
  const bool is_public = path.substr(0, kPublic.size()) == kPublic;
  const bool is_private = path.substr(0, kPrivate.size()) == kPrivate;
  if (!is_public && !is_private) {
    RestReply r = json(rest::fail("EGeneral:Unknown method"));
    r.status = 404;
    return r;
  }

  // Faults that stop the request before it is processed.
  RestReply reply;
  reply.delay = faults_.rest_delay;
  if (faults_.rest_delay.count() > 0) faults_.count("rest_delay");
  if (Faults::take(faults_.http_status_count)) {
    faults_.count("http_status");
    reply.status = faults_.http_status;
    reply.content_type = "text/html";
    reply.body = "<html><body><h1>" + std::to_string(faults_.http_status) + "</h1>simulated upstream failure</body></html>";
    return reply;
  }
  if (Faults::take(faults_.rest_error_count)) {
    faults_.count("rest_error");
    reply.body = rest::fail(faults_.rest_error);
    return reply;
  }

  rest::Context ctx{ex_, md_, tokens_};
  bool found = false;
  if (is_public) {
    const std::string_view name = path.substr(kPublic.size());
    rest::Params params = rest::Params::from_form(method == "POST" && query.empty() ? body : query);
    reply.body = rest::handle_public(ctx, name, params, found);
    if (!found) reply.status = 404;
    return reply;
  }

  const std::string_view name = path.substr(kPrivate.size());
  if (method != "POST") {
    reply.body = rest::fail("EGeneral:Invalid arguments");
    return reply;
  }
  // Authentication: key, then signature over exactly the bytes received, then the nonce.
  const Account* acct = ex_.account_by_key(header("API-Key"));
  if (!acct) {
    reply.body = rest::fail("EAPI:Invalid key");
    return reply;
  }
  const bool json_body = header("Content-Type").substr(0, 16) == "application/json";
  rest::Params params;
  if (json_body) {
    auto p = rest::Params::from_json(body);
    if (!p) {
      reply.body = rest::fail("EGeneral:Invalid arguments");
      return reply;
    }
    params = std::move(*p);
  } else {
    params = rest::Params::from_form(body);
  }
  const auto nonce_text = params.get("nonce");
  const auto nonce = nonce_text ? parse_integer<std::uint64_t>(*nonce_text) : std::nullopt;
  if (!nonce) {
    reply.body = rest::fail("EAPI:Invalid nonce");
    return reply;
  }
  auto expected = kraken::api_sign(acct->api_secret, path, *nonce_text, body);
  if (!expected || !kraken::signatures_equal(*expected, header("API-Sign"))) {
    reply.body = rest::fail("EAPI:Invalid signature");
    return reply;
  }
  const AccountId id = acct->id;
  if (!ex_.accept_nonce(id, *nonce)) {
    reply.body = rest::fail("EAPI:Invalid nonce");
    return reply;
  }
  if ((needs_trade(name) && !acct->perms.trade) || (needs_websocket(name) && !acct->perms.websocket) ||
      (!needs_trade(name) && !needs_websocket(name) && !acct->perms.query)) {
    reply.body = rest::fail("EGeneral:Permission denied");
    return reply;
  }
  // REST call counter: a call that would pass the tier's maximum is refused, not counted.
  const double cost = kraken::rest_call_cost(name);
  if (cost > 0) {
    const double current = call_counter(id);
    if (current + cost > limits_.rest_max) {
      reply.body = rest::fail("EAPI:Rate limit exceeded");
      return reply;
    }
    counters_[id] = {current + cost, ex_.now()};
  }
  reply.body = rest::handle_private(ctx, name, params, id, found);
  if (!found) reply.status = 404;
  if (found && is_order_entry(name) && Faults::take(faults_.rest_drop_response_count)) {
    faults_.count("rest_drop_response");
    reply.drop = true;
  }
  if (found && (name == "CancelOrder" || name == "CancelAll") && Faults::take(faults_.rest_drop_response_count)) {
    faults_.count("rest_drop_response");
    reply.drop = true;
  }
  return reply;
}

}  // namespace kgw::sim
