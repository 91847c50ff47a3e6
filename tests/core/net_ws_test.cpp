// kgw::net::WsSession against a Beast WebSocket server on 127.0.0.1 (TLS through the
// TlsTerminator of kgw_net_test_support.hpp).
#include "kgw/core/net/tls.hpp"
#include "kgw/core/net/ws_session.hpp"
#include "kgw_net_test_support.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <simdjson.h>

#include <boost/asio/strand.hpp>

#include <atomic>
#include <optional>
#include <thread>

namespace kgw::net {
namespace {

using namespace std::chrono_literals;
using namespace test;
using namespace boost::asio::experimental::awaitable_operators;
namespace websocket = boost::beast::websocket;

enum class ServerMode {
  echo,              // echoes every message, answers pings (Beast does)
  silent,            // completes the upgrade, then never reads: no pongs, no close replies
  close_after_first, // reads one message, then closes with 4001 "maintenance"
  send_big,          // sends one message of ServerState::big_size bytes, then echoes
};

struct ServerState {
  int accepted = 0;
  int pings_seen = 0;
  std::vector<std::string> received;
  std::string user_agent;
  std::optional<std::uint16_t> close_code;  // the client's close frame, when one came
  std::size_t big_size = 0;
  bool ended = false;
};

// One plain WebSocket server; behaviour chosen per test.
class WsTestServer {
 public:
  WsTestServer(asio::io_context& io, ServerMode mode) : io_(io), acceptor_(listen_loopback(io)), mode_(mode) {
    spawn(io_, accept_loop());
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port()) + "/v2"; }
  ServerState& state() { return *state_; }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, sock] = co_await acceptor_.async_accept(kTuple);
      if (ec) co_return;
      ++state_->accepted;
      spawn(io_, serve(std::move(sock), mode_, state_));
    }
  }

  static asio::awaitable<void> serve(tcp::socket sock, ServerMode mode, std::shared_ptr<ServerState> st) {
    auto ws = std::make_shared<websocket::stream<tcp::socket>>(std::move(sock));
    beast::flat_buffer buffer;
    http::request<http::string_body> upgrade;
    auto [rec, rn] = co_await http::async_read(ws->next_layer(), buffer, upgrade, kTuple);
    (void)rn;
    if (rec) co_return;
    st->user_agent = std::string(upgrade[http::field::user_agent]);
    ws->read_message_max(64 << 20);
    ws->control_callback([st](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::ping) ++st->pings_seen;
    });
    auto [aec] = co_await ws->async_accept(upgrade, kTuple);
    if (aec) co_return;

    if (mode == ServerMode::silent) {
      asio::steady_timer forever(co_await asio::this_coro::executor, 60s);
      co_await forever.async_wait(kTuple);  // holds the socket open until the test ends
      co_return;
    }
    if (mode == ServerMode::send_big) {
      std::string big(st->big_size, 'x');
      co_await ws->async_write(asio::buffer(big), kTuple);
    }
    beast::flat_buffer msg;
    for (;;) {
      auto [ec, n] = co_await ws->async_read(msg, kTuple);
      if (ec) {
        if (ec == websocket::error::closed) st->close_code = ws->reason().code;
        break;
      }
      st->received.push_back(beast::buffers_to_string(msg.data()));
      if (mode == ServerMode::close_after_first) {
        co_await ws->async_close(websocket::close_reason(static_cast<websocket::close_code>(4001), "maintenance"), kTuple);
        break;
      }
      ws->text(ws->got_text());
      auto [wec, wn] = co_await ws->async_write(msg.data(), kTuple);
      (void)wn;
      if (wec) break;
      msg.consume(n);
    }
    st->ended = true;
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  ServerMode mode_;
  std::shared_ptr<ServerState> state_ = std::make_shared<ServerState>();
};

WsOptions fast_options() {
  WsOptions o;
  o.connect_timeout = 2s;
  o.close_timeout = 2s;
  o.user_agent = "kgw-net-test/1";
  return o;
}

