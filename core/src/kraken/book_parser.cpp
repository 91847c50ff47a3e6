// WS v2 `book` and `instrument` frames (PROTOCOL.md §6.2–§6.4) read with one reused simdjson
// ondemand parser. Book numbers are taken as the raw JSON number token and converted with
// parse_fixed, never through double (PROTOCOL.md §7.2: the checksum is over the decimal text at
// the pair's precision).
#include "kgw/core/kraken/book_parser.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <cstring>
#include <limits>

#include "kgw/core/decimal.hpp"
#include "kgw/core/kraken/json.hpp"
#include "kgw/core/kraken/json_end.hpp"

namespace kgw::kraken {
namespace {

namespace od = simdjson::ondemand;

// Levels a depth-1000 snapshot carries per side; reserving them up front keeps the first big
// snapshot from allocating on the feed thread.
constexpr std::size_t kReservedLevels = 1024;

enum class Channel : std::uint8_t { none, book, instrument, other };

Channel channel_of(std::string_view name) noexcept {
  if (name == "book") return Channel::book;
  if (name == "instrument") return Channel::instrument;
  return Channel::other;
}

Error parse_error(std::string detail) { return Error(errc::parse_error, std::move(detail)); }

// One side's levels, as number text. A free function with internal linkage rather than a
// member of Impl: GCC may then rewrite its signature (an IPA-SRA clone, the ondemand value passed
// in registers). As a member it cost 11% of BM_FeedParseCapture once BookLevelText became a
// public type (bench/README.md).
result<void> read_levels(od::value v, std::vector<BookLevelText>& out, const char* side) {
  od::array arr;
  if (auto e = v.get_array().get(arr)) return json_error(e, fmt::format("book `{}` is not an array", side));
  for (auto e_level : arr) {
    od::object level;
    if (auto e = e_level.get_object().get(level))
      return json_error(e, fmt::format("book {}[{}] is not an object", side, out.size()));
    BookLevelText raw;
    for (auto f : level) {
      od::field field;
      if (auto e = std::move(f).get(field)) return json_error(e, fmt::format("book {}[{}]", side, out.size()));
      const od::raw_json_string key = field.key();
      const bool is_price = key == "price";
      if (!is_price && !(key == "qty")) continue;
      od::value nv = field.value();
      od::json_type t;
      if (auto e = nv.type().get(t)) return json_error(e, fmt::format("book {}[{}]", side, out.size()));
      // Kraken v2 writes numbers; a string here is another protocol (v1) or a corrupted frame.
      if (t != od::json_type::number)
        return parse_error(fmt::format("book {}[{}].{} is not a JSON number", side, out.size(), is_price ? "price" : "qty"));
      (is_price ? raw.price : raw.qty) = trim_token(nv.raw_json_token());
    }
    if (raw.price.empty() || raw.qty.empty())
      return parse_error(fmt::format("book {}[{}] without `{}`", side, out.size(), raw.price.empty() ? "price" : "qty"));
    out.push_back(raw);
  }
  return {};
}

}  // namespace

struct KrakenBookParser::Impl {
  od::parser parser;
  // `data` before `channel` (legal JSON, never seen from Kraken) is re-read once the channel is
  // known, with its own parser so the first document's strings stay valid.
  od::parser data_parser;
  std::string buf;  // a copy of the frame plus simdjson's padding, for frames without padding
  const char* doc_end = nullptr;  // end of the readable bytes after the document being parsed

  bool have_book = false;
  std::string_view symbol, timestamp;
  bool snapshot = false;
  bool has_checksum = false;
  std::uint64_t checksum = 0;
  bool has_bids = false, has_asks = false;
  std::vector<BookLevelText> raw_bids, raw_asks;
  std::vector<BookLevel> bids, asks;
  std::vector<InstrumentUpdate> instruments;

  Impl() {
    raw_bids.reserve(kReservedLevels);
    raw_asks.reserve(kReservedLevels);
    bids.reserve(kReservedLevels);
    asks.reserve(kReservedLevels);
  }

  void reset() noexcept {
    have_book = snapshot = has_checksum = has_bids = has_asks = false;
    symbol = timestamp = {};
    checksum = 0;
    raw_bids.clear();
    raw_asks.clear();
    instruments.clear();  // so instruments() never shows an older frame's pairs
  }

