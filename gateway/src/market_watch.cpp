#include "kgw/gateway/market_watch.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "kgw/core/thread_name.hpp"

namespace kgw::gateway {

MarketWatch::MarketWatch(const feed::MarketCache& cache, const Clock& clock, std::chrono::microseconds poll_interval,
                         std::function<bool()> upstream_changed)
    : cache_(cache), clock_(clock), poll_(poll_interval), upstream_changed_(std::move(upstream_changed)) {}

MarketWatch::~MarketWatch() { stop(); }

void MarketWatch::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_.load()) return;
  thread_ = std::thread([this] {
    set_thread_name("kgw-watch");
    run();
  });
}

void MarketWatch::stop() {
  std::vector<Entry> entries;
  {
    std::lock_guard lock(mu_);
    stopping_.store(true);  // under the lock: add() after this closes its sink itself
    entries = entries_;
  }
  cache_.changes().notify();
  if (thread_.joinable()) thread_.join();
  follow({});  // the feed stops telling
  for (auto& e : entries)
    if (auto s = e.sink.lock()) s->close();
}

void MarketWatch::add(const std::shared_ptr<StreamSink>& sink, Interest interest) {
  bool added = false;
  {
    std::lock_guard lock(mu_);
    if (!stopping_.load()) {
      std::sort(interest.symbols.begin(), interest.symbols.end());
      entries_.push_back(Entry{sink, sink.get(), std::move(interest)});
      ++version_;
      added = true;
    }
  }
  if (!added) return sink->close();
  cache_.changes().notify();  // the watch looks now: the new sink's first wake
}

void MarketWatch::remove(const StreamSink* sink) {
  std::lock_guard lock(mu_);
  const auto n = entries_.size();
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(), [sink](const Entry& e) { return e.key == sink; }),
                 entries_.end());
  if (entries_.size() != n) ++version_;
}

std::size_t MarketWatch::sinks() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void MarketWatch::run() {
  WakeSignal& changes = cache_.changes();
  auto next_poll = std::chrono::steady_clock::now();
  while (!stopping_.load()) {
    const std::uint32_t token = changes.prepare();
    if (stopping_.load()) break;
    const auto now = std::chrono::steady_clock::now();
    const bool poll = now >= next_poll;
    if (poll) next_poll = now + poll_;
    try {
      tick(poll);
    } catch (const std::exception& e) {  // bad_alloc while rebuilding: try again next time
      spdlog::error("market watch: {}", e.what());
    }
    changes.wait(token, poll ? poll_ : next_poll - now);
  }
}

// The watch's followed symbols become `next`: the feed is told to signal exactly those. A
// watcher count, so the new ones are counted before the old ones are let go: a symbol in both
// never drops to zero.
void MarketWatch::follow(std::vector<SymbolState> next) {
  for (const auto& s : next) s.symbol->add_watcher();
  for (const auto& s : symbols_) s.symbol->remove_watcher();
  symbols_ = std::move(next);
}

void MarketWatch::tick(bool poll) {
  const std::int64_t now = clock_.wall_now().time_since_epoch().count();
  {
    std::lock_guard lock(mu_);
    if (version_ != seen_version_) {
      // A sink added since the last tick is woken once: a change between its first write and
      // now is not lost (a wake with nothing new costs it a look at the caches).
      for (const auto& e : entries_)
        if (std::none_of(snapshot_.begin(), snapshot_.end(), [&](const Entry& old) { return old.key == e.key; }))
          if (auto sink = e.sink.lock()) to_wake_.push_back(std::move(sink));
      snapshot_ = entries_;
      seen_version_ = version_;
      // Keep what is known of symbols still followed, so a new sink does not look like a change.
      std::vector<SymbolState> next;
      for (const auto& e : snapshot_)
        for (const feed::SymbolCache* sc : e.interest.symbols) {
          if (std::any_of(next.begin(), next.end(), [sc](const SymbolState& s) { return s.symbol == sc; })) continue;
          const auto old = std::find_if(symbols_.begin(), symbols_.end(), [sc](const SymbolState& s) { return s.symbol == sc; });
          // A symbol followed from now on starts as it is: its sinks wrote what it holds when
          // they started.
          next.push_back(old != symbols_.end() ? *old
                                               : SymbolState{sc, sc->last_receive_ns(), sc->stale(now), sc->book_state()});
        }
      follow(std::move(next));
    }
  }
  std::vector<const feed::SymbolCache*> changed;
  for (auto& s : symbols_) {
    const std::int64_t rx = s.symbol->last_receive_ns();
    const bool stale = s.symbol->stale(now);
    const feed::BookState book = s.symbol->book_state();
    if (rx == s.last_rx && stale == s.stale && book == s.book) continue;
    s.last_rx = rx;
    s.stale = stale;
    s.book = book;
    changed.push_back(s.symbol);
  }
  std::sort(changed.begin(), changed.end());
  bool status_changed = false;
  if (auto st = cache_.status(); st && st->stamp.seq != status_seq_) {
    status_seq_ = st->stamp.seq;
    status_changed = true;
  }
  const bool upstream_changed = poll && upstream_changed_ && upstream_changed_();
  for (const auto& e : snapshot_) {
    if (changed.empty() && !status_changed && !upstream_changed) break;
    const bool follows =
        (status_changed && e.interest.system_status) || (upstream_changed && e.interest.upstream) ||
        std::any_of(e.interest.symbols.begin(), e.interest.symbols.end(),
                    [&](const feed::SymbolCache* sc) { return std::binary_search(changed.begin(), changed.end(), sc); });
    if (!follows) continue;
    if (std::any_of(to_wake_.begin(), to_wake_.end(), [&](const auto& w) { return w.get() == e.key; })) continue;
    if (auto sink = e.sink.lock()) to_wake_.push_back(std::move(sink));
  }
  for (auto& sink : to_wake_) sink->wake();
  to_wake_.clear();
}

}  // namespace kgw::gateway
