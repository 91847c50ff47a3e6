#pragma once
// Replay mode: a recorded Kraken WS v2 public stream served on the simulator's public endpoint
// instead of the synthetic market, so any recorded run (the gateway's journal, or raw frames
// captured elsewhere) can be fed back into the gateway.
//
// Input is any recording core/kraken/capture.hpp reads (the reader kgw-replay uses): NDJSON of
// raw frames or journal lines {"recv_ns":…,"frame":…}, a JSON array of frames, or the fixtures'
// capture as shipped {"init":…,"updates":[…]}. Blank lines and `#` comments are skipped; a
// malformed entry is counted, logged with its line number and skipped. Recorded frames are
// forwarded to subscribers byte for byte (a document's frames minified); only what cannot be
// recorded (status, acks, heartbeats, snapshots for late subscribers) is generated. Books are
// rebuilt and verified with core's parser and Book, as the feed does.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"
#include "kgw/core/kraken/capture.hpp"
#include "kgw/sim/kraken_ws_api.hpp"

namespace kgw::sim {

struct ReplayFrame {
  std::uint64_t offset = 0;  // the frame's text inside the capture's buffer
  std::uint32_t size = 0;
  std::uint32_t type_offset = 0;  // the `type` value token inside the frame (0/0: none), so a
  std::uint32_t type_size = 0;    // late subscriber's ticker can be relabelled "snapshot"
  std::uint64_t line = 0;         // 1-based line in the file (a document: the entry's place)
  std::int64_t time_ns = 0;       // recorded time (unix ns) after fill-in, never decreasing
  std::uint32_t symbol = 0;       // index into ReplayFile::symbols(); unused for instrument
  std::int32_t interval = 0;      // ohlc only
  PublicChannel channel = PublicChannel::book;
  bool snapshot = false;
};

// How book levels of one symbol are read: the fixed-point grid and the recorded depth.
struct ReplayBookInfo {
  enum class Source : std::uint8_t { configured, instrument, catalogue, inferred };
  int price_precision = 0;
  int qty_precision = 0;
  int depth = 10;  // the recorded subscription depth (levels beyond it are truncated)
  Source precision_source = Source::inferred;
};

struct ReplayLoadOptions {
  // Per-symbol precision that wins over everything in the file (a recording whose number text
  // lost its trailing zeros and carries no instrument frame may infer too few decimals).
  std::map<std::string, std::pair<int, int>, std::less<>> precisions;  // symbol -> {price, qty}
  // Precisions of the pairs the simulator knows (its catalogue), used for a symbol the file has no
  // instrument frame for. Inferring from the number text is the last resort: one price written
  // with a trailing zero would move the whole grid and fail every checksum.
  std::map<std::string, std::pair<int, int>, std::less<>> catalogue;  // symbol -> {price, qty}
  // Default: inferred from the largest snapshot. One of Kraken's depths (kraken::Book::kDepths);
  // another is a configuration error (std::invalid_argument from the book).
  std::optional<int> book_depth;
  std::size_t max_logged_warnings = 20;  // per file; the rest are only counted
  std::string name;                    // for warnings (load() uses the path)
};

struct ReplayStats {
  std::uint64_t lines = 0;          // physical lines (a document: its entries)
  std::uint64_t skipped = 0;        // blank or `#`
  std::uint64_t raw_lines = 0;      // well-formed lines per form
  std::uint64_t journal_lines = 0;
  std::uint64_t frames = 0;         // frames kept for playback
  std::uint64_t responses = 0;      // method responses (acks, pong): not replayed
  std::uint64_t unattributed = 0;   // market-data frames naming no symbol (an empty trade snapshot)
  std::uint64_t malformed = 0;
  std::vector<std::pair<std::uint64_t, std::string>> malformed_lines;  // first 100: line, reason
  std::map<std::string, std::uint64_t, std::less<>> channels;          // every channel seen
  std::uint64_t times_clamped = 0;  // recorded time went backwards; line order kept
  // Every book message of the file re-checked against Kraken's CRC32 over the rebuilt book.
  std::uint64_t checksums_verified = 0;
  std::uint64_t checksums_failed = 0;
  std::uint64_t first_checksum_failure_line = 0;  // 0: none
  std::uint64_t checksums_unsynced = 0;  // book updates with no snapshot before them: nothing to check
};

// A loaded recording: the capture (frames stay in place for verbatim forwarding), one small
// index entry per frame, the symbols and their book grids. Immutable after load(); share
// it by reference among ReplayWsApi instances (it must outlive them and not move).
class ReplayFile {
 public:
  // Reads and indexes `path`. Errors only for an unreadable file; bad lines are counted.
  static result<ReplayFile> load(const std::string& path, ReplayLoadOptions options = {});
  // The same from text in memory.
  static ReplayFile parse(std::string content, ReplayLoadOptions options = {});

  ReplayFile(ReplayFile&&) noexcept = default;
  ReplayFile& operator=(ReplayFile&&) noexcept = default;

  const std::vector<ReplayFrame>& frames() const noexcept { return frames_; }
  std::string_view text(const ReplayFrame& f) const noexcept { return {capture_.text().data() + f.offset, f.size}; }
  const std::vector<std::string>& symbols() const noexcept { return symbols_; }
  std::optional<std::uint32_t> symbol_index(std::string_view symbol) const;
  // Book grid of a symbol that has book frames; nullopt otherwise.
  const ReplayBookInfo* book_info(std::uint32_t symbol) const;
  // Whether the file has frames of `channel` for `symbol` (ohlc: at `interval`).
  bool has(PublicChannel channel, std::uint32_t symbol, int interval = 0) const;
  bool has_instrument() const noexcept { return has_instrument_; }
  const ReplayStats& stats() const noexcept { return stats_; }
  // One line for the start-up log: frames per channel, malformed lines, checksum verdict.
  std::string summary() const;

