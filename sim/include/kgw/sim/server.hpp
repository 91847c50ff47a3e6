#pragma once
// The loopback transport of kraken-sim: one listening port that answers plain HTTP/1.1 requests
// and accepts WebSocket upgrades (any target), over TCP or TLS, with the fault injection the
// simulator needs (late and missing answers, dropped, stalled and closed WebSocket peers, a
// restart on the same port). The exchange logic sits behind ServerHandler; Beast stays in
// sim/src (server_plain.cpp, server_tls.cpp), so including this header costs little.

#include "kgw/core/error.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace kgw::sim {

struct HttpServerRequest {
  std::string method;  // "GET", "POST", ... as sent
  std::string target;  // path and query, as sent
  std::vector<std::pair<std::string, std::string>> headers;  // in arrival order, names as sent
  std::string body;

  // First header with that name (case-insensitive); empty when absent.
  std::string_view header(std::string_view name) const noexcept;
};

struct HttpServerResponse {
  unsigned status = 200;
  std::string content_type = "application/json";  // empty: no Content-Type header
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  // Fault: the answer leaves this much later. Later requests pipelined on the same connection
  // wait behind it, as HTTP/1.1 requires answers in request order.
  std::chrono::microseconds delay{0};
  // Fault: the request was processed but the connection is closed without an answer, which the
  // client must treat as an unknown outcome.
  bool drop = false;
  // Close the connection after this answer (also done when the client asked for it).
  bool close = false;
};

// One accepted WebSocket connection. Owned by the Server (and by any handler that keeps the
// shared_ptr); it must not outlive the io_context. Thread safety: use only on the server's
// io_context thread, like everything here. Methods never call back into the handler:
// on_ws_close always arrives later, from the peer's reader.
class WsPeer {
 public:
  virtual ~WsPeer() = default;
  WsPeer(const WsPeer&) = delete;
  WsPeer& operator=(const WsPeer&) = delete;

  std::uint64_t id() const noexcept { return id_; }        // unique per Server, never reused
  std::string_view target() const noexcept { return target_; }  // the upgrade's target ("/v2")
  bool open() const noexcept { return open_; }
  std::uint64_t messages_in() const noexcept { return messages_in_; }
  std::uint64_t messages_out() const noexcept { return messages_out_; }  // written to the socket
  std::size_t queued() const noexcept { return queued_; }  // waiting for the writer

  // Queues one text message. False when the peer is no longer open, or when the bounded queue
  // (ServerOptions::ws_send_queue) is full: a client that does not read is dropped rather than
  // allowed to grow the server's memory, as a real exchange does.
  virtual bool send(std::string text) = 0;
  // Sends what is already queued, then a close frame with `code` and `reason`; the TCP
  // connection ends after the client's close frame (or after a few seconds without one).
  virtual void close(std::uint16_t code = 1000, std::string reason = {}) = 0;
  // Fault: ends the TCP connection now, no close frame.
  virtual void drop() = 0;
  // Fault: while on, nothing is read or written (protocol pings go unanswered, queued messages
  // wait); the client sees a silent but open connection. Turning it off resumes both.
  virtual void stall(bool on) = 0;
  bool stalled() const noexcept { return stalled_; }

 protected:
  WsPeer(std::uint64_t id, std::string target) : id_(id), target_(std::move(target)) {}

  std::uint64_t id_;
  std::string target_;
  std::uint64_t messages_in_ = 0;
  std::uint64_t messages_out_ = 0;
  std::size_t queued_ = 0;
  bool open_ = true;
  bool stalled_ = false;
};

// What the simulator plugs into a Server. Called on the io_context thread only, one call at a
// time, so implementations need no locks. An exception from a callback is logged; on_http then
// answers 500, on_ws_message drops the peer.
class ServerHandler {
 public:
  virtual ~ServerHandler() = default;
  virtual HttpServerResponse on_http(const HttpServerRequest& request) = 0;
  virtual void on_ws_open(const std::shared_ptr<WsPeer>& /*peer*/) {}
  virtual void on_ws_message(const std::shared_ptr<WsPeer>& peer, std::string_view text) = 0;
  // Exactly once per opened peer, whoever ended it (client, close(), drop(), stop(), overflow).
  virtual void on_ws_close(const std::shared_ptr<WsPeer>& /*peer*/) {}
};

struct ServerOptions {
  std::string bind = "127.0.0.1";  // an IP literal; "localhost" means 127.0.0.1
  std::uint16_t port = 0;          // 0: an ephemeral port, kept across stop()/start()
  // Off: start() refuses any address that is not loopback, because the simulator accepts any
  // API key and must not be reachable from the network by accident.
  bool allow_non_loopback = false;
  bool tls = false;
  std::string cert_pem, key_pem;  // both empty with tls: a self-signed certificate (cert_pem())
  std::size_t max_body = std::size_t{1} << 20;        // larger request bodies: 413 and close
  std::size_t max_header = std::size_t{16} << 10;     // larger request heads: 431 and close
  std::size_t max_ws_message = std::size_t{1} << 20;  // larger messages: close 1009
  std::size_t ws_send_queue = 4096;                   // messages per peer awaiting the writer
  // Longest wait for the TLS handshake, a request's head and body, or the next keep-alive
  // request. WebSocket peers have no idle limit: silence is the client's to police.
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds ws_close_timeout{3'000};  // close(): wait for the client's close frame
  std::string server_header = "kraken-sim";
};

struct ServerStats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t http_requests = 0;   // handed to on_http
  std::map<std::string, std::uint64_t, std::less<>> http_by_path;  // the same, by path (no query)
  std::uint64_t http_rejected = 0;   // 400/413/431 answered without calling the handler
  std::uint64_t http_dropped = 0;    // drop faults
  std::uint64_t ws_opened = 0;
  std::uint64_t ws_overflowed = 0;   // peers dropped for a full send queue
  std::size_t connections_open = 0;  // HTTP and WebSocket
  std::size_t ws_open = 0;
};

namespace detail {
struct ServerState;
}

// A listener plus its connections. Owned by the simulator, on the io_context it is given, which
// must outlive it and run on one thread; every method must be called on that thread (before
// run() is fine too). The handler must outlive the Server; after ~Server it is never called.
class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, ServerHandler& handler);
  ~Server();  // stop(); connections end as soon as the io_context runs (or is destroyed)
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting; returns the port. After stop(), binds the same port again, so
  // clients configured with it reconnect to the restarted server. Errors: invalid_argument
  // (bad or non-loopback bind address), connection_failed (bind/listen failed), tls_error.
  // Calling it while running returns the current port.
  result<std::uint16_t> start();
  // Closes the listener and every connection (WebSocket peers abruptly, HTTP requests in
  // flight unanswered). Their coroutines finish as soon as the io_context runs; on_ws_close
  // follows for each open peer. Idempotent.
  void stop();
  bool running() const noexcept;
  std::uint16_t port() const noexcept;  // 0 before the first start()

  // Fault: drop() on every open WebSocket peer.
  void drop_all_ws();
  // Open peers, oldest first.
  std::vector<std::shared_ptr<WsPeer>> ws_peers() const;

  // The certificate clients should trust when tls is on (generated or given); empty otherwise.
  const std::string& cert_pem() const noexcept;
  std::uint64_t http_requests() const noexcept;
  ServerStats stats() const;
  const ServerOptions& options() const noexcept;

 private:
  std::shared_ptr<detail::ServerState> state_;
};

}  // namespace kgw::sim
