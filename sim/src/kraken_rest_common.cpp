#include "kraken_rest_common.hpp"

#include <simdjson.h>

#include <fmt/format.h>

#include <charconv>

#include "kgw/core/kraken/json.hpp"

namespace kgw::sim::rest {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Why a JSON request was refused before it reached a handler.
enum class Refusal { none, too_deep, too_many_values };

// Flattens one value into `out`. The recursion is bounded by kMaxRequestDepth, checked before
// descending, so the depth a client sends cannot grow the stack; every prefix is at most
// kMaxRequestDepth segments long, so the prefix strings cost O(depth) per value, not O(depth²)
// in total. Values are capped by kMaxRequestValues, so a wide request cannot grow the map.
simdjson::error_code flatten(simdjson::ondemand::value v, const std::string& prefix, int depth, Params& out,
                             Refusal& refusal) {
  simdjson::ondemand::json_type t;
  if (auto e = v.type().get(t)) return e;
  const bool container = t == simdjson::ondemand::json_type::object || t == simdjson::ondemand::json_type::array;
  if (container && depth >= kMaxRequestDepth) {
    refusal = Refusal::too_deep;
    return simdjson::DEPTH_ERROR;
  }
  if (!container && out.all().size() >= kMaxRequestValues) {
    refusal = Refusal::too_many_values;
    return simdjson::CAPACITY;
  }
  switch (t) {
    case simdjson::ondemand::json_type::object: {
      simdjson::ondemand::object o;
      if (auto e = v.get_object().get(o)) return e;
      for (auto field : o) {
        std::string_view k;
        if (auto e = field.unescaped_key().get(k)) return e;
        simdjson::ondemand::value child;
        if (auto e = field.value().get(child)) return e;
        std::string key = prefix.empty() ? std::string(k) : prefix + "[" + std::string(k) + "]";
        if (auto e = flatten(child, key, depth + 1, out, refusal)) return e;
      }
      return simdjson::SUCCESS;
    }
    case simdjson::ondemand::json_type::array: {
      simdjson::ondemand::array a;
      if (auto e = v.get_array().get(a)) return e;
      std::size_t i = 0;
      for (auto item : a) {
        simdjson::ondemand::value child;
        if (auto e = item.get(child)) return e;
        if (auto e = flatten(child, prefix + "[" + std::to_string(i++) + "]", depth + 1, out, refusal)) return e;
      }
      return simdjson::SUCCESS;
    }
    case simdjson::ondemand::json_type::string: {
      std::string_view s;
      if (auto e = v.get_string().get(s)) return e;
      out.set(prefix, std::string(s));
      return simdjson::SUCCESS;
    }
    case simdjson::ondemand::json_type::number:
      out.set(prefix, std::string(kraken::trim_token(v.raw_json_token())));
      return simdjson::SUCCESS;
    case simdjson::ondemand::json_type::boolean: {
      bool b = false;
      if (auto e = v.get_bool().get(b)) return e;
      out.set(prefix, b ? "true" : "false");
      return simdjson::SUCCESS;
    }
    case simdjson::ondemand::json_type::null:
      return simdjson::SUCCESS;
  }
  return simdjson::SUCCESS;
}

}  // namespace

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') out += ' ';
    else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

Params Params::from_form(std::string_view form) {
  Params p;
  while (!form.empty()) {
    const auto amp = form.find('&');
    std::string_view pair = form.substr(0, amp);
    form = amp == std::string_view::npos ? std::string_view{} : form.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    std::string key = percent_decode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
    p.values_[std::move(key)] = std::move(value);
  }
  return p;
}

result<Params> Params::from_json(std::string_view json) {
  Params p;
  simdjson::padded_string padded(json);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (auto e = parser.iterate(padded).get(doc)) return kraken::json_error(e, "body");
  simdjson::ondemand::value root;
  if (auto e = doc.get_value().get(root)) return kraken::json_error(e, "body");
  Refusal refusal = Refusal::none;
  if (auto e = flatten(root, "", 0, p, refusal)) {
    if (refusal == Refusal::too_deep)
      return Error(errc::parse_error, fmt::format("body: nested deeper than {} levels", kMaxRequestDepth));
    if (refusal == Refusal::too_many_values)
      return Error(errc::parse_error, fmt::format("body: more than {} values", kMaxRequestValues));
    return kraken::json_error(e, "body");
  }
  return p;
}

std::optional<std::string_view> Params::get(std::string_view key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return std::string_view(it->second);
}

bool Params::flag(std::string_view key) const {
  auto v = get(key);
  return v && (*v == "true" || *v == "1" || *v == "True");
}

std::vector<std::string> Params::list(std::string_view key) const {
  std::vector<std::string> out;
  if (auto v = get(key)) {
    std::string_view s = *v;
    while (!s.empty()) {
      const auto comma = s.find(',');
      std::string_view item = s.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) out.emplace_back(item);
      s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
    }
    return out;
  }
  for (std::size_t i = 0;; ++i) {
    auto v = get(std::string(key) + "[" + std::to_string(i) + "]");
    if (!v) break;
    out.emplace_back(*v);
  }
  return out;
}

std::vector<Params> Params::objects(std::string_view key) const {
  std::vector<Params> out;
  for (std::size_t i = 0;; ++i) {
    const std::string prefix = std::string(key) + "[" + std::to_string(i) + "][";
    Params sub;
    for (auto it = values_.lower_bound(prefix); it != values_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      std::string rest = it->first.substr(prefix.size());
      // "price]" -> "price"; "close][price]" -> "close[price]"
      const auto close = rest.find(']');
      if (close == std::string::npos) continue;
      std::string k = rest.substr(0, close) + rest.substr(close + 1);
      sub.values_[k] = it->second;
    }
    if (sub.values_.empty()) break;
    out.push_back(std::move(sub));
  }
  return out;
}

std::optional<std::int64_t> int_value(std::optional<std::string_view> v) {
  if (!v) return std::nullopt;
  std::string_view s = *v;
  if (auto dot = s.find('.'); dot != std::string_view::npos) s = s.substr(0, dot);
  return parse_integer<std::int64_t>(s);
}

std::string ok(std::string_view result_json) {
  std::string out = R"({"error":[],"result":)";
  out += result_json;
  out += '}';
  return out;
}

std::string fail(std::string_view kraken_error) {
  JsonWriter w;
  w.begin_object().key("error").begin_array().value(kraken_error).end_array().end_object();
  return w.take();
}

std::string fail(const Error& e) {
  if (e.kraken && !e.kraken->errors.empty()) {
    JsonWriter w;
    w.begin_object().key("error").begin_array();
    for (const auto& s : e.kraken->errors) w.value(s);
    w.end_array().end_object();
    return w.take();
  }
  // Local errors the simulator cannot express as a Kraken string still use the envelope.
  return fail(e.is(errc::not_supported) ? "EGeneral:Invalid arguments:" + e.detail : "EGeneral:Internal error");
}

}  // namespace kgw::sim::rest
