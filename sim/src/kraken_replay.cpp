// Replay mode: indexing a recording (ReplayFile) and serving it on the public WS v2 endpoint
// (ReplayWsApi). The recording is read by core's capture reader; book and instrument frames by
// core's book-frame parser and books rebuilt with core's Book, as the feed does. Other frames are
// parsed in place inside the capture's buffer, only for the fields a replay needs, and recorded
// frames are forwarded as the exact bytes of the recording.
#include "kgw/sim/kraken_replay.hpp"

#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <functional>

#include "kgw/core/decimal.hpp"
#include "kgw/core/json_writer.hpp"
#include "kgw/core/kraken/book_parser.hpp"
#include "kgw/core/kraken/json.hpp"
#include "kraken_ws_common.hpp"
#include "kraken_ws_subscription.hpp"

namespace kgw::sim {
namespace {

namespace od = simdjson::ondemand;
using kraken::trim_token;

constexpr std::size_t kTradeSnapshotSize = 50;   // Kraken's trade snapshot: the last 50 trades
constexpr std::size_t kCandlesKept = 720;        // per (symbol, interval), as REST OHLC returns
constexpr std::size_t kMalformedKept = 100;

// A string token's content without its quotes (timestamps and symbols carry no escapes).
std::string_view unquote(std::string_view token) {
  token = trim_token(token);
  if (token.size() >= 2 && token.front() == '"' && token.back() == '"') return token.substr(1, token.size() - 2);
  return token;
}

// One `data` item of a frame: the fields a replay uses, views into the capture's buffer.
struct ItemScan {
  std::string_view raw;  // the item's JSON text
  std::string symbol;
  bool has_symbol = false;
  std::string_view timestamp;       // without quotes
  std::string_view interval_begin;  // without quotes; the candle key
  std::optional<std::int64_t> interval;
  void clear() {
    raw = {};
    symbol.clear();
    has_symbol = false;
    timestamp = interval_begin = {};
    interval.reset();
  }
};

struct FrameScan {
  bool has_channel = false;
  std::string channel;
  std::string type;
  std::string_view type_token;  // with quotes, inside the frame
  bool method = false;          // a method response (ack, pong), not a channel frame
  std::string_view timestamp;   // top-level (ohlc)
  bool data_array = false, data_object = false;
  std::vector<ItemScan> items;
  std::size_t n_items = 0;

  void clear() {
    has_channel = method = data_array = data_object = false;
    channel.clear();
    type.clear();
    type_token = timestamp = {};
    n_items = 0;
  }
  ItemScan& add_item() {
    if (n_items == items.size()) items.emplace_back();
    ItemScan& it = items[n_items++];
    it.clear();
    return it;
  }
};

// Reads the routing fields of frames in place. `end` is the end of the padded buffer the views
// live in, so any view inside it can be handed to simdjson without a copy.
class Scanner {
 public:
  explicit Scanner(const char* end) : end_(end) {}

  // The fields of a frame a replay uses (book levels and instrument pairs are the book-frame
  // parser's).
  bool frame(std::string_view text, FrameScan& out, std::string& reason) {
    out.clear();
    od::document doc;
    od::object obj;
    if (frame_parser_.iterate(padded(text)).get(doc) || doc.get_object().get(obj)) {
      reason = "frame is not a JSON object";
      return false;
    }
    for (auto f : obj) {
      od::field field;
      std::string_view key;
      if (std::move(f).get(field) || field.unescaped_key().get(key)) return fail(reason, "frame is not a JSON object");
      od::value v = field.value();
      if (key == "channel") {
        std::string_view s;
        if (v.get_string().get(s)) return fail(reason, "`channel` is not a string");
        out.channel.assign(s);
        out.has_channel = true;
      } else if (key == "type") {
        std::string_view token = trim_token(v.raw_json_token());
        std::string_view s;
        if (v.get_string().get(s)) return fail(reason, "`type` is not a string");
        out.type.assign(s);
        out.type_token = token;
      } else if (key == "method") {
        out.method = true;
      } else if (key == "timestamp") {
        out.timestamp = unquote(v.raw_json_token());
      } else if (key == "data") {
        od::json_type t;
        if (v.type().get(t)) return fail(reason, "bad `data`");
        if (t == od::json_type::array) {
          out.data_array = true;
          od::array arr;
          if (v.get_array().get(arr)) return fail(reason, "bad `data`");
          for (auto e : arr) {
            od::object io;
            std::string_view raw;
            if (e.get_object().get(io) || io.raw_json().get(raw)) return fail(reason, "`data` item is not an object");
            if (!item(trim_token(raw), out.add_item(), reason)) return false;
          }
        } else if (t == od::json_type::object) {
          out.data_object = true;
        }
      }
    }
    return true;
  }

