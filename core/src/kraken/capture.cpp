// Recordings of Kraken's WS v2 stream: recognising the form, and reading entries (raw frames and
// journal lines) with simdjson, in place where the text allows.
#include "kgw/core/kraken/capture.hpp"

#include <simdjson.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace kgw::kraken {
namespace {

namespace od = simdjson::ondemand;

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}

// Calls `each` with every line of `text` (without its '\n'), numbered from 1.
template <class F>
void for_each_line(std::string_view text, F&& each) {
  std::uint64_t n = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    each(text.substr(0, nl), ++n);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

// The entries of a document recording (an array of entries, or {"init":…,"updates":[…]}), each
// minified onto a line of its own; nullopt if `text` is not one. Numbers are minified as text,
// never re-printed from a double: a book's checksum is over the digits Kraken wrote.
std::optional<std::pair<CaptureForm, std::string>> document_entries(std::string_view text) {
  const simdjson::padded_string padded(text);
  simdjson::dom::parser validator;
  simdjson::dom::element root;
  // Full validation first: the ondemand walk below only looks at what it needs.
  if (validator.parse(padded).get(root)) return std::nullopt;
  if (!root.is_array() && !root.is_object()) return std::nullopt;

  od::parser parser;
  od::document doc;
  if (parser.iterate(padded).get(doc)) return std::nullopt;
  std::vector<std::string_view> entries;
  auto raw = [](od::value v, std::string_view& out) {
    // raw_json() exists on objects and arrays only in simdjson 3.0; a scalar entry is kept as
    // its token, and the entry reader says it is not an object.
    od::json_type t;
    if (v.type().get(t)) return false;
    if (t == od::json_type::object) {
      od::object o;
      return !v.get_object().get(o) && !o.raw_json().get(out);
    }
    if (t == od::json_type::array) {
      od::array a;
      return !v.get_array().get(a) && !a.raw_json().get(out);
    }
    out = v.raw_json_token();
    return true;
  };
  CaptureForm form = CaptureForm::array;
  if (root.is_array()) {
    od::array arr;
    if (doc.get_array().get(arr)) return std::nullopt;
    for (auto el : arr) {
      od::value v;
      std::string_view r;
      if (el.get(v) || !raw(v, r)) return std::nullopt;
      entries.push_back(r);
    }
  } else {
    form = CaptureForm::init_updates;
    od::object obj;
    if (doc.get_object().get(obj)) return std::nullopt;
    std::optional<std::string_view> init;
    std::vector<std::string_view> updates;
    bool has_updates = false;
    for (auto f : obj) {
      od::field field;
      std::string_view key;
      if (std::move(f).get(field) || field.unescaped_key().get(key)) return std::nullopt;
      if (key == "init") {
        std::string_view r;
        if (!raw(field.value(), r)) return std::nullopt;
        init = r;
      } else if (key == "updates") {
        od::array arr;
        if (field.value().get_array().get(arr)) return std::nullopt;
        for (auto el : arr) {
          od::value v;
          std::string_view r;
          if (el.get(v) || !raw(v, r)) return std::nullopt;
          updates.push_back(r);
        }
        has_updates = true;
      }
    }
    // Any other object is a single-line NDJSON recording (one frame), not a capture.
    if (!init || !has_updates) return std::nullopt;
    entries.push_back(*init);  // the snapshot first, wherever the file put it
    entries.insert(entries.end(), updates.begin(), updates.end());
  }

  std::string out;
  out.reserve(text.size());
  for (std::string_view e : entries) {
    const std::size_t at = out.size();
    out.resize(at + e.size());
    std::size_t n = 0;
    if (simdjson::minify(e.data(), e.size(), out.data() + at, n)) return std::nullopt;
    out.resize(at + n);
    out += '\n';
  }
  return std::pair{form, std::move(out)};
}

// Whether `text` may be a document rather than NDJSON. An NDJSON recording's first line is a
// complete value by itself; a document's first line (pretty-printed) is not, or it is the only
// line. Deciding this from the first line keeps a long journal from being parsed whole twice.
bool maybe_document(std::string_view text) {
  const std::string_view all = trim(text);
  if (all.empty() || (all.front() != '[' && all.front() != '{')) return false;
  const std::size_t nl = all.find('\n');
  if (nl == std::string_view::npos) return true;
  const std::string_view first = trim(all.substr(0, nl));
  simdjson::dom::parser p;
  return p.parse(simdjson::padded_string(first)).error() != simdjson::SUCCESS;
}

}  // namespace