std::shared_ptr<ssl::context> trusting_test_ca() {
  TlsOptions t;
  t.ca_pem = Pki::shared().ca_pem();
  auto ctx = make_client_tls_context(t);
  if (!ctx) throw std::runtime_error(ctx.error().message());
  return *ctx;
}

TEST(WsSession, EchoesTextAndBinaryMessagesOverPlainTcp) {
  asio::io_context io;
  WsTestServer server(io, ServerMode::echo);
  run_test(io, [&]() -> asio::awaitable<void> {
    auto session = co_await connect_ws(server.url(), fast_options());
    EXPECT_TRUE(session) << (session ? "" : session.error().message());
    if (!session) co_return;
    EXPECT_TRUE(session->is_open());
    EXPECT_TRUE(session->send(R"({"method":"ping"})"));
    EXPECT_TRUE(session->send(std::string("\x00\x01\x02", 3), WsFrame::binary));
    auto first = co_await session->read();
    EXPECT_TRUE(first);
    if (first) {
      EXPECT_EQ(first->data, R"({"method":"ping"})");
      EXPECT_EQ(first->kind, WsFrame::text);
    }
    auto second = co_await session->read();
    EXPECT_TRUE(second);
    if (second) {
      EXPECT_EQ(second->data, std::string_view("\x00\x01\x02", 3));
      EXPECT_EQ(second->kind, WsFrame::binary);
    }
    const auto c = session->counters();
    EXPECT_EQ(c.messages_out, 2u);
    EXPECT_EQ(c.bytes_out, 17u + 3u);
    EXPECT_EQ(c.messages_in, 2u);
    EXPECT_EQ(c.bytes_in, 17u + 3u);
    EXPECT_EQ(server.state().user_agent, "kgw-net-test/1");
    EXPECT_TRUE(co_await session->close());
  });
}

TEST(WsSession, EchoesOverTlsWithHostnameVerificationAgainstTheTestCa) {
  asio::io_context io;
  WsTestServer backend(io, ServerMode::echo);
  TlsTerminator tls(io, server_tls_context(Pki::shared().leaf("localhost", "DNS:localhost,IP:127.0.0.1")),
                    backend.port());
  run_test(io, [&]() -> asio::awaitable<void> {
    auto options = fast_options();
    options.tls = trusting_test_ca();
    EXPECT_TRUE(verifies_peer(*options.tls));
    for (const std::string host : {"localhost", "127.0.0.1"}) {
      auto session = co_await connect_ws("wss://" + host + ":" + std::to_string(tls.port()) + "/v2", options);
      EXPECT_TRUE(session) << host << ": " << (session ? "" : session.error().message());
      if (!session) co_return;
      EXPECT_TRUE(session->send(R"({"method":"subscribe"})"));
      auto echoed = co_await session->read();
      EXPECT_TRUE(echoed);
      if (echoed) {
        EXPECT_EQ(echoed->data, R"({"method":"subscribe"})");
      }
      auto closed = co_await session->close();
      EXPECT_TRUE(closed) << (closed ? "" : closed.error().message());
    }
    EXPECT_EQ(tls.handshakes_failed(), 0);
  });
}

TEST(WsSession, FailsWithTlsErrorWhenTheCertificateIsNotTrusted) {
  asio::io_context io;
  WsTestServer backend(io, ServerMode::echo);
  TlsTerminator tls(io, server_tls_context(Pki::shared().leaf("localhost", "DNS:localhost,IP:127.0.0.1")),
                    backend.port());
  run_test(io, [&]() -> asio::awaitable<void> {
    auto options = fast_options();  // default context: the system trust store, which lacks the test CA
    auto session = co_await connect_ws("wss://localhost:" + std::to_string(tls.port()) + "/v2", options);
    EXPECT_FALSE(session);
    if (session) co_return;
    EXPECT_TRUE(session.error().is(errc::tls_error)) << session.error().message();
    EXPECT_EQ(backend.state().accepted, 0);
  });
}

