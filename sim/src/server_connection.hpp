#pragma once
// Internal to sim/src: one server connection over one transport: HTTP/1.1 requests until it
// closes or upgrades, then one WebSocket peer. Include only from server_plain.cpp and
// server_tls.cpp: each instantiates it once, and the two compile in parallel (BUILD-NOTES.md).

#include "server_state.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <deque>
#include <type_traits>
#include <utility>

namespace kgw::sim::detail {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using boost::system::error_code;
using namespace boost::asio::experimental::awaitable_operators;

// After an answer that ends the connection (413, 400, Connection: close) the rest of what the
// client sent is read and discarded for a moment before closing: closing a socket with unread
// input sends a RST, and a RST can destroy the answer before the client has read it.
inline constexpr std::chrono::milliseconds kLingerTime{2'000};
inline constexpr std::size_t kLingerBytes = std::size_t{4} << 20;

// ---------------------------------------------------------------------------------------------
// GatedStream: a pass-through stream layer under the WebSocket stream that can hold both
// directions still. stall() needs it: Beast answers pings from inside any pending read, and a
// pending WebSocket read cannot be cancelled without failing the stream, so silence has to be
// made below Beast. While stalled, a completed read is parked (its bytes are not handed to Beast
// yet) and a write is not started; releasing the gate lets both continue where they stopped.

template <class Next>
class GatedStream {
 public:
  using next_layer_type = Next;
  using executor_type = typename Next::executor_type;

  explicit GatedStream(Next&& next) : next_(std::move(next)), gate_(next_.get_executor(), Clock::time_point::max()) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  Next& next_layer() noexcept { return next_; }
  const Next& next_layer() const noexcept { return next_; }

  void set_stalled(bool on) {
    stalled_ = on;
    if (!on) gate_.cancel();  // wakes every parked operation; each re-checks stalled_
  }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          auto ex = asio::get_associated_executor(handler, get_executor());
          next_.async_read_some(b, asio::bind_executor(ex, [this, h = std::move(handler)](error_code ec,
                                                                                         std::size_t n) mutable {
                                  deliver_read(std::move(h), ec, n);
                                }));
        },
        token, buffers);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          if (!stalled_) {
            next_.async_write_some(b, std::move(handler));
            return;
          }
          auto ex = asio::get_associated_executor(handler, get_executor());
          gate_.async_wait(asio::bind_executor(ex, [this, b, h = std::move(handler)](error_code) mutable {
            async_write_some(b, std::move(h));  // parks again if the stall came back meanwhile
          }));
        },
        token, buffers);
  }

 private:
  template <class Handler>
  void deliver_read(Handler&& h, error_code ec, std::size_t n) {
    if (!stalled_) {
      std::move(h)(ec, n);
      return;
    }
    auto ex = asio::get_associated_executor(h, get_executor());
    gate_.async_wait(asio::bind_executor(ex, [this, h = std::move(h), ec, n](error_code) mutable {
      deliver_read(std::move(h), ec, n);
    }));
  }

  Next next_;
  asio::steady_timer gate_;  // never expires; cancel() releases the parked operations
  bool stalled_ = false;
};

// The WebSocket close handshake ends with a teardown of the layer below; Beast finds it by ADL.
template <class Next, class TeardownHandler>
void async_teardown(beast::role_type role, GatedStream<Next>& stream, TeardownHandler&& handler) {
  using boost::beast::async_teardown;             // ssl::stream (websocket/ssl.hpp)
  using boost::beast::websocket::async_teardown;  // tcp::socket
  async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
}

