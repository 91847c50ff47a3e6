#include "kgw/core/kraken/reference_data.hpp"

#include <fmt/format.h>

#include "kgw/core/kraken/json.hpp"

namespace kgw::kraken {
namespace {

using simdjson::ondemand::object;
using simdjson::ondemand::value;

// Iterates the `result` object of an envelope, calling fn(key, object) for each entry.
template <class Fn>
result<void> for_each_result_entry(std::string_view json, std::string_view what, Fn&& fn) {
  simdjson::padded_string padded(json);
  simdjson::ondemand::parser parser;
  auto res = unwrap_envelope(parser, padded, nullptr);
  if (!res) return res.error();
  // `res` points inside `padded`, whose padding follows the document: parse it in place.
  const std::size_t offset = static_cast<std::size_t>(res->data() - padded.data());
  simdjson::ondemand::parser inner;
  simdjson::ondemand::document doc;
  if (auto e = inner.iterate(res->data(), res->size(), padded.size() + simdjson::SIMDJSON_PADDING - offset).get(doc))
    return json_error(e, what);
  object obj;
  if (auto e = doc.get_object().get(obj)) return json_error(e, what);
  for (auto field : obj) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return json_error(e, what);
    object entry;
    if (auto e = field.value().get_object().get(entry)) return json_error(e, key);
    if (auto r = fn(key, entry); !r) return r;
  }
  return {};
}

result<int> read_small_int(value v, std::string_view field) {
  auto r = read_int(v, field);
  if (!r) return r.error();
  return static_cast<int>(*r);
}

result<std::vector<int>> read_int_array(value v, std::string_view field) {
  std::vector<int> out;
  simdjson::ondemand::array arr;
  if (auto e = v.get_array().get(arr)) return json_error(e, field);
  for (auto item : arr) {
    std::int64_t x = 0;
    if (auto e = item.get_int64().get(x)) return json_error(e, field);
    out.push_back(static_cast<int>(x));
  }
  return out;
}

// [[volume, percent], ...]
result<std::vector<FeeTier>> read_fees(value v, std::string_view field) {
  std::vector<FeeTier> out;
  simdjson::ondemand::array arr;
  if (auto e = v.get_array().get(arr)) return json_error(e, field);
  for (auto tier_v : arr) {
    simdjson::ondemand::array tier;
    if (auto e = tier_v.get_array().get(tier)) return json_error(e, field);
    FeeTier t;
    int i = 0;
    for (auto x : tier) {
      value xv;
      if (auto e = x.get(xv)) return json_error(e, field);
      auto d = read_decimal(xv, field);
      if (!d) return d.error();
      (i == 0 ? t.volume : t.percent) = *d;
      ++i;
    }
    if (i != 2) return Error(errc::parse_error, fmt::format("{}: a fee tier has {} elements", field, i));
    out.push_back(t);
  }
  return out;
}

// Assigns the outcome of a typed read or returns its error from the enclosing lambda.
#define KGW_READ(target, expr)          \
  do {                                  \
    auto kgw_r_ = (expr);               \
    if (!kgw_r_) return kgw_r_.error(); \
    target = std::move(*kgw_r_);        \
  } while (0)

}  // namespace

result<std::vector<Asset>> parse_assets_response(std::string_view json) {
  std::vector<Asset> out;
  auto r = for_each_result_entry(json, "Assets", [&](std::string_view id, object& o) -> result<void> {
    Asset a;
    a.id = std::string(id);
    for (auto field : o) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return json_error(e, id);
      value v;
      if (auto e = field.value().get(v)) return json_error(e, key);
      if (key == "aclass") KGW_READ(a.aclass, read_string(v, key));
      else if (key == "altname") KGW_READ(a.altname, read_string(v, key));
      else if (key == "decimals") KGW_READ(a.decimals, read_small_int(v, key));
      else if (key == "display_decimals") KGW_READ(a.display_decimals, read_small_int(v, key));
      else if (key == "collateral_value") KGW_READ(a.collateral_value, read_decimal(v, key));
      else if (key == "status") KGW_READ(a.status, read_string(v, key));
    }
    out.push_back(std::move(a));
    return {};
  });
  if (!r) return r.error();
  return out;
}

