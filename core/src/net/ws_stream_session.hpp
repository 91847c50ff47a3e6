#pragma once
// Internal to core/src/net: the Beast WebSocket session over one transport. Include only from
// ws_plain.cpp and ws_tls.cpp: each instantiates it once, and the two compile in parallel.

#include "async_util.hpp"
#include "net_error.hpp"
#include "tcp_connect.hpp"
#include "tls_stream.hpp"
#include "ws_core.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <spdlog/spdlog.h>

#include <cstring>
#include <exception>
#include <optional>
#include <type_traits>
#include <vector>

namespace kgw::net::detail {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using boost::asio::ip::tcp;
using namespace boost::asio::experimental::awaitable_operators;

// Stream is tcp::socket (ws://) or ssl::stream<tcp::socket> (wss://). Owned by shared_ptr: the
// WsSession handle and the writer coroutine each hold one. Single executor, no locks.
template <class Stream>
class WsStreamSession final : public WsSessionCore, public std::enable_shared_from_this<WsStreamSession<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, tcp::socket>;

 public:
  WsStreamSession(asio::any_io_executor ex, Url url, WsOptions options)
      : WsSessionCore(std::move(url)),
        executor_(ex),
        options_(std::move(options)),
        ws_(make_stream(ex, options_)),
        resolver_(ex),
        wake_(ex),
        close_done_(ex),
        ring_(options_.send_queue_capacity == 0 ? 1 : options_.send_queue_capacity) {}

  // Resolve, TCP, TLS (with SNI + host-name check), WebSocket upgrade; all under one deadline.
  // A caller that cancels the connect (races it with `||` against its own stop signal) ends it
  // at once too, with errc::cancelled. The TCP connect, TLS handshake and upgrade take the
  // cancellation signal, a pending resolve does not: the watchdog closes the transport and
  // cancels the resolver then, so no step can hold a cancelled connect.
  asio::awaitable<result<void>> connect() {
    auto self = this->shared_from_this();
    const auto deadline = Clock::now() + options_.connect_timeout;
    auto raced = co_await (handshake() || connect_watchdog(deadline));
    if (raced.index() == 0) co_return std::get<0>(std::move(raced));
    if (connect_timed_out_)
      co_return fail(errc::timeout, "connect to " + url_.to_string() + " timed out after " +
                                        std::to_string(options_.connect_timeout.count()) + " ms during " + phase_);
    co_return fail(errc::cancelled, "connect to " + url_.to_string() + " was cancelled during " + phase_);
  }