TEST(WsSession, DeliversManyMessagesInOrder) {
  asio::io_context io;
  WsTestServer server(io, ServerMode::echo);
  run_test(io, [&]() -> asio::awaitable<void> {
    auto options = fast_options();
    options.send_queue_capacity = 256;
    auto session = co_await connect_ws(server.url(), options);
    EXPECT_TRUE(session);
    if (!session) co_return;
    constexpr int kTotal = 5000;
    int sent = 0;
    int received = 0;
    while (received < kTotal) {
      // Keep the queue busy but never over capacity: the writer drains while we read.
      while (sent < kTotal && sent - received < 200) {
        auto ok = session->send("msg-" + std::to_string(sent));
        EXPECT_TRUE(ok) << ok.error().message();
        if (!ok) co_return;
        ++sent;
      }
      auto msg = co_await session->read();
      EXPECT_TRUE(msg) << msg.error().message();
      if (!msg) co_return;
      EXPECT_EQ(msg->data, "msg-" + std::to_string(received));
      ++received;
    }
    EXPECT_EQ(session->counters().messages_in, static_cast<std::uint64_t>(kTotal));
    EXPECT_EQ(server.state().received.size(), static_cast<std::size_t>(kTotal));
    EXPECT_TRUE(co_await session->close());
  });
}

TEST(WsSession, LeavesSimdjsonPaddingAfterEveryMessageForInPlaceParsing) {
  static_assert(kWsReadPadding >= simdjson::SIMDJSON_PADDING);
  asio::io_context io;
  WsTestServer server(io, ServerMode::echo);
  run_test(io, [&]() -> asio::awaitable<void> {
    auto session = co_await connect_ws(server.url(), fast_options());
    EXPECT_TRUE(session);
    if (!session) co_return;
    simdjson::ondemand::parser parser;
    for (std::size_t filler : {0u, 1u, 30u, 63u, 64u, 65u, 500u, 4000u, 70000u}) {
      const std::string doc = R"({"channel":"ticker","pad":")" + std::string(filler, 'a') + R"(","n":42})";
      EXPECT_TRUE(session->send(doc));
      auto msg = co_await session->read();
      EXPECT_TRUE(msg);
      if (!msg) co_return;
      EXPECT_EQ(msg->data, doc);
      EXPECT_GE(msg->padding, kWsReadPadding);
      // Touch every padding byte: ASan would flag memory outside the allocation.
      unsigned sum = 0;
      for (std::size_t i = 0; i < msg->padding; ++i) sum += static_cast<unsigned char>(msg->data.data()[msg->data.size() + i]);
      EXPECT_EQ(sum, 0u);
      simdjson::padded_string_view view(msg->data.data(), msg->data.size(), msg->data.size() + msg->padding);
      auto parsed = parser.iterate(view);
      EXPECT_EQ(parsed.error(), simdjson::SUCCESS);
      int64_t n = 0;
      EXPECT_EQ(parsed["n"].get(n), simdjson::SUCCESS);
      EXPECT_EQ(n, 42);
    }
    EXPECT_TRUE(co_await session->close());
  });
}

TEST(WsSession, ReportsConnectionClosedWhenServerCloses) {
  asio::io_context io;
  WsTestServer server(io, ServerMode::close_after_first);
  run_test(io, [&]() -> asio::awaitable<void> {
    auto session = co_await connect_ws(server.url(), fast_options());
    EXPECT_TRUE(session);
    if (!session) co_return;
    EXPECT_TRUE(session->send("bye"));
    auto msg = co_await session->read();
    EXPECT_FALSE(msg);
    if (msg) co_return;
    EXPECT_TRUE(msg.error().is(errc::connection_closed)) << msg.error().message();
    EXPECT_NE(msg.error().detail.find("4001"), std::string::npos) << msg.error().detail;
    EXPECT_NE(msg.error().detail.find("maintenance"), std::string::npos) << msg.error().detail;
    EXPECT_FALSE(session->is_open());
    // Final: later reads and sends report the same end.
    auto again = co_await session->read();
    EXPECT_FALSE(again);
    if (!again) {
      EXPECT_TRUE(again.error().is(errc::connection_closed));
    }
    auto sent = session->send("late");
    EXPECT_FALSE(sent);
    EXPECT_TRUE(co_await session->close());
  });
}

