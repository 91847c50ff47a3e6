// kgw-replay's engine: recorded WS v2 lines (raw frames or journal entries) through the feed's
// parser and Book, counting checksums.
#include "kgw/feed/kraken_book_replay.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <ostream>

#include "kgw/core/decimal.hpp"
#include "kgw/core/kraken/json.hpp"
#include "kgw/core/kraken/json_end.hpp"

namespace kgw::feed {

namespace {

namespace od = simdjson::ondemand;
using kraken::BookApplyResult;
using kraken::FrameKind;

std::string_view trim(std::string_view s) noexcept {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  return s;
}

}  // namespace

// Tells the two line forms apart and unwraps a journal entry's `frame`.
struct KrakenBookReplay::LineReader {
  od::parser parser;
  std::string buf;

  // The frame a line carries; an error if the line is neither form.
  result<std::string_view> frame(std::string_view line) {
    buf.assign(line);
    buf.append(simdjson::SIMDJSON_PADDING, ' ');
    od::document doc;
    od::object obj;
    if (auto e = parser.iterate(simdjson::padded_string_view(buf.data(), line.size(), buf.size())).get(doc))
      return kraken::json_error(e, "line");
    if (auto e = doc.get_object().get(obj)) return kraken::json_error(e, "line is not a JSON object");
    std::string_view framed;
    bool journal = false;
    for (auto f : obj) {
      od::field field;
      if (auto e = std::move(f).get(field)) return kraken::json_error(e, "line");
      const od::raw_json_string key = field.key();
      if (key == "frame") {
        journal = true;
        od::object fo;
        if (field.value().get_object().get(fo) || fo.raw_json().get(framed))
          return Error(errc::parse_error, "journal `frame` is not an object");
      } else if (key == "recv_ns") {
        journal = true;
        std::int64_t ns = 0;
        if (field.value().get_int64().get(ns)) return Error(errc::parse_error, "journal `recv_ns` is not an integer");
      }
    }
    if (!kraken::at_end(doc)) return Error(errc::parse_error, "content after the JSON object");
    if (!journal) return line;  // a raw frame; the frame parser says whether it is one
    if (framed.empty()) return Error(errc::parse_error, "journal entry without `frame`");
    return trim(framed);
  }
};

std::string BookReplayReport::checksum_line() const {
  return fmt::format("checksums: {} verified, {} failed", verified, failed);
}

KrakenBookReplay::KrakenBookReplay(BookReplayOptions options, std::ostream* diagnostics)
    : options_(std::move(options)),
      diag_(diagnostics),
      book_(options_.depth),
      lines_(std::make_unique<LineReader>()) {
  report_.precision = options_.precision;
}

KrakenBookReplay::~KrakenBookReplay() = default;

void KrakenBookReplay::problem(std::uint64_t line_no, const std::string& what) {
  if (diag_ == nullptr || reported_ >= options_.max_reported) return;
  ++reported_;
  *diag_ << "line " << line_no << ": " << what << '\n';
}

void KrakenBookReplay::bad_line(std::uint64_t line_no, std::string why) {
  ++report_.bad_lines;
  problem(line_no, "skipped: " + why);
  if (report_.bad.size() < options_.max_reported) report_.bad.emplace_back(line_no, std::move(why));
}

void KrakenBookReplay::line(std::string_view text, std::uint64_t line_no) {
  ++report_.lines;
  text = trim(text);
  if (text.empty() || text.front() == '#') {
    ++report_.skipped;
    return;
  }
  auto framed = lines_->frame(text);
  if (!framed) return bad_line(line_no, framed.error().message());
  frame(*framed, line_no);
}

void KrakenBookReplay::frame(std::string_view text, std::uint64_t line_no) {
  auto kind = parser_.parse(text);
  if (!kind) {
    // A bad frame of our symbol may have carried a change: the book can no longer be trusted
    // until the next snapshot. The symbol is unknown here, so any bad frame resets it.
    book_.clear();
    return bad_line(line_no, kind.error().message());
  }
  if (*kind == FrameKind::instrument) {
    for (const InstrumentUpdate& u : parser_.instruments()) {
      if (u.symbol != options_.symbol) continue;
      const auto p = kraken::book_precision(u);
      if (!p) continue;
      if (options_.precision) {
        if (*p != *options_.precision)
          problem(line_no, fmt::format("instrument frame says precision {}/{} for {}; keeping {}/{} from the command line",
                                       p->price, p->qty, u.symbol, options_.precision->price, options_.precision->qty));
        continue;
      }
      if (report_.precision && *report_.precision != *p) {
        // Numbers already applied were on the old grid: start over at the next snapshot.
        problem(line_no, fmt::format("precision of {} changes to {}/{}; waiting for a snapshot", u.symbol, p->price, p->qty));
        book_.clear();
      }
      report_.precision = p;
    }
    return;
  }
  if (*kind != FrameKind::book || parser_.book_symbol() != options_.symbol) return;
  ++report_.book_frames;
  if (!report_.precision) {
    if (report_.no_precision++ == 0)
      problem(line_no, fmt::format("book frame for {} before its precision is known (no instrument frame yet; "
                                   "pass --price-precision and --qty-precision)", options_.symbol));
    return;
  }
  auto msg = parser_.book_levels(*report_.precision);
  if (!msg) {
    book_.clear();
    return bad_line(line_no, msg.error().message());
  }
  const BookApplyResult r = book_.apply(*msg);
  report_.dropped_levels += r.dropped;
  if (!r.applied) {
    ++report_.unsynced;
    return;
  }
  if (r.checksum_ok) {
    ++report_.verified;
  } else {
    ++report_.failed;
    if (report_.first_failed_line == 0) report_.first_failed_line = line_no;
    problem(line_no, fmt::format("checksum mismatch for {} ({}): frame says {}, rebuilt book gives {}", options_.symbol,
                                 msg->snapshot ? "snapshot" : "update", r.expected, r.computed));
  }
  if (r.crossed) {
    ++report_.crossed;
    const BookLevel bid = *book_.best_bid(), ask = *book_.best_ask();
    problem(line_no, fmt::format("book of {} is crossed: best bid {} >= best ask {}", options_.symbol,
                                 format_fixed(bid.price, report_.precision->price),
                                 format_fixed(ask.price, report_.precision->price)));
  }
}

namespace {

// A whole-file JSON document instead of NDJSON: an array of frames, or a capture shaped
// {"init": <snapshot frame>, "updates": [<frame>, ...]} (python-kraken-sdk's test capture, the
// one in shared/kraken/fixtures). Each frame is fed as its own line, numbered from 1.
// Returns false if `text` is neither, so the caller reads it as NDJSON.
// The raw text of a JSON object (simdjson 3.0 gives raw_json() on objects and arrays only).
template <class V>
bool object_text(V&& v, std::string_view& out) {
  simdjson::ondemand::object o;
  if (std::forward<V>(v).get_object().get(o)) return true;
  return o.raw_json().get(out) != simdjson::SUCCESS;
}

bool replay_document(const std::string& text, KrakenBookReplay& replay) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || (text[first] != '[' && text[first] != '{')) return false;
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(text);
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) return false;
  std::vector<std::string_view> frames;
  simdjson::ondemand::json_type type;
  if (doc.type().get(type)) return false;
  if (type == simdjson::ondemand::json_type::array) {
    simdjson::ondemand::array arr;
    if (doc.get_array().get(arr)) return false;
    for (auto el : arr) {
      std::string_view raw;
      if (object_text(el, raw)) return false;
      frames.push_back(raw);
    }
  } else {
    simdjson::ondemand::object obj;
    if (doc.get_object().get(obj)) return false;
    bool init = false, updates = false;
    for (auto f : obj) {
      simdjson::ondemand::field field;
      if (std::move(f).get(field)) return false;
      if (field.key() == "init") {
        std::string_view raw;
        if (object_text(field.value(), raw)) return false;
        frames.insert(frames.begin(), raw);
        init = true;
      } else if (field.key() == "updates") {
        simdjson::ondemand::array arr;
        if (field.value().get_array().get(arr)) return false;
        for (auto el : arr) {
          std::string_view raw;
          if (object_text(el, raw)) return false;
          frames.push_back(raw);
        }
        updates = true;
      }
    }
    // One single-line frame in an NDJSON file also starts with '{': only the capture shape counts.
    if (!init || !updates) return false;
  }
  std::uint64_t n = 0;
  for (auto raw : frames) {
    // raw_json() keeps the document's whitespace; a frame must be one line for line().
    std::string one;
    one.reserve(raw.size());
    for (char c : raw)
      if (c != '\n' && c != '\r') one += c;
    replay.line(one, ++n);
  }
  return true;
}

}  // namespace

result<BookReplayReport> replay_book_file(const std::string& path, const BookReplayOptions& options,
                                          std::ostream* diagnostics) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(errc::not_found, "cannot open " + path);
  std::stringstream all;
  all << in.rdbuf();
  if (in.bad()) return Error(errc::parse_error, "cannot read " + path);
  const std::string text = all.str();
  {
    KrakenBookReplay doc_replay(options, diagnostics);
    if (replay_document(text, doc_replay)) return doc_replay.report();
  }
  KrakenBookReplay replay(options, diagnostics);
  std::istringstream lines(text);
  std::string line;
  std::uint64_t n = 0;
  while (std::getline(lines, line)) replay.line(line, ++n);
  return replay.report();
}

}  // namespace kgw::feed
