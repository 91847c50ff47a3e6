#pragma once
// The contract's enums and Kraken's words, through the enum value names: every kgw.v1 enum that
// stands for a Kraken word names its values as that word upper-cased behind the enum's prefix
// (SIDE_BUY, ORDER_TYPE_STOP_LOSS_LIMIT, TIME_IN_FORCE_GTC), and core's vocabulary reads any
// spelling leniently (case, `-` for `_`). So a request's enum goes to core's word by its name and
// parse_word, and a word comes back by its spelling and the enum's descriptor: no second table
// of Kraken's words exists here. Pure functions; any thread.

#include <google/protobuf/generated_enum_reflection.h>

#include <fmt/format.h>

#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kgw/core/error.hpp"
#include "kgw/core/kraken/vocabulary.hpp"

namespace kgw::gateway {

// The prefix of an enum's value names: its zero value's name without "UNSPECIFIED".
template <class P>
std::string_view enum_prefix() {
  const auto* d = google::protobuf::GetEnumDescriptor<P>();
  const std::string& zero = d->FindValueByNumber(0)->name();
  const auto at = zero.rfind("UNSPECIFIED");
  return std::string_view(zero).substr(0, at == std::string::npos ? 0 : at);
}

// A request's enum value as a word of Kraken's (`SIDE_SELL` -> "sell"); nullopt for the zero
// value (the documented default); invalid_argument naming `field` for a number the enum lacks.
template <class P>
result<std::optional<std::string>> contract_word(P value, std::string_view field) {
  const auto* d = google::protobuf::GetEnumDescriptor<P>();
  const auto* v = d->FindValueByNumber(static_cast<int>(value));
  if (!v) return Error(errc::invalid_argument, fmt::format("{}: {} is not a {}", field, static_cast<int>(value), d->name()));
  if (v->number() == 0) return std::optional<std::string>{};
  std::string word(std::string_view(v->name()).substr(enum_prefix<P>().size()));
  for (auto& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::optional<std::string>(std::move(word));
}

// The same into core's typed word (`ORDER_TYPE_STOP_LOSS` -> OrderType::stop_loss).
template <class E, class P>
result<std::optional<E>> word_of_named(P value, std::string_view field) {
  auto w = contract_word(value, field);
  if (!w) return w.error();
  if (!*w) return std::optional<E>{};
  if (auto e = kraken::parse_word<E>(**w)) return std::optional<E>(*e);
  return Error(errc::invalid_argument, fmt::format("{}: {} has no Kraken word", field, **w));
}

// word_of_named's answer for a value that has one (nullptr for a value that is an error), worked
// out once per enum by word_of_named itself: a request then pays an array index instead of a
// descriptor lookup, a string and parse_word per field (PlaceOrder's checks: 28 -> 23 us p50).
template <class E, class P>
const std::optional<E>* known_word(P value) {
  static const std::vector<std::optional<std::optional<E>>> table = [] {
    constexpr int kMaxNumber = 255;  // the contract's word enums are small and dense
    std::vector<std::optional<std::optional<E>>> t;
    const auto* d = google::protobuf::GetEnumDescriptor<P>();
    for (int i = 0; i < d->value_count(); ++i) {
      const int n = d->value(i)->number();
      if (n < 0 || n > kMaxNumber) continue;
      if (static_cast<std::size_t>(n) >= t.size()) t.resize(static_cast<std::size_t>(n) + 1);
      if (auto w = word_of_named<E>(static_cast<P>(n), {})) t[static_cast<std::size_t>(n)] = *w;
    }
    return t;
  }();
  const auto n = static_cast<std::size_t>(static_cast<int>(value));
  return static_cast<int>(value) >= 0 && n < table.size() && table[n] ? &*table[n] : nullptr;
}

template <class E, class P>
result<std::optional<E>> word_of(P value, std::string_view field) {
  if (const auto* w = known_word<E>(value)) return *w;
  return word_of_named<E>(value, field);
}

// A word as Kraken spelt it ("stop-loss-limit", "GTC", "partially_filled", "any position") as
// the contract's enum value; the zero value when the enum has no such word.
template <class P>
P proto_of_text(std::string_view kraken_text) {
  std::string name(enum_prefix<P>());
  for (char c : kraken_text)
    name.push_back(c == '-' || c == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  const auto* v = google::protobuf::GetEnumDescriptor<P>()->FindValueByName(name);
  return static_cast<P>(v ? v->number() : 0);
}

// Core's typed word as the contract's enum value (`WsOrderStatus::new_` -> EXEC_ORDER_STATUS_NEW).
template <class P, class E>
P proto_of(E word) {
  return proto_of_text<P>(kraken::rest_spelling(word));
}

// A word Kraken sent: its known value, else its raw text (a word this build does not type).
template <class P, class E>
P proto_of(const kraken::Word<E>& w) {
  return w.value ? proto_of<P>(*w.value) : proto_of_text<P>(w.raw);
}

}  // namespace kgw::gateway
