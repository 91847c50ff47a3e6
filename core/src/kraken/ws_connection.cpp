#include "kgw/core/kraken/ws_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "kgw/core/kraken/ws_requests.hpp"
#include "kgw/core/net/url.hpp"

namespace kgw::kraken {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// Completion of a background close: nothing to return, but never silent (DESIGN §7).
void log_failure(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("ws: background close ended with an exception: {}", ex.what());
  } catch (...) {
    spdlog::error("ws: background close ended with an unknown exception");
  }
}

std::int64_t wall_ns(const Clock& c) noexcept { return c.wall_now().time_since_epoch().count(); }

}  // namespace

ConnectBudget& ConnectBudget::process() {
  static ConnectBudget budget;
  return budget;
}

std::chrono::nanoseconds ConnectBudget::try_book(MonoTime now) {
  std::lock_guard lock(mu_);
  while (!attempts_.empty() && now - attempts_.front() >= window_) attempts_.pop_front();
  if (attempts_.size() < max_) {
    attempts_.push_back(now);
    return {};
  }
  return std::max<std::chrono::nanoseconds>(attempts_.front() + window_ - now, std::chrono::nanoseconds(1));
}

std::size_t ConnectBudget::booked(MonoTime now) {
  std::lock_guard lock(mu_);
  while (!attempts_.empty() && now - attempts_.front() >= window_) attempts_.pop_front();
  return attempts_.size();
}

asio::awaitable<result<void>> WsConnectionHandler::before_connect() { co_return result<void>{}; }

KrakenWsConnection::KrakenWsConnection(asio::any_io_executor ex, WsConnectionOptions options, const Clock& clock,
                                       WsConnectionStats& stats, std::uint32_t seed)
    : ex_(ex),
      opt_(std::move(options)),
      clock_(clock),
      stats_(stats),
      budget_(opt_.budget ? *opt_.budget : ConnectBudget::process()),
      backoff_(opt_.reconnect_min, opt_.reconnect_max, seed),
      stop_signal_(ex, asio::steady_timer::time_point::max()),
      session_end_(ex, asio::steady_timer::time_point::min()) {}

result<void> KrakenWsConnection::validate(const WsConnectionOptions& o) {
  if (auto u = net::parse_url(o.url, net::UrlUse::websocket); !u) return Error(errc::invalid_argument, "url: " + u.error().detail);
  if (o.reconnect_min.count() <= 0 || o.reconnect_max < o.reconnect_min)
    return Error(errc::invalid_argument, "reconnect_min, reconnect_max: need 0 < reconnect_min <= reconnect_max");
  if (o.stale_after.count() <= 0) return Error(errc::invalid_argument, "stale_after: must be positive");
  if (o.ping_idle.count() <= 0) return Error(errc::invalid_argument, "ping_idle: must be positive");
  if (o.tick.count() <= 0) return Error(errc::invalid_argument, "tick: must be positive");
  return {};
}

asio::awaitable<void> KrakenWsConnection::until_stopped() {
  co_await stop_signal_.async_wait(kUseTuple);
}

asio::awaitable<void> KrakenWsConnection::pause(std::chrono::nanoseconds d) {
  asio::steady_timer t(ex_, d);
  co_await (t.async_wait(kUseTuple) || until_stopped());
}

asio::awaitable<void> KrakenWsConnection::sleep(std::chrono::nanoseconds d) {
  asio::steady_timer t(ex_, d);
  co_await (t.async_wait(kUseTuple) || until_stopped() || session_end_.async_wait(kUseTuple));
}

void KrakenWsConnection::stop() {
  stopping_ = true;
  stop_signal_.expires_at(asio::steady_timer::time_point::min());
  close_in_background();
}

void KrakenWsConnection::stop_from_any_thread() {
  asio::post(ex_, [this] { stop(); });
}

bool KrakenWsConnection::send(std::string_view frame) {
  if (!is_open()) return false;
  if (!session_->send(frame)) return false;
  last_tx_mono_ = clock_.mono_now();
  return true;
}

void KrakenWsConnection::replace(std::string_view why) {
  if (!is_open()) return;
  spdlog::warn("{}: replacing the connection: {}", opt_.name, why);
  close_in_background();
}

void KrakenWsConnection::close_in_background() {
  if (!session_) return;
  asio::co_spawn(ex_, [s = session_]() -> asio::awaitable<void> { (void)co_await s->close(); }, log_failure);
}

asio::awaitable<void> KrakenWsConnection::wait_for_budget() {
  while (!stopping_) {
    const auto wait = budget_.try_book(clock_.mono_now());
    if (wait.count() == 0) co_return;
    spdlog::warn("{}: the process used its {} connection attempts of the last 10 minutes; waiting {} s to stay under "
                 "Kraken's limit",
                 opt_.name, ConnectBudget::kDefaultAttempts, std::chrono::duration_cast<std::chrono::seconds>(wait).count());
    co_await pause(wait);
  }
}

