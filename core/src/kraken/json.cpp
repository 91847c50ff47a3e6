#include "kgw/core/kraken/json.hpp"

#include <fmt/format.h>

namespace kgw::kraken {

std::string_view trim_token(std::string_view raw) noexcept {
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t'))
    raw.remove_suffix(1);
  return raw;
}

Error json_error(simdjson::error_code e, std::string_view where) {
  return Error(errc::parse_error, fmt::format("{}: {}", where, simdjson::error_message(e)));
}

namespace {

// The decimal text of a value that is either a JSON string or a JSON number.
result<std::string_view> decimal_text(simdjson::ondemand::value& v, std::string_view field) {
  simdjson::ondemand::json_type t;
  if (auto e = v.type().get(t)) return json_error(e, field);
  if (t == simdjson::ondemand::json_type::string) {
    std::string_view s;
    if (auto e = v.get_string().get(s)) return json_error(e, field);
    return s;
  }
  if (t == simdjson::ondemand::json_type::number) return trim_token(v.raw_json_token());
  return Error(errc::parse_error, fmt::format("{}: expected a decimal string or number", field));
}

}  // namespace

result<Decimal> read_decimal(simdjson::ondemand::value v, std::string_view field) {
  auto text = decimal_text(v, field);
  if (!text) return text.error();
  auto d = Decimal::parse(*text);
  if (!d) return Error(errc::parse_error, fmt::format("{}: '{}' is not a decimal", field, text->substr(0, 64)));
  return *d;
}

result<std::int64_t> read_fixed(simdjson::ondemand::value v, int precision, std::string_view field) {
  auto text = decimal_text(v, field);
  if (!text) return text.error();
  return parse_fixed_checked(*text, precision, field);
}

result<std::int64_t> read_int(simdjson::ondemand::value v, std::string_view field) {
  std::int64_t out = 0;
  if (auto e = v.get_int64().get(out)) return json_error(e, field);
  return out;
}

result<std::string> read_string(simdjson::ondemand::value v, std::string_view field) {
  std::string_view s;
  if (auto e = v.get_string().get(s)) return json_error(e, field);
  return std::string(s);
}

result<std::string_view> unwrap_envelope(simdjson::ondemand::parser& parser, const simdjson::padded_string& json,
                                         std::vector<std::string>* warnings) {
  simdjson::ondemand::document doc;
  if (auto e = parser.iterate(json).get(doc)) return json_error(e, "response");
  simdjson::ondemand::object root;
  if (auto e = doc.get_object().get(root)) return json_error(e, "response");
  std::vector<std::string> errors;
  std::string_view result_text;
  bool has_result = false;
  for (auto field : root) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return json_error(e, "response key");
    simdjson::ondemand::value v;
    if (auto e = field.value().get(v)) return json_error(e, key);
    if (key == "error") {
      simdjson::ondemand::json_type t;
      if (auto e = v.type().get(t)) return json_error(e, "error");
      if (t == simdjson::ondemand::json_type::array) {
        simdjson::ondemand::array arr;
        if (auto e = v.get_array().get(arr)) return json_error(e, "error");
        for (auto item : arr) {
          std::string_view s;
          if (auto e = item.get_string().get(s)) return json_error(e, "error[]");
          errors.emplace_back(s);
        }
      } else if (t == simdjson::ondemand::json_type::string) {
        // Seen in the wild (ccxt): a bare string instead of an array.
        std::string_view s;
        if (auto e = v.get_string().get(s)) return json_error(e, "error");
        errors.emplace_back(s);
      }
    } else if (key == "result") {
      // simdjson 3.0 has raw_json() on objects and arrays only; scalars give their token.
      simdjson::ondemand::json_type t;
      if (auto e = v.type().get(t)) return json_error(e, "result");
      simdjson::error_code e = simdjson::SUCCESS;
      if (t == simdjson::ondemand::json_type::object) {
        simdjson::ondemand::object o;
        e = v.get_object().get(o);
        if (!e) e = o.raw_json().get(result_text);
      } else if (t == simdjson::ondemand::json_type::array) {
        simdjson::ondemand::array a;
        e = v.get_array().get(a);
        if (!e) e = a.raw_json().get(result_text);
      } else {
        result_text = v.raw_json_token();
      }
      if (e) return json_error(e, "result");
      has_result = true;
    }
  }
  bool failed = false;
  for (const auto& s : errors) {
    if (!s.empty() && s.front() == 'E') failed = true;
    else if (warnings) warnings->push_back(s);
  }
  if (failed) {
    Error err(errc::exchange_error, "Kraken returned an error");
    err.kraken = KrakenError::from_strings(std::move(errors));
    return err;
  }
  if (!has_result) return Error(errc::parse_error, "response: no result and no error");
  return trim_token(result_text);
}

}  // namespace kgw::kraken
