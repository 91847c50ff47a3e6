#pragma once
// Test support for the net tests: a throw-away PKI generated in process, a runner that drives
// one io_context with a deadline, a TLS terminator in front of the plain test servers (so the
// tests never instantiate Beast's server-side TLS templates) and an HTTP CONNECT proxy.
// Everything listens on 127.0.0.1 port 0 and dies with the io_context.

#include "kgw/core/net/self_signed.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace kgw::net::test {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
inline constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// ---------------------------------------------------------------------------------------------
// PKI: a CA and leaf certificates signed by it, EC P-256 (fast to generate), valid for a day.

using KeyPair = kgw::net::PemKeyPair;

class Pki {
 public:
  Pki() : ca_key_(new_key()), ca_cert_(X509_new(), X509_free) {
    X509* c = ca_cert_.get();
    fill_basics(c, "kgw test CA", 1);
    X509_set_issuer_name(c, X509_get_subject_name(c));
    X509_set_pubkey(c, ca_key_.get());
    add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(c, c, NID_subject_key_identifier, "hash");
    if (X509_sign(c, ca_key_.get(), EVP_sha256()) == 0) throw std::runtime_error("sign CA");
    ca_pem_ = pem(c);
  }

  const std::string& ca_pem() const { return ca_pem_; }

  // A server certificate for `san` (e.g. "DNS:localhost,IP:127.0.0.1"), signed by this CA.
  KeyPair leaf(const std::string& cn, const std::string& san) const {
    auto key = new_key();
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    X509* c = cert.get();
    fill_basics(c, cn, ++serial_);
    X509_set_issuer_name(c, X509_get_subject_name(ca_cert_.get()));
    X509_set_pubkey(c, key.get());
    add_ext(ca_cert_.get(), c, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(ca_cert_.get(), c, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add_ext(ca_cert_.get(), c, NID_ext_key_usage, "serverAuth");
    add_ext(ca_cert_.get(), c, NID_subject_alt_name, san);
    add_ext(ca_cert_.get(), c, NID_authority_key_identifier, "keyid:always");
    if (X509_sign(c, ca_key_.get(), EVP_sha256()) == 0) throw std::runtime_error("sign leaf");
    KeyPair kp;
    kp.cert_pem = pem(c) + ca_pem_;
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    kp.key_pem = drain(bio.get());
    return kp;
  }

  // One per process: key generation is the slow part.
  static const Pki& shared() {
    static const Pki pki;
    return pki;
  }

 private:
  using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

  static Key new_key() {
    Key k(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free);
    if (!k) throw std::runtime_error("EC key generation failed");
    return k;
  }

  static void fill_basics(X509* c, const std::string& cn, long serial) {
    X509_set_version(c, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
    X509_gmtime_adj(X509_getm_notBefore(c), -3600);
    X509_gmtime_adj(X509_getm_notAfter(c), 24 * 3600);
    X509_NAME* name = X509_get_subject_name(c);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                               0);
  }

  static void add_ext(X509* issuer, X509* subject, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, subject, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext == nullptr) throw std::runtime_error("bad extension " + value);
    X509_add_ext(subject, ext, -1);
    X509_EXTENSION_free(ext);
  }

  static std::string drain(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(n));
  }

  static std::string pem(X509* c) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_X509(bio.get(), c);
    return drain(bio.get());
  }

  Key ca_key_;
  std::unique_ptr<X509, decltype(&X509_free)> ca_cert_;
  std::string ca_pem_;
  mutable long serial_ = 1;
};

// The production builder (kgw/core/net/self_signed.hpp), so the tests exercise the same server
// TLS settings as the simulator.
inline std::shared_ptr<ssl::context> server_tls_context(const KeyPair& kp) {
  auto ctx = kgw::net::make_server_tls_context(kp.cert_pem, kp.key_pem);
  if (!ctx) throw std::runtime_error(ctx.error().message());
  return *ctx;
}

// ---------------------------------------------------------------------------------------------
// Running a test body: everything (client and servers) on one io_context and one thread, so
// the tests are deterministic and trivially race-free; run_for() bounds a hung test.

inline void log_unexpected(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    ADD_FAILURE() << "test coroutine threw: " << ex.what();
  }
}

// Spawns a server-side coroutine; it ends when its sockets close or the io_context goes away.
template <class Awaitable>
void spawn(asio::io_context& io, Awaitable&& a) {
  asio::co_spawn(io, std::forward<Awaitable>(a), [](std::exception_ptr e) { log_unexpected(e); });
}

inline void run_test(asio::io_context& io, std::function<asio::awaitable<void>()> body,
                     std::chrono::milliseconds limit = std::chrono::seconds(8)) {
  bool done = false;
  asio::co_spawn(io, body(), [&](std::exception_ptr e) {
    log_unexpected(e);
    done = true;
    io.stop();
  });
  io.run_for(limit);
  ASSERT_TRUE(done) << "test body did not finish within " << limit.count() << " ms";
}

inline asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(kTuple);
}

// Polls `cond` every few ms until it holds or `limit` passes; returns cond().
inline asio::awaitable<bool> eventually(std::function<bool()> cond,
                                        std::chrono::milliseconds limit = std::chrono::seconds(3)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!cond() && std::chrono::steady_clock::now() < end) co_await sleep_for(std::chrono::milliseconds(2));
  co_return cond();
}