 private:
  friend class ReplayWsApi;
  ReplayFile(kraken::Capture capture, const ReplayLoadOptions& options);
  // End of the padded buffer: frames parse in place up to here.
  const char* padded_end() const noexcept { return capture_.padded_end(); }
  void index(const ReplayLoadOptions& options);
  void resolve_books(const ReplayLoadOptions& options);
  void verify_books();
  std::uint32_t intern(std::string_view symbol);

  kraken::Capture capture_;  // frames are views into its buffer, padded so they parse in place
  std::vector<ReplayFrame> frames_;
  std::vector<std::string> symbols_;
  std::map<std::string, std::uint32_t, std::less<>> symbol_ids_;
  std::map<std::uint32_t, ReplayBookInfo> books_;
  std::set<std::tuple<PublicChannel, std::uint32_t, int>> present_;
  bool has_instrument_ = false;
  ReplayStats stats_;
};

// The public WS v2 endpoint driven by a ReplayFile: status on connect, ping/pong, subscribe and
// unsubscribe answered by the live API's own code (refused for what the recording lacks),
// heartbeats when idle, and the recording released on on_timer() at its recorded pace. Owned by
// the simulator instead of the public KrakenWsApi and called on the simulator's thread only;
// not thread-safe.
class ReplayWsApi {
 public:
  struct Options {
    double speed = 1.0;  // 1 = recorded pace, 2 = twice as fast, 0 = as fast as possible
    bool loop = false;   // at the end start over (book subscribers get a fresh recorded snapshot)
    // Hold the recording until someone subscribes, so the first subscriber sees it from the
    // start; otherwise playback starts on the first on_timer().
    bool start_on_first_subscribe = false;
    std::chrono::milliseconds heartbeat{1000};
    // Frames released per on_timer() at most (0: unlimited). Bounds bursts so a client's send
    // queue (ServerOptions::ws_send_queue) is not overrun; playback lags instead.
    std::size_t max_frames_per_timer = 1000;
  };

  ReplayWsApi(const ReplayFile& file, const Clock& clock, Options options);
  ~ReplayWsApi();
  ReplayWsApi(const ReplayWsApi&) = delete;
  ReplayWsApi& operator=(const ReplayWsApi&) = delete;

  void on_open(const std::shared_ptr<WsClient>& c);
  void on_message(const std::shared_ptr<WsClient>& c, std::string_view text);
  void on_close(const std::shared_ptr<WsClient>& c);
  // Releases the frames that are due, then sends heartbeats where due. Call at least every
  // heartbeat interval; the cadence is also the pacing granularity (20 ms is plenty).
  void on_timer();

  std::size_t connections() const { return conns_.size(); }
  std::uint64_t messages_sent() const { return sent_; }
  bool started() const { return started_; }
  // Frames released in the current pass (the next frame's index).
  std::size_t position() const { return next_; }
  std::uint64_t frames_released() const { return released_; }  // over all passes
  std::uint64_t passes_completed() const { return passes_; }
  bool finished() const { return !opt_.loop && next_ >= file_.frames().size(); }
  // Book messages whose recorded checksum matched (or not) the book rebuilt during playback.
  std::uint64_t checksums_verified() const { return verified_; }
  std::uint64_t checksums_failed() const { return failed_; }

 private:
  struct Conn;
  struct SymbolState;
  struct Parsing;  // reused parsers (replay.cpp)

  Conn* find(std::uint64_t id);
  void send(Conn& c, std::string text);
  void handle(Conn& c, std::string_view text);
  // This endpoint's side of a public subscription (ws::subscribe does the rest).
  std::optional<std::string> refuse(const ws::Subscription& s, const std::string& symbol) const;
  void serve(Conn& c, const ws::Subscription& s, const std::string& symbol);
  void start();
  bool due(const ReplayFrame& f) const;
  void release_due();
  void release(std::size_t index);
  void new_pass();
  std::string book_snapshot(std::uint32_t symbol) const;
  std::string ticker_snapshot(std::uint32_t symbol) const;
  std::string trade_snapshot(std::uint32_t symbol) const;
  std::string ohlc_snapshot(std::uint32_t symbol, int interval) const;
  std::string instrument_snapshot() const;

  const ReplayFile& file_;
  const Clock& clock_;
  Options opt_;
  std::unique_ptr<Parsing> parsing_;
  std::map<std::uint64_t, std::unique_ptr<Conn>> conns_;
  std::vector<std::unique_ptr<SymbolState>> symbols_;  // per ReplayFile symbol
  std::optional<std::size_t> last_instrument_;         // frame index
  bool started_ = false;
  MonoTime origin_{};              // when the current pass started (mono)
  std::size_t next_ = 0;           // next frame of the current pass
  std::uint64_t released_ = 0;
  std::uint64_t passes_ = 0;
  std::uint64_t verified_ = 0, failed_ = 0;
  std::uint64_t next_connection_id_;
  std::uint64_t sent_ = 0;
};

}  // namespace kgw::sim