result<std::vector<Instrument>> parse_asset_pairs_response(std::string_view json) {
  std::vector<Instrument> out;
  auto r = for_each_result_entry(json, "AssetPairs", [&](std::string_view key_id, object& o) -> result<void> {
    Instrument in;
    in.rest_key = std::string(key_id);
    std::optional<Decimal> tick, ordermin;
    for (auto field : o) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return json_error(e, key_id);
      value v;
      if (auto e = field.value().get(v)) return json_error(e, key);
      if (key == "altname") KGW_READ(in.altname, read_string(v, key));
      else if (key == "wsname") KGW_READ(in.wsname, read_string(v, key));
      else if (key == "aclass_base") KGW_READ(in.aclass_base, read_string(v, key));
      else if (key == "aclass_quote") KGW_READ(in.aclass_quote, read_string(v, key));
      else if (key == "base") KGW_READ(in.base_asset, read_string(v, key));
      else if (key == "quote") KGW_READ(in.quote_asset, read_string(v, key));
      else if (key == "cost_decimals") KGW_READ(in.cost_precision, read_small_int(v, key));
      else if (key == "pair_decimals") KGW_READ(in.price_precision, read_small_int(v, key));
      else if (key == "lot_decimals") KGW_READ(in.qty_precision, read_small_int(v, key));
      else if (key == "lot_multiplier") KGW_READ(in.lot_multiplier, read_small_int(v, key));
      else if (key == "leverage_buy") KGW_READ(in.leverage_buy, read_int_array(v, key));
      else if (key == "leverage_sell") KGW_READ(in.leverage_sell, read_int_array(v, key));
      else if (key == "fees") KGW_READ(in.fees_taker, read_fees(v, key));
      else if (key == "fees_maker") KGW_READ(in.fees_maker, read_fees(v, key));
      else if (key == "fee_volume_currency") KGW_READ(in.fee_volume_currency, read_string(v, key));
      else if (key == "margin_call") KGW_READ(in.margin_call, read_small_int(v, key));
      else if (key == "margin_stop") KGW_READ(in.margin_stop, read_small_int(v, key));
      else if (key == "ordermin") KGW_READ(ordermin, read_decimal(v, key));
      else if (key == "costmin") KGW_READ(in.cost_min, read_decimal(v, key));
      else if (key == "tick_size") KGW_READ(tick, read_decimal(v, key));
      else if (key == "status") {
        std::string s;
        KGW_READ(s, read_string(v, key));
        in.status = parse_pair_status(s);
      } else if (key == "long_position_limit") KGW_READ(in.long_position_limit, read_int(v, key));
      else if (key == "short_position_limit") KGW_READ(in.short_position_limit, read_int(v, key));
      else if (key == "execution_venue") KGW_READ(in.execution_venue, read_string(v, key));
    }
    if (tick) {
      auto t = tick->to_fixed(in.price_precision);
      if (!t) return Error(errc::parse_error, fmt::format("{}: tick_size {} finer than pair_decimals {}", key_id, tick->to_string(), in.price_precision));
      in.price_increment = *t > 0 ? *t : 1;
    }
    if (ordermin) {
      auto m = ordermin->to_fixed(in.qty_precision);
      if (!m) return Error(errc::parse_error, fmt::format("{}: ordermin {} finer than lot_decimals {}", key_id, ordermin->to_string(), in.qty_precision));
      in.qty_min = *m;
    }
    out.push_back(std::move(in));
    return {};
  });
  if (!r) return r.error();
  return out;
}

#undef KGW_READ

result<void> load_registry(InstrumentRegistry& registry, std::string_view assets_json, std::string_view asset_pairs_json) {
  auto assets = parse_assets_response(assets_json);
  if (!assets) return assets.error();
  auto pairs = parse_asset_pairs_response(asset_pairs_json);
  if (!pairs) return pairs.error();
  return registry.load(std::move(*assets), std::move(*pairs));
}

}  // namespace kgw::kraken