TEST(WsSession, TimesOutWhenTheServerNeverAnswersTheHandshake) {
  asio::io_context io;
  // Listening (the kernel completes TCP handshakes into the backlog) but never accepting.
  auto mute = listen_loopback(io);
  const auto port = mute.local_endpoint().port();
  run_test(io, [&]() -> asio::awaitable<void> {
    auto options = fast_options();
    options.connect_timeout = 150ms;
    options.tls = trusting_test_ca();
    for (const std::string scheme : {"ws", "wss"}) {
      const auto start = std::chrono::steady_clock::now();
      auto session = co_await connect_ws(scheme + "://127.0.0.1:" + std::to_string(port) + "/", options);
      const auto took = std::chrono::steady_clock::now() - start;
      EXPECT_FALSE(session) << scheme;
      if (session) co_return;
      EXPECT_TRUE(session.error().is(errc::timeout)) << session.error().message();
      EXPECT_NE(session.error().detail.find(scheme == "ws" ? "WebSocket handshake" : "TLS handshake"),
                std::string::npos)
          << session.error().detail;
      EXPECT_GE(took, 140ms);
      EXPECT_LT(took, 1500ms);
    }
  });
}

// Issue #9: a feed stopping while its connect hung in the upgrade waited for connect_timeout.
TEST(WsSession, ACallerThatCancelsTheConnectEndsItAtOnceWhateverItsDeadline) {
  asio::io_context io;
  auto mute = listen_loopback(io);  // TCP completes into the backlog; nothing is ever answered
  const auto port = mute.local_endpoint().port();
  run_test(io, [&]() -> asio::awaitable<void> {
    auto options = fast_options();
    options.connect_timeout = 60s;
    options.tls = trusting_test_ca();
    for (const std::string scheme : {"ws", "wss"}) {  // hung in the upgrade, and in the TLS handshake
      const auto start = std::chrono::steady_clock::now();
      auto raced = co_await (connect_ws(scheme + "://127.0.0.1:" + std::to_string(port) + "/", options) ||
                             sleep_for(100ms));
      const auto took = std::chrono::steady_clock::now() - start;
      EXPECT_EQ(raced.index(), 1u) << scheme;
      EXPECT_LT(took, 1500ms) << scheme;
    }
  });
}

TEST(WsSession, ReportsConnectionFailedWhenNothingListens) {
  asio::io_context io;
  const auto port = closed_port(io);
  run_test(io, [&]() -> asio::awaitable<void> {
    auto session = co_await connect_ws("ws://127.0.0.1:" + std::to_string(port) + "/", fast_options());
    EXPECT_FALSE(session);
    if (!session) {
      EXPECT_TRUE(session.error().is(errc::connection_failed)) << session.error().message();
    }
  });
}

TEST(WsSession, RejectsUrlsThatAreNotWebSocket) {
  asio::io_context io;
  run_test(io, [&]() -> asio::awaitable<void> {
    for (const char* bad : {"https://127.0.0.1/", "ws:/nohost", "ftp://x/"}) {
      auto session = co_await connect_ws(bad, fast_options());
      EXPECT_FALSE(session) << bad;
      if (!session) {
        EXPECT_TRUE(session.error().is(errc::invalid_argument)) << session.error().message();
      }
    }
  });
}

TEST(WsSession, DetectsADeadPeerThatStopsAnsweringPings) {
  asio::io_context io;
  WsTestServer server(io, ServerMode::silent);
  run_test(io, [&]() -> asio::awaitable<void> {
    auto options = fast_options();
    options.ping_interval = 40ms;
    options.pong_timeout = 80ms;
    auto session = co_await connect_ws(server.url(), options);
    EXPECT_TRUE(session);
    if (!session) co_return;
    const auto start = std::chrono::steady_clock::now();
    auto msg = co_await session->read();
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_FALSE(msg);
    if (msg) co_return;
    EXPECT_TRUE(msg.error().is(errc::timeout)) << msg.error().message();
    EXPECT_NE(msg.error().detail.find("pong"), std::string::npos) << msg.error().detail;
    // A ping after one to two intervals of silence, then the pong timeout.
    EXPECT_GE(took, 100ms);
    EXPECT_LT(took, 1000ms);
    EXPECT_FALSE(session->is_open());
  });
}

