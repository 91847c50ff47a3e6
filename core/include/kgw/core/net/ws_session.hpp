#pragma once
// WebSocket client (ws:// and wss://) for Kraken WS v2 and the simulator. Beast's stream types
// stay in core/src/net (one .cpp per transport) so that including this header costs little.

#include "kgw/core/error.hpp"
#include "kgw/core/net/url.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace boost::asio::ssl {
class context;
}

namespace kgw::net {

struct WsOptions {
  std::string user_agent = "kraken-gatewayd/0.1";
  // Resolve + TCP connect + TLS handshake + WebSocket upgrade, all together.
  std::chrono::milliseconds connect_timeout{10'000};
  // After this long with nothing received, a protocol ping goes out (a ping is sent after one to
  // two intervals of silence: the check runs once per interval). 0 disables pings.
  std::chrono::milliseconds ping_interval{15'000};
  // Nothing at all received this long after a ping: the peer is dead; read() reports timeout.
  std::chrono::milliseconds pong_timeout{10'000};
  // One frame that cannot be written for this long (peer not reading) is also a dead peer.
  std::chrono::milliseconds write_timeout{10'000};
  // close(): close frame exchange plus TLS/TCP shutdown.
  std::chrono::milliseconds close_timeout{3'000};
  // Larger incoming messages end the session with errc::message_too_big.
  std::size_t max_message_bytes = std::size_t{4} << 20;
  // Messages send() may queue ahead of the writer; beyond that send() says queue_full.
  std::size_t send_queue_capacity = 1024;
  // For wss://. Null: a default context with the system trust store (make_client_tls_context).
  std::shared_ptr<boost::asio::ssl::context> tls;
};

enum class WsFrame : unsigned char { text, binary };

// Readable bytes guaranteed after the end of every message read() returns. Equal to
// simdjson::SIMDJSON_PADDING, so the feed parses frames in place without copying them.
inline constexpr std::size_t kWsReadPadding = 64;

// One received message. `data` points into the session's read buffer: valid until the next
// read() on the same session or the session's destruction, whichever comes first. The buffer
// holds at least `padding` (>= kWsReadPadding) allocated, readable bytes after data.end():
// `simdjson::padded_string_view(data.data(), data.size(), data.size() + padding)`.
struct WsMessage {
  std::string_view data;
  std::size_t padding = 0;
  WsFrame kind = WsFrame::text;
};

// Traffic counters, payload bytes only (no framing). Read with relaxed atomics.
struct WsCounters {
  std::uint64_t bytes_in = 0;
  std::uint64_t messages_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t messages_out = 0;
};

namespace detail {
class WsSessionCore;
}

// An open WebSocket connection, owned by its caller (the feed), who runs the one reader
// coroutine; an internal writer drains the send queue, one frame write in flight at a time.
// Thread safety: lives on the executor (io_context thread or strand) of the coroutine that
// connected it; use and destroy it only there. counters() may be read from any thread.
//
// Pongs are only processed under a pending read(), so keep reading: a reader that stalls longer
// than pong_timeout (with nothing else arriving) gets its session declared dead.
class WsSession {
 public:
  explicit WsSession(std::shared_ptr<detail::WsSessionCore> core) noexcept;
  WsSession(WsSession&&) noexcept;
  WsSession& operator=(WsSession&&) noexcept;
  WsSession(const WsSession&) = delete;
  WsSession& operator=(const WsSession&) = delete;
  // Drops the connection at once (no close frame); use close() first for a clean goodbye.
  ~WsSession();

  // The next message, or the error that ended the session: connection_closed (the server
  // closed; detail has its close code and reason), timeout (no pong / stalled write),
  // message_too_big, protocol_error, tls_error, cancelled (we closed). Every error is final.
  boost::asio::awaitable<result<WsMessage>> read();

  // Copies `payload` into the bounded send queue and returns at once. queue_full when the queue
  // has no room (nothing was enqueued); connection_closed (or the session's final error) after
  // the session ended. Reuses queue slots, so steady-state sends do not allocate.
  result<void> send(std::string_view payload, WsFrame kind = WsFrame::text);

  // Sends what is queued, then a close frame (1000), waits for the server's close frame and
  // shuts the transport down (TLS close_notify, then TCP). Bounded by close_timeout
  // (errc::timeout, and the connection is dropped). Pending read() ends with errc::cancelled.
  // EOF or a reset during the shutdown is success: the peer is gone, as asked. Idempotent.
  boost::asio::awaitable<result<void>> close();

  bool is_open() const noexcept;
  std::size_t queued() const noexcept;
  WsCounters counters() const noexcept;
  const Url& url() const noexcept;

 private:
  std::shared_ptr<detail::WsSessionCore> core_;
};

// Connects to `url` (ws:// or wss://). Errors: invalid_argument (URL), connection_failed
// (resolve/connect/refused), tls_error (handshake, certificate, host name), protocol_error
// (the upgrade was refused; detail has the HTTP status), timeout (connect_timeout passed).
// No default argument on purpose: GCC 12 destroys a default-argument temporary of a co_await'ed
// call twice (double free seen in kraken-sim's end-to-end test); pass `WsOptions{}` or a value.
boost::asio::awaitable<result<WsSession>> connect_ws(std::string_view url, WsOptions options);

}  // namespace kgw::net
