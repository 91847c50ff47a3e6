#include "kgw/core/kraken/orders.hpp"

#include <fmt/format.h>

#include "kgw/core/decimal.hpp"
#include "kgw/core/json_writer.hpp"

namespace kgw::kraken {
namespace {

Error bad(std::string_view where, std::string_view field, std::string_view why) {
  return Error(errc::invalid_argument, fmt::format("{}{}: {}", where, field, why));
}

// Kraken's cl_ord_id (PROTOCOL.md §3.5): a long UUID (36 with dashes), a short one (32 hex), or
// free ASCII text of at most 18 characters.
bool valid_cl_ord_id(std::string_view id) noexcept {
  if (id.empty()) return false;
  for (char c : id)
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) return false;
  if (id.size() <= 18) return true;
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
  if (id.size() == 32) {
    for (char c : id)
      if (!hex(c)) return false;
    return true;
  }
  if (id.size() == 36) {
    for (std::size_t i = 0; i < id.size(); ++i) {
      const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? id[i] != '-' : !hex(id[i])) return false;
    }
    return true;
  }
  return false;
}

// The optional text fields an order has both in AddOrder and in a batch entry, in Kraken's names
// and in the order they are written.
template <class Fn>
void each_optional_field(const OrderRequest& o, Fn&& fn) {
  auto word = [](const auto& w) -> std::optional<std::string> {
    if (!w) return std::nullopt;
    return std::string(rest_spelling(*w));
  };
  fn("price", o.price);
  fn("price2", o.price2);
  fn("displayvol", o.displayvol);
  fn("trigger", word(o.trigger));
  fn("leverage", o.leverage);
  fn("stptype", word(o.stp));
  fn("timeinforce", word(o.time_in_force));
  fn("starttm", o.starttm);
  fn("expiretm", o.expiretm);
  fn("cl_ord_id", o.cl_ord_id);
}

}  // namespace

std::string format_oflags(const OrderFlags& f) {
  std::string out;
  auto add = [&out](bool on, std::string_view name) {
    if (!on) return;
    if (!out.empty()) out += ',';
    out += name;
  };
  add(f.post, "post");
  add(f.fcib, "fcib");
  add(f.fciq, "fciq");
  add(f.viqc, "viqc");
  add(f.nompp, "nompp");
  return out;
}

result<OrderFlags> parse_oflags(std::string_view list) {
  OrderFlags f;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const std::string_view flag = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (flag == "post") f.post = true;
    else if (flag == "fcib") f.fcib = true;
    else if (flag == "fciq") f.fciq = true;
    else if (flag == "viqc") f.viqc = true;
    else if (flag == "nompp") f.nompp = true;
    else return bad({}, "oflags", fmt::format("unknown flag '{}'", flag));
  }
  return f;
}

result<void> check(const OrderRequest& o, std::string_view where) {
  if (o.volume.empty()) return bad(where, "volume", "required");
  if (o.cl_ord_id && o.userref) return bad(where, "cl_ord_id", "cl_ord_id and userref are mutually exclusive");
  if (o.cl_ord_id && !valid_cl_ord_id(*o.cl_ord_id))
    return bad(where, "cl_ord_id", "a UUID (36 characters with dashes, or 32 hex) or at most 18 ASCII characters");
  if (o.time_in_force == TimeInForce::gtd && !o.expiretm) return bad(where, "expiretm", "required with timeinforce GTD");
  if (o.flags.fcib && o.flags.fciq) return bad(where, "oflags", "fcib and fciq are mutually exclusive");
  // An iceberg shows displayvol of its volume; other types have no visible part to set.
  if (o.type == OrderType::iceberg && !o.displayvol) return bad(where, "displayvol", "required for an iceberg order");
  if (o.type != OrderType::iceberg && o.displayvol) return bad(where, "displayvol", "only iceberg orders take one");
  return {};
}

result<void> check(const AmendRequest& a) {
  if (a.txid.has_value() == a.cl_ord_id.has_value()) return bad({}, "txid", "exactly one of txid and cl_ord_id");
  if (!a.order_qty && !a.display_qty && !a.limit_price && !a.trigger_price)
    return bad({}, "order_qty", "nothing to amend (order_qty, display_qty, limit_price or trigger_price)");
  return {};
}

