#pragma once
// MarketWatch: tells the gRPC stream reactors when what they follow has changed. The caches are
// written by the feed thread, which never waits for a client: for the symbols some stream
// follows, each publish notifies the cache's WakeSignal (a system call only when this watch
// sleeps), and the watch thread wakes, looks (per followed symbol a few atomic loads: last
// receive time, staleness, book state; then the exchange status) and wakes each sink that
// follows something that changed, once per look. Changes nothing signals (a symbol going stale,
// the upstream state) are looked for every poll interval. A sink is also woken once when it has
// just been added, so nothing between its first write and its registration is missed. Sinks read
// the caches themselves (the latest value for conflated streams, their own cursor over the trade
// and candle rings for the others), so a slow sink costs the feed and the other sinks nothing.
// Thread safety: add()/remove() from any thread; sinks are called on the watch thread only.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/feed/market_cache.hpp"

namespace kgw::gateway {

// Implemented by stream reactors. Calls come from the watch thread and must not block.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Something the sink follows changed (a value, a symbol's staleness, the status, the
  // upstream state): write if idle.
  virtual void wake() noexcept = 0;
  // The gateway is stopping: finish with UNAVAILABLE.
  virtual void close() noexcept = 0;
};

// What a sink follows.
struct Interest {
  std::vector<const feed::SymbolCache*> symbols;
  bool system_status = false;
  bool upstream = false;
};

class MarketWatch {
 public:
  // `upstream_changed` is asked once per poll interval whether the upstream state changed (it
  // may update health and metrics as a side effect); null: never.
  MarketWatch(const feed::MarketCache& cache, const Clock& clock, std::chrono::microseconds poll_interval,
              std::function<bool()> upstream_changed = {});
  ~MarketWatch();  // stop()
  MarketWatch(const MarketWatch&) = delete;
  MarketWatch& operator=(const MarketWatch&) = delete;

  void start();
  // Closes every sink (StreamSink::close) and joins the thread. Idempotent. Sinks added after
  // it are closed at once.
  void stop();

  // The sink is held weakly: a sink that is gone is dropped at the next tick.
  void add(const std::shared_ptr<StreamSink>& sink, Interest interest);
  void remove(const StreamSink* sink);
  std::size_t sinks() const;

 private:
  struct Entry {
    std::weak_ptr<StreamSink> sink;
    const StreamSink* key = nullptr;
    Interest interest;
  };
  struct SymbolState {
    const feed::SymbolCache* symbol = nullptr;
    std::int64_t last_rx = -1;
    bool stale = false;
    feed::BookState book = feed::BookState::none;
  };
  void run();
  void tick(bool poll);
  void follow(std::vector<SymbolState> next);

  const feed::MarketCache& cache_;
  const Clock& clock_;
  std::chrono::microseconds poll_;
  std::function<bool()> upstream_changed_;

  mutable std::mutex mu_;
  std::vector<Entry> entries_;  // guarded by mu_
  std::uint64_t version_ = 0;   // guarded by mu_; bumped by add/remove
  std::atomic<bool> stopping_{false};  // set under mu_ (add() reads it there), read bare by the thread
  std::thread thread_;

  // Watch thread only.
  std::uint64_t seen_version_ = ~std::uint64_t{0};
  std::vector<Entry> snapshot_;
  std::vector<SymbolState> symbols_;
  std::uint64_t status_seq_ = 0;
  std::vector<std::shared_ptr<StreamSink>> to_wake_;
};

}  // namespace kgw::gateway