template <class Next>
void teardown(beast::role_type role, GatedStream<Next>& stream, error_code& ec) {
  using boost::beast::teardown;
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

// ---------------------------------------------------------------------------------------------
// WsPeerImpl: one WebSocket session. The connection coroutine runs its reader; a second
// coroutine is the only writer (queued messages, then the close frame), so exactly one frame
// write is in flight. Both hold the peer alive until they end.

template <class Stream>
class WsPeerImpl final : public WsPeer, public std::enable_shared_from_this<WsPeerImpl<Stream>> {
 public:
  WsPeerImpl(std::shared_ptr<ServerState> state, std::uint64_t id, std::string target, Stream&& stream)
      : WsPeer(id, std::move(target)),
        state_(std::move(state)),
        ws_(std::move(stream)),
        wake_(state_->io, Clock::time_point::max()) {}

  bool send(std::string text) override {
    if (!open_) return false;
    if (queue_.size() >= state_->options.ws_send_queue) {
      ++state_->stats.ws_overflowed;
      spdlog::warn("kraken-sim: WebSocket peer {} on {} did not read; {} messages queued, dropping it", id_,
                   target_, queue_.size());
      drop();
      return false;
    }
    queue_.push_back(std::move(text));
    queued_ = queue_.size();
    wake_.cancel();
    return true;
  }

  void close(std::uint16_t code, std::string reason) override {
    if (!open_) return;
    open_ = false;
    close_requested_ = true;
    close_reason_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
    wake_.cancel();
  }

  void drop() override {
    open_ = false;
    drop_transport();
  }

  void stall(bool on) override {
    if (ended_) return;
    stalled_ = on;
    ws_.next_layer().set_stalled(on);
  }

  // The upgrade, then the read loop until the session ends, then on_ws_close.
  asio::awaitable<void> run(http::request<http::string_body> request) {
    auto self = this->shared_from_this();
    const ServerOptions& o = state_->options;
    ws_.read_message_max(o.max_ws_message);
    ws_.set_option(websocket::stream_base::decorator(
        [name = o.server_header](websocket::response_type& res) { res.set(http::field::server, name); }));
    bool expired = false;
    auto accepted = co_await (ws_.async_accept(request, kUseTuple) ||
                              expire_at(Clock::now() + o.idle_timeout, [this, &expired] {
                                expired = true;
                                drop_transport();
                              }));
    if (expired || std::get<0>(std::get<0>(accepted))) {
      open_ = false;
      drop_transport();
      co_return;  // never opened: the handler hears nothing of it
    }

    state_->peers.emplace(id_, self);
    ++state_->stats.ws_opened;
    asio::co_spawn(state_->io, writer(self), LogCompletion{"a WebSocket writer"});
    if (state_->handler != nullptr && open_) {
      try {
        state_->handler->on_ws_open(self);
      } catch (const std::exception& e) {
        spdlog::error("kraken-sim: on_ws_open threw for peer {}: {}; dropping it", id_, e.what());
        drop();
      }
    }

    beast::flat_buffer buffer;
    while (!ended_) {
      auto [ec, n] = co_await ws_.async_read(buffer, kUseTuple);
      if (ec) break;
      ++messages_in_;
      // Nothing is delivered once close() or drop() ran: the handler has said goodbye.
      if (open_ && state_->handler != nullptr) {
        const auto data = buffer.cdata();
        try {
          state_->handler->on_ws_message(self, std::string_view(static_cast<const char*>(data.data()), data.size()));
        } catch (const std::exception& e) {
          spdlog::error("kraken-sim: on_ws_message threw for peer {}: {}; dropping it", id_, e.what());
          drop();
        }
      }
      buffer.consume(n);
    }

    open_ = false;
    drop_transport();  // the client's close or any error: the socket has nothing more to give
    state_->peers.erase(id_);
    if (state_->handler != nullptr) {
      try {
        state_->handler->on_ws_close(self);
      } catch (const std::exception& e) {
        spdlog::error("kraken-sim: on_ws_close threw for peer {}: {}", id_, e.what());
      }
    }
  }

 private:
  asio::awaitable<void> writer(std::shared_ptr<WsPeerImpl> self) {
    (void)self;  // keeps the peer (and the stream the writes use) alive until the writer ends
    while (!ended_) {
      if (!queue_.empty()) {
        ws_.text(true);
        auto [ec, n] = co_await ws_.async_write(asio::buffer(queue_.front()), kUseTuple);
        (void)n;
        if (ec) break;
        queue_.pop_front();
        queued_ = queue_.size();
        ++messages_out_;
        continue;
      }
      if (close_requested_) {
        // Beast sends the close frame and the pending read receives the client's reply, which
        // ends the reader; if the client never replies, the deadline ends the connection.
        co_await (ws_.async_close(close_reason_, kUseTuple) ||
                  expire_at(Clock::now() + state_->options.ws_close_timeout, [this] { drop_transport(); }));
        break;
      }
      wake_.expires_at(Clock::time_point::max());
      co_await wake_.async_wait(kUseTuple);  // send(), close() and drop() cancel it
    }
    drop_transport();
  }

  void drop_transport() noexcept {
    if (ended_) return;
    ended_ = true;
    stalled_ = false;
    error_code ignored;
    beast::get_lowest_layer(ws_).close(ignored);
    ws_.next_layer().set_stalled(false);  // parked operations resume and see the closed socket
    wake_.cancel();
  }

  std::shared_ptr<ServerState> state_;
  websocket::stream<GatedStream<Stream>> ws_;
  asio::steady_timer wake_;         // the writer sleeps on it
  std::deque<std::string> queue_;   // bounded by ServerOptions::ws_send_queue
  websocket::close_reason close_reason_;
  bool close_requested_ = false;
  bool ended_ = false;              // the socket is closed; the coroutines are on their way out
};

// ---------------------------------------------------------------------------------------------
// HttpConnection: the request loop of one accepted connection.

template <class Stream>
class HttpConnection final : public Closable {
  static constexpr bool kTls = !std::is_same_v<Stream, tcp::socket>;

 public:
  HttpConnection(std::shared_ptr<ServerState> state, tcp::socket socket)
      : Closable(std::move(state)), stream_(make_stream(std::move(socket))), timer_(state_->io) {}

  void abort() noexcept override {
    aborted_ = true;
    if (peer_) peer_->drop();
    error_code ignored;
    beast::get_lowest_layer(stream_).close(ignored);
    timer_.cancel();
  }

  asio::awaitable<void> run() {
    const ServerOptions& o = state_->options;
    if constexpr (kTls) {
      bool expired = false;
      auto shook = co_await (stream_.async_handshake(asio::ssl::stream_base::server, kUseTuple) ||
                             expire_at(Clock::now() + o.idle_timeout, [this, &expired] {
                               expired = true;
                               abort();
                             }));
      // A client that gives up on our certificate is routine for a self-signed server; no log.
      if (expired || std::get<0>(std::get<0>(shook))) co_return;
    }
    while (!aborted_) {
      if (!co_await serve_one()) break;
    }
    error_code ignored;
    beast::get_lowest_layer(stream_).close(ignored);
  }

 private:
  // A member so that it can read state_: the Closable base is constructed before stream_.
  Stream make_stream(tcp::socket socket) {
    if constexpr (kTls) return Stream(std::move(socket), *state_->tls);
    else return socket;
  }

  // One request and its answer; false when the connection is done.
  asio::awaitable<bool> serve_one() {
    const ServerOptions& o = state_->options;
    const auto deadline = Clock::now() + o.idle_timeout;
    bool expired = false;
    auto on_expire = [this, &expired] {
      expired = true;
      abort();
    };

    http::request_parser<http::string_body> parser;
    parser.body_limit(o.max_body);
    parser.header_limit(static_cast<std::uint32_t>(o.max_header));
    auto head = co_await (http::async_read_header(stream_, buffer_, parser, kUseTuple) || expire_at(deadline, on_expire));
    if (expired) co_return false;
    error_code ec = std::get<0>(std::get<0>(head));
    if (!ec && !parser.is_done()) {
      // curl and others wait (a second, by default) for this before sending a large body.
      if (parser.get()[http::field::expect] == "100-continue") {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        auto sent = co_await (asio::async_write(stream_, asio::buffer(kContinue), kUseTuple) ||
                              expire_at(deadline, on_expire));
        if (expired || std::get<0>(std::get<0>(sent))) co_return false;
      }
      auto body = co_await (http::async_read(stream_, buffer_, parser, kUseTuple) || expire_at(deadline, on_expire));
      if (expired) co_return false;
      ec = std::get<0>(std::get<0>(body));
    }
    if (ec) {
      co_await reject(ec);
      co_return false;
    }

    if (websocket::is_upgrade(parser.get())) {
      peer_ = std::make_shared<WsPeerImpl<Stream>>(state_, state_->next_id++, std::string(parser.get().target()),
                                                   std::move(stream_));
      co_await peer_->run(parser.release());
      co_return false;
    }

    auto& req = parser.get();
    HttpServerRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    for (const auto& field : req) request.headers.emplace_back(field.name_string(), field.value());
    request.body = std::move(req.body());
    const bool client_keeps_alive = req.keep_alive();
    const unsigned version = req.version();

    if (state_->handler == nullptr) co_return false;  // the Server is gone
    ++state_->stats.http_requests;
    {
      const std::string_view target = request.target;
      auto& by_path = state_->stats.http_by_path;
      const std::string_view path = target.substr(0, target.find('?'));
      if (auto it = by_path.find(path); it != by_path.end()) ++it->second;
      else if (by_path.size() < 256) by_path.emplace(std::string(path), 1);  // a client cannot grow it without bound
    }
    HttpServerResponse answer;
    try {
      answer = state_->handler->on_http(request);
    } catch (const std::exception& e) {
      spdlog::error("kraken-sim: on_http threw for {} {}: {}", request.method, request.target, e.what());
      answer = HttpServerResponse{};
      answer.status = 500;
      answer.content_type = "text/plain";
      answer.body = "internal error\n";
    }

    if (answer.delay.count() > 0) {
      timer_.expires_after(answer.delay);
      co_await timer_.async_wait(kUseTuple);
      if (aborted_) co_return false;
    }
    if (answer.drop) {
      ++state_->stats.http_dropped;
      co_return false;  // run() closes the socket: the request executed, its answer never comes
    }

    if (answer.status < 100 || answer.status > 999) {
      spdlog::error("kraken-sim: on_http answered {} {} with status {}; sending 500", request.method,
                    request.target, answer.status);
      answer.status = 500;
    }
    http::response<http::string_body> res;
    res.version(version);
    res.result(answer.status);
    res.set(http::field::server, o.server_header);
    if (!answer.content_type.empty()) res.set(http::field::content_type, answer.content_type);
    for (auto& [name, value] : answer.headers) res.insert(name, value);
    res.body() = std::move(answer.body);
    const bool keep = client_keeps_alive && !answer.close;
    res.keep_alive(keep);
    res.prepare_payload();
    if (!co_await write(res)) co_return false;
    if (!keep) {
      co_await linger();
      co_return false;
    }
    co_return true;
  }

  // Answers a request that could not be read (when it is worth an answer) and ends the connection.
  asio::awaitable<void> reject(const error_code& ec) {
    // The client went away or the deadline passed: nobody to answer.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec.category() != make_error_code(http::error::end_of_stream).category() || aborted_)
      co_return;
    unsigned status = 400;
    std::string text = "malformed request: " + ec.message() + "\n";
    if (ec == http::error::body_limit) {
      status = 413;
      text = "request body exceeds " + std::to_string(state_->options.max_body) + " bytes\n";
    } else if (ec == http::error::header_limit) {
      status = 431;
      text = "request header exceeds " + std::to_string(state_->options.max_header) + " bytes\n";
    }
    ++state_->stats.http_rejected;
    http::response<http::string_body> res;
    res.version(11);
    res.result(status);
    res.set(http::field::server, state_->options.server_header);
    res.set(http::field::content_type, "text/plain");
    res.body() = std::move(text);
    res.keep_alive(false);
    res.prepare_payload();
    if (co_await write(res)) co_await linger();
  }

  asio::awaitable<bool> write(http::response<http::string_body>& res) {
    bool expired = false;
    auto written = co_await (http::async_write(stream_, res, kUseTuple) ||
                             expire_at(Clock::now() + state_->options.idle_timeout, [this, &expired] {
                               expired = true;
                               abort();
                             }));
    co_return !expired && !std::get<0>(std::get<0>(written));
  }

  // Half-closes and discards input until the client closes too (see kLingerTime).
  asio::awaitable<void> linger() {
    auto& socket = beast::get_lowest_layer(stream_);
    error_code ignored;
    // The raw TCP half-close also ends a TLS session without close_notify; the client has its
    // complete answer (Content-Length) and treats the missing notify as an ordinary end.
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    const auto deadline = Clock::now() + kLingerTime;
    std::array<char, 16 * 1024> sink{};
    std::size_t discarded = 0;
    while (!aborted_ && discarded < kLingerBytes) {
      bool expired = false;
      auto got = co_await (socket.async_read_some(asio::buffer(sink), kUseTuple) ||
                           expire_at(deadline, [this, &expired] {
                             expired = true;
                             abort();
                           }));
      if (expired) break;
      auto [ec, n] = std::get<0>(got);
      if (ec) break;
      discarded += n;
    }
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  asio::steady_timer timer_;  // the delay fault
  std::shared_ptr<WsPeerImpl<Stream>> peer_;
  bool aborted_ = false;
};

}  // namespace kgw::sim::detail
