#pragma once
// Internal to sim/src/server*.cpp: the state a Server shares with its connection coroutines, and
// the per-transport entry points (server_plain.cpp, server_tls.cpp; each instantiates Beast once).

#include "kgw/sim/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace boost::asio::ssl {
class context;
}

namespace kgw::sim::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
inline constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

class Closable;

// Shared by the Server and every coroutine it starts, so a coroutine still running after
// ~Server (until the io_context runs it to its end) touches nothing freed. Single thread.
struct ServerState {
  ServerState(asio::io_context& io_context, ServerOptions opts, ServerHandler& h)
      : io(io_context), options(std::move(opts)), handler(&h), acceptor(io_context) {}

  asio::io_context& io;
  const ServerOptions options;
  ServerHandler* handler;  // null once the Server is gone: nothing is called back any more
  std::shared_ptr<asio::ssl::context> tls;
  std::string cert_pem;
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  bool running = false;
  // Bumped by stop(): an accept loop of an earlier start() that wakes up late exits instead of
  // serving on behalf of the restarted listener.
  std::uint64_t generation = 0;
  std::uint64_t next_id = 1;
  std::map<std::uint64_t, Closable*> connections;         // live ones, for stop()
  std::map<std::uint64_t, std::shared_ptr<WsPeer>> peers;  // opened and not yet reported closed
  ServerStats stats;
};

// A live connection (HTTP, or HTTP upgraded to WebSocket). Registers itself for stop() while it
// exists; abort() closes its socket so that its coroutines end at their next resumption.
class Closable {
 public:
  explicit Closable(std::shared_ptr<ServerState> state) : state_(std::move(state)), conn_id_(state_->next_id++) {
    state_->connections.emplace(conn_id_, this);
  }
  virtual ~Closable() { state_->connections.erase(conn_id_); }
  Closable(const Closable&) = delete;
  Closable& operator=(const Closable&) = delete;
  virtual void abort() noexcept = 0;

 protected:
  std::shared_ptr<ServerState> state_;
  std::uint64_t conn_id_;
};

// Waits until `deadline` and then calls `on_expire`. Raced with `||` against an I/O operation:
// on_expire closes the socket, so the operation ends even where it ignores the cancellation
// that `||` sends to the loser (Beast's composed operations mostly do).
template <class OnExpire>
asio::awaitable<void> expire_at(Clock::time_point deadline, OnExpire on_expire) {
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  auto [ec] = co_await timer.async_wait(kUseTuple);
  if (!ec) on_expire();
}

// The completion handler of every co_spawn here: a coroutine that throws is a bug, so say so.
void log_coroutine_exception(std::exception_ptr e, std::string_view what) noexcept;

struct LogCompletion {
  const char* what;
  void operator()(std::exception_ptr e) const noexcept { log_coroutine_exception(e, what); }
};

// Serves one accepted connection until it closes: HTTP requests, or one WebSocket session.
asio::awaitable<void> serve_plain(std::shared_ptr<ServerState> state, tcp::socket socket);
asio::awaitable<void> serve_tls(std::shared_ptr<ServerState> state, tcp::socket socket);

}  // namespace kgw::sim::detail
