// kgw-replay's engine: a recording's entries (core's capture reader) through the book-frame
// parser and Book, counting checksums.
#include "kgw/feed/kraken_book_replay.hpp"

#include <fmt/format.h>

#include <ostream>

#include "kgw/core/decimal.hpp"

namespace kgw::feed {

using kraken::BookApplyResult;
using kraken::CaptureEntry;
using kraken::FrameKind;

std::string BookReplayReport::checksum_line() const {
  return fmt::format("checksums: {} verified, {} failed", verified, failed);
}

KrakenBookReplay::KrakenBookReplay(BookReplayOptions options, std::ostream* diagnostics)
    : options_(std::move(options)),
      diag_(diagnostics),
      book_(options_.depth) {
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

void KrakenBookReplay::line(std::string_view text, std::uint64_t line_no) { entry(entries_.read(text, line_no)); }

void KrakenBookReplay::entry(const CaptureEntry& e) {
  ++report_.lines;
  switch (e.kind) {
    case CaptureEntry::Kind::skipped: ++report_.skipped; return;
    case CaptureEntry::Kind::malformed: return bad_line(e.line, e.error);
    case CaptureEntry::Kind::frame: return frame(e.frame, e.line);
  }
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

result<BookReplayReport> replay_book_file(const std::string& path, const BookReplayOptions& options,
                                          std::ostream* diagnostics) {
  auto capture = kraken::Capture::load(path);
  if (!capture) return capture.error();
  KrakenBookReplay replay(options, diagnostics);
  capture->for_each([&](const CaptureEntry& e) { replay.entry(e); });
  return replay.report();
}

}  // namespace kgw::feed
