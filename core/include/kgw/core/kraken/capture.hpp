#pragma once
// Recordings of Kraken's WS v2 public stream (PROTOCOL.md §4) and the one reader that takes them
// apart for every replay (kgw-replay, kraken-sim --replay). A recording comes in one of three
// forms, told apart by its content:
//   NDJSON             one entry per line; blank lines and `#` comments are skipped
//   a JSON array       [<entry>, <entry>, ...]
//   the fixtures' capture as shipped
//                      {"init": <snapshot frame>, "updates": [<frame>, ...]}
// and each entry is either
//   a raw frame        {"channel":"book","type":"update","data":[...]}
//   a journal line     {"recv_ns":1690730998343415000,"frame":<the raw frame, byte for byte>}
// (the feed's journal, feed/include/kgw/feed/frame_journal.hpp, writes the second).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kgw/core/error.hpp"

namespace kgw::kraken {

enum class CaptureForm : std::uint8_t { ndjson, array, init_updates };

// One entry of a recording: an NDJSON line, or one element of a document.
struct CaptureEntry {
  enum class Kind : std::uint8_t {
    frame,      // `frame` holds a WS v2 frame (whether the frame parses is its reader's business)
    skipped,    // a blank line or a `#` comment
    malformed,  // `error` says why the entry is neither a frame nor a journal line
  };
  Kind kind = Kind::skipped;
  std::uint64_t line = 0;  // 1-based: the file's line (NDJSON) or the entry's place in a document
  std::string_view frame;  // the frame's text, without surrounding whitespace
  bool journal = false;    // the frame came wrapped in a journal line
  std::optional<std::int64_t> recv_ns;  // a journal line's receive time (unix ns)
  std::string error;
};

// CaptureEntryReader: tells a raw frame from a journal line and unwraps the latter. Every entry
// is validated as a whole first: a replay forwards frames verbatim, and simdjson's ondemand
// reading would let a broken value it never visits pass. Owned by one reader, reused across
// entries (its parsers and scratch buffer grow to the largest entry); not thread-safe.
class CaptureEntryReader {
 public:
  CaptureEntryReader();
  ~CaptureEntryReader();
  CaptureEntryReader(const CaptureEntryReader&) = delete;
  CaptureEntryReader& operator=(const CaptureEntryReader&) = delete;

  // Reads one entry (`text` need not be padded; it is copied). `frame` is a view into `text`.
  CaptureEntry read(std::string_view text, std::uint64_t line);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Capture: a whole recording in memory. Frames of an NDJSON recording stay where the file has
// them, byte for byte (a replay forwards them as recorded); a document's entries are minified
// into one line each, which is the form Kraken sends frames in. Immutable once built, so any
// number of threads may read one; moving it keeps every view valid.
class Capture {
 public:
  // Reads and recognises the file at `path`: errc::not_found if it cannot be opened. Nothing
  // about its content is an error here: bad entries come out as `malformed`.
  static result<Capture> load(const std::string& path);
  static Capture parse(std::string content);

  CaptureForm form() const noexcept { return form_; }
  // Every entry in order, through `each`; frames are views into text().
  void for_each(const std::function<void(const CaptureEntry&)>& each) const;
  // Everything the frames are views into. Followed in memory by simdjson's padding (spaces up to
  // padded_end()), so a frame can be parsed in place without a copy.
  std::string_view text() const noexcept { return {buffer_->data(), size_}; }
  const char* padded_end() const noexcept { return buffer_->data() + buffer_->size(); }

 private:
  Capture() = default;
  std::unique_ptr<std::string> buffer_;  // on the heap so that views survive a move
  std::size_t size_ = 0;                 // content; the rest of buffer_ is padding
  CaptureForm form_ = CaptureForm::ndjson;
};

}  // namespace kgw::kraken
