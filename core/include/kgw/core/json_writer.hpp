#pragma once
// JsonWriter: appends compact JSON to a std::string with correct escaping and commas, and writes
// fixed-point numbers as JSON numbers or strings without going through double. Used to build
// Kraken requests (WS v2 methods) and, in the simulator, Kraken responses. Not thread-safe; reuse
// one writer (clear()) to avoid allocations on hot paths.

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "kgw/core/decimal.hpp"

namespace kgw {

class JsonWriter {
 public:
  JsonWriter() { out_.reserve(256); }
  void clear() noexcept {
    out_.clear();
    need_comma_ = false;
  }
  const std::string& str() const noexcept { return out_; }
  std::string take() {
    need_comma_ = false;
    return std::move(out_);
  }

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }

  // Object member name; the next value call writes its value.
  JsonWriter& key(std::string_view k) {
    comma();
    quoted(k);
    out_ += ':';
    need_comma_ = false;
    return *this;
  }

  JsonWriter& value(std::string_view s) {
    comma();
    quoted(s);
    return done();
  }
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(bool b) {
    comma();
    out_ += b ? "true" : "false";
    return done();
  }
  template <class Int>
    requires(std::is_integral_v<Int> && !std::is_same_v<Int, bool>)
  JsonWriter& value(Int v) {
    comma();
    char buf[24];
    out_.append(buf, static_cast<std::size_t>(std::to_chars(buf, buf + sizeof buf, v).ptr - buf));
    return done();
  }
  JsonWriter& null() {
    comma();
    out_ += "null";
    return done();
  }
  // A fixed-point value as a JSON number (WS v2 style: 45285.2, 0.00100000).
  JsonWriter& number(std::int64_t mantissa, int precision) {
    comma();
    char buf[kMaxFormattedChars];
    out_.append(buf, format_fixed(mantissa, precision, buf));
    return done();
  }
  // A fixed-point value as a JSON string (REST style: "45285.2").
  JsonWriter& decimal_string(std::int64_t mantissa, int precision) {
    comma();
    char buf[kMaxFormattedChars];
    out_ += '"';
    out_.append(buf, format_fixed(mantissa, precision, buf));
    out_ += '"';
    return done();
  }
  // Pre-formatted JSON (a nested document built elsewhere); written as is.
  JsonWriter& raw(std::string_view json) {
    comma();
    out_ += json;
    return done();
  }

  // Shorthands for "key":value.
  template <class T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

 private:
  JsonWriter& open(char c) {
    comma();
    out_ += c;
    need_comma_ = false;
    return *this;
  }
  JsonWriter& close(char c) {
    out_ += c;
    return done();
  }
  JsonWriter& done() {
    need_comma_ = true;
    return *this;
  }
  void comma() {
    if (need_comma_) out_ += ',';
  }
  void quoted(std::string_view s) {
    out_ += '"';
    for (char c : s) {
      switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            static constexpr char kHex[] = "0123456789abcdef";
            out_ += "\\u00";
            out_ += kHex[(c >> 4) & 0xF];
            out_ += kHex[c & 0xF];
          } else {
            out_ += c;
          }
      }
    }
    out_ += '"';
  }

  std::string out_;
  bool need_comma_ = false;
};

}  // namespace kgw