result<void> check(const EditRequest& e) {
  if (e.txid.empty()) return bad({}, "txid", "required");
  if (e.pair.empty()) return bad({}, "pair", "required");
  return {};
}

result<void> check_batch(std::string_view pair, const std::vector<OrderRequest>& orders) {
  if (pair.empty()) return bad({}, "pair", "required");
  if (orders.size() < 2 || orders.size() > 15) return bad({}, "orders", "2 to 15 per batch");
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const auto& o = orders[i];
    const std::string where = fmt::format("orders[{}].", i);
    if (auto ok = check(o, where); !ok) return ok.error();
    if (!o.pair.empty() && o.pair != pair) return bad(where, "pair", "a batch is one pair");
    if (o.deadline) return bad(where, "deadline", "set the batch's deadline instead");
    if (o.validate) return bad(where, "validate", "set the batch's validate instead");
    if (o.asset_class || o.broker) return bad(where, o.asset_class ? "asset_class" : "broker", "not a batch order field");
  }
  return {};
}

result<Params> rest_add_order(const OrderRequest& o) {
  if (o.pair.empty()) return bad({}, "pair", "required");
  if (auto ok = check(o); !ok) return ok.error();
  Params p;
  p.emplace_back("pair", o.pair);
  p.emplace_back("type", rest_spelling(o.side));
  p.emplace_back("ordertype", rest_spelling(o.type));
  p.emplace_back("volume", o.volume);
  auto opt = [&](const char* k, const std::optional<std::string>& v) {
    if (v) p.emplace_back(k, *v);
  };
  each_optional_field(o, opt);
  opt("deadline", o.deadline);
  opt("asset_class", o.asset_class);
  opt("broker", o.broker);
  if (o.userref) p.emplace_back("userref", std::to_string(*o.userref));
  if (o.reduce_only) p.emplace_back("reduce_only", "true");
  if (o.validate) p.emplace_back("validate", "true");
  if (o.flags.any()) p.emplace_back("oflags", format_oflags(o.flags));
  // Form encoding of the conditional close: close[ordertype], close[price], close[price2].
  if (o.close) {
    p.emplace_back("close[ordertype]", rest_spelling(o.close->type));
    opt("close[price]", o.close->price);
    opt("close[price2]", o.close->price2);
  }
  return p;
}

result<std::string> rest_add_order_batch(std::string_view pair, const std::vector<OrderRequest>& orders, bool validate,
                                         const std::optional<std::string>& deadline) {
  if (auto ok = check_batch(pair, orders); !ok) return ok.error();
  JsonWriter w;
  w.begin_object().field("pair", pair).key("orders").begin_array();
  for (const auto& o : orders) {
    w.begin_object().field("type", rest_spelling(o.side)).field("ordertype", rest_spelling(o.type)).field("volume", o.volume);
    auto opt = [&](const char* k, const std::optional<std::string>& v) {
      if (v) w.field(k, *v);
    };
    each_optional_field(o, opt);
    if (o.userref) w.field("userref", *o.userref);
    if (o.reduce_only) w.field("reduce_only", true);
    if (o.flags.any()) w.field("oflags", format_oflags(o.flags));
    if (o.close) {
      w.key("close").begin_object().field("ordertype", rest_spelling(o.close->type));
      opt("price", o.close->price);
      opt("price2", o.close->price2);
      w.end_object();
    }
    w.end_object();
  }
  w.end_array();
  if (deadline) w.field("deadline", *deadline);
  if (validate) w.field("validate", true);
  w.end_object();
  return w.take();
}

result<Params> rest_amend_order(const AmendRequest& a) {
  if (auto ok = check(a); !ok) return ok.error();
  Params p;
  auto opt = [&](const char* k, const std::optional<std::string>& v) {
    if (v) p.emplace_back(k, *v);
  };
  opt("txid", a.txid);
  opt("cl_ord_id", a.cl_ord_id);
  opt("order_qty", a.order_qty);
  opt("display_qty", a.display_qty);
  opt("limit_price", a.limit_price);
  opt("trigger_price", a.trigger_price);
  opt("deadline", a.deadline);
  opt("pair", a.pair);
  if (a.post_only) p.emplace_back("post_only", "true");
  return p;
}