 private:
  static bool fail(std::string& reason, const char* why) {
    reason = why;
    return false;
  }

  simdjson::padded_string_view padded(std::string_view text) const {
    return simdjson::padded_string_view(text.data(), text.size(), static_cast<std::size_t>(end_ - text.data()));
  }

  bool item(std::string_view raw, ItemScan& out, std::string& reason) {
    out.raw = raw;
    od::document doc;
    od::object obj;
    if (item_parser_.iterate(padded(raw)).get(doc) || doc.get_object().get(obj)) return fail(reason, "`data` item is not an object");
    for (auto f : obj) {
      od::field field;
      std::string_view key;
      if (std::move(f).get(field) || field.unescaped_key().get(key)) return fail(reason, "bad `data` item");
      od::value v = field.value();
      if (key == "symbol") {
        std::string_view s;
        if (v.get_string().get(s)) return fail(reason, "`symbol` is not a string");
        out.symbol.assign(s);
        out.has_symbol = true;
      } else if (key == "timestamp") {
        out.timestamp = unquote(v.raw_json_token());
      } else if (key == "interval_begin") {
        out.interval_begin = unquote(v.raw_json_token());
      } else if (key == "interval") {
        std::int64_t n = 0;
        if (v.get_int64().get(n)) return fail(reason, "`interval` is not an integer");
        out.interval = n;
      }
    }
    return true;
  }