inline tcp::acceptor listen_loopback(asio::io_context& io) {
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a;
}

// A port with nothing listening: bound, then closed.
inline unsigned short closed_port(asio::io_context& io) {
  auto a = listen_loopback(io);
  const auto port = a.local_endpoint().port();
  a.close();
  return port;
}

// ---------------------------------------------------------------------------------------------
// Byte pumps, TLS terminator, CONNECT proxy.

// Copies `from` to `to` until either fails, then closes both ends' sockets via `stop`.
template <class From, class To>
asio::awaitable<void> pump(From& from, To& to, std::function<void()> stop) {
  std::array<char, 16 * 1024> buf{};
  for (;;) {
    auto [rec, n] = co_await from.async_read_some(asio::buffer(buf), kTuple);
    if (rec) break;
    auto [wec, w] = co_await asio::async_write(to, asio::buffer(buf.data(), n), kTuple);
    (void)w;
    if (wec) break;
  }
  stop();
}

// Accepts TLS on 127.0.0.1 and forwards the plaintext to 127.0.0.1:`backend_port`.
class TlsTerminator {
 public:
  TlsTerminator(asio::io_context& io, std::shared_ptr<ssl::context> ctx, unsigned short backend_port)
      : io_(io), acceptor_(listen_loopback(io)), ctx_(std::move(ctx)), backend_port_(backend_port) {
    spawn(io_, accept_loop());
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  int handshakes_failed() const { return *failed_; }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, sock] = co_await acceptor_.async_accept(kTuple);
      if (ec) co_return;
      spawn(io_, serve(std::move(sock), ctx_, backend_port_, failed_));
    }
  }

  static asio::awaitable<void> serve(tcp::socket sock, std::shared_ptr<ssl::context> ctx, unsigned short backend_port,
                                     std::shared_ptr<int> failed) {
    auto tls = std::make_shared<ssl::stream<tcp::socket>>(std::move(sock), *ctx);
    auto [hec] = co_await tls->async_handshake(ssl::stream_base::server, kTuple);
    if (hec) {
      ++*failed;
      co_return;
    }
    auto backend = std::make_shared<tcp::socket>(co_await asio::this_coro::executor);
    auto [cec] = co_await backend->async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), backend_port),
                                                 kTuple);
    if (cec) co_return;
    auto stop = [tls, backend] {
      boost::system::error_code ignored;
      tls->next_layer().close(ignored);
      backend->close(ignored);
    };
    auto ex = co_await asio::this_coro::executor;
    asio::co_spawn(ex, pump(*tls, *backend, stop), [](std::exception_ptr e) { log_unexpected(e); });
    co_await pump(*backend, *tls, stop);
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::shared_ptr<ssl::context> ctx_;
  unsigned short backend_port_;
  std::shared_ptr<int> failed_ = std::make_shared<int>(0);
};

// An HTTP proxy that only knows CONNECT, like the ones in front of trading hosts.
class ConnectProxy {
 public:
  explicit ConnectProxy(asio::io_context& io) : io_(io), acceptor_(listen_loopback(io)) { spawn(io_, accept_loop()); }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  const std::vector<std::string>& tunnels() const { return state_->tunnels; }

 private:
  struct State {
    std::vector<std::string> tunnels;  // the authority of every CONNECT served
  };

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, sock] = co_await acceptor_.async_accept(kTuple);
      if (ec) co_return;
      spawn(io_, serve(std::move(sock), state_));
    }
  }

  static asio::awaitable<void> serve(tcp::socket sock, std::shared_ptr<State> state) {
    auto client = std::make_shared<tcp::socket>(std::move(sock));
    beast::flat_buffer buffer;
    http::request<http::empty_body> req;
    auto [rec, rn] = co_await http::async_read(*client, buffer, req, kTuple);
    (void)rn;
    if (rec) co_return;
    auto ex = co_await asio::this_coro::executor;
    if (req.method() != http::verb::connect) {
      http::response<http::empty_body> res{http::status::method_not_allowed, 11};
      co_await http::async_write(*client, res, kTuple);
      co_return;
    }
    const std::string authority(req.target());
    const auto colon = authority.rfind(':');
    auto upstream = std::make_shared<tcp::socket>(ex);
    tcp::resolver resolver(ex);
    auto [sec, eps] = co_await resolver.async_resolve(authority.substr(0, colon), authority.substr(colon + 1), kTuple);
    boost::system::error_code cec = sec;
    if (!sec) std::tie(cec, std::ignore) = co_await asio::async_connect(*upstream, eps, kTuple);
    http::response<http::empty_body> res{cec ? http::status::bad_gateway : http::status::ok, 11};
    res.reason(cec ? "Bad Gateway" : "Connection Established");
    // No Content-Length on a 2xx CONNECT answer: the tunnel starts right after the header.
    auto [wec, wn] = co_await http::async_write(*client, res, kTuple);
    (void)wn;
    if (wec || cec) co_return;
    state->tunnels.push_back(authority);
    auto stop = [client, upstream] {
      boost::system::error_code ignored;
      client->close(ignored);
      upstream->close(ignored);
    };
    asio::co_spawn(ex, pump(*client, *upstream, stop), [](std::exception_ptr e) { log_unexpected(e); });
    co_await pump(*upstream, *client, stop);
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace kgw::net::test
