#pragma once
// AccountView: the read half of the order manager. It turns the private WS v2 `executions` and
// `balances` channels (PROTOCOL.md §6.5) and REST reconciliation into caches that any thread
// reads without locks (open and recently closed orders, own fills, balances, positions; one
// immutable AccountSnapshot swapped per change, DESIGN.md §3), and into numbered events that
// consumers can resume after a gap. Nothing is lost across a gap: after a reconnect, a Kraken
// `sequence` gap or a restart it resubscribes with snapshots and reconciles from REST, emitting
// what happened while it was not looking; when it cannot, the epoch changes.
//
// Owned by the OrderManager. Single writer: every method under "oms thread" runs on the oms
// io_context's thread (the executor given at construction); snapshot() and subscribe() are for
// any thread. Destroy it after that io_context stopped running.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"
#include "kgw/core/instrument.hpp"
#include "kgw/core/kraken/private_channels.hpp"
#include "kgw/core/kraken/rest_types.hpp"
#include "kgw/oms/account_events.hpp"
#include "kgw/oms/account_rest.hpp"
#include "kgw/oms/account_types.hpp"
#include "kgw/oms/snapshot_cell.hpp"

namespace kgw::kraken {
class KrakenRestService;
}

namespace kgw::oms {

struct AccountViewOptions {
  std::size_t closed_orders = 1000;  // recently closed orders kept
  std::size_t fills = 1000;          // own trades kept
  std::size_t fill_ids = 8192;       // exec_ids remembered for deduplication (≥ fills)
  std::size_t event_log = 8192;      // events kept for resumption
  // REST history is asked from this long before the last fill seen / the disconnect: Kraken's
  // `start` is exclusive and in whole seconds; duplicates are dropped by id.
  std::chrono::seconds history_slack{2};
  int max_history_pages = 20;  // of 50 (TradesHistory, ClosedOrders); more is a failed reconciliation
};

// What the owner should do after a frame.
struct FrameOutcome {
  bool reconcile = false;          // both snapshots are in: run reconcile() now
  bool resync = false;             // a sequence gap: replace the connection (new subscriptions with snapshots)
  bool refresh_positions = false;  // a fill on a margin order: run refresh_positions() soon
};

// Synchronous hooks for the write half, on the oms thread, before subscribers see anything. A
// hook must not call back into the view's oms-thread methods.
struct AccountHooks {
  // Every executions item, snapshot and update, in Kraken's order, after it was merged: `order`
  // is that order's state now. The order ledger matches cl_ord_id and resolves unknown outcomes here.
  std::function<void(const kraken::ExecutionItem& item, const OrderState& order, bool snapshot)> on_execution;
  // Every numbered event, whatever its source (REST reconciliation included).
  std::function<void(const AccountEvent& event)> on_event;
};

// Relaxed counters, any thread.
struct AccountViewStats {
  std::atomic<std::uint64_t> frames{0}, executions{0}, fills{0}, duplicate_fills{0}, balance_updates{0},
      parse_errors{0}, sequence_gaps{0}, unknown_words{0}, reconciles{0}, reconcile_failures{0}, epoch_changes{0},
      unpublished{0};
};

class AccountView {
 public:
  AccountView(boost::asio::any_io_executor oms, const InstrumentRegistry& registry, const Clock& clock,
              AccountViewOptions options = {});
  ~AccountView();
  AccountView(const AccountView&) = delete;
  AccountView& operator=(const AccountView&) = delete;

  // ---- oms thread ----
  // Before the first frame.
  void set_hooks(AccountHooks hooks);

  // The two subscriptions of a fresh private connection (on_open), with their req_ids: executions
  // with order and trade snapshots and every status transition, balances with a snapshot. Marks the
  // connection up and both snapshots awaited.
  struct SubscribeFrames {
    std::string executions, balances;
  };
  SubscribeFrames subscription_requests(std::string_view token, std::int64_t executions_req_id,
                                        std::int64_t balances_req_id);

  // A channel frame of the private connection (method replies belong to the write half; given
  // here they are ignored). `frame` with SIMDJSON_PADDING readable bytes after it is read in
  // place (a WS read buffer), otherwise copied. An error: the frame could not be read; the view
  // stops applying this connection's frames until it is replaced, as after a gap.
  result<FrameOutcome> on_frame(simdjson::padded_string_view frame, WallTime received);
  result<FrameOutcome> on_frame(std::string_view frame, WallTime received);

  // The private connection closed: the caches read stale until the next snapshots arrive.
  void on_disconnected();

  // After both snapshots of a (re)connect: fills since the last one seen (TradesHistory, paged and
  // deduplicated), OpenOrders, ClosedOrders since the disconnect, and orders that vanished from the
  // snapshot (QueryOrders), merged and emitted; then positions. A failure changes the epoch (the
  // owner may retry later: the next attempt starts from the same point, unless more history lay
  // there than max_history_pages: then from this attempt). errc::cancelled when a newer
  // reconcile or a disconnect overtook it (nothing changed then).
  boost::asio::awaitable<result<void>> reconcile(AccountRest& rest);
  boost::asio::awaitable<result<void>> reconcile(kraken::KrakenRestService& rest);

  // OpenPositions into the positions cache: after FrameOutcome::refresh_positions and on the
  // owner's timer.
  boost::asio::awaitable<result<void>> refresh_positions(AccountRest& rest);
  boost::asio::awaitable<result<void>> refresh_positions(kraken::KrakenRestService& rest);

  // On the connection's tick: publishes a snapshot that could not be published at once (every
  // spare slot pinned by preempted readers, see SnapshotCell).
  void on_tick();

  // An order as the writer knows it now (open, else recently closed), by hash lookups: what
  // order entry asks before it sends. Null if unknown.
  std::shared_ptr<const OrderState> find_order(std::string_view order_id) const;
  std::shared_ptr<const OrderState> find_order_by_cl_ord_id(std::string_view cl_ord_id) const;

  // ---- any thread ----
  // The latest state. Hold the pointer as long as needed; it never changes.
  std::shared_ptr<const AccountSnapshot> snapshot() const noexcept { return cell_.load(); }

  // Events from `from` (the cursor of the last event the consumer has) when they are still kept
  // in this epoch, otherwise from a snapshot: the first event says which. `wake` is called on the
  // oms thread when events were queued (keep it short; it must not block). Attached on the oms
  // thread shortly after this returns.
  std::shared_ptr<AccountSubscription> subscribe(std::optional<EventCursor> from, std::size_t capacity = 4096,
                                                 std::function<void()> wake = {});

  const AccountViewStats& stats() const noexcept { return stats_; }

 private:
  struct Writer;  // the single writer's state (account_view.cpp, account_reconcile.cpp)
  std::shared_ptr<const AccountSnapshot> publish();

  boost::asio::any_io_executor ex_;
  AccountViewStats stats_;
  std::unique_ptr<Writer> w_;
  SnapshotCell<AccountSnapshot> cell_;
};

}  // namespace kgw::oms
