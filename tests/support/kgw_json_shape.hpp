#pragma once
// Test helper: compares the shape of a JSON document with a reference (Kraken's documentation
// examples): the same keys with the same JSON types. Objects keyed by ids (pairs, assets, txids)
// are compared entry by entry: a key present in every reference entry must be in each of ours.
// null on either side is compatible (Kraken prints refid/reason as null or "None").

#include <simdjson.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

namespace kgw::test {

using simdjson::dom::element;
using simdjson::dom::element_type;


inline bool id_like(std::string_view k) {
  static const std::regex re("^[A-Z0-9][A-Z0-9.]*(-[A-Z0-9]+)*$");
  return std::regex_match(std::string(k), re);
}

inline bool is_map(element e) {
  if (e.type() != element_type::OBJECT) return false;
  auto obj = e.get_object().value();
  if (obj.size() == 0) return false;
  for (auto [k, v] : obj)
    if (!id_like(k)) return false;
  return true;
}

inline std::string type_name(element e) {
  switch (e.type()) {
    case element_type::ARRAY: return "array";
    case element_type::OBJECT: return "object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: return "number";
    case element_type::STRING: return "string";
    case element_type::BOOL: return "bool";
    case element_type::NULL_VALUE: return "null";
  }
  return "?";
}

inline void compare_shape(element docs, element ours, const std::string& path, std::vector<std::string>& problems) {
  // null on either side is compatible (Kraken prints refid/reason as null or "None").
  if (docs.type() == element_type::NULL_VALUE || ours.type() == element_type::NULL_VALUE) return;
  if (type_name(docs) != type_name(ours)) {
    problems.push_back(path + ": docs " + type_name(docs) + ", ours " + type_name(ours));
    return;
  }
  if (docs.type() == element_type::OBJECT) {
    if (is_map(docs)) {
      auto d = docs.get_object().value();
      auto o = ours.get_object().value();
      if (o.size() == 0) {
        problems.push_back(path + ": ours is an empty map, the docs have entries");
        return;
      }
      // Keys present in every docs entry, compared against every entry of ours.
      std::set<std::string> common;
      bool first = true;
      for (auto [k, v] : d) {
        if (v.type() != element_type::OBJECT) {
          for (auto [ok, ov] : o) compare_shape(v, ov, path + "." + std::string(ok), problems);
          return;
        }
        std::set<std::string> keys;
        const simdjson::dom::object obj_kk = v.get_object().value();
        for (auto [kk, vv] : obj_kk) keys.insert(std::string(kk));
        if (first) common = keys;
        else {
          std::set<std::string> both;
          for (const auto& x : keys)
            if (common.count(x)) both.insert(x);
          common = both;
        }
        first = false;
      }
      element sample = d.begin().value();
      for (auto [ok, ov] : o) {
        if (ov.type() != element_type::OBJECT) {
          problems.push_back(path + "." + std::string(ok) + ": not an object");
          continue;
        }
        for (const auto& key : common) {
          auto mine = ov[key];
          if (mine.error()) {
            problems.push_back(path + "." + std::string(ok) + ": missing key " + key);
            continue;
          }
          compare_shape(sample[key].value(), mine.value(), path + "." + std::string(ok) + "." + key, problems);
        }
      }
      return;
    }
    const simdjson::dom::object obj_k = docs.get_object().value();
    for (auto [k, v] : obj_k) {
      auto mine = ours[k];
      if (mine.error()) {
        problems.push_back(path + ": missing key " + std::string(k));
        continue;
      }
      compare_shape(v, mine.value(), path + "." + std::string(k), problems);
    }
    return;
  }
  if (docs.type() == element_type::ARRAY) {
    auto d = docs.get_array().value();
    auto o = ours.get_array().value();
    if (d.size() == 0) return;
    if (o.size() == 0) {
      problems.push_back(path + ": ours is empty, the docs have elements");
      return;
    }
    element d0 = d.at(0).value();
    if (d0.type() == element_type::ARRAY || d0.type() == element_type::OBJECT) {
      std::size_t i = 0;
      for (element oe : o) compare_shape(d0, oe, path + "[" + std::to_string(i++) + "]", problems);
    } else {
      if (d.size() != o.size()) problems.push_back(path + ": tuple of " + std::to_string(d.size()) + " vs " + std::to_string(o.size()));
      for (std::size_t i = 0; i < std::min(d.size(), o.size()); ++i)
        compare_shape(d.at(i).value(), o.at(i).value(), path + "[" + std::to_string(i) + "]", problems);
    }
  }
}


// Compares two documents by value: objects key by key in any order, arrays in order, numbers
// by value (1.20 == 1.2), everything else exactly. Differences go to `problems` with their path.
inline void compare_values(element want, element got, const std::string& path, std::vector<std::string>& problems) {
  if (type_name(want) != type_name(got)) {
    problems.push_back(path + ": want " + type_name(want) + ", got " + type_name(got));
    return;
  }
  switch (want.type()) {
    case element_type::OBJECT: {
      const simdjson::dom::object w = want.get_object().value(), g = got.get_object().value();
      for (auto [k, v] : w) {
        auto other = g.at_key(k);
        if (other.error()) problems.push_back(path + "." + std::string(k) + ": missing");
        else compare_values(v, other.value(), path + "." + std::string(k), problems);
      }
      for (auto [k, v] : g)
        if (w.at_key(k).error()) problems.push_back(path + "." + std::string(k) + ": not expected");
      return;
    }
    case element_type::ARRAY: {
      const simdjson::dom::array w = want.get_array().value(), g = got.get_array().value();
      if (w.size() != g.size()) {
        problems.push_back(path + ": " + std::to_string(w.size()) + " items wanted, " + std::to_string(g.size()) + " got");
        return;
      }
      for (std::size_t i = 0; i < w.size(); ++i) compare_values(w.at(i).value(), g.at(i).value(), path + "[" + std::to_string(i) + "]", problems);
      return;
    }
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      if (want.get_double().value() != got.get_double().value())
        problems.push_back(path + ": want " + simdjson::minify(want) + ", got " + simdjson::minify(got));
      return;
    default:
      if (simdjson::minify(want) != simdjson::minify(got))
        problems.push_back(path + ": want " + simdjson::minify(want) + ", got " + simdjson::minify(got));
  }
}

}  // namespace kgw::test