result<Params> rest_edit_order(const EditRequest& e) {
  if (auto ok = check(e); !ok) return ok.error();
  Params p{{"txid", e.txid}, {"pair", e.pair}};
  auto opt = [&](const char* k, const std::optional<std::string>& v) {
    if (v) p.emplace_back(k, *v);
  };
  opt("volume", e.volume);
  opt("displayvol", e.displayvol);
  opt("price", e.price);
  opt("price2", e.price2);
  opt("deadline", e.deadline);
  opt("asset_class", e.asset_class);
  if (e.userref) p.emplace_back("userref", std::to_string(*e.userref));
  if (e.post_only) p.emplace_back("oflags", "post");
  if (e.cancel_response) p.emplace_back("cancel_response", "true");
  if (e.validate) p.emplace_back("validate", "true");
  return p;
}

result<Params> rest_cancel_order(const CancelRequest& c) {
  if (c.size() != 1) return bad({}, "txid", "CancelOrder takes exactly one order id, userref or cl_ord_id");
  if (!c.txids.empty()) {
    if (c.txids[0].empty()) return bad({}, "txid", "empty order id");
    return Params{{"txid", c.txids[0]}};
  }
  if (!c.userrefs.empty()) return Params{{"txid", std::to_string(c.userrefs[0])}};
  if (c.cl_ord_ids[0].empty()) return bad({}, "cl_ord_id", "empty cl_ord_id");
  return Params{{"cl_ord_id", c.cl_ord_ids[0]}};
}

result<std::string> rest_cancel_order_batch(const CancelRequest& c) {
  if (c.size() == 0) return bad({}, "orders", "nothing to cancel");
  if (c.size() > 50) return bad({}, "orders", "at most 50 per batch");
  JsonWriter w;
  w.begin_object();
  if (!c.txids.empty() || !c.userrefs.empty()) {
    w.key("orders").begin_array();
    for (const auto& id : c.txids) {
      if (id.empty()) return bad({}, "orders", "empty order id");
      w.value(id);
    }
    // A userref (int32) is an integer on the wire; an order id is a string.
    for (auto u : c.userrefs) w.value(u);
    w.end_array();
  }
  if (!c.cl_ord_ids.empty()) {
    w.key("cl_ord_ids").begin_array();
    for (const auto& id : c.cl_ord_ids) {
      if (id.empty()) return bad({}, "cl_ord_ids", "empty cl_ord_id");
      w.value(id);
    }
    w.end_array();
  }
  w.end_object();
  return w.take();
}

result<std::optional<WallTime>> resolve_rest_time(std::string_view text, WallTime now, std::string_view field) {
  if (text == "0") return std::optional<WallTime>{};
  const bool relative = !text.empty() && text.front() == '+';
  const auto secs = parse_integer<std::int64_t>(relative ? text.substr(1) : text);
  if (!secs || *secs < 0)
    return bad({}, field, fmt::format("'{}' is not 0, unix seconds or +seconds", text));
  const std::chrono::seconds s(*secs);
  return std::optional<WallTime>{relative ? now + s : WallTime{s}};
}

result<SplitPrice> split_rest_price(std::string_view text, std::string_view field) {
  SplitPrice out;
  std::string_view t = text;
  if (t.empty()) return bad({}, field, "empty price");
  if (t.front() == '#') return bad({}, field, "a '#' offset has no WS v2 form (send it over REST)");
  const bool offset = t.front() == '+' || t.front() == '-';
  const bool negative = t.front() == '-';
  if (offset) t.remove_prefix(1);
  const bool pct = !t.empty() && t.back() == '%';
  if (pct) t.remove_suffix(1);
  if (!Decimal::parse(t) || t.empty() || t.front() == '-' || t.front() == '+')
    return bad({}, field, fmt::format("'{}' is not a price (a number, +/- offset, optional %)", text));
  out.type = pct ? PriceType::pct : offset ? PriceType::quote : PriceType::absolute;
  out.number = negative ? "-" + std::string(t) : std::string(t);
  return out;
}

}  // namespace kgw::kraken
