#include "trading_requests.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "contract_words.hpp"
#include "kgw/core/decimal.hpp"
#include "kgw/oms/order_ledger.hpp"

namespace kgw::gateway {
namespace {

Error bad(std::string_view where, std::string_view field, std::string_view why) {
  return Error(errc::invalid_argument, fmt::format("{}{}: {}", where, field, why));
}
Error unserved(std::string_view where, std::string_view field, std::string_view why) {
  return Error(errc::not_supported, fmt::format("{}{}: {}", where, field, why));
}

// Decimal text as the contract takes it: a plain number, no sign unless `signed_ok`.
std::optional<Error> check_decimal(std::string_view where, std::string_view field, const std::string& text) {
  const auto d = Decimal::parse(text);
  if (!d || text.empty() || text.front() == '+' || text.find_first_of("eE") != std::string::npos)
    return bad(where, field, fmt::format("'{}' is not a decimal number", text));
  if (d->is_negative()) return bad(where, field, fmt::format("{} must not be negative", text));
  return std::nullopt;
}

// A price in any of Kraken's REST forms: absolute, `+`/`-` offset, `#` (direction from the
// side), `%` suffix. core reads the forms WS v2 can say; `#` is the same text with another sign.
std::optional<Error> check_price(std::string_view where, std::string_view field, const std::string& text) {
  std::string probe = text;
  if (!probe.empty() && probe.front() == '#') probe.front() = '+';
  if (auto p = kraken::split_rest_price(probe, field); !p)
    return bad(where, field, fmt::format("'{}' is not a price (a number, a +, - or # offset, optional %)", text));
  return std::nullopt;
}

// Unix nanoseconds as Kraken's REST seconds, rounded up to a whole second (a start or an expiry
// a little late rather than early).
std::int64_t whole_seconds_up(std::int64_t ns) { return (ns + 999'999'999) / 1'000'000'000; }

// starttm / expiretm: unix seconds or `+<seconds>`; nullopt when not given.
result<std::optional<std::string>> rest_time_of(const v1::TimeSpec& t, std::string_view where, std::string_view field) {
  switch (t.when_case()) {
    case v1::TimeSpec::WHEN_NOT_SET: return std::optional<std::string>{};
    case v1::TimeSpec::kAtTimeNs:
      if (t.at_time_ns() <= 0) return bad(where, field, "at_time_ns must be a positive unix time");
      return std::optional<std::string>(std::to_string(whole_seconds_up(t.at_time_ns())));
    case v1::TimeSpec::kAfterNs:
      if (t.after_ns() <= 0) return bad(where, field, "after_ns must be positive");
      return std::optional<std::string>("+" + std::to_string(whole_seconds_up(t.after_ns())));
  }
  return std::optional<std::string>{};
}

// The field's name is only written out for an error.
template <class E, class P>
result<std::optional<E>> word(P value, std::string_view where, std::string_view field) {
  if (const auto* w = known_word<E>(value)) return *w;
  return word_of_named<E>(value, fmt::format("{}{}", where, field));
}

// What PlaceOrderRequest and BatchOrder share, field for field (the same names in both).
template <class R>
result<kraken::OrderRequest> common_of(const R& r, std::string_view where) {
  kraken::OrderRequest o;
  auto side = word<kraken::Side>(r.side(), where, "side");
  if (!side) return side.error();
  if (!*side) return bad(where, "side", "required (SIDE_BUY or SIDE_SELL)");
  o.side = **side;
  auto type = word<kraken::OrderType>(r.order_type(), where, "order_type");
  if (!type) return type.error();
  if (!*type) return bad(where, "order_type", "required");
  o.type = **type;

  if (!r.cash_order_qty().empty()) {
    // The quote-currency size is REST's volume with viqc; v2 says cash_order_qty.
    if (!r.volume().empty()) return bad(where, "cash_order_qty", "volume and cash_order_qty are mutually exclusive");
    if (auto e = check_decimal(where, "cash_order_qty", r.cash_order_qty())) return *e;
    o.volume = r.cash_order_qty();
    o.flags.viqc = true;
  } else {
    if (r.volume().empty()) return bad(where, "volume", "required (or cash_order_qty)");
    if (auto e = check_decimal(where, "volume", r.volume())) return *e;
    o.volume = r.volume();
  }
  if (!r.price().empty()) {
    if (auto e = check_price(where, "price", r.price())) return *e;
    o.price = r.price();
  }
  if (!r.price2().empty()) {
    if (auto e = check_price(where, "price2", r.price2())) return *e;
    o.price2 = r.price2();
  }
  auto trigger = word<kraken::TriggerReference>(r.trigger(), where, "trigger");
  if (!trigger) return trigger.error();
  o.trigger = *trigger;
  if (!r.leverage().empty()) {
    const auto n = parse_integer<int>(r.leverage());
    if (!n || *n < 1) return bad(where, "leverage", fmt::format("'{}' is not a leverage level such as \"2\"", r.leverage()));
    o.leverage = r.leverage();
  }
  if (r.margin() && !o.leverage) {
    // The order manager's one request shape carries margin as a leverage level (REST's form).
    return unserved(where, "margin", "a margin order needs its leverage level here; set leverage");
  }
  o.reduce_only = r.reduce_only();
  auto stp = word<kraken::SelfTradePrevention>(r.stp_type(), where, "stp_type");
  if (!stp) return stp.error();
  o.stp = *stp;
  std::string flags;
  for (int i = 0; i < r.oflags_size(); ++i) {
    auto f = contract_word(static_cast<v1::OrderFlag>(r.oflags(i)), fmt::format("{}oflags[{}]", where, i));
    if (!f) return f.error();
    if (*f) flags += (flags.empty() ? "" : ",") + **f;
  }
  auto parsed = kraken::parse_oflags(flags);
  if (!parsed) return bad(where, "oflags", parsed.error().detail);
  o.flags.post = parsed->post || r.post_only();
  o.flags.fcib = parsed->fcib;
  o.flags.fciq = parsed->fciq;
  o.flags.nompp = parsed->nompp;
  if (parsed->viqc) {
    if (o.flags.viqc) return bad(where, "oflags", "VIQC and cash_order_qty say the same: use one");
    o.flags.viqc = true;
  }
  auto tif = word<kraken::TimeInForce>(r.time_in_force(), where, "time_in_force");
  if (!tif) return tif.error();
  o.time_in_force = *tif;
  auto start = rest_time_of(r.start_time(), where, "start_time");
  if (!start) return start.error();
  o.starttm = *start;
  auto expire = rest_time_of(r.expire_time(), where, "expire_time");
  if (!expire) return expire.error();
  o.expiretm = *expire;
  if (!r.cl_ord_id().empty()) o.cl_ord_id = r.cl_ord_id();
  if (r.has_userref()) o.userref = r.userref();
  if (!r.display_volume().empty()) {
    if (auto e = check_decimal(where, "display_volume", r.display_volume())) return *e;
    o.displayvol = r.display_volume();
  }
  if (r.has_close()) {
    const auto& c = r.close();
    auto ct = word<kraken::OrderType>(c.order_type(), where, "close.order_type");
    if (!ct) return ct.error();
    if (!*ct) return bad(where, "close.order_type", "required for a conditional close");
    kraken::CloseOrder close;
    close.type = **ct;
    if (!c.price().empty()) {
      if (auto e = check_price(where, "close.price", c.price())) return *e;
      close.price = c.price();
    }
    if (!c.price2().empty()) {
      if (auto e = check_price(where, "close.price2", c.price2())) return *e;
      close.price2 = c.price2();
    }
    o.close = std::move(close);
  }
  if (!r.sender_sub_id().empty())
    return unserved(where, "sender_sub_id", "not carried by this gateway's order manager yet");
  if (!o.cl_ord_id && !o.userref) o.cl_ord_id = oms::make_cl_ord_id();
  // Kraken's own combination rules, in the contract's names.
  if (auto ok = kraken::check(o, where); !ok) return in_contract_terms(ok.error());
  return o;
}

// The leaf of a field path ("orders[1].displayvol" -> "displayvol") and what comes before it.
std::pair<std::string_view, std::string_view> split_leaf(std::string_view path) {
  const auto dot = path.rfind('.');
  if (dot == std::string_view::npos) return {{}, path};
  return {path.substr(0, dot + 1), path.substr(dot + 1)};
}

}  // namespace

result<oms::Route> route_of(v1::Route route) {
  switch (route) {
    case v1::ROUTE_AUTO: return oms::Route::automatic;
    case v1::ROUTE_WS: return oms::Route::ws_only;
    case v1::ROUTE_REST: return oms::Route::rest_only;
    default: break;
  }
  return Error(errc::invalid_argument, fmt::format("route: {} is not a Route", static_cast<int>(route)));
}

v1::Route route_of(oms::EntryPath path) { return path == oms::EntryPath::ws ? v1::ROUTE_WS : v1::ROUTE_REST; }

result<std::optional<std::string>> deadline_of(const v1::TimeSpec& t, std::string_view field, WallTime now) {
  switch (t.when_case()) {
    case v1::TimeSpec::WHEN_NOT_SET: return std::optional<std::string>{};
    case v1::TimeSpec::kAtTimeNs:
      if (t.at_time_ns() <= 0) return bad({}, field, "at_time_ns must be a positive unix time");
      return std::optional<std::string>(format_rfc3339(WallTime{std::chrono::nanoseconds(t.at_time_ns())}, 3));
    case v1::TimeSpec::kAfterNs:
      if (t.after_ns() <= 0) return bad({}, field, "after_ns must be positive");
      return std::optional<std::string>(format_rfc3339(now + std::chrono::nanoseconds(t.after_ns()), 3));
  }
  return std::optional<std::string>{};
}

result<kraken::OrderRequest> order_of(const v1::PlaceOrderRequest& r, const Instrument& pair, WallTime now) {
  auto o = common_of(r, {});
  if (!o) return o;
  o->pair = pair.rest_key;
  auto deadline = deadline_of(r.deadline(), "deadline", now);
  if (!deadline) return deadline.error();
  o->deadline = *deadline;
  o->validate = r.validate();
  if (!r.asset_class().empty()) o->asset_class = r.asset_class();
  if (!r.broker().empty()) o->broker = r.broker();
  return o;
}

result<kraken::OrderRequest> order_of(const v1::BatchOrder& b, std::string_view where, WallTime /*now*/) {
  return common_of(b, where);
}

result<kraken::AmendRequest> amend_of(const v1::AmendOrderRequest& r, WallTime now) {
  kraken::AmendRequest a;
  switch (r.target_case()) {
    case v1::AmendOrderRequest::kTxid:
      if (r.txid().empty()) return bad({}, "txid", "empty order id");
      a.txid = r.txid();
      break;
    case v1::AmendOrderRequest::kClOrdId:
      if (r.cl_ord_id().empty()) return bad({}, "cl_ord_id", "empty cl_ord_id");
      a.cl_ord_id = r.cl_ord_id();
      break;
    case v1::AmendOrderRequest::TARGET_NOT_SET: return bad({}, "txid", "the order to amend is required (txid or cl_ord_id)");
  }
  if (r.has_order_qty()) {
    if (auto e = check_decimal({}, "order_qty", r.order_qty())) return *e;
    a.order_qty = r.order_qty();
  }
  if (r.has_display_qty()) {
    if (auto e = check_decimal({}, "display_qty", r.display_qty())) return *e;
    a.display_qty = r.display_qty();
  }
  if (r.has_limit_price()) {
    if (auto e = check_price({}, "limit_price", r.limit_price())) return *e;
    a.limit_price = r.limit_price();
  }
  if (r.has_trigger_price()) {
    if (auto e = check_price({}, "trigger_price", r.trigger_price())) return *e;
    a.trigger_price = r.trigger_price();
  }
  a.post_only = r.post_only();
  auto deadline = deadline_of(r.deadline(), "deadline", now);
  if (!deadline) return deadline.error();
  a.deadline = *deadline;
  if (!r.pair().empty()) a.pair = r.pair();
  if (auto ok = kraken::check(a); !ok) return in_contract_terms(ok.error());
  return a;
}

result<kraken::EditRequest> edit_of(const v1::EditOrderRequest& r, const Instrument& pair, WallTime now) {
  kraken::EditRequest e;
  switch (r.target_case()) {
    case v1::EditOrderRequest::kTxid:
      if (r.txid().empty()) return bad({}, "txid", "empty order id");
      e.txid = r.txid();
      break;
    case v1::EditOrderRequest::kUserref: e.txid = std::to_string(r.userref()); break;  // REST takes it as txid
    case v1::EditOrderRequest::TARGET_NOT_SET: return bad({}, "txid", "the order to edit is required (txid or userref)");
  }
  e.pair = pair.rest_key;
  if (!r.volume().empty()) {
    if (auto x = check_decimal({}, "volume", r.volume())) return *x;
    e.volume = r.volume();
  }
  if (!r.display_volume().empty()) {
    if (auto x = check_decimal({}, "display_volume", r.display_volume())) return *x;
    e.displayvol = r.display_volume();
  }
  if (!r.price().empty()) {
    if (auto x = check_price({}, "price", r.price())) return *x;
    e.price = r.price();
  }
  if (!r.price2().empty()) {
    if (auto x = check_price({}, "price2", r.price2())) return *x;
    e.price2 = r.price2();
  }
  for (int i = 0; i < r.oflags_size(); ++i) {
    auto f = contract_word(static_cast<v1::OrderFlag>(r.oflags(i)), fmt::format("oflags[{}]", i));
    if (!f) return f.error();
    if (!*f) continue;
    if (**f != "post") return bad({}, fmt::format("oflags[{}]", i), "EditOrder changes only the post flag");
    e.post_only = true;
  }
  auto deadline = deadline_of(r.deadline(), "deadline", now);
  if (!deadline) return deadline.error();
  e.deadline = *deadline;
  e.cancel_response = r.cancel_response();
  e.validate = r.validate();
  if (r.has_new_userref()) e.userref = r.new_userref();
  if (!r.asset_class().empty()) e.asset_class = r.asset_class();
  if (r.has_reduce_only()) return unserved({}, "reduce_only", "not carried by this gateway's order manager yet");
  if (auto ok = kraken::check(e); !ok) return in_contract_terms(ok.error());
  return e;
}

result<kraken::CancelRequest> cancel_of(const v1::CancelOrderRequest& r) {
  kraken::CancelRequest c;
  switch (r.target_case()) {
    case v1::CancelOrderRequest::kTxid:
      if (r.txid().empty()) return bad({}, "txid", "empty order id");
      c.txids.push_back(r.txid());
      break;
    case v1::CancelOrderRequest::kUserref: c.userrefs.push_back(r.userref()); break;
    case v1::CancelOrderRequest::kClOrdId:
      if (r.cl_ord_id().empty()) return bad({}, "cl_ord_id", "empty cl_ord_id");
      c.cl_ord_ids.push_back(r.cl_ord_id());
      break;
    case v1::CancelOrderRequest::TARGET_NOT_SET:
      return bad({}, "txid", "the order to cancel is required (txid, userref or cl_ord_id)");
  }
  return c;
}

result<kraken::CancelRequest> cancel_of(const v1::BatchCancelRequest& r) {
  kraken::CancelRequest c;
  for (int i = 0; i < r.txids_size(); ++i) {
    if (r.txids(i).empty()) return bad({}, fmt::format("txids[{}]", i), "empty order id");
    c.txids.push_back(r.txids(i));
  }
  for (int i = 0; i < r.cl_ord_ids_size(); ++i) {
    if (r.cl_ord_ids(i).empty()) return bad({}, fmt::format("cl_ord_ids[{}]", i), "empty cl_ord_id");
    c.cl_ord_ids.push_back(r.cl_ord_ids(i));
  }
  c.userrefs.assign(r.userrefs().begin(), r.userrefs().end());
  if (c.size() == 0) return bad({}, "txids", "at least one order id, userref or cl_ord_id");
  if (c.size() > 50) return bad({}, "txids", fmt::format("{} ids: at most 50 in total", c.size()));
  return c;
}

std::optional<std::string> bound_of(const v1::TimeOrId& b) {
  switch (b.bound_case()) {
    case v1::TimeOrId::kTimeNs: return Decimal::from_fixed(b.time_ns(), 9).normalized().to_string();
    case v1::TimeOrId::kId: return b.id();
    case v1::TimeOrId::BOUND_NOT_SET: break;
  }
  return std::nullopt;
}

result<kraken::Params> rebase_of(const std::string& value) {
  if (value.empty()) return kraken::Params{};
  if (value != "rebased" && value != "base")
    return bad({}, "rebase_multiplier", fmt::format("'{}' is not \"rebased\" or \"base\"", value));
  return kraken::Params{{"rebase_multiplier", value}};
}

std::string contract_field(std::string_view kraken_field) {
  // Kraken's REST parameter names that the contract spells otherwise.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kNames{{
      {"displayvol", "display_volume"},
      {"timeinforce", "time_in_force"},
      {"expiretm", "expire_time"},
      {"starttm", "start_time"},
      {"stptype", "stp_type"},
      {"ordertype", "order_type"},
      {"type", "side"},
      {"order_id", "txid"},
  }};
  const auto [head, leaf] = split_leaf(kraken_field);
  for (const auto& [k, c] : kNames)
    if (leaf == k) return fmt::format("{}{}", head, c);
  return std::string(kraken_field);
}

Error in_contract_terms(Error e) {
  if (!e.is(errc::invalid_argument)) return e;
  const auto colon = e.detail.find(": ");
  if (colon == std::string::npos) return e;
  const std::string field = contract_field(std::string_view(e.detail).substr(0, colon));
  e.detail = field + e.detail.substr(colon);
  return e;
}

}  // namespace kgw::gateway