  const char* end_;
  od::parser frame_parser_, item_parser_;
};

// The recorded time of a frame: the top-level timestamp (ohlc), else the first item's.
std::optional<std::int64_t> frame_time(const FrameScan& s) {
  std::string_view ts = s.timestamp;
  if (ts.empty() && s.n_items > 0) ts = s.items[0].timestamp;
  if (ts.empty()) return std::nullopt;
  auto t = parse_rfc3339(ts);
  if (!t) return std::nullopt;
  return t->time_since_epoch().count();
}

// What one recorded book frame did to its symbol's book.
enum class BookVerdict : std::uint8_t { verified, failed, unsynced };

// Applies a recorded book frame to the symbol's book as the feed would: core's parser at the
// symbol's grid, then core's Book. A frame whose numbers are off the grid cannot be applied, so
// the book waits for the next snapshot; an update before any snapshot has nothing to check.
BookVerdict apply_recorded(kraken::KrakenBookParser& parser, kraken::Book& book, std::string_view frame,
                           const ReplayBookInfo& info) {
  (void)parser.parse(frame);  // indexed as a book frame, so it parses; book_levels() errs if not
  auto msg = parser.book_levels({info.price_precision, info.qty_precision});
  if (!msg) {
    book.clear();
    return BookVerdict::failed;
  }
  const kraken::BookApplyResult r = book.apply(*msg);
  if (!r.applied) return BookVerdict::unsynced;
  return r.checksum_ok ? BookVerdict::verified : BookVerdict::failed;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// ReplayFile

result<ReplayFile> ReplayFile::load(const std::string& path, ReplayLoadOptions options) {
  auto capture = kraken::Capture::load(path);
  if (!capture) return capture.error();
  if (options.name.empty()) options.name = path;
  return ReplayFile(std::move(*capture), options);
}

ReplayFile ReplayFile::parse(std::string content, ReplayLoadOptions options) {
  return ReplayFile(kraken::Capture::parse(std::move(content)), options);
}

ReplayFile::ReplayFile(kraken::Capture capture, const ReplayLoadOptions& options) : capture_(std::move(capture)) {
  index(options);
  resolve_books(options);
  verify_books();
}

std::uint32_t ReplayFile::intern(std::string_view symbol) {
  if (auto it = symbol_ids_.find(symbol); it != symbol_ids_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(symbols_.size());
  symbols_.emplace_back(symbol);
  symbol_ids_.emplace(std::string(symbol), id);
  return id;
}

std::optional<std::uint32_t> ReplayFile::symbol_index(std::string_view symbol) const {
  auto it = symbol_ids_.find(symbol);
  if (it == symbol_ids_.end()) return std::nullopt;
  return it->second;
}

const ReplayBookInfo* ReplayFile::book_info(std::uint32_t symbol) const {
  auto it = books_.find(symbol);
  return it == books_.end() ? nullptr : &it->second;
}

bool ReplayFile::has(PublicChannel channel, std::uint32_t symbol, int interval) const {
  return present_.count({channel, symbol, channel == PublicChannel::ohlc ? interval : 0}) > 0;
}

namespace {
// What the index pass learns about a symbol's book, to settle its grid afterwards.
struct BookEvidence {
  int price_scale = 0, qty_scale = 0;  // most decimals written
  std::size_t snapshot_levels = 0;     // largest snapshot side
};

// The most decimals the levels of the book frame `parser` just read are written with; nullopt if
// a number is beyond what a Decimal holds (such a frame cannot be put on any grid).
std::optional<std::pair<int, int>> written_scales(const kraken::KrakenBookParser& parser) {
  std::pair<int, int> most{0, 0};
  for (const auto side : {parser.bid_text(), parser.ask_text()})
    for (const kraken::BookLevelText& l : side) {
      const auto price = Decimal::parse(l.price), qty = Decimal::parse(l.qty);
      if (!price || !qty) return std::nullopt;
      most = {std::max(most.first, price->scale), std::max(most.second, qty->scale)};
    }
  return most;
}
}  // namespace

void ReplayFile::index(const ReplayLoadOptions& options) {
  const char* base = capture_.text().data();
  Scanner scan(capture_.padded_end());
  // Book and instrument frames are read as the gateway reads them.
  kraken::KrakenBookParser books;
  FrameScan fs;
  std::string reason;
  std::map<std::uint32_t, BookEvidence> evidence;
  std::map<std::string, std::pair<int, int>, std::less<>> instrument_precisions;
  std::size_t logged = 0;

  auto malformed = [&](std::uint64_t line, std::string why) {
    ++stats_.malformed;
    if (logged < options.max_logged_warnings) {
      ++logged;
      spdlog::warn("kraken-sim replay: {}:{}: skipped malformed line ({})", options.name.empty() ? "<memory>" : options.name,
                   line, why);
    }
    if (stats_.malformed_lines.size() < kMalformedKept) stats_.malformed_lines.emplace_back(line, std::move(why));
  };

  capture_.for_each([&](const kraken::CaptureEntry& e) {
    ++stats_.lines;
    if (e.kind == kraken::CaptureEntry::Kind::skipped) return void(++stats_.skipped);
    if (e.kind == kraken::CaptureEntry::Kind::malformed) return malformed(e.line, e.error);
    const std::string_view frame = e.frame;
    if (!scan.frame(frame, fs, reason)) return malformed(e.line, reason);
    if (fs.method && !fs.has_channel) {
      ++(e.journal ? stats_.journal_lines : stats_.raw_lines);
      ++stats_.responses;
      return;
    }
    if (!fs.has_channel) return malformed(e.line, "frame without `channel`");
    const auto channel = public_channel(fs.channel);
    if (channel && !(*channel == PublicChannel::instrument ? fs.data_object : fs.data_array))
      return malformed(e.line, fmt::format("{} frame without a `data` {}", fs.channel,
                                           *channel == PublicChannel::instrument ? "object" : "array"));
    // Market data frames are about one symbol (and one ohlc interval) in Kraken's v2 stream;
    // a frame that is not cannot be routed to subscribers.
    std::string_view symbol;
    std::optional<std::int64_t> interval;
    if (channel && *channel != PublicChannel::instrument) {
      for (std::size_t i = 0; i < fs.n_items; ++i) {
        const ItemScan& it = fs.items[i];
        if (!it.has_symbol) return malformed(e.line, "`data` item without `symbol`");
        if (i > 0 && it.symbol != symbol) return malformed(e.line, "frame mixes symbols");
        if (*channel == PublicChannel::ohlc && !it.interval) return malformed(e.line, "ohlc item without `interval`");
        if (*channel == PublicChannel::ohlc && i > 0 && it.interval != interval)
          return malformed(e.line, "frame mixes ohlc intervals");
        symbol = it.symbol;
        interval = it.interval;
      }
      if (*channel == PublicChannel::book && fs.n_items == 0) return malformed(e.line, "book frame without data");
    }
    std::optional<std::pair<int, int>> scales;  // book frames: decimals written
    if (channel && (*channel == PublicChannel::book || *channel == PublicChannel::instrument)) {
      if (auto kind = books.parse(frame); !kind) return malformed(e.line, kind.error().message());
      if (*channel == PublicChannel::book && !(scales = written_scales(books)))
        return malformed(e.line, "book price/qty out of range");
    }

    ++(e.journal ? stats_.journal_lines : stats_.raw_lines);
    ++stats_.channels[fs.channel];
    if (!channel) return;  // status, heartbeat, level3, ...: counted, not replayed
    if (*channel != PublicChannel::instrument && fs.n_items == 0) return void(++stats_.unattributed);

    ReplayFrame f;
    f.offset = static_cast<std::uint64_t>(frame.data() - base);
    f.size = static_cast<std::uint32_t>(frame.size());
    if (!fs.type_token.empty()) {
      f.type_offset = static_cast<std::uint32_t>(fs.type_token.data() - frame.data());
      f.type_size = static_cast<std::uint32_t>(fs.type_token.size());
    }
    f.line = e.line;
    f.channel = *channel;
    f.snapshot = fs.type == "snapshot";
    f.time_ns = e.recv_ns ? *e.recv_ns : frame_time(fs).value_or(INT64_MIN);
    if (*channel == PublicChannel::instrument) {
      has_instrument_ = true;
      for (const InstrumentUpdate& u : books.instruments())
        if (const auto p = kraken::book_precision(u)) instrument_precisions.emplace(u.symbol, std::pair{p->price, p->qty});
    } else {
      f.symbol = intern(symbol);
      if (interval) f.interval = static_cast<std::int32_t>(*interval);
      present_.insert({f.channel, f.symbol, f.channel == PublicChannel::ohlc ? f.interval : 0});
    }
    if (f.channel == PublicChannel::book) {
      BookEvidence& ev = evidence[f.symbol];
      if (f.snapshot) ev.snapshot_levels = std::max({ev.snapshot_levels, books.bid_text().size(), books.ask_text().size()});
      ev.price_scale = std::max(ev.price_scale, scales->first);
      ev.qty_scale = std::max(ev.qty_scale, scales->second);
    }
    frames_.push_back(f);
  });
  stats_.frames = frames_.size();

  // Recorded times: frames without one follow their predecessor (line order); leading ones
  // take the first known time. Line order always wins over a time that goes backwards.
  std::int64_t prev = INT64_MIN;
  for (const auto& f : frames_)
    if (f.time_ns != INT64_MIN) {
      prev = f.time_ns;
      break;
    }
  if (prev == INT64_MIN) prev = 0;
  for (auto& f : frames_) {
    if (f.time_ns == INT64_MIN) f.time_ns = prev;
    else if (f.time_ns < prev) {
      f.time_ns = prev;
      ++stats_.times_clamped;
    }
    prev = f.time_ns;
  }

  for (auto& [sym, ev] : evidence) {
    ReplayBookInfo info;
    if (auto it = instrument_precisions.find(symbols_[sym]); it != instrument_precisions.end()) {
      info.price_precision = it->second.first;
      info.qty_precision = it->second.second;
      info.precision_source = ReplayBookInfo::Source::instrument;
    } else {
      info.price_precision = ev.price_scale;
      info.qty_precision = ev.qty_scale;
    }
    info.depth = kraken::Book::kDepths.back();
    for (int d : kraken::Book::kDepths)
      if (static_cast<std::size_t>(d) >= ev.snapshot_levels) {
        info.depth = d;
        break;
      }
    books_[sym] = info;
  }
}

void ReplayFile::resolve_books(const ReplayLoadOptions& options) {
  for (auto& [sym, info] : books_) {
    if (auto it = options.precisions.find(symbols_[sym]); it != options.precisions.end()) {
      info.price_precision = it->second.first;
      info.qty_precision = it->second.second;
      info.precision_source = ReplayBookInfo::Source::configured;
    } else if (info.precision_source == ReplayBookInfo::Source::inferred) {
      if (auto c = options.catalogue.find(symbols_[sym]); c != options.catalogue.end()) {
        info.price_precision = c->second.first;
        info.qty_precision = c->second.second;
        info.precision_source = ReplayBookInfo::Source::catalogue;
      }
    }
    if (options.book_depth) info.depth = *options.book_depth;
  }
}

void ReplayFile::verify_books() {
  kraken::KrakenBookParser parser;
  std::map<std::uint32_t, kraken::Book> books;
  for (const auto& f : frames_) {
    if (f.channel != PublicChannel::book) continue;
    const ReplayBookInfo& info = books_.at(f.symbol);
    kraken::Book& book = books.try_emplace(f.symbol, info.depth).first->second;
    switch (apply_recorded(parser, book, text(f), info)) {
      case BookVerdict::verified:
        ++stats_.checksums_verified;
        break;
      case BookVerdict::failed:
        ++stats_.checksums_failed;
        if (!stats_.first_checksum_failure_line) stats_.first_checksum_failure_line = f.line;
        break;
      case BookVerdict::unsynced:
        ++stats_.checksums_unsynced;
        break;
    }
  }
}

std::string ReplayFile::summary() const {
  std::string channels;
  for (const auto& [name, n] : stats_.channels) channels += fmt::format("{}{} {}", channels.empty() ? "" : ", ", name, n);
  std::string books;
  for (const auto& [sym, info] : books_)
    books += fmt::format(" {} depth {} precision {}/{} ({})", symbols_[sym], info.depth, info.price_precision,
                         info.qty_precision,
                         info.precision_source == ReplayBookInfo::Source::configured   ? "configured"
                         : info.precision_source == ReplayBookInfo::Source::instrument ? "instrument"
                         : info.precision_source == ReplayBookInfo::Source::catalogue  ? "catalogue"
                                                                                       : "inferred");
  return fmt::format("{} frames from {} lines ({}); {} malformed; book checksums {} verified, {} failed{}{};{}",
                     stats_.frames, stats_.lines, channels.empty() ? "none" : channels, stats_.malformed,
                     stats_.checksums_verified, stats_.checksums_failed,
                     stats_.first_checksum_failure_line
                         ? fmt::format(" (first at line {})", stats_.first_checksum_failure_line)
                         : std::string(),
                     stats_.checksums_unsynced
                         ? fmt::format(", {} updates before a snapshot", stats_.checksums_unsynced)
                         : std::string(),
                     books.empty() ? " no books" : books);
}

// ---------------------------------------------------------------------------------------------
// ReplayWsApi

struct ReplayWsApi::Conn {
  struct BookSub {
    bool snapshot = true;  // asked for a snapshot
    bool synced = false;   // has had one (or asked for none): updates flow
  };
  std::shared_ptr<WsClient> client;
  std::uint64_t connection_id = 0;
  MonoTime last_sent{};
  std::map<std::uint32_t, BookSub> book;
  std::set<std::uint32_t> ticker, trade;
  std::set<std::pair<std::uint32_t, int>> ohlc;
  bool instrument = false;

  bool subscribed() const { return !book.empty() || !ticker.empty() || !trade.empty() || !ohlc.empty() || instrument; }
};

// What the stream has said so far about one symbol in the current pass. Views point into the
// ReplayFile's buffer.
struct ReplayWsApi::SymbolState {
  std::optional<kraken::Book> book;  // symbols with book frames, at the recorded depth
  // A recorded snapshot was applied this pass and every checksum since matched: only then can a
  // late subscriber get a generated snapshot the recorded updates will keep verifying.
  bool book_valid = false;
  std::string_view book_timestamp;
  std::optional<std::size_t> ticker;  // last ticker frame
  std::deque<std::string_view> trades;
  std::map<int, std::map<std::string_view, std::string_view>> candles;  // interval -> begin -> item
  std::map<int, std::string_view> ohlc_timestamp;

  void reset() {
    if (book) book->clear();
    book_valid = false;
    book_timestamp = {};
    ticker.reset();
    trades.clear();
    candles.clear();
    ohlc_timestamp.clear();
  }
};

struct ReplayWsApi::Parsing {
  explicit Parsing(const char* padded_end) : scan(padded_end) {}
  Scanner scan;
  kraken::KrakenBookParser books;
  FrameScan fs;
  std::string reason;
};

ReplayWsApi::ReplayWsApi(const ReplayFile& file, const Clock& clock, Options options)
    : file_(file),
      clock_(clock),
      opt_(options),
      parsing_(std::make_unique<Parsing>(file.padded_end())),
      next_connection_id_(ws::kFirstConnectionId) {
  for (std::uint32_t i = 0; i < file_.symbols().size(); ++i) {
    symbols_.push_back(std::make_unique<SymbolState>());
    if (const ReplayBookInfo* info = file_.book_info(i)) symbols_.back()->book.emplace(info->depth);
  }
}

ReplayWsApi::~ReplayWsApi() = default;

ReplayWsApi::Conn* ReplayWsApi::find(std::uint64_t id) {
  auto it = conns_.find(id);
  return it == conns_.end() ? nullptr : it->second.get();
}

void ReplayWsApi::send(Conn& c, std::string text) {
  c.last_sent = clock_.mono_now();
  ++sent_;
  c.client->send(std::move(text));
}

void ReplayWsApi::on_open(const std::shared_ptr<WsClient>& client) {
  auto c = std::make_unique<Conn>();
  c->client = client;
  c->connection_id = next_connection_id_++;
  Conn& ref = *c;
  conns_[client->id()] = std::move(c);
  send(ref, ws::status_message(ref.connection_id, "online"));
}

void ReplayWsApi::on_close(const std::shared_ptr<WsClient>& client) { conns_.erase(client->id()); }

void ReplayWsApi::on_message(const std::shared_ptr<WsClient>& client, std::string_view text) {
  if (Conn* c = find(client->id())) handle(*c, text);
}

void ReplayWsApi::on_timer() {
  if (!started_ && !opt_.start_on_first_subscribe) start();
  if (started_) release_due();
  const MonoTime now = clock_.mono_now();
  for (auto& [id, c] : conns_)
    if (c->subscribed() && now - c->last_sent >= opt_.heartbeat) send(*c, R"({"channel":"heartbeat"})");
}

void ReplayWsApi::start() {
  started_ = true;
  origin_ = clock_.mono_now();
}

bool ReplayWsApi::due(const ReplayFrame& f) const {
  if (opt_.speed <= 0) return true;
  const std::int64_t offset = f.time_ns - file_.frames().front().time_ns;  // times never decrease
  const std::int64_t elapsed = (clock_.mono_now() - origin_).count();
  if (opt_.speed == 1.0) return offset <= elapsed;
  return static_cast<double>(offset) <= static_cast<double>(elapsed) * opt_.speed;
}

void ReplayWsApi::release_due() {
  const auto& frames = file_.frames();
  std::size_t budget = opt_.max_frames_per_timer ? opt_.max_frames_per_timer : SIZE_MAX;
  if (next_ >= frames.size()) {
    if (!opt_.loop || frames.empty()) return;
    if (opt_.speed > 0) {
      // The next pass starts when the last frame was due, so the pace carries over.
      const double span = static_cast<double>(frames.back().time_ns - frames.front().time_ns) / opt_.speed;
      origin_ += std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(span)));
    } else {
      origin_ = clock_.mono_now();
    }
    new_pass();
  }
  const std::size_t first = next_;
  while (budget > 0 && next_ < frames.size() && due(frames[next_])) {
    release(next_);
    ++next_;
    ++released_;
    --budget;
  }
  // A pass ends here; the next one (loop) starts on the next timer, so a short recording at
  // speed 0 cannot keep this call busy forever.
  if (next_ == frames.size() && next_ != first) ++passes_;
}

void ReplayWsApi::new_pass() {
  next_ = 0;
  for (auto& s : symbols_) s->reset();
  last_instrument_.reset();
  // Book subscribers wait for the pass's recorded snapshot: the old book is gone.
  for (auto& [id, c] : conns_)
    for (auto& [sym, sub] : c->book) sub.synced = !sub.snapshot;
}

void ReplayWsApi::release(std::size_t index) {
  const ReplayFrame& f = file_.frames()[index];
  const std::string_view text = file_.text(f);
  FrameScan& fs = parsing_->fs;
  if (!parsing_->scan.frame(text, fs, parsing_->reason)) return;  // indexed, so it parses
  std::string copy;  // one string per frame, copied per subscriber by send()
  auto forward = [&](Conn& c) {
    if (copy.empty()) copy.assign(text);
    send(c, copy);
  };

  if (f.channel == PublicChannel::instrument) {
    last_instrument_ = index;
    for (auto& [id, c] : conns_)
      if (c->instrument) forward(*c);
    return;
  }
  SymbolState& st = *symbols_[f.symbol];
  switch (f.channel) {
    case PublicChannel::book: {
      const BookVerdict verdict = apply_recorded(parsing_->books, *st.book, text, *file_.book_info(f.symbol));
      if (f.snapshot) st.book_valid = true;
      if (!fs.items[0].timestamp.empty()) st.book_timestamp = fs.items[0].timestamp;
      if (verdict == BookVerdict::verified) {
        ++verified_;
      } else {
        if (verdict == BookVerdict::failed) ++failed_;
        st.book_valid = false;
      }
      for (auto& [id, c] : conns_) {
        auto sub = c->book.find(f.symbol);
        if (sub == c->book.end()) continue;
        if (f.snapshot) sub->second.synced = true;
        if (sub->second.synced) forward(*c);
      }
      return;
    }
    case PublicChannel::ticker:
      st.ticker = index;
      for (auto& [id, c] : conns_)
        if (c->ticker.count(f.symbol)) forward(*c);
      return;
    case PublicChannel::trade:
      if (f.snapshot) st.trades.clear();
      for (std::size_t i = 0; i < fs.n_items; ++i) st.trades.push_back(fs.items[i].raw);
      while (st.trades.size() > kTradeSnapshotSize) st.trades.pop_front();
      for (auto& [id, c] : conns_)
        if (c->trade.count(f.symbol)) forward(*c);
      return;
    case PublicChannel::ohlc: {
      auto& candles = st.candles[f.interval];
      for (std::size_t i = 0; i < fs.n_items; ++i)
        if (!fs.items[i].interval_begin.empty()) candles[fs.items[i].interval_begin] = fs.items[i].raw;
      while (candles.size() > kCandlesKept) candles.erase(candles.begin());
      if (!fs.timestamp.empty()) st.ohlc_timestamp[f.interval] = fs.timestamp;
      for (auto& [id, c] : conns_)
        if (c->ohlc.count({f.symbol, f.interval})) forward(*c);
      return;
    }
    case PublicChannel::instrument:
      return;
  }
}

// The last recorded frame, relabelled as a snapshot when it was an update: ticker and
// instrument frames carry the full state, only `type` differs.
namespace {
std::string as_snapshot(std::string_view text, const ReplayFrame& f) {
  if (f.snapshot || f.type_size == 0) return std::string(text);
  std::string out;
  out.reserve(text.size() + 2);
  out.append(text.substr(0, f.type_offset)).append(R"("snapshot")").append(text.substr(f.type_offset + f.type_size));
  return out;
}
}  // namespace

std::string ReplayWsApi::book_snapshot(std::uint32_t symbol) const {
  const SymbolState& st = *symbols_[symbol];
  const ReplayBookInfo& info = *file_.book_info(symbol);
  const std::string now = st.book_timestamp.empty() ? format_rfc3339(clock_.wall_now()) : std::string();
  return ws::book_snapshot_message(file_.symbols()[symbol], st.book->bids(), st.book->asks(), info.price_precision,
                                   info.qty_precision, st.book->checksum(),
                                   st.book_timestamp.empty() ? std::string_view(now) : st.book_timestamp);
}

std::string ReplayWsApi::ticker_snapshot(std::uint32_t symbol) const {
  const ReplayFrame& f = file_.frames()[*symbols_[symbol]->ticker];
  return as_snapshot(file_.text(f), f);
}

std::string ReplayWsApi::instrument_snapshot() const {
  const ReplayFrame& f = file_.frames()[*last_instrument_];
  return as_snapshot(file_.text(f), f);
}

std::string ReplayWsApi::trade_snapshot(std::uint32_t symbol) const {
  JsonWriter w;
  w.begin_object().field("channel", "trade").field("type", "snapshot").key("data").begin_array();
  for (const auto& item : symbols_[symbol]->trades) w.raw(item);
  w.end_array().end_object();
  return w.take();
}

std::string ReplayWsApi::ohlc_snapshot(std::uint32_t symbol, int interval) const {
  const SymbolState& st = *symbols_[symbol];
  JsonWriter w;
  w.begin_object().field("channel", "ohlc").field("type", "snapshot");
  if (auto it = st.ohlc_timestamp.find(interval); it != st.ohlc_timestamp.end()) w.field("timestamp", it->second);
  else w.field("timestamp", format_rfc3339(clock_.wall_now(), 9));
  w.key("data").begin_array();
  if (auto it = st.candles.find(interval); it != st.candles.end())
    for (const auto& [begin, item] : it->second) w.raw(item);
  w.end_array().end_object();
  return w.take();
}

void ReplayWsApi::handle(Conn& c, std::string_view text) {
  const WallTime time_in = clock_.wall_now();
  auto req = ws::preamble(text, time_in, [this] { return clock_.wall_now(); }, [&](std::string m) { send(c, std::move(m)); });
  if (!req) return;
  if (req->method == "subscribe" || req->method == "unsubscribe") {
    ws::subscribe(*req, time_in,
                  {.now = [this] { return clock_.wall_now(); },
                   .send = [&](std::string m) { send(c, std::move(m)); },
                   .refuse = [&](const ws::Subscription& s, const std::string& symbol) { return refuse(s, symbol); },
                   .serve = [&](const ws::Subscription& s, const std::string& symbol) { serve(c, s, symbol); }});
  } else if (ws::is_trading_method(req->method)) {
    send(c, ws::nack(req->method, req->req_id, "Method not supported on this endpoint", time_in, clock_.wall_now()));
  } else {
    send(c, ws::nack(req->method, req->req_id, "Unsupported event", time_in, clock_.wall_now()));
  }
}

// Only what the recording holds can be served.
std::optional<std::string> ReplayWsApi::refuse(const ws::Subscription& s, const std::string& symbol) const {
  if (s.channel == PublicChannel::instrument) {
    if (file_.has_instrument()) return std::nullopt;
    return "Subscription name invalid";
  }
  const auto id = file_.symbol_index(symbol);
  if (!id || !file_.has(s.channel, *id, s.interval)) {
    // Recorded at another interval: say so rather than deny the pair.
    const bool other_interval = id && s.channel == PublicChannel::ohlc &&
                                std::any_of(kOhlcIntervals.begin(), kOhlcIntervals.end(),
                                            [&](int i) { return file_.has(s.channel, *id, i); });
    if (other_interval) return fmt::format("Interval {} not recorded for {}", s.interval, symbol);
    return "Currency pair not supported " + symbol;
  }
  // Recorded updates omit levels beyond the recorded depth, so no other depth can be served
  // faithfully.
  if (s.channel == PublicChannel::book && s.depth != file_.book_info(*id)->depth)
    return fmt::format("Depth {} not recorded for {} (replay has depth {})", s.depth, symbol, file_.book_info(*id)->depth);
  return std::nullopt;
}

void ReplayWsApi::serve(Conn& c, const ws::Subscription& s, const std::string& symbol) {
  const bool sub = !s.unsubscribe;
  if (sub && opt_.start_on_first_subscribe && !started_) start();
  if (s.channel == PublicChannel::instrument) {
    c.instrument = sub;
    if (sub && s.snapshot && last_instrument_) send(c, instrument_snapshot());
    return;
  }
  const std::uint32_t id = *file_.symbol_index(symbol);
  const SymbolState& st = *symbols_[id];
  switch (s.channel) {
    case PublicChannel::book: {
      if (!sub) {
        c.book.erase(id);
        return;
      }
      Conn::BookSub book{s.snapshot, !s.snapshot};
      if (s.snapshot && st.book_valid) {
        send(c, book_snapshot(id));
        book.synced = true;
      }
      c.book[id] = book;
      return;
    }
    case PublicChannel::ticker:
      if (!sub) {
        c.ticker.erase(id);
        return;
      }
      c.ticker.insert(id);
      if (s.snapshot && st.ticker) send(c, ticker_snapshot(id));
      return;
    case PublicChannel::trade:
      if (!sub) {
        c.trade.erase(id);
        return;
      }
      c.trade.insert(id);
      if (s.snapshot && !st.trades.empty()) send(c, trade_snapshot(id));
      return;
    case PublicChannel::ohlc: {
      if (!sub) {
        c.ohlc.erase({id, s.interval});
        return;
      }
      c.ohlc.insert({id, s.interval});
      const auto candles = st.candles.find(s.interval);
      if (s.snapshot && candles != st.candles.end() && !candles->second.empty()) send(c, ohlc_snapshot(id, s.interval));
      return;
    }
    case PublicChannel::instrument:
      return;
  }
}

}  // namespace kgw::sim
