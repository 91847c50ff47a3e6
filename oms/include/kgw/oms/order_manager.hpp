#pragma once
// OrderManager: the order manager behind one facade. It owns the oms thread (one io_context), the
// private WebSocket session to Kraken (a KrakenWsConnection that fetches a fresh token before
// every connect, subscribes to executions and balances, and carries the trading methods), the
// account view (AccountView: the private channels and REST reconciliation into lock-free caches
// and numbered events), order entry (OrderEntry: WS first, REST fallback, exactly-once by
// cl_ord_id, resolved from the account view's events), the kill switch (persisted in the state
// directory) and the managed dead-man switch.
// Thread safety: every public member may be called from any thread; completions (`done`) run on
// the oms thread and must not block it (post elsewhere for real work).

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"
#include "kgw/core/instrument.hpp"
#include "kgw/core/kraken/orders.hpp"
#include "kgw/core/kraken/rest_service.hpp"
#include "kgw/core/kraken/ws_connection.hpp"
#include "kgw/core/net/ws_session.hpp"
#include "kgw/oms/account_view.hpp"
#include "kgw/oms/order_entry.hpp"

namespace kgw::oms {

struct DeadManOptions {
  bool enabled = false;                  // armed while a trading client is attached
  std::chrono::seconds refresh{20};      // how often cancel_all_orders_after is renewed
  int timeout_s = 60;                    // Kraken cancels everything this long after the last renewal
};

struct OrderManagerOptions {
  std::string ws_private_url = "wss://ws-auth.kraken.com/v2";
  net::WsOptions ws;
  std::chrono::milliseconds reconnect_min{250}, reconnect_max{30'000};
  // Kraken sends a heartbeat on a subscribed private connection about once a second.
  std::chrono::milliseconds stale_after{10'000};
  std::chrono::milliseconds ping_idle{20'000};
  kraken::ConnectBudget* connect_budget = nullptr;  // null: the process's (shared with the feed)
  OrderEntryOptions entry;
  AccountViewOptions account;
  // OpenPositions is polled this often (and after fills on margin orders): WS v2 has no
  // positions channel.
  std::chrono::seconds positions_refresh{30};
  // The kill switch's state survives a restart here (`kill_switch`); empty: not persisted.
  std::string state_dir;
  DeadManOptions dead_man;
  // The oms thread spins (io_context::poll(), a pause instruction and sched_yield) instead of
  // sleeping in epoll: a command posted by a gRPC thread, and Kraken's reply on the private socket, are
  // picked up without waking a sleeping thread, at the cost of one CPU kept busy.
  bool busy_poll = false;
  // The oms thread is pinned to this CPU (sched_setaffinity); -1: not pinned. Pinning keeps it
  // off other threads' caches; keeping other threads off its CPU is the host's job (isolcpus,
  // systemd's CPUAffinity=).
  int cpu = -1;
};

struct KillSwitchState {
  bool engaged = false;
  std::string reason;
  WallTime since{};
};

struct DeadManState {
  bool enabled = false;
  bool armed = false;           // a timeout is set at Kraken now
  std::string trigger_time;     // Kraken's, when armed
  std::size_t clients = 0;      // trading clients attached
  std::string last_error;       // the last renewal's failure, if any
};

class OrderManager {
 public:
  template <class T>
  using Done = std::function<void(result<T>)>;

  OrderManager(OrderManagerOptions options, kraken::KrakenRestService& rest, const InstrumentRegistry& registry,
               const Clock& clock);
  ~OrderManager();  // stop()
  OrderManager(const OrderManager&) = delete;
  OrderManager& operator=(const OrderManager&) = delete;

  // Before start(): where the engine's status and a pair's reference price come from (the
  // market-data feed, in the daemon). Without them the checks that need them are skipped or, for
  // max_notional on a market order, refuse.
  void set_system_status_source(std::function<kraken::SystemStatus()> f);
  void set_reference_price_source(std::function<std::optional<Decimal>(const Instrument&)> f);

  // Checks the options, reads the kill switch's persisted state, starts the oms thread and the
  // private session. Errors name the option.
  result<void> start();
  // Disarms the dead-man switch if it is armed (a clean shutdown must not cancel the account's
  // orders a minute later), closes the session, joins the thread. Idempotent.
  void stop();
  // Ends every wait for a WebSocket reply now, as a lost connection would: each such request
  // completes with an unknown outcome (it was sent) and is looked up as usual. For an owner whose
  // stop must not wait for Kraken past its deadline (the daemon's SIGTERM) and that still needs
  // the order manager afterwards (its cancel-all on stop).
  void abandon_replies();

  // Order entry (see OrderEntry). Refused with errc::blocked while the kill switch is engaged.
  void place(kraken::OrderRequest o, Route route, Done<PlacedOrder> done);
  void amend(kraken::AmendRequest a, Route route, Done<EntryAck> done);
  void edit(kraken::EditRequest e, Route route, Done<EntryAck> done);
  void cancel(kraken::CancelRequest c, Route route, Done<EntryAck> done);
  void cancel_all(Route route, Done<EntryAck> done);
  void cancel_all_after(int timeout_s, Route route, Done<EntryAck> done);
  void batch_add(std::string pair, std::vector<kraken::OrderRequest> orders, bool validate,
                 std::optional<std::string> deadline, Route route, Done<BatchResult> done);

  // Kill switch: engaging it cancels all orders (unless `cancel_open` is false) and refuses new
  // ones (place, amend, edit, batch) until it is disengaged; the state is persisted first, so a
  // restart keeps it. A failed cancel-all leaves it engaged (done gets the error).
  void engage_kill_switch(std::string reason, Done<EntryAck> done, bool cancel_open = true);
  result<void> disengage_kill_switch();
  KillSwitchState kill_switch() const;

  // Dead-man switch: while enabled, healthy and at least one trading client is attached, the
  // order manager renews cancel_all_orders_after; it disarms when the last client leaves, when
  // maintenance is announced and on a clean shutdown.
  void set_dead_man(bool enabled);
  void attach_trading_client();
  void detach_trading_client();
  DeadManState dead_man() const;

  // The account view's caches and events (any thread). Null / nothing before start().
  std::shared_ptr<const AccountSnapshot> account() const;
  std::shared_ptr<AccountSubscription> subscribe_account(std::optional<EventCursor> from, std::size_t capacity = 4096,
                                                         std::function<void()> wake = {});
  const AccountViewStats* account_stats() const;
  const OrderEntry::Stats* entry_stats() const;
  // The order ledger; from another thread only its count() (metrics: orders by state).
  const OrderLedger* ledger() const;

  // The private session is connected and its executions subscription acknowledged.
  bool private_session_up() const noexcept { return authenticated_.load(std::memory_order_acquire); }
  const kraken::WsConnectionStats& connection_stats() const noexcept { return ws_stats_; }

  // Blocks the calling thread until `done` would have run (tools, tests; never on the oms thread).
  template <class T, class Start>
  result<T> wait(Start start) {
    std::promise<result<T>> p;
    auto f = p.get_future();
    start([&p](result<T> r) { p.set_value(std::move(r)); });
    return f.get();
  }

 private:
  struct Runtime;
  class PrivateSession;

  boost::asio::awaitable<void> dead_man_loop();
  boost::asio::awaitable<void> reconcile_until_done();
  boost::asio::awaitable<void> positions_loop();
  boost::asio::awaitable<void> dead_man_step();
  result<void> persist_kill_switch(const KillSwitchState& s);
  void load_kill_switch();

  OrderManagerOptions opt_;
  kraken::KrakenRestService& rest_;
  const InstrumentRegistry& registry_;
  const Clock& clock_;
  std::function<kraken::SystemStatus()> system_status_;
  std::function<std::optional<Decimal>(const Instrument&)> reference_price_;
  kraken::WsConnectionStats ws_stats_;
  std::atomic<bool> authenticated_{false};
  std::atomic<bool> kill_engaged_{false};
  std::atomic<bool> stopping_{false};
  mutable std::mutex state_mu_;  // guards kill_ and dead_ (read from any thread)
  KillSwitchState kill_;
  DeadManState dead_;
  std::unique_ptr<Runtime> rt_;
};

}  // namespace kgw::oms