  // The frame in place when it has simdjson's padding after it (a WebSocket read buffer, DESIGN
  // §3), else a copy in `buf`.
  simdjson::padded_string_view padded(std::string_view frame, std::size_t padding) {
    if (padding >= simdjson::SIMDJSON_PADDING) {
      doc_end = frame.data() + frame.size() + padding;
      return simdjson::padded_string_view(frame.data(), frame.size(), frame.size() + padding);
    }
    const std::size_t need = frame.size() + simdjson::SIMDJSON_PADDING;
    if (buf.size() < need) buf.resize(need);  // grows only for a bigger frame than any before
    std::memcpy(buf.data(), frame.data(), frame.size());
    // simdjson may read the padding; spaces keep it inert whatever the last frame left there.
    std::memset(buf.data() + frame.size(), ' ', simdjson::SIMDJSON_PADDING);
    doc_end = buf.data() + buf.size();
    return simdjson::padded_string_view(buf.data(), frame.size(), buf.size());
  }

  // A view inside the document re-opened as a padded document (the document's tail is the padding).
  simdjson::padded_string_view padded_inside(std::string_view text) const {
    return simdjson::padded_string_view(text.data(), text.size(), static_cast<std::size_t>(doc_end - text.data()));
  }

  result<FrameKind> parse(std::string_view frame, std::size_t padding);
  result<void> book_data(od::value v);
  result<void> book_item(od::object item);
  result<void> instrument_data(od::value v);
  result<InstrumentUpdate> instrument_pair(od::object pair);
};

result<FrameKind> KrakenBookParser::Impl::parse(std::string_view frame, std::size_t padding) {
  reset();
  od::document doc;
  if (auto e = parser.iterate(padded(frame, padding)).get(doc)) return json_error(e, "frame");
  od::object root;
  if (auto e = doc.get_object().get(root)) return json_error(e, "frame is not a JSON object");

  Channel channel = Channel::none;
  bool method = false;
  std::string_view type;
  bool has_type = false, has_data = false;
  std::string_view deferred;  // raw `data` seen before `channel`
  for (auto f : root) {
    od::field field;
    if (auto e = std::move(f).get(field)) return json_error(e, "frame");
    const od::raw_json_string key = field.key();
    if (key == "channel") {
      std::string_view name;
      if (auto e = field.value().get_string().get(name)) return json_error(e, "`channel`");
      channel = channel_of(name);
    } else if (key == "type") {
      if (auto e = field.value().get_string().get(type)) return json_error(e, "`type`");
      has_type = true;
    } else if (key == "method") {
      method = true;
    } else if (key == "data") {
      has_data = true;
      if (channel == Channel::book) {
        if (auto r = book_data(field.value()); !r) return r.error();
      } else if (channel == Channel::instrument) {
        if (auto r = instrument_data(field.value()); !r) return r.error();
      } else if (channel == Channel::none) {
        od::value v = field.value();
        od::json_type t;
        if (auto e = v.type().get(t)) return json_error(e, "`data`");
        if (t == od::json_type::array) {
          od::array a;
          if (auto e = v.get_array().get(a)) return json_error(e, "`data`");
          if (auto e = a.raw_json().get(deferred)) return json_error(e, "`data`");
        } else if (t == od::json_type::object) {
          od::object o;
          if (auto e = v.get_object().get(o)) return json_error(e, "`data`");
          if (auto e = o.raw_json().get(deferred)) return json_error(e, "`data`");
        }
      }
    }
  }
  if (!at_end(doc)) return parse_error("frame: content after the JSON object");

  if (channel == Channel::none) {
    if (method) return FrameKind::other;
    return parse_error("frame has neither `channel` nor `method`");
  }
  if (channel == Channel::other) return FrameKind::other;
  if (!deferred.empty()) {
    od::document ddoc;
    if (auto e = data_parser.iterate(padded_inside(deferred)).get(ddoc)) return json_error(e, "`data`");
    od::value v;
    if (auto e = ddoc.get_value().get(v)) return json_error(e, "`data`");
    auto r = channel == Channel::book ? book_data(v) : instrument_data(v);
    if (!r) return r.error();
  }
  const char* what = channel == Channel::book ? "book" : "instrument";
  if (!has_type) return parse_error(fmt::format("{} frame without `type`", what));
  if (type != "snapshot" && type != "update")
    return parse_error(fmt::format("{} frame: `type` '{}' is neither snapshot nor update", what, type));
  if (!has_data) return parse_error(fmt::format("{} frame without `data`", what));
  if (channel == Channel::instrument) return FrameKind::instrument;

  snapshot = type == "snapshot";
  if (symbol.empty()) return parse_error("book frame without `symbol`");
  if (!has_checksum) return parse_error(fmt::format("book frame for {} without `checksum`", symbol));
  if (!has_bids || !has_asks)
    return parse_error(fmt::format("book frame for {} without `{}`", symbol, has_bids ? "asks" : "bids"));
  have_book = true;
  return FrameKind::book;
}

result<void> KrakenBookParser::Impl::book_data(od::value v) {
  od::array items;
  if (auto e = v.get_array().get(items)) return json_error(e, "book `data` is not an array");
  std::size_t n = 0;
  for (auto item : items) {
    // One book object per message (PROTOCOL.md §6.4); a second one would be a shape we do not
    // know how to order against the first.
    if (++n > 1) return parse_error("book frame with more than one `data` item");
    od::object o;
    if (auto e = item.get_object().get(o)) return json_error(e, "book `data` item is not an object");
    if (auto r = book_item(o); !r) return r;
  }
  if (n == 0) return parse_error("book frame with an empty `data`");
  return {};
}

result<void> KrakenBookParser::Impl::book_item(od::object item) {
  for (auto f : item) {
    od::field field;
    if (auto e = std::move(f).get(field)) return json_error(e, "book item");
    const od::raw_json_string key = field.key();
    if (key == "symbol") {
      if (auto e = field.value().get_string().get(symbol)) return json_error(e, "book `symbol`");
    } else if (key == "checksum") {
      od::value v = field.value();
      // Kraken's book checksum is a CRC32 written as a plain unsigned integer (PROTOCOL.md §7.1).
      // Anything else (beyond 32 or 64 bits, negative, fractional, not a number) is said in
      // those terms, with the text as received, rather than as a JSON type mismatch.
      const std::string_view text = trim_token(v.raw_json_token());
      if (v.get_uint64().get(checksum) != simdjson::SUCCESS || checksum > std::numeric_limits<std::uint32_t>::max())
        return parse_error(fmt::format("book checksum: {} is not a CRC32 (0..{})", text.substr(0, 40),
                                       std::numeric_limits<std::uint32_t>::max()));
      has_checksum = true;
    } else if (key == "timestamp") {
      if (auto e = field.value().get_string().get(timestamp)) return json_error(e, "book `timestamp`");
    } else if (key == "bids") {
      if (auto r = read_levels(field.value(), raw_bids, "bids"); !r) return r;
      has_bids = true;
    } else if (key == "asks") {
      if (auto r = read_levels(field.value(), raw_asks, "asks"); !r) return r;
      has_asks = true;
    }
  }
  return {};
}

result<void> KrakenBookParser::Impl::instrument_data(od::value v) {
  od::object data;
  // Unlike every other channel, `instrument` data is an object (PROTOCOL.md §6.2).
  if (auto e = v.get_object().get(data)) return json_error(e, "instrument `data` is not an object");
  for (auto f : data) {
    od::field field;
    if (auto e = std::move(f).get(field)) return json_error(e, "instrument data");
    if (!(field.key() == "pairs")) continue;
    od::array pairs;
    if (auto e = field.value().get_array().get(pairs)) return json_error(e, "instrument `pairs` is not an array");
    for (auto p : pairs) {
      od::object o;
      if (auto e = p.get_object().get(o)) return json_error(e, "instrument pair is not an object");
      auto u = instrument_pair(o);
      if (!u) return u.error();
      instruments.push_back(std::move(*u));
    }
  }
  return {};
}

result<InstrumentUpdate> KrakenBookParser::Impl::instrument_pair(od::object pair) {
  InstrumentUpdate u;
  auto precision = [](od::value v, std::string_view name, std::optional<int>& out) -> result<void> {
    auto n = read_int(v, name);
    if (!n) return n.error();
    if (*n < 0 || *n > kMaxScale) return parse_error(fmt::format("instrument `{}` {} is outside 0..{}", name, *n, kMaxScale));
    out = static_cast<int>(*n);
    return {};
  };
  auto decimal = [](od::value v, std::string_view name, std::optional<Decimal>& out) -> result<void> {
    auto d = read_decimal(v, name);
    if (!d) return d.error();
    out = *d;
    return {};
  };
  for (auto f : pair) {
    od::field field;
    if (auto e = std::move(f).get(field)) return json_error(e, "instrument pair");
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return json_error(e, "instrument pair");
    od::value v = field.value();
    result<void> r;
    if (key == "symbol" || key == "base" || key == "quote") {
      auto s = read_string(v, key);
      if (!s) return s.error();
      (key == "symbol" ? u.symbol : key == "base" ? u.base : u.quote) = std::move(*s);
    } else if (key == "status") {
      std::string_view s;
      if (auto e = v.get_string().get(s)) return json_error(e, "instrument `status`");
      u.status = parse_pair_status(s);
    } else if (key == "price_precision") {
      r = precision(v, key, u.price_precision);
    } else if (key == "qty_precision") {
      r = precision(v, key, u.qty_precision);
    } else if (key == "cost_precision") {
      r = precision(v, key, u.cost_precision);
    } else if (key == "price_increment") {
      r = decimal(v, key, u.price_increment);
    } else if (key == "qty_increment") {
      r = decimal(v, key, u.qty_increment);
    } else if (key == "qty_min") {
      r = decimal(v, key, u.qty_min);
    } else if (key == "cost_min") {
      r = decimal(v, key, u.cost_min);  // docs type it string, the example writes a number
    } else if (key == "margin_initial") {
      r = decimal(v, key, u.margin_initial);
    } else if (key == "has_index" || key == "marginable") {
      bool b = false;
      if (auto e = v.get_bool().get(b)) return json_error(e, fmt::format("instrument `{}`", key));
      (key == "has_index" ? u.has_index : u.marginable) = b;
    } else if (key == "position_limit_long" || key == "position_limit_short") {
      auto n = read_int(v, key);
      if (!n) return n.error();
      (key == "position_limit_long" ? u.position_limit_long : u.position_limit_short) = *n;
    }
    if (!r) return r.error();
  }
  if (u.symbol.empty()) return parse_error("instrument pair without `symbol`");
  return u;
}

KrakenBookParser::KrakenBookParser() : impl_(std::make_unique<Impl>()) {}
KrakenBookParser::~KrakenBookParser() = default;

result<FrameKind> KrakenBookParser::parse(std::string_view frame, std::size_t padding) { return impl_->parse(frame, padding); }

std::string_view KrakenBookParser::book_symbol() const noexcept { return impl_->symbol; }

const std::vector<InstrumentUpdate>& KrakenBookParser::instruments() const noexcept { return impl_->instruments; }

std::span<const BookLevelText> KrakenBookParser::bid_text() const noexcept { return impl_->raw_bids; }
std::span<const BookLevelText> KrakenBookParser::ask_text() const noexcept { return impl_->raw_asks; }

namespace {

// Converts one side; `out` keeps its capacity across frames.
result<void> convert(std::string_view symbol, const char* side, const std::vector<BookLevelText>& raw, BookPrecision p,
                     std::vector<BookLevel>& out) {
  out.resize(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    auto px = parse_fixed(raw[i].price, p.price);
    auto q = parse_fixed(raw[i].qty, p.qty);
    if (px && q && *px > 0 && *q >= 0) {
      out[i] = BookLevel{*px, *q};
      continue;
    }
    // Cold path: say which level and why.
    const std::string where = fmt::format("book {} {}[{}]", symbol, side, i);
    if (!px) return parse_fixed_checked(raw[i].price, p.price, where + ".price").error();
    if (!q) return parse_fixed_checked(raw[i].qty, p.qty, where + ".qty").error();
    if (*px <= 0) return parse_error(fmt::format("{}.price '{}' is not positive", where, raw[i].price));
    return parse_error(fmt::format("{}.qty '{}' is negative", where, raw[i].qty));
  }
  return {};
}

}  // namespace

result<BookMessage> KrakenBookParser::book_levels(BookPrecision precision) {
  Impl& s = *impl_;
  if (!s.have_book) return Error(errc::invalid_argument, "book_levels: the last frame parsed was not a book frame");
  if (auto r = convert(s.symbol, "bids", s.raw_bids, precision, s.bids); !r) return r.error();
  if (auto r = convert(s.symbol, "asks", s.raw_asks, precision, s.asks); !r) return r.error();
  BookMessage m;
  m.symbol = s.symbol;
  m.snapshot = s.snapshot;
  m.bids = s.bids;
  m.asks = s.asks;
  m.checksum = static_cast<std::uint32_t>(s.checksum);
  m.timestamp = s.timestamp;
  return m;
}

std::optional<BookPrecision> book_precision(const InstrumentUpdate& u) noexcept {
  if (!u.price_precision || !u.qty_precision) return std::nullopt;
  return BookPrecision{*u.price_precision, *u.qty_precision};
}

}  // namespace kgw::kraken
