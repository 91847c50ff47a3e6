#pragma once
// Keeping a Kraken WebSocket v2 connection up (PROTOCOL.md §5.3, §6): connect (after a hook that
// may fetch a fresh token), let the owner subscribe, deliver every frame in order, ping when
// nothing was sent for a while, replace the connection when nothing was received for too long,
// and reconnect with jittered backoff. Every attempt, of every connection in the process, draws
// from one ConnectBudget: Kraken's limit (Cloudflare's) is per IP, so the market-data feed and
// the order manager share it.
//
// KrakenWsConnection runs as one coroutine on its owner's executor (a single-threaded
// io_context); its methods are for that thread only, except stop_from_any_thread(). The owner
// (MarketFeed's shard, the order manager's private session) implements WsConnectionHandler.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "kgw/core/backoff.hpp"
#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"
#include "kgw/core/log.hpp"
#include "kgw/core/net/ws_session.hpp"

namespace kgw::kraken {

// Connection attempts per IP: Cloudflare bans an IP for 10 minutes after ~150 attempts in 10
// minutes (PROTOCOL.md §5.3), so the gateway stays under 120. Thread-safe.
class ConnectBudget {
 public:
  static constexpr std::size_t kDefaultAttempts = 120;
  static constexpr std::chrono::minutes kDefaultWindow{10};

  explicit ConnectBudget(std::size_t attempts = kDefaultAttempts, std::chrono::nanoseconds window = kDefaultWindow)
      : max_(attempts), window_(window) {}
  // The one of this process (the default of every connection).
  static ConnectBudget& process();

  // Books an attempt at `now` and returns zero, or returns how long until one is free (nothing
  // is booked then).
  std::chrono::nanoseconds try_book(MonoTime now);
  std::size_t booked(MonoTime now);  // attempts in the window ending now

 private:
  std::mutex mu_;
  const std::size_t max_;
  const std::chrono::nanoseconds window_;
  std::deque<MonoTime> attempts_;
};

struct WsConnectionOptions {
  std::string url;
  net::WsOptions ws;
  std::chrono::milliseconds reconnect_min{250}, reconnect_max{30'000};
  // Nothing received (data or heartbeat) this long: the connection is stale and is replaced.
  std::chrono::milliseconds stale_after{10'000};
  // Nothing sent this long: an application ping goes out (Kraken closes idle connections).
  std::chrono::milliseconds ping_idle{30'000};
  // How often the keeper checks (and calls the handler's on_tick); at most a quarter of
  // stale_after is used.
  std::chrono::milliseconds tick{250};
  // A connection that held this long earns a fast reconnect; a flapping one backs off.
  std::chrono::seconds stable_after{30};
  ConnectBudget* budget = nullptr;  // null: ConnectBudget::process()
  std::string name = "ws";          // in log lines: "feed[0]", "oms"
};

// Counters of one or more connections (a shard set shares one). Relaxed atomics.
struct WsConnectionStats {
  std::atomic<std::uint64_t> connects{0}, disconnects{0}, stale_reconnects{0}, pings_sent{0}, connect_failures{0};
  std::atomic<std::uint32_t> connections_up{0};
};

class KrakenWsConnection;

// What the owner of a connection does at each step. Called on the connection's executor.
class WsConnectionHandler {
 public:
  virtual ~WsConnectionHandler() = default;
  // Before each attempt: a private connection fetches a fresh token here. An error counts as a
  // failed attempt (logged, backed off, tried again).
  virtual boost::asio::awaitable<result<void>> before_connect();
  // The connection is open, before any frame is delivered: reset per-connection state.
  virtual void on_connected() {}
  // Then: subscribe (pacing with conn.sleep()). Runs while frames are already being delivered
  // to on_frame.
  virtual boost::asio::awaitable<void> on_open(KrakenWsConnection& conn) = 0;
  // Every frame, in order. `m.data` is followed by at least m.padding readable bytes (parse in
  // place); it is valid until on_frame returns.
  virtual void on_frame(const net::WsMessage& m) = 0;
  // Every keeper tick while the connection is open.
  virtual void on_tick() {}
  // The open connection ended, whoever ended it.
  virtual void on_close() = 0;
  // The least pause before the next attempt (e.g. 5 s after maintenance, PROTOCOL.md §5.3).
  virtual std::chrono::nanoseconds min_reconnect_pause() { return {}; }
};

class KrakenWsConnection {
 public:
  KrakenWsConnection(boost::asio::any_io_executor ex, WsConnectionOptions options, const Clock& clock,
                     WsConnectionStats& stats, std::uint32_t seed);
  KrakenWsConnection(const KrakenWsConnection&) = delete;
  KrakenWsConnection& operator=(const KrakenWsConnection&) = delete;

  // Checks the options (the URL above all: one that cannot work would be retried for good).
  static result<void> validate(const WsConnectionOptions& options);

  // Connects, runs the handler, reconnects; returns after stop().
  boost::asio::awaitable<void> run(WsConnectionHandler& handler);
  // Ends run() promptly: a pending connect, sleep or read ends, an open session is closed.
  void stop();
  // stop(), posted to the connection's executor.
  void stop_from_any_thread();

  // While open: queues a frame (false if there is no session or its queue is full).
  bool send(std::string_view frame);
  // Closes the current session (logged with `why`); run() reconnects after the backoff.
  void replace(std::string_view why);
  // A pause that ends early when the session ends or stop() is called; for on_open's pacing.
  boost::asio::awaitable<void> sleep(std::chrono::nanoseconds d);

  bool is_open() const noexcept { return session_ != nullptr && !session_ended_; }
  bool stopping() const noexcept { return stopping_; }
  std::int64_t next_req_id() noexcept { return ++req_id_; }
  // When the last byte arrived on the current session (mono for the watchdog, wall for readers).
  MonoTime last_rx_mono() const noexcept { return last_rx_mono_; }
  WallTime last_rx_wall() const noexcept { return last_rx_wall_; }
  const WsConnectionOptions& options() const noexcept { return opt_; }

 private:
  boost::asio::awaitable<void> reader(WsConnectionHandler& h);
  boost::asio::awaitable<void> keeper(WsConnectionHandler& h);
  boost::asio::awaitable<void> opener(WsConnectionHandler& h);
  boost::asio::awaitable<void> pause(std::chrono::nanoseconds d);  // ends early on stop() only
  boost::asio::awaitable<void> until_stopped();
  boost::asio::awaitable<void> wait_for_budget();
  void close_in_background();

  boost::asio::any_io_executor ex_;
  WsConnectionOptions opt_;
  const Clock& clock_;
  WsConnectionStats& stats_;
  ConnectBudget& budget_;
  Backoff backoff_;
  // Set in the past, these end every wait on them: stop_signal_ for good, session_end_ for the
  // session in progress.
  boost::asio::steady_timer stop_signal_, session_end_;
  std::shared_ptr<net::WsSession> session_;
  bool session_ended_ = true;
  bool stopping_ = false;
  std::int64_t req_id_ = 0;
  MonoTime last_rx_mono_{}, last_tx_mono_{};
  WallTime last_rx_wall_{};
  log::RateLimiter connect_log_{5, std::chrono::seconds(60)};
};

}  // namespace kgw::kraken