TEST(WsSession, KeepsAQuietButHealthyConnectionOpenWithPings) {
  asio::io_context io;
  WsTestServer server(io, ServerMode::echo);
  run_test(io, [&]() -> asio::awaitable<void> {
    auto options = fast_options();
    options.ping_interval = 20ms;
    options.pong_timeout = 60ms;
    auto session = co_await connect_ws(server.url(), options);
    EXPECT_TRUE(session);
    if (!session) co_return;
    // A reader pending the whole time (pongs are only processed under a read), as the feed does.
    std::optional<result<WsMessage>> got;
    std::string copy;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          auto m = co_await session->read();
          if (m) copy = std::string(m->data);
          got = std::move(m);
        },
        [](std::exception_ptr e) { log_unexpected(e); });
    co_await sleep_for(300ms);  // many pong timeouts long: only pongs keep it alive
    EXPECT_FALSE(got.has_value()) << (got && !*got ? got->error().message() : "a message arrived");
    EXPECT_GE(server.state().pings_seen, 2);
    EXPECT_TRUE(session->send("still here"));
    EXPECT_TRUE(co_await eventually([&] { return got.has_value(); }));
    EXPECT_TRUE(got && *got);
    EXPECT_EQ(copy, "still here");
    EXPECT_TRUE(co_await session->close());
  });
}

TEST(WsSession, RejectsAnOversizedFrameWithMessageTooBig) {
  asio::io_context io;
  WsTestServer server(io, ServerMode::send_big);
  server.state().big_size = 4096;
  run_test(io, [&]() -> asio::awaitable<void> {
    auto options = fast_options();
    options.max_message_bytes = 1024;
    auto session = co_await connect_ws(server.url(), options);
    EXPECT_TRUE(session);
    if (!session) co_return;
    auto msg = co_await session->read();
    EXPECT_FALSE(msg);
    if (msg) co_return;
    EXPECT_TRUE(msg.error().is(errc::message_too_big)) << msg.error().message();
    EXPECT_NE(msg.error().detail.find("1024"), std::string::npos);
  });
}

TEST(WsSession, ReportsQueueFullWhenTheSendQueueIsFull) {
  asio::io_context io;
  WsTestServer server(io, ServerMode::echo);
  run_test(io, [&]() -> asio::awaitable<void> {
    auto options = fast_options();
    options.send_queue_capacity = 4;
    auto session = co_await connect_ws(server.url(), options);
    EXPECT_TRUE(session);
    if (!session) co_return;
    // Nothing has run the writer yet (one thread): the four slots fill synchronously.
    for (int i = 0; i < 4; ++i) EXPECT_TRUE(session->send("m" + std::to_string(i)));
    EXPECT_EQ(session->queued(), 4u);
    auto full = session->send("m4");
    EXPECT_FALSE(full);
    if (!full) {
      EXPECT_TRUE(full.error().is(errc::queue_full)) << full.error().message();
    }
    for (int i = 0; i < 4; ++i) {
      auto msg = co_await session->read();
      EXPECT_TRUE(msg);
      if (msg) {
        EXPECT_EQ(msg->data, "m" + std::to_string(i));
      }
    }
    EXPECT_EQ(session->queued(), 0u);
    EXPECT_TRUE(session->send("after"));  // room again once the writer drained
    auto after = co_await session->read();
    EXPECT_TRUE(after);
    if (after) {
      EXPECT_EQ(after->data, "after");
    }
    EXPECT_EQ(server.state().received.size(), 5u);  // the refused message never went out
    EXPECT_TRUE(co_await session->close());
  });
}

