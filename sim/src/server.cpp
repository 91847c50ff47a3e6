// The listener half of kgw::sim::Server: binding, the accept loop, stop/restart and the fault
// entry points that act on every connection. The per-connection protocol work (and all of
// Beast's HTTP/WebSocket templates) lives in server_plain.cpp and server_tls.cpp.
#include "server_state.hpp"

#include "kgw/core/net/self_signed.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/ssl/context.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace kgw::sim {

using namespace detail;

std::string_view HttpServerRequest::header(std::string_view name) const noexcept {
  const auto same = [name](const std::string& candidate) {
    return std::equal(candidate.begin(), candidate.end(), name.begin(), name.end(), [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
  };
  for (const auto& [n, v] : headers)
    if (same(n)) return v;
  return {};
}

namespace detail {

void log_coroutine_exception(std::exception_ptr e, std::string_view what) noexcept {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("kraken-sim server: {} ended with an exception: {}", what, ex.what());
  } catch (...) {
    spdlog::error("kraken-sim server: {} ended with an unknown exception", what);
  }
}

namespace {

asio::awaitable<void> accept_loop(std::shared_ptr<ServerState> st, std::uint64_t generation) {
  for (;;) {
    auto [ec, socket] = co_await st->acceptor.async_accept(kUseTuple);
    if (generation != st->generation) co_return;  // stop() ran meanwhile; the socket just closes
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      // Out of descriptors and the like: keep the listener, but do not spin on the error.
      spdlog::warn("kraken-sim server on port {}: accept failed: {}", st->port, ec.message());
      asio::steady_timer backoff(st->io, std::chrono::milliseconds(50));
      co_await backoff.async_wait(kUseTuple);
      if (generation != st->generation) co_return;
      continue;
    }
    ++st->stats.connections_accepted;
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // small JSON answers must not wait for Nagle
    if (st->options.tls)
      asio::co_spawn(st->io, serve_tls(st, std::move(socket)), LogCompletion{"a TLS connection"});
    else
      asio::co_spawn(st->io, serve_plain(st, std::move(socket)), LogCompletion{"a connection"});
  }
}

result<asio::ip::address> bind_address(const ServerOptions& options) {
  const std::string text = options.bind == "localhost" ? std::string("127.0.0.1") : options.bind;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(text, ec);
  if (ec) return fail(errc::invalid_argument, "ServerOptions.bind '" + options.bind + "' is not an IP address");
  if (!address.is_loopback() && !options.allow_non_loopback)
    return fail(errc::invalid_argument, "ServerOptions.bind '" + options.bind +
                                            "' is not a loopback address; the simulator accepts any API key, so "
                                            "set allow_non_loopback to expose it deliberately");
  return address;
}

}  // namespace
}  // namespace detail

Server::Server(boost::asio::io_context& io, ServerOptions options, ServerHandler& handler)
    : state_(std::make_shared<ServerState>(io, std::move(options), handler)) {}

Server::~Server() {
  stop();
  state_->handler = nullptr;
  // Peers point back at the state. Their readers erase them on the way out, but when the
  // io_context is destroyed without running again those readers never resume, and the
  // state <-> peer cycle would leak both.
  state_->peers.clear();
}

result<std::uint16_t> Server::start() {
  ServerState& st = *state_;
  if (st.running) return st.port;
  auto address = bind_address(st.options);
  if (!address) return address.error();

  if (st.options.tls && !st.tls) {
    net::PemKeyPair pems{st.options.cert_pem, st.options.key_pem};
    if (pems.cert_pem.empty() && pems.key_pem.empty()) {
      auto generated = net::make_self_signed_certificate();
      if (!generated) return generated.error();
      pems = std::move(*generated);
    }
    auto ctx = net::make_server_tls_context(pems.cert_pem, pems.key_pem);
    if (!ctx) return ctx.error();
    // Kept across stop()/start(): clients that trust this certificate keep working after a restart.
    st.tls = std::move(*ctx);
    st.cert_pem = std::move(pems.cert_pem);
  }

  // The port of the first start() is reused after a stop(), so a "restart keeping state" looks
  // like the same exchange coming back.
  const std::uint16_t want = st.options.port != 0 ? st.options.port : st.port;
  const tcp::endpoint endpoint(*address, want);
  boost::system::error_code ec;
  st.acceptor.open(endpoint.protocol(), ec);
  // SO_REUSEADDR: the connections stop() closed sit in TIME_WAIT on this port.
  if (!ec) st.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) st.acceptor.bind(endpoint, ec);
  if (!ec) st.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    st.acceptor.close(ignored);
    return fail(errc::connection_failed, "kraken-sim server cannot listen on " + address->to_string() + ":" +
                                             std::to_string(want) + ": " + ec.message());
  }
  st.port = st.acceptor.local_endpoint().port();
  st.running = true;
  asio::co_spawn(st.io, accept_loop(state_, st.generation), LogCompletion{"the accept loop"});
  return st.port;
}

void Server::stop() {
  ServerState& st = *state_;
  ++st.generation;
  st.running = false;
  boost::system::error_code ignored;
  st.acceptor.close(ignored);
  // abort() only closes sockets and cancels timers (the coroutines notice when they resume), so
  // the registry does not change under this loop; the copy is cheap insurance all the same.
  std::vector<Closable*> live;
  live.reserve(st.connections.size());
  for (const auto& [id, c] : st.connections) live.push_back(c);
  for (Closable* c : live) c->abort();
}

bool Server::running() const noexcept { return state_->running; }
std::uint16_t Server::port() const noexcept { return state_->port; }

void Server::drop_all_ws() {
  for (const auto& peer : ws_peers()) peer->drop();
}

std::vector<std::shared_ptr<WsPeer>> Server::ws_peers() const {
  std::vector<std::shared_ptr<WsPeer>> out;
  out.reserve(state_->peers.size());
  for (const auto& [id, peer] : state_->peers)
    if (peer->open()) out.push_back(peer);
  return out;
}

const std::string& Server::cert_pem() const noexcept { return state_->cert_pem; }
std::uint64_t Server::http_requests() const noexcept { return state_->stats.http_requests; }

ServerStats Server::stats() const {
  ServerStats s = state_->stats;
  s.connections_open = state_->connections.size();
  s.ws_open = state_->peers.size();
  return s;
}

const ServerOptions& Server::options() const noexcept { return state_->options; }

}  // namespace kgw::sim