  void start_writer() {
    open_ = true;
    auto self = this->shared_from_this();
    asio::co_spawn(executor_, writer(self), [url = url_.to_string()](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("websocket writer for {} ended with an exception: {}", url, ex.what());
      } catch (...) {
        spdlog::error("websocket writer for {} ended with an unknown exception", url);
      }
    });
  }

  asio::awaitable<result<WsMessage>> read() override {
    if (terminal_) co_return *terminal_;
    if (reading_) co_return fail(errc::internal, "read() called while another read() is pending");
    reading_ = true;
    rx_.consume(rx_.size());  // the previous message's view ends here (documented lifetime)
    auto [ec, n] = co_await ws_.async_read(rx_, kUseTuple);
    reading_ = false;
    if (ec) co_return *set_terminal(read_error(ec));
    ++rx_events_;
    count_in(n);
    // Reserve the padding after the message; prepare() may move the data, so take the view
    // afterwards. Zeroed so nothing reads uninitialised memory, for the sanitizers' sake.
    const auto tail = rx_.prepare(kWsReadPadding);
    std::memset(tail.data(), 0, tail.size());
    const auto data = rx_.cdata();
    co_return WsMessage{std::string_view(static_cast<const char*>(data.data()), data.size()), tail.size(),
                        ws_.got_text() ? WsFrame::text : WsFrame::binary};
  }

  result<void> send(std::string_view payload, WsFrame kind) override {
    if (terminal_) return *terminal_;
    if (close_requested_) return fail(errc::connection_closed, "session to " + url_.to_string() + " is closing");
    if (count_ == ring_.size())
      return fail(errc::queue_full, "send queue to " + url_.to_string() + " is full (" +
                                        std::to_string(ring_.size()) + " messages)");
    Slot& slot = ring_[(head_ + count_) % ring_.size()];
    slot.data.assign(payload.data(), payload.size());  // keeps the slot's capacity: no allocation once warm
    slot.kind = kind;
    ++count_;
    wake_.cancel();
    return {};
  }

  asio::awaitable<result<void>> close() override {
    auto self = this->shared_from_this();
    if (!close_requested_) {
      close_requested_ = true;
      close_deadline_ = Clock::now() + options_.close_timeout;
      wake_.cancel();
    }
    while (!close_finished_) {
      close_done_.expires_at(close_deadline_);
      auto [ec] = co_await close_done_.async_wait(kUseTuple);
      if (!ec) break;  // the deadline passed; a cancel means the writer has news
    }
    if (!close_finished_) {
      set_terminal(fail(errc::cancelled, "session to " + url_.to_string() + " was closed locally"));
      abort_transport();
      co_return fail(errc::timeout, "close of " + url_.to_string() + " did not finish within " +
                                        std::to_string(options_.close_timeout.count()) + " ms");
    }
    co_return close_result_;
  }

  void abort() noexcept override {
    set_terminal(fail(errc::cancelled, "session to " + url_.to_string() + " was dropped locally"));
    abort_transport();
  }

  bool is_open() const noexcept override { return open_ && !terminal_; }
  std::size_t queued() const noexcept override { return count_; }
  const asio::any_io_executor& executor() const noexcept override { return executor_; }

 private:
  struct Slot {
    std::string data;
    WsFrame kind = WsFrame::text;
  };

  static websocket::stream<Stream> make_stream(const asio::any_io_executor& ex, const WsOptions& options) {
    if constexpr (kTls) return websocket::stream<Stream>(ex, *options.tls);
    else return websocket::stream<Stream>(ex);
  }

  // connect()'s other half. Its wait ends in three ways: the deadline (timeout), the handshake
  // finishing first (`||` cancels the wait; nothing to do), or the caller cancelling the connect
  // (the wait is cancelled while the handshake is still pending).
  asio::awaitable<void> connect_watchdog(Clock::time_point deadline) {
    asio::steady_timer timer(executor_, deadline);
    auto [ec] = co_await timer.async_wait(kUseTuple);
    if (handshake_finished_) co_return;
    connect_timed_out_ = !ec;
    abort_transport();
  }

  asio::awaitable<result<void>> handshake() {
    // Set however this frame ends (a co_return, or operation_aborted thrown into a cancelled
    // coroutine at its next co_await), before the watchdog's cancelled wait is handled.
    struct Finished {
      bool& flag;
      ~Finished() { flag = true; }
    } finished{handshake_finished_};
    phase_ = "resolve/connect";
    auto tcp_ok = co_await connect_tcp(beast::get_lowest_layer(ws_), resolver_, url_.host, url_.port);
    if (!tcp_ok) co_return tcp_ok.error();
    if constexpr (kTls) {
      phase_ = "TLS handshake";
      auto prepared = prepare_tls_client(ws_.next_layer(), *options_.tls, url_.host);
      if (!prepared) co_return prepared.error();
      auto [ec] = co_await ws_.next_layer().async_handshake(asio::ssl::stream_base::client, kUseTuple);
      if (ec) co_return tls_handshake_error(ec, ws_.next_layer().native_handle(), url_.authority());
    }
    phase_ = "WebSocket handshake";
    ws_.set_option(websocket::stream_base::decorator(
        [ua = options_.user_agent](websocket::request_type& req) { req.set(beast::http::field::user_agent, ua); }));
    ws_.read_message_max(options_.max_message_bytes);
    // Any control frame (pong, ping, close) proves the peer is alive.
    ws_.control_callback([this](websocket::frame_type, beast::string_view) { ++rx_events_; });
    websocket::response_type response;
    auto [ec] = co_await ws_.async_handshake(response, url_.host_header(), url_.target, kUseTuple);
    if (ec) {
      Error e = to_error(ec, "WebSocket upgrade at " + url_.to_string(), errc::protocol_error);
      if (response.result_int() != 0) e.detail += " (HTTP " + std::to_string(response.result_int()) + ")";
      co_return e;
    }
    phase_ = "open";
    co_return result<void>{};
  }

  // The only coroutine that writes frames: queued messages, keep-alive pings, the close frame.
  asio::awaitable<void> writer(std::shared_ptr<WsStreamSession> self) {
    (void)self;  // held only to keep the session alive until the writer exits
    const auto interval = options_.ping_interval;
    auto next_check = Clock::now() + interval;
    bool ping_outstanding = false;
    std::uint64_t rx_mark = rx_events_;
    while (!terminal_) {
      if (count_ > 0) {
        Slot& slot = ring_[head_];
        ws_.text(slot.kind == WsFrame::text);
        if (!co_await write_frame(slot.data, false)) break;
        count_out(slot.data.size());
        head_ = (head_ + 1) % ring_.size();
        --count_;
        continue;
      }
      if (close_requested_) {
        co_await close_handshake();
        break;
      }
      if (interval.count() > 0 && Clock::now() >= next_check) {
        if (rx_events_ != rx_mark) {  // the peer spoke: alive, nothing to ask
          rx_mark = rx_events_;
          ping_outstanding = false;
          next_check = Clock::now() + interval;
        } else if (!ping_outstanding) {
          if (!co_await write_frame({}, true)) break;
          ping_outstanding = true;
          next_check = Clock::now() + options_.pong_timeout;
        } else {
          set_terminal(fail(errc::timeout, "no pong or data from " + url_.to_string() + " within " +
                                               std::to_string(options_.pong_timeout.count()) +
                                               " ms after a ping; peer presumed dead"));
          abort_transport();
          break;
        }
        continue;
      }
      wake_.expires_at(interval.count() > 0 ? next_check : Clock::time_point::max());
      co_await wake_.async_wait(kUseTuple);  // woken early by send(), close(), or a final error
    }
    close_finished_ = true;
    close_done_.cancel();
  }

  // One data frame (or a ping) raced against write_timeout; false when the session ended.
  asio::awaitable<bool> write_frame(const std::string& payload, bool ping) {
    const auto start = Clock::now();
    auto deadline = start + options_.write_timeout;
    if (close_requested_ && close_deadline_ < deadline) deadline = close_deadline_;
    bool expired = false;
    auto on_expire = [this, &expired] {
      expired = true;
      abort_transport();
    };
    boost::system::error_code ec;
    if (ping) {
      auto raced = co_await (ws_.async_ping({}, kUseTuple) || expire_at(deadline, on_expire));
      if (raced.index() == 0) ec = std::get<0>(std::get<0>(raced));
    } else {
      auto raced = co_await (ws_.async_write(asio::buffer(payload), kUseTuple) || expire_at(deadline, on_expire));
      if (raced.index() == 0) ec = std::get<0>(std::get<0>(raced));
    }
    if (expired) {
      set_terminal(fail(errc::timeout, "a write to " + url_.to_string() + " stalled for " +
                                           std::to_string(millis(deadline - start)) + " ms; peer presumed dead"));
      co_return false;
    }
    if (ec) {
      set_terminal(ec == websocket::error::closed ? closed_by_server() : to_error(ec, "write to " + url_.to_string(),
                                                                                  errc::connection_closed));
      abort_transport();
      co_return false;
    }
    co_return true;
  }

  asio::awaitable<void> close_handshake() {
    bool expired = false;
    auto raced = co_await (ws_.async_close(websocket::close_code::normal, kUseTuple) ||
                           expire_at(close_deadline_, [this, &expired] {
                             expired = true;
                             abort_transport();
                           }));
    boost::system::error_code ec;
    if (raced.index() == 0) ec = std::get<0>(std::get<0>(raced));
    if (expired) {
      close_result_ = fail(errc::timeout, "close of " + url_.to_string() + " did not finish within " +
                                              std::to_string(options_.close_timeout.count()) + " ms");
    } else if (ec && classify(ec, errc::connection_closed) != errc::connection_closed) {
      // EOF, reset or a missing TLS close_notify while tearing down mean the peer is gone, which
      // is what close() asked for (servers often drop TCP right after their close frame). Only
      // errors that say something else (TLS alerts, protocol violations) are worth reporting.
      close_result_ = to_error(ec, "close of " + url_.to_string(), errc::connection_closed);
    }
    set_terminal(fail(errc::cancelled, "session to " + url_.to_string() + " was closed locally"));
    abort_transport();  // Beast left the socket open after a TLS shutdown error; make sure
  }

  Error closed_by_server() const {
    const auto& reason = ws_.reason();
    std::string d = "server closed " + url_.to_string() + " (code " + std::to_string(reason.code);
    if (!reason.reason.empty()) {
      d += ", reason '";
      d += std::string_view(reason.reason.data(), reason.reason.size());
      d += '\'';
    }
    d += ')';
    return fail(errc::connection_closed, std::move(d));
  }

  Error read_error(const boost::system::error_code& ec) const {
    if (terminal_) return *terminal_;  // the writer or close() ended the session and said why
    if (ec == websocket::error::closed) return closed_by_server();
    if (ec == websocket::error::message_too_big)
      return fail(errc::message_too_big, "a message from " + url_.to_string() + " exceeds " +
                                             std::to_string(options_.max_message_bytes) + " bytes");
    return to_error(ec, "read from " + url_.to_string(), errc::connection_closed);
  }

  // Records the first final error and wakes the writer so it exits. Returns the stored error.
  const Error* set_terminal(Error e) {
    if (!terminal_) terminal_ = std::move(e);
    wake_.cancel();
    return &*terminal_;
  }

  void abort_transport() noexcept {
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).close(ignored);
    resolver_.cancel();
    wake_.cancel();
  }

  asio::any_io_executor executor_;
  WsOptions options_;
  websocket::stream<Stream> ws_;
  tcp::resolver resolver_;
  asio::steady_timer wake_;        // the writer sleeps on it; send()/close()/errors cancel it
  asio::steady_timer close_done_;  // close() sleeps on it until the writer has finished
  beast::flat_buffer rx_;
  std::vector<Slot> ring_;         // bounded send queue: [head_, head_ + count_) modulo size
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::uint64_t rx_events_ = 0;    // messages + control frames received: the liveness signal
  std::optional<Error> terminal_;  // first error that ended the session; reads report it
  const char* phase_ = "start";
  bool handshake_finished_ = false;  // connect(): the handshake's coroutine has returned
  bool connect_timed_out_ = false;   // connect(): the watchdog fired at the deadline
  Clock::time_point close_deadline_{};
  result<void> close_result_{};
  bool open_ = false;
  bool reading_ = false;
  bool close_requested_ = false;
  bool close_finished_ = false;
};

template <class Stream>
asio::awaitable<result<WsSession>> connect_ws_stream(Url url, WsOptions options) {
  auto ex = co_await asio::this_coro::executor;
  auto core = std::make_shared<WsStreamSession<Stream>>(ex, std::move(url), std::move(options));
  auto connected = co_await core->connect();
  if (!connected) {
    core->abort();
    co_return connected.error();
  }
  core->start_writer();
  co_return WsSession(std::move(core));
}

}  // namespace kgw::net::detail