struct CaptureEntryReader::Impl {
  simdjson::dom::parser validator;
  od::parser parser;
  std::string buf;  // the entry plus simdjson's padding
};

CaptureEntryReader::CaptureEntryReader() : impl_(std::make_unique<Impl>()) {}
CaptureEntryReader::~CaptureEntryReader() = default;

CaptureEntry CaptureEntryReader::read(std::string_view text, std::uint64_t line) {
  CaptureEntry e;
  e.line = line;
  text = trim(text);
  if (text.empty() || text.front() == '#') return e;  // skipped
  auto malformed = [&](const char* why) {
    e.kind = CaptureEntry::Kind::malformed;
    e.error = why;
    return e;
  };
  std::string& buf = impl_->buf;
  buf.assign(text);
  // Spaces keep simdjson's read-ahead inert.
  buf.append(simdjson::SIMDJSON_PADDING, ' ');
  const char* base = buf.data();
  simdjson::dom::element root;
  if (impl_->validator.parse(base, text.size(), false).get(root) || !root.is_object())
    return malformed("not a JSON object");

  od::document doc;
  od::object obj;
  if (impl_->parser.iterate(simdjson::padded_string_view(base, text.size(), buf.size())).get(doc) ||
      doc.get_object().get(obj))
    return malformed("not a JSON object");
  std::string_view frame;
  bool channel_like = false;
  for (auto f : obj) {
    od::field field;
    std::string_view key;
    if (std::move(f).get(field) || field.unescaped_key().get(key)) return malformed("not a JSON object");
    if (key == "frame") {
      od::object fo;
      std::string_view raw;
      if (field.value().get_object().get(fo) || fo.raw_json().get(raw)) return malformed("journal `frame` is not an object");
      frame = trim(raw);
    } else if (key == "recv_ns") {
      std::int64_t ns = 0;
      if (field.value().get_int64().get(ns)) return malformed("journal `recv_ns` is not an integer");
      e.recv_ns = ns;
    } else if (key == "channel" || key == "method") {
      channel_like = true;
    }
  }
  e.kind = CaptureEntry::Kind::frame;
  if (!frame.empty()) {
    e.journal = true;
    e.frame = text.substr(static_cast<std::size_t>(frame.data() - base), frame.size());
    return e;
  }
  if (e.recv_ns) return malformed("journal entry without `frame`");
  if (!channel_like) return malformed("neither a WS v2 frame nor a journal entry");
  e.frame = text;
  return e;
}

result<Capture> Capture::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(errc::not_found, "cannot open recording " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Error(errc::parse_error, "cannot read recording " + path);
  return parse(std::move(ss).str());
}

Capture Capture::parse(std::string content) {
  Capture c;
  if (maybe_document(content)) {
    if (auto doc = document_entries(content)) {
      c.form_ = doc->first;
      content = std::move(doc->second);
    }
  }
  c.size_ = content.size();
  content.append(simdjson::SIMDJSON_PADDING, ' ');
  c.buffer_ = std::make_unique<std::string>(std::move(content));
  return c;
}

void Capture::for_each(const std::function<void(const CaptureEntry&)>& each) const {
  CaptureEntryReader reader;
  for_each_line(text(), [&](std::string_view line, std::uint64_t n) { each(reader.read(line, n)); });
}

}  // namespace kgw::kraken
