#pragma once
// Helpers for Kraken's JSON shapes (simdjson ondemand). Only core/kraken/ and files named
// kraken_* include this (DESIGN.md §2).

#include "kgw/core/decimal.hpp"
#include "kgw/core/error.hpp"

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

namespace kgw::kraken {

// The raw text of a JSON number token without the whitespace simdjson leaves after it.
std::string_view trim_token(std::string_view raw) noexcept;

// A decimal that Kraken writes either as a string (REST: "0.0001") or a number (WS v2 and some
// REST fields: 0.26, 1e-08). Never goes through double.
result<Decimal> read_decimal(simdjson::ondemand::value v, std::string_view field);
// As read_decimal but at a fixed precision (exact).
result<std::int64_t> read_fixed(simdjson::ondemand::value v, int precision, std::string_view field);
result<std::int64_t> read_int(simdjson::ondemand::value v, std::string_view field);
result<std::string> read_string(simdjson::ondemand::value v, std::string_view field);

// Parses Kraken's REST envelope {"error":[...],"result":...}. If error[] holds an `E...` string
// the call failed: errc::exchange_error carrying the strings verbatim. Otherwise returns the raw
// JSON text of `result` (a view into `json`), ready for a second, typed parse.
result<std::string_view> unwrap_envelope(simdjson::ondemand::parser& parser, const simdjson::padded_string& json,
                                         std::vector<std::string>* warnings = nullptr);

// Maps a simdjson error to a parse_error naming where it happened.
Error json_error(simdjson::error_code e, std::string_view where);

}  // namespace kgw::kraken