TEST(WsSession, ClosesCleanlyAndTheServerSeesANormalClose) {
  asio::io_context io;
  WsTestServer server(io, ServerMode::echo);
  run_test(io, [&]() -> asio::awaitable<void> {
    auto session = co_await connect_ws(server.url(), fast_options());
    EXPECT_TRUE(session);
    if (!session) co_return;
    EXPECT_TRUE(session->send("last words"));
    auto closed = co_await session->close();  // flushes the queue first
    EXPECT_TRUE(closed) << (closed ? "" : closed.error().message());
    EXPECT_TRUE(co_await eventually([&] { return server.state().ended; }));
    EXPECT_EQ(server.state().received, std::vector<std::string>{"last words"});
    EXPECT_EQ(server.state().close_code, std::optional<std::uint16_t>(1000));
    auto msg = co_await session->read();
    EXPECT_FALSE(msg);
    if (!msg) {
      EXPECT_TRUE(msg.error().is(errc::cancelled)) << msg.error().message();
    }
    EXPECT_FALSE(session->send("too late"));
    EXPECT_TRUE(co_await session->close());  // idempotent
  });
}

TEST(WsSession, CloseEndsAPendingReadWithCancelled) {
  asio::io_context io;
  WsTestServer server(io, ServerMode::echo);
  run_test(io, [&]() -> asio::awaitable<void> {
    auto session = co_await connect_ws(server.url(), fast_options());
    EXPECT_TRUE(session);
    if (!session) co_return;
    std::optional<result<WsMessage>> got;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { got = co_await session->read(); },
        [](std::exception_ptr e) { log_unexpected(e); });
    co_await sleep_for(5ms);
    EXPECT_TRUE(co_await session->close());
    EXPECT_TRUE(co_await eventually([&] { return got.has_value(); }));
    EXPECT_TRUE(got && !*got);
    if (got && !*got) {
      EXPECT_TRUE(got->error().is(errc::cancelled)) << got->error().message();
    }
    EXPECT_TRUE(co_await eventually([&] { return server.state().ended; }));
    EXPECT_EQ(server.state().close_code, std::optional<std::uint16_t>(1000));
  });
}


// The session's documented threading model: one strand of an io_context that several threads
// run, counters read from a foreign thread. Meant for the TSan build.
TEST(WsSession, WorksOnAStrandOfAMultiThreadedIoContextWithCountersReadElsewhere) {
  asio::io_context io;
  WsTestServer server(io, ServerMode::echo);
  std::atomic<bool> done{false};
  std::atomic<const WsSession*> live{nullptr};
  std::optional<WsSession> session;
  int echoed = 0;
  auto body = [&]() -> asio::awaitable<void> {
    auto s = co_await connect_ws(server.url(), fast_options());
    EXPECT_TRUE(s);
    if (!s) co_return;
    session.emplace(std::move(*s));
    live.store(&*session);
    for (int i = 0; i < 300; ++i) {
      EXPECT_TRUE(session->send("n" + std::to_string(i)));
      auto m = co_await session->read();
      EXPECT_TRUE(m);
      if (!m) co_return;
      if (m->data == "n" + std::to_string(i)) ++echoed;
    }
    EXPECT_TRUE(co_await session->close());
  };
  asio::co_spawn(asio::make_strand(io), body(), [&](std::exception_ptr e) {
    log_unexpected(e);
    done = true;
  });
  std::uint64_t last_seen = 0;
  std::thread metrics([&] {
    while (!done) {
      if (const WsSession* s = live.load()) last_seen = std::max(last_seen, s->counters().messages_in);
      std::this_thread::yield();
    }
  });
  auto guard = asio::make_work_guard(io);
  std::thread second([&] { io.run_for(8s); });
  const auto end = std::chrono::steady_clock::now() + 8s;
  while (!done && std::chrono::steady_clock::now() < end) io.run_for(20ms);
  guard.reset();
  io.stop();
  second.join();
  metrics.join();
  ASSERT_TRUE(done);
  EXPECT_EQ(echoed, 300);
  EXPECT_LE(last_seen, 300u);
  EXPECT_EQ(session->counters().messages_in, 300u);
  live.store(nullptr);
}

}  // namespace
}  // namespace kgw::net
