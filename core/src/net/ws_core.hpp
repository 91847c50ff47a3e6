#pragma once
// Internal to core/src/net: the type-erased WebSocket session behind kgw::net::WsSession and the
// per-transport factories (ws_plain.cpp, ws_tls.cpp), each instantiating Beast once.

#include "kgw/core/net/ws_session.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>

namespace kgw::net::detail {

// Implemented by WsStreamSession<Stream>. Owned through shared_ptr by WsSession and by the
// writer coroutine; all members except the counters are touched only on executor().
class WsSessionCore {
 public:
  virtual ~WsSessionCore() = default;
  virtual boost::asio::awaitable<result<WsMessage>> read() = 0;
  virtual result<void> send(std::string_view payload, WsFrame kind) = 0;
  virtual boost::asio::awaitable<result<void>> close() = 0;
  // Drops the transport now and stops the writer; idempotent.
  virtual void abort() noexcept = 0;
  virtual bool is_open() const noexcept = 0;
  virtual std::size_t queued() const noexcept = 0;
  virtual const boost::asio::any_io_executor& executor() const noexcept = 0;
  const Url& url() const noexcept { return url_; }

  WsCounters counters() const noexcept {
    WsCounters c;
    c.bytes_in = bytes_in_.load(std::memory_order_relaxed);
    c.messages_in = messages_in_.load(std::memory_order_relaxed);
    c.bytes_out = bytes_out_.load(std::memory_order_relaxed);
    c.messages_out = messages_out_.load(std::memory_order_relaxed);
    return c;
  }

 protected:
  explicit WsSessionCore(Url url) : url_(std::move(url)) {}
  // Single writer (the session's executor); relaxed is enough because readers only want
  // monotonic, eventually visible numbers for metrics, not ordering with other data.
  void count_in(std::size_t bytes) noexcept {
    bytes_in_.store(bytes_in_.load(std::memory_order_relaxed) + bytes, std::memory_order_relaxed);
    messages_in_.store(messages_in_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  void count_out(std::size_t bytes) noexcept {
    bytes_out_.store(bytes_out_.load(std::memory_order_relaxed) + bytes, std::memory_order_relaxed);
    messages_out_.store(messages_out_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  Url url_;

 private:
  std::atomic<std::uint64_t> bytes_in_{0};
  std::atomic<std::uint64_t> messages_in_{0};
  std::atomic<std::uint64_t> bytes_out_{0};
  std::atomic<std::uint64_t> messages_out_{0};
};

// `options.tls` is set for the TLS variant (connect_ws fills in the default context).
boost::asio::awaitable<result<WsSession>> connect_ws_plain(Url url, WsOptions options);
boost::asio::awaitable<result<WsSession>> connect_ws_tls(Url url, WsOptions options);

}  // namespace kgw::net::detail