asio::awaitable<void> KrakenWsConnection::run(WsConnectionHandler& h) {
  while (!stopping_) {
    co_await wait_for_budget();
    if (stopping_) break;
    auto ready = co_await h.before_connect();
    if (stopping_) break;
    std::shared_ptr<net::WsSession> session;
    Error failure;
    if (!ready) {
      failure = ready.error();
    } else {
      // A server that accepts TCP and never answers the upgrade holds a connect for up to
      // connect_timeout; stop() must not wait for it. Cancelled, connect_ws drops the socket.
      auto raced = co_await (net::connect_ws(opt_.url, opt_.ws) || until_stopped());
      if (raced.index() == 1 || stopping_) break;
      auto connected = std::get<0>(std::move(raced));
      if (connected) session = std::make_shared<net::WsSession>(std::move(*connected));
      else failure = connected.error();
    }
    if (!session) {
      stats_.connect_failures.fetch_add(1, std::memory_order_relaxed);
      std::uint64_t suppressed = 0;
      if (connect_log_.allow(wall_ns(clock_), suppressed))
        spdlog::warn("{}: connect to {} failed: {} (retrying; {} similar suppressed)", opt_.name, opt_.url,
                     failure.message(), suppressed);
      co_await pause(std::max(backoff_.next(), h.min_reconnect_pause()));
      continue;
    }
    session_ = session;
    session_ended_ = false;
    session_end_.expires_at(asio::steady_timer::time_point::max());
    stats_.connects.fetch_add(1, std::memory_order_relaxed);
    stats_.connections_up.fetch_add(1, std::memory_order_relaxed);
    last_rx_mono_ = last_tx_mono_ = clock_.mono_now();
    last_rx_wall_ = clock_.wall_now();
    const MonoTime connected_at = last_rx_mono_;
    h.on_connected();
    try {
      // No arguments built inside the co_await: GCC 12 mishandles temporaries there.
      co_await (reader(h) && keeper(h) && opener(h));
    } catch (const std::exception& e) {
      // Treated as a disconnect: the owner drops what it held and the connection is replaced.
      spdlog::error("{}: connection failed with an exception: {}", opt_.name, e.what());
    }
    session_ended_ = true;
    session_end_.expires_at(asio::steady_timer::time_point::min());
    stats_.connections_up.fetch_sub(1, std::memory_order_relaxed);
    stats_.disconnects.fetch_add(1, std::memory_order_relaxed);
    h.on_close();
    if (session->is_open()) co_await session->close();
    session_.reset();
    if (stopping_) break;
    if (clock_.mono_now() - connected_at > opt_.stable_after) backoff_.reset();
    co_await pause(std::max(backoff_.next(), h.min_reconnect_pause()));
  }
}

asio::awaitable<void> KrakenWsConnection::reader(WsConnectionHandler& h) {
  const std::shared_ptr<net::WsSession> session = session_;
  for (;;) {
    auto m = co_await session->read();
    if (!m) {
      if (!stopping_ && !m.error().is(errc::cancelled))
        spdlog::warn("{}: connection ended: {}", opt_.name, m.error().message());
      break;
    }
    last_rx_mono_ = clock_.mono_now();
    last_rx_wall_ = clock_.wall_now();
    h.on_frame(*m);
  }
  // Wakes the keeper's and the opener's sleeps: the session is over.
  session_ended_ = true;
  session_end_.expires_at(asio::steady_timer::time_point::min());
}

asio::awaitable<void> KrakenWsConnection::keeper(WsConnectionHandler& h) {
  const std::shared_ptr<net::WsSession> session = session_;
  const auto tick = std::clamp<std::chrono::nanoseconds>(opt_.tick, std::chrono::milliseconds(1),
                                                         std::max<std::chrono::nanoseconds>(opt_.stale_after / 4, std::chrono::milliseconds(1)));
  while (!session_ended_ && !stopping_) {
    co_await sleep(tick);
    if (session_ended_ || stopping_) break;
    const MonoTime now = clock_.mono_now();
    if (now - last_rx_mono_ > opt_.stale_after) {
      stats_.stale_reconnects.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("{}: nothing received for {} ms; reconnecting", opt_.name, opt_.stale_after.count());
      co_await session->close();  // the reader's read() ends; run() reconnects
      break;
    }
    h.on_tick();
    if (session_ended_) break;
    if (now - last_tx_mono_ > opt_.ping_idle && send(ws_ping(next_req_id())))
      stats_.pings_sent.fetch_add(1, std::memory_order_relaxed);
  }
}

asio::awaitable<void> KrakenWsConnection::opener(WsConnectionHandler& h) { co_await h.on_open(*this); }

}  // namespace kgw::kraken
